import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, type Node } from 'acorn';
import { decode, encode } from '@jridgewell/sourcemap-codec';
import type { OutputFile, Plugin } from 'esbuild';

/**
 * A module the bundle imports with `import()` (an API part's route groups, a library one route
 * uses) stays in the same file, its body wrapped in a function that runs on first import:
 * `var init_x = __esm(() => { …the module… })`. Minified, esbuild writes that function as an arrow.
 * V8 parses an arrow passed as an argument in full when the file loads, where a `function`
 * expression is only pre-parsed until it is called: measured on the Dispensers bundle, the arrows
 * cost ~0.4× `node -e ''` at import, and a first request that needs one route group came out
 * slower than importing every group eagerly (bench/README.md, "Cold start, fourth pass").
 *
 * So after each build these wrappers become `function(){…}`: the same closure (a module body
 * uses neither `this` nor `arguments`; esbuild's output is strict), with each source map's
 * columns moved to match. Only top-level declarations whose callee is esbuild's lazy-init helper
 * are touched, found by parsing, so a local that happens to share the helper's minified name
 * is left alone.
 */
export const lazyModulesCompiledOnUse: Plugin = {
  name: 'lazy-modules-compiled-on-use',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      if (result.outputFiles) {
        result.outputFiles = rewriteInMemory(result.outputFiles);
        return;
      }
      for (const output of Object.keys(result.metafile?.outputs ?? {}).filter((path) => path.endsWith('.mjs'))) {
        const file = join(build.initialOptions.absWorkingDir ?? process.cwd(), output);
        const rewritten = wrappersAsFunctions(await readFile(file, 'utf8'));
        if (rewritten.moved.length === 0) continue;
        await writeFile(file, rewritten.code);
        const map = await readFile(`${file}.map`, 'utf8').catch(() => undefined);
        if (map !== undefined) await writeFile(`${file}.map`, mapMoved(map, rewritten.moved));
      }
    });
    // The outputs' paths, to find the files written to disk.
    build.initialOptions.metafile = true;
  },
};

function rewriteInMemory(files: OutputFile[]): OutputFile[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const replaced = new Map<string, string>();
  for (const file of files.filter((f) => f.path.endsWith('.mjs'))) {
    const rewritten = wrappersAsFunctions(file.text);
    if (rewritten.moved.length === 0) continue;
    replaced.set(file.path, rewritten.code);
    const map = byPath.get(`${file.path}.map`);
    if (map) replaced.set(map.path, mapMoved(map.text, rewritten.moved));
  }
  return files.map((f) => {
    const text = replaced.get(f.path);
    return text === undefined ? f : { path: f.path, hash: f.hash, contents: new TextEncoder().encode(text), text };
  });
}

/** Where a wrapper's `()=>` became `function()`: a 0-based line and column of the output before the change. */
interface Moved {
  readonly line: number;
  readonly column: number;
}

const ARROW = '()=>';
const FUNCTION = 'function()';

/** The bundle with each top-level lazy-init wrapper written as a `function` expression. */
export function wrappersAsFunctions(code: string): { code: string; moved: Moved[] } {
  const program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  const declarators = program.body.flatMap((statement) =>
    statement.type === 'VariableDeclaration' ? statement.declarations : [],
  );
  const helpers = new Set(
    declarators.flatMap((d) => (d.id.type === 'Identifier' && d.init && isLazyInitHelper(d.init) ? [d.id.name] : [])),
  );
  const arrows = declarators.flatMap((d) => {
    const call = d.init;
    if (call?.type !== 'CallExpression' || call.callee.type !== 'Identifier' || !helpers.has(call.callee.name))
      return [];
    const [body] = call.arguments;
    if (call.arguments.length !== 1 || body?.type !== 'ArrowFunctionExpression' || body.params.length > 0) return [];
    if (body.async || body.body.type !== 'BlockStatement' || !code.startsWith(`${ARROW}{`, body.start)) return [];
    return [body];
  });
  let out = code;
  for (const arrow of [...arrows].sort((a, b) => b.start - a.start))
    out = out.slice(0, arrow.start) + FUNCTION + out.slice(arrow.start + ARROW.length);
  return {
    code: out,
    moved: arrows.map((a) => ({ line: (a.loc?.start.line ?? 1) - 1, column: a.loc?.start.column ?? 0 })),
  };
}

/**
 * esbuild's lazy-init helper, by its shape: `(fn, result, error) => () => { … try { … } … }`.
 * If an esbuild upgrade changes it, nothing is rewritten, and the bundle test that counts the
 * wrappers (test/infra/bundles.test.ts) fails.
 */
function isLazyInitHelper(node: Node): boolean {
  if (node.type !== 'ArrowFunctionExpression') return false;
  const arrow = node as Node & { params: Node[]; body: Node & { params?: Node[]; body?: Node & { body?: Node[] } } };
  const inner = arrow.body;
  return (
    arrow.params.length === 3 &&
    inner.type === 'ArrowFunctionExpression' &&
    inner.params?.length === 0 &&
    inner.body?.type === 'BlockStatement' &&
    (inner.body.body ?? []).some((statement) => statement.type === 'TryStatement')
  );
}

/** The source map with every generated column after a rewritten wrapper on its line moved right. */
export function mapMoved(mapJson: string, moved: readonly Moved[]): string {
  const map = JSON.parse(mapJson) as { mappings: string };
  const shift = FUNCTION.length - ARROW.length;
  const byLine = new Map<number, number[]>();
  for (const { line, column } of moved) byLine.set(line, [...(byLine.get(line) ?? []), column]);
  const lines = decode(map.mappings);
  for (const [line, columns] of byLine) {
    const segments = lines[line];
    if (!segments) continue;
    for (const segment of segments) segment[0] += shift * columns.filter((column) => column < segment[0]).length;
  }
  return JSON.stringify({ ...map, mappings: encode(lines) });
}
