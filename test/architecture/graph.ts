// The import graph of the project's own source (src/, protocol/, handlers/), read with the
// TypeScript compiler's parser: every static `import … from`, `export … from`, `import x = require`
// and literal `import()`. Used by imports.test.ts (docs/architecture.md states the rules).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Edge {
  from: string;
  to: string;
  /** `import type` / `export type`, or every named binding marked `type`: erased at run time. */
  typeOnly: boolean;
}

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const SOURCE_DIRS = ['src', 'protocol', 'handlers'] as const;

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...listTs(rel));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function typeOnlyImport(node: ts.ImportDeclaration): boolean {
  const c = node.importClause;
  if (!c) return false; // a bare `import './x.js'` runs the module
  if (c.isTypeOnly) return true;
  if (c.name) return false;
  const b = c.namedBindings;
  if (!b) return false;
  if (ts.isNamespaceImport(b)) return false;
  return b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
}

function typeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const c = node.exportClause;
  return !!c && ts.isNamedExports(c) && c.elements.length > 0 && c.elements.every((e) => e.isTypeOnly);
}

/** Resolve a relative specifier (`../x.js`) of `from` to a repository-relative .ts path. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const abs = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const cand of [abs.replace(/\.js$/, '.ts'), abs, `${abs}.ts`, `${abs}/index.ts`]) {
    if (fs.existsSync(path.join(ROOT, cand)) && fs.statSync(path.join(ROOT, cand)).isFile()) return cand;
  }
  return abs; // a dangling import still shows as an edge (the compiler reports it)
}

/** Every edge, including packages (`to` = the package name, e.g. `pg`, `node:net`). */
export function importGraph(dirs: readonly string[] = SOURCE_DIRS): { files: string[]; edges: Edge[] } {
  const files = dirs.flatMap(listTs).sort();
  const edges: Edge[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const add = (spec: string, typeOnly: boolean) => {
      const to = spec.startsWith('.') ? resolve(file, spec)! : packageName(spec);
      edges.push({ from: file, to, typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, typeOnlyImport(node));
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, typeOnlyExport(node));
      } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
        add(node.moduleReference.expression.text, node.isTypeOnly);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const a = node.arguments[0];
        if (a && ts.isStringLiteralLike(a)) add(a.text, false);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        add(node.argument.literal.text, true);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { files, edges };
}

/** `@scope/name/sub` → `@scope/name`; `pg/lib/x` → `pg`; `node:fs` stays. */
export function packageName(spec: string): string {
  if (spec.startsWith('node:')) return spec;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Cycles among project files, each as a closed chain a → … → a (every file of a cycle appears in one). */
export function findCycles(edges: readonly Edge[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    if (!e.to.includes('/') || !e.to.endsWith('.ts')) continue;
    const l = adj.get(e.from) ?? [];
    if (!l.includes(e.to)) l.push(e.to);
    adj.set(e.from, l);
  }
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (adj.get(v) ?? []).includes(v)) sccs.push(comp);
    }
  };
  for (const v of [...adj.keys()].sort()) if (!idx.has(v)) strong(v);
  // Concrete chains: a shortest cycle through each file of a component not yet shown in one.
  const cycleThrough = (start: string, inComp: Set<string>): string[] => {
    const prev = new Map<string, string>();
    const queue = [start];
    const seen = new Set<string>();
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of adj.get(v) ?? []) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          const chain = [start];
          for (let x = v; x !== start; x = prev.get(x)!) chain.splice(1, 0, x);
          chain.push(start);
          return chain;
        }
        if (!seen.has(w)) {
          seen.add(w);
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  };
  const out: string[][] = [];
  for (const comp of sccs) {
    const inComp = new Set(comp);
    const shown = new Set<string>();
    for (const f of [...comp].sort()) {
      if (shown.has(f)) continue;
      const chain = cycleThrough(f, inComp);
      for (const x of chain) shown.add(x);
      out.push(chain);
    }
  }
  return out;
}

/** Files reachable from `entry` through imports that remain at run time (type-only ones are erased). */
export function runtimeClosure(edges: readonly Edge[], entry: string): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    if (e.typeOnly) continue;
    const l = adj.get(e.from) ?? [];
    l.push(e.to);
    adj.set(e.from, l);
  }
  // file → the chain that reaches it
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of adj.get(v) ?? []) {
      if (chains.has(w)) continue;
      chains.set(w, [...chains.get(v)!, w]);
      if (w.endsWith('.ts')) queue.push(w);
    }
  }
  return chains;
}
