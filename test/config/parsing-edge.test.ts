// Config values must never be silently dropped or changed by the INI reader (moved here from a
// review's test/review-store/config-silent.test.ts).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTopLevel, loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';

const dir = mkdtempSync(join(tmpdir(), 'bsg-review-cfg-'));
const file = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

t.test('a comment after the FIRST section header does not drop the section', async (t) => {
  // ini.parse() alone does not take "[database] ; ..." as a header (its section regex has no room
  // for a trailing comment): the keys would land at the top level, which nobody reads, and the
  // gateway would run on a local SQLite file. scanStructure() normalises the header first.
  const f = file('first-header-comment.ini', [
    '[database] ; production billing database',
    'type = postgres',
    'url = postgres://bss@10.1.2.3:5432/bss',
    '[interface.cs]',
    'port = 9921',
    '',
  ].join('\n'));
  const cfg = loadConfig([f], {});
  t.equal(cfg.database.type, 'postgres', 'type = postgres must not silently become sqlite');
  t.equal(cfg.database.url, 'postgres://bss@10.1.2.3:5432/bss', 'the section\'s other keys are read too');
});

t.test('a quoted secret keeps its leading/trailing spaces', async (t) => {
  // docs/config.md: quote values that need it. ini keeps the quoted spaces and load.ts does not trim them.
  const f = file('quoted-pw.ini', [
    '[interface.cs]',
    '[database]',
    'type = oracle',
    'user = BSS',
    'password = "  s3cret  "',
    'connect_string = 127.0.0.1:1521/BSSDB',
    '',
  ].join('\n'));
  const cfg = loadConfig([f], {});
  t.equal(cfg.database.password, '  s3cret  ', 'the quoted password is used as written');
});

t.test('indented headers and headers with a ; or # comment are sections, exactly like plain ones', async (t) => {
  const f = file('header-forms.ini', [
    '  [interface.cs]   # customer service',
    '  port = 9931',
    '[interface.card];payment cards',
    'port = 9932',
    '\t[database] ; see [ops wiki]',
    'type = postgres',
    'url = postgres://bss@10.1.2.3:5432/bss',
    '[ log ]',
    'level = debug',
    '',
  ].join('\n'));
  const cfg = loadConfig([f], {});
  t.same(cfg.interfaces.map((i) => [i.name, i.port]), [['cs', 9931], ['card', 9932]]);
  t.equal(cfg.database.type, 'postgres');
  t.equal(cfg.log.level, 'debug');
});

t.test('a header comment does not hide a repeated section or key', async (t) => {
  const twice = file('twice.ini', '[interface.cs]\n[database] ; a\ntype = sqlite\n  [database]\n');
  t.throws(() => loadConfig([twice], {}), { message: /\[database\].*appears twice/ });
  const key = file('key-twice.ini', '[interface.cs] ; x\nport = 1\nport = 2\n');
  t.throws(() => loadConfig([key], {}), { message: /\[interface\.cs\] port.*set twice/ });
});

t.test('text after a header that is not a comment is an error, not a silently ignored line', async (t) => {
  const f = file('header-junk.ini', '[interface.cs]\n[database] prod\ntype = postgres\n');
  t.throws(() => loadConfig([f], {}), ConfigError);
});

t.test('a line with no key before "=" is refused (the INI reader would skip it), without echoing it', async (t) => {
  const f = file('no-key.ini', '[interface.cs]\n[database]\ntype = oracle\n= hunter2\n');
  const err = t.throws(() => loadConfig([f], {}), { message: /no-key\.ini.*\[database\].*no key before "="/ });
  t.notMatch(String((err as Error | undefined)?.message), /hunter2/);
});

t.test('lone CR line breaks are lines to the section scan as they are to the INI reader', async (t) => {
  const f = file('cr.ini', '[interface.cs]\rport = 9941\rport = 9942\r');
  t.throws(() => loadConfig([f], {}), { message: /port.*set twice/ });
});

t.test('a key the INI reader leaves at the top level is refused naming the file and key', async (t) => {
  t.throws(() => checkTopLevel('h.ini', { type: 'postgres', database: {} }, ['database']), {
    name: 'ConfigError',
    message: /h\.ini.*type.*outside any section/,
  });
  t.throws(() => checkTopLevel('h.ini', { databse: { type: 'postgres' } }, ['database']), {
    name: 'ConfigError',
    message: /h\.ini.*databse/,
  });
  t.doesNotThrow(() => checkTopLevel('h.ini', { interface: { cs: {} }, database: {} }, ['interface.cs', 'database']));
});

t.test('quoted values keep their spaces; unquoted values are trimmed as before', async (t) => {
  const f = file('quoted.ini', [
    '[interface.cs]',
    'kind = cs   ',
    '[database]',
    'type = oracle',
    "user = '  BSS '",
    'password = "a;b # c  "',
    'connect_string =   127.0.0.1:1521/BSSDB   ; trailing comment',
    '',
  ].join('\n'));
  const cfg = loadConfig([f], {});
  t.match(cfg.database, { user: '  BSS ', password: 'a;b # c  ', connectString: '127.0.0.1:1521/BSSDB' });
  // A quoted value is not trimmed into validity either: the error shows it as written.
  const port = file('quoted-port.ini', '[interface.cs]\nport = " 9921"\n');
  t.throws(() => loadConfig([port], {}), { message: /port: " 9921" is not a port/ });
});

t.test('OP-01: values the INI reader would silently change are refused, naming file, section and key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-quote-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'q.ini');
  const load = (line: string) => {
    writeFileSync(f, `[interface.cs]\n[database]\ntype = oracle\nconnect_string = 127.0.0.1:1521/BSS\nuser = bss\n${line}\n`);
    return loadConfig([f], {});
  };
  t.equal(load('password = "a#b;c"').database.password, 'a#b;c', 'quoted ; and # are kept');
  t.equal(load("password = 'C:\\x'").database.password, 'C:\\x', 'a backslash in single quotes is kept');
  t.equal(load('password = "  pad  "').database.password, '  pad  ', 'double quotes keep spaces');
  t.throws(() => load('password = abc#def'), /q\.ini: \[database\] password: a ; or # inside an unquoted value starts a comment/);
  t.equal(load('password = abc ; a comment').database.password, 'abc', 'after a space, ; starts the usual end-of-line comment');
  t.throws(() => load('password = "C:\\bin"'), /\[database\] password: a backslash inside "double quotes" is read as an escape/);
  t.throws(() => load('password = "x" ; note'), /\[database\] password: a quoted value must end with its closing "/);
  const err = (() => {
    try {
      load('password = abc#def');
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  })();
  t.notMatch(err, /abc|def/, 'the value itself is not echoed');
});
