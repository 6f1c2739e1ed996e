// Typed queries (src/store/queries/define.ts) on every back end: the column spec drives the
// conversions (money and ids → bigint, dates → wire strings, the NULL rule), binds and result
// columns are a checked contract, and a month without its ticket table is "no records".
import t from 'tap';
import { defineQuery, defineTicketQuery, bindNamesOf, replaceSql, queryNames, QueryContractError, forgetTicketTables } from '../../src/store/queries/define.js';
import { handlerSuite, cycleOf } from '../helpers/seeded.js';

let n = 0;
const uniq = (s: string) => `test.${s}.${++n}`;

t.test('a query whose SQL and declared binds differ is refused when it is defined', async (t) => {
  t.throws(() => defineQuery({ name: uniq('b1'), sql: 'SELECT 1 AS X FROM T WHERE A = :a AND B = :b', binds: { a: 'text' }, columns: { x: 'int' } }), /uses :b, which is not a declared bind/);
  t.throws(() => defineQuery({ name: uniq('b2'), sql: 'SELECT 1 AS X FROM T', binds: { a: 'text' }, columns: { x: 'int' } }), /bind :a is declared but the SQL does not use it/);
  t.throws(() => defineQuery({ name: uniq('b3'), sql: 'SELECT 1 AS X', binds: {}, columns: { X: 'int' } }), /lower case/);
  const name = uniq('dup');
  defineQuery({ name, sql: 'SELECT 1 AS X', binds: {}, columns: { x: 'int' } });
  t.throws(() => defineQuery({ name, sql: 'SELECT 1 AS X', binds: {}, columns: { x: 'int' } }), /defined twice/);
  t.same(bindNamesOf("SELECT :a, ':b', :a, :c::int"), ['a', 'c']);
});

t.test('replaceSql keeps the contract: other binds are refused, the new SQL runs under a new statement name', async (t) => {
  const q = defineQuery({ name: uniq('r'), sql: 'SELECT SVCNUM FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum', binds: { svcnum: 'text' }, columns: { svcnum: 'text' } });
  t.ok(queryNames().includes(q.name));
  const before = q.def();
  t.throws(() => replaceSql(q.name, 'SELECT SVCNUM FROM TAB_SUBSCRB WHERE IMSI = :imsi'), /not a declared bind/);
  t.equal(q.def(), before, 'unchanged after a refused replacement');
  replaceSql(q.name, 'SELECT SVCNUM FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum AND STATUS <> 5');
  t.not(q.def().name, before.name);
  t.match(q.def().sql, /STATUS <> 5/);
  t.throws(() => replaceSql('no.such.query', 'SELECT 1'), /no query named/);
});

t.test('a ticket query must read {{parts}} and each part {{table}}', async (t) => {
  t.throws(() => defineTicketQuery({ name: uniq('tq1'), parts: { SMS: 'SELECT SVCNUM FROM {{table}}' }, sql: 'SELECT SVCNUM FROM T', binds: {}, columns: { svcnum: 'text' } }), /\{\{parts\}\}/);
  t.throws(() => defineTicketQuery({ name: uniq('tq2'), parts: { SMS: 'SELECT SVCNUM FROM X' }, sql: 'SELECT * FROM ({{parts}}) t', binds: {}, columns: { svcnum: 'text' } }), /\{\{table\}\}/);
});

handlerSuite('typed queries', async (t, h) => {
  const sub = h.fx.first;
  t.test('money and ids arrive as bigint, ints as number, times as YYYYMMDDHHMMSS and dates as YYYYMMDD', async (t) => {
    const q = defineQuery({
      name: uniq('conv'),
      sql: `SELECT s.SUBSCRBID, s.STATUS, b.BALANCE, s.OPENDATE AS OPENED, s.OPENDATE AS OPENDAY FROM TAB_SUBSCRB s JOIN ACCT_BALANCE b ON b.ACCTID = s.ACCTID WHERE s.SVCNUM = :svcnum`,
      binds: { svcnum: 'text' },
      columns: { subscrbid: 'id', status: 'int', balance: 'money', opened: 'datetime', openday: 'date' },
    });
    const r = await q.one(h.store, { svcnum: sub.svcnum });
    t.equal(r?.subscrbid, BigInt(sub.subscrbid));
    t.equal(r?.status, sub.status);
    t.equal(r?.balance, sub.balance);
    t.match(r?.opened, /^\d{14}$/);
    t.equal(r?.openday, r?.opened.slice(0, 8));
  });

  t.test('NULL: text? and datetime? give "", int?/money? give null, a NOT NULL column holding NULL is an error naming it', async (t) => {
    const q = defineQuery({
      name: uniq('null'),
      sql: 'SELECT CONTACTNUM, EMAIL, NULL AS GONE, CAST(NULL AS INTEGER) AS N FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum',
      binds: { svcnum: 'text' },
      columns: { contactnum: 'text?', email: 'text?', gone: 'datetime?', n: 'money?' },
    });
    const r = await q.one(h.store, { svcnum: sub.svcnum });
    t.equal(r?.email, '', 'EMAIL is NULL in the demo');
    t.equal(r?.gone, '');
    t.equal(r?.n, null);
    const strict = defineQuery({ name: uniq('notnull'), sql: 'SELECT EMAIL FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum', binds: { svcnum: 'text' }, columns: { email: 'text' } });
    await t.rejects(strict.one(h.store, { svcnum: sub.svcnum }), QueryContractError);
    await t.rejects(strict.one(h.store, { svcnum: sub.svcnum }), /column email is NULL/);
  });

  t.test('a money column holding a fraction is refused, never rounded', async (t) => {
    const q = defineQuery({ name: uniq('frac'), sql: 'SELECT BALANCE + 0.5 AS BALANCE FROM ACCT_BALANCE WHERE ACCTID = :a', binds: { a: 'id' }, columns: { balance: 'money' } });
    await t.rejects(q.one(h.store, { a: sub.acctid }));
  });

  t.test('result columns other than the declared ones are a contract error', async (t) => {
    const q = defineQuery({ name: uniq('cols'), sql: 'SELECT SVCNUM, STATUS FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum', binds: { svcnum: 'text' }, columns: { svcnum: 'text' } });
    await t.rejects(q.one(h.store, { svcnum: sub.svcnum }), /returns columns svcnum, status; declared svcnum/);
  });

  t.test('monthly tickets: the month is a parameter; a month without its table is no records; a missing kind is left out', async (t) => {
    const q = defineTicketQuery({
      name: uniq('tickets'),
      parts: {
        GSMCDMA: "SELECT 'V' AS KIND, STARTTIME FROM {{table}} WHERE SVCNUM = :svcnum",
        SMS: "SELECT 'S' AS KIND, STARTTIME FROM {{table}} WHERE SVCNUM = :svcnum",
      },
      sql: 'SELECT KIND, COUNT(*) AS N FROM ({{parts}}) t GROUP BY KIND ORDER BY KIND',
      binds: { svcnum: 'text' },
      columns: { kind: 'text', n: 'int' },
    });
    const month = cycleOf(h.now, 1);
    const [voice] = await h.sql<{ n: number }>(`SELECT COUNT(*) AS N FROM TICKET_GSMCDMA_${month} WHERE SVCNUM = :s`, { s: sub.svcnum });
    const [sms] = await h.sql<{ n: number }>(`SELECT COUNT(*) AS N FROM TICKET_SMS_${month} WHERE SVCNUM = :s`, { s: sub.svcnum });
    t.same(await q.all(h.store, month, { svcnum: sub.svcnum }), [{ kind: 'S', n: Number(sms.n) }, { kind: 'V', n: Number(voice.n) }]);
    t.ok(Number(voice.n) > 1000, 'the heavy fixture has thousands of calls');
    t.same(await q.all(h.store, '200001', { svcnum: sub.svcnum }), [], 'no table for January 2000: no records');
    await h.sql(`DROP TABLE TICKET_SMS_${month}`);
    forgetTicketTables();
    t.same(await q.all(h.store, month, { svcnum: sub.svcnum }), [{ kind: 'V', n: Number(voice.n) }], 'the SMS table gone: voice only');
    t.throws(() => q.render('2024-1', ['SMS']), /YYYYMM/, 'a month is validated before it becomes a table name');
  });
}, { schemas: ['a'] });
