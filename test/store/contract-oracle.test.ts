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
if (!user || !password || !connectString) {
  t.test('oracle contract suite', { skip: 'BSSGATE_TEST_ORACLE_USER/PASSWORD/CONNECT are not set (no Oracle server here)' }, () => undefined);
} else {
  storeContract(t, 'oracle', () => OracleStore.open(pino({ level: 'silent' }), { user, password, connectString }));
  t.pass('oracle contract suite ran');
}
