// The store contract against a real Oracle when BSSGATE_TEST_ORACLE_USER / _PASSWORD / _CONNECT
// are set (a scratch schema: the suite creates tables and does not drop them). Without them the
// Oracle renderings are checked in dialect.test.ts.
import t from 'tap';
import pino from 'pino';
import { OracleStore } from '../../src/store/oracle.js';
import { storeContract } from './contract.js';

const user = process.env.BSSGATE_TEST_ORACLE_USER;
const password = process.env.BSSGATE_TEST_ORACLE_PASSWORD;
const connectString = process.env.BSSGATE_TEST_ORACLE_CONNECT;
if (!user && !password && !connectString) {
  // The whole file is reported as skipped, with the reason, not as a pass.
  t.plan(0, 'no Oracle server: set BSSGATE_TEST_ORACLE_USER/PASSWORD/CONNECT to run the store contract suite against Oracle');
} else if (!user || !password || !connectString) {
  // Half a configuration is a mistake in the CI setup, not a reason to skip in silence.
  const unset = Object.entries({ USER: user, PASSWORD: password, CONNECT: connectString }).filter(([, v]) => !v).map(([k]) => `BSSGATE_TEST_ORACLE_${k}`);
  t.fail(`oracle contract suite: ${unset.join(', ')} not set while the others are`);
} else {
  storeContract(t, 'oracle', () => OracleStore.open(pino({ level: 'silent' }), { user, password, connectString }));
  t.pass('oracle contract suite ran');
}
