import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import pino from 'pino';
import { createSqliteStore } from '../../src/store/open.js';
import { storeContract } from './contract.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-contract-sqlite-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

storeContract(t, 'sqlite', async () => createSqliteStore(path.join(dir, 'contract.db'), pino({ level: 'silent' })));

t.test('issue 17: a {{nextval}} query is answered from the sequence row, without running SELECT ? AS …', async (t) => {
  const { default: Database } = await import('better-sqlite3');
  const { renderDdl } = await import('../../src/store/ddl.js');
  const store = await createSqliteStore(path.join(dir, 'nextval.db'), pino({ level: 'silent' }));
  t.teardown(() => store.close());
  for (const sql of renderDdl('sqlite')) await store.exec(sql);
  const NEXT = { name: 'test.nextval-echo', sql: 'SELECT {{nextval SEQ_PAYSN}} AS PAYSN{{dual}}', bigint: ['paysn'] };
  const NEXT_NUMBER = { name: 'test.nextval-number', sql: 'SELECT {{nextval SEQ_PAYSN}} AS N{{dual}}' };
  const proto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  const ran: string[] = [];
  const orig = { get: proto.get, all: proto.all };
  for (const m of ['get', 'all'] as const) {
    proto[m] = function (this: { source: string }, ...a: unknown[]) {
      ran.push(this.source);
      return orig[m].apply(this, a);
    };
  }
  t.teardown(() => Object.assign(proto, orig));
  const [first, second, third] = await store.unitOfWork(async (tx) => [
    await tx.one<{ paysn: bigint }>(NEXT),
    (await tx.all<{ paysn: bigint }>(NEXT))[0],
    await tx.one<{ n: unknown }>(NEXT_NUMBER),
  ] as const);
  t.equal(typeof first?.paysn, 'bigint');
  t.same([first, second], [{ paysn: first!.paysn }, { paysn: first!.paysn + 1n }], 'one row each, the next values, as bigint');
  t.same(third, { n: Number(first!.paysn + 2n) }, 'a column not declared bigint is run as before (a number)');
  t.notOk(ran.includes('SELECT ? AS PAYSN'), 'the echo statement of a bigint key was not run');
  t.ok(ran.includes('SELECT ? AS N'));
});
