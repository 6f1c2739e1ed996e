// The handler kit's promise: request and reply types are inferred from the contract's layouts
// (handlers/contracts/define.ts) for the handler bound to it (handlers/kit/define.ts), so a
// misspelt or missing reply field, or a value of the wrong type, is a compile error. Each case
// is compiled with the project's compiler options by the TypeScript compiler itself.
import t from 'tap';
import ts from 'typescript';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function source(handle: string): string {
  return `
import { char, list, money } from '${ROOT}protocol/fields.js';
import { defineContract } from '${ROOT}handlers/contracts/define.js';
import { defineHandler } from '${ROOT}handlers/kit/define.js';
import { svcnum } from '${ROOT}handlers/kit/fields.js';
const contract = defineContract({
  key: 'BALANCE',
  module: import.meta.url,
  request: [svcnum],
  response: [money('balance'), list('items', [char('code', 4)], { maxItems: 10 })],
  refusals: [],
  doc: '',
  example: { request: { svcnum: '13900000000' }, response: { balance: 1n, items: [] } },
});
export default defineHandler(contract, {
  async handle(req) {
    ${handle}
  },
});
`;
}

const CASES: Record<string, { handle: string; ok: boolean }> = {
  'a correct reply compiles': { handle: "const s: string = req.svcnum; return { balance: BigInt(s.length), items: [{ code: 'CFU' }] };", ok: true },
  'a misspelt reply field is an error': { handle: 'return { balanse: 1n, items: [] };', ok: false },
  'a missing reply field is an error': { handle: 'return { balance: 1n };', ok: false },
  'a float for money is an error': { handle: 'return { balance: 1.5, items: [] };', ok: false },
  'a wrong type inside a list record is an error': { handle: 'return { balance: 1n, items: [{ code: 7 }] };', ok: false },
  'reading a request field the layout does not have is an error': { handle: 'return { balance: BigInt(req.password), items: [] };', ok: false },
};

t.test('the kit types requests and replies from the layouts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-kit-types-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const files = Object.entries(CASES).map(([name, c], i) => {
    const f = join(dir, `case${i}.ts`);
    writeFileSync(f, source(c.handle));
    return { name, file: f, ok: c.ok };
  });
  const cfg = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  const program = ts.createProgram(files.map((f) => f.file), { ...cfg!.options, noEmit: true, rootDir: undefined });
  for (const f of files) {
    const diags = ts.getPreEmitDiagnostics(program, program.getSourceFile(f.file));
    const text = diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
    if (f.ok) t.equal(diags.length, 0, `${f.name}${text ? `: ${text}` : ''}`);
    else t.ok(diags.length > 0, f.name);
  }
});
