// Every typed query the handlers use, rendered for the three dialects. There is no Oracle server
// here: this is where the Oracle path is checked (its SQL is the same query through the dialect).
import t from 'tap';
import '../../handlers/index.js'; // defines every query the functions use
import '../../src/store/queries/commands.js'; // and the scanner's (issue 17: its batch queries too)
import { queryContract, queryNames } from '../../src/store/queries/define.js';
import { render } from '../../src/store/dialect.js';

t.test('every typed query renders on sqlite, postgres and oracle with its declared binds', async (t) => {
  const names = queryNames().filter((n) => !n.startsWith('test.'));
  t.ok(names.length >= 3, `${names.length} queries`);
  for (const name of names) {
    const c = queryContract(name)!;
    const declared = Object.keys(c.binds).sort();
    const pg = render('postgres', c.def);
    t.same([...new Set(pg.names)].sort(), declared, `${name}: postgres binds`);
    t.notMatch(pg.sql, /\{\{|\}\}/, `${name}: no marker left (postgres)`);
    const ora = render('oracle', c.def);
    // With FOR UPDATE, {{limit :n}} is no SQL on Oracle: the driver fetches at most :n rows (maxRows).
    t.same([...new Set([...ora.names, ...(typeof ora.maxRows === 'string' ? [ora.maxRows] : [])])].sort(), declared, `${name}: oracle binds`);
    // Oracle 12.1: no LIMIT, no bind named like a reserved word (the dialect numbers them :b1…).
    t.notMatch(ora.sql, /\bLIMIT\b/i, `${name}: no LIMIT on oracle`);
    t.notMatch(ora.sql, /:(?!b\d+\b)[A-Za-z_]/, `${name}: oracle binds are :bN`);
    t.notMatch(ora.sql, /\{\{|\}\}/, `${name}: no marker left (oracle)`);
    const lite = render('sqlite', c.def);
    t.notMatch(lite.sql, /\{\{|\}\}|:[A-Za-z_]/, `${name}: sqlite binds are ?`);
  }
});
