import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaEsbuildOptions, lambdaFunctions } from '../infra/bundling.ts';
import { buildOne, groupProbes, httpEvent, LAMBDA_ENV } from './cold-start.ts';
import { median } from './stats.ts';

/**
 * Before and after, in one run: `npx tsx bench/cold-start-compare.ts <git-ref> [runs]` bundles every
 * function at `<git-ref>` (its own infra/bundle-function.ts, in a copy of that commit) and at the
 * working tree, then times, interleaved with `node -e ''`: the import of each, and a cold start that
 * serves one request to each route group (the same API Gateway events for both; the heaviest
 * group's figure is reported). A function whose jobs, consumers or stream handlers all load at
 * import has nothing more to load for its first event, so its first-event figure is its import.
 * Writes bench/results-cold-start-compare.json.
 */
const ROOT = resolve(import.meta.dirname, '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const [ref = 'HEAD', runsArg = '7'] = process.argv.slice(2);
const runs = Number(runsArg);
// Inside the project, so `@aws-sdk/*` (external) resolves from node_modules as on Lambda from the runtime.
const OUT = join(ROOT, 'bench', '.tmp', 'compare');
const SOURCE = join(OUT, 'source');

function bundleAll(root: string, into: string): void {
  for (const fn of lambdaFunctions)
    execFileSync(NODE, ['--import', 'tsx', 'infra/bundle-function.ts', fn.name, join(into, fn.name)], {
      cwd: root,
      stdio: 'inherit',
    });
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(SOURCE, { recursive: true });
execFileSync('sh', ['-c', `git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(SOURCE)}`], { cwd: ROOT });
if (!existsSync(join(SOURCE, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(SOURCE, 'node_modules'));
bundleAll(SOURCE, join(OUT, 'before'));
// The working tree as the cold-start bench builds and probes it (bench/.tmp/bundles/).
const after = await Promise.all(lambdaFunctions.map((fn) => buildOne(fn, lambdaEsbuildOptions, join(OUT, 'after'))));
// With COMPARE_UNSPLIT=1, also the working tree in one file per function (esbuild without splitting).
const { splitting: _splitting, chunkNames: _chunkNames, ...unsplitOptions } = lambdaEsbuildOptions;
const unsplit = process.env.COMPARE_UNSPLIT
  ? await Promise.all(lambdaFunctions.map((fn) => buildOne(fn, unsplitOptions, join(OUT, 'unsplit'))))
  : [];

const url = (side: string, name: string) => JSON.stringify(pathToFileURL(join(OUT, side, name, 'index.mjs')).href);
const serve = (side: string, name: string, event: unknown) =>
  `const { handler } = await import(${url(side, name)}); const r = await handler(${JSON.stringify(event)}, {}); if (![200, 401, 415].includes(r.statusCode)) { console.error('answered ' + r.statusCode); process.exit(3); }`;

/** Per function and side: the import script and one script per first request (group → script). */
const cases = lambdaFunctions.flatMap((fn) => [
  ...['before'].map((side) => {
    const part = 'apiPart' in fn ? fn.apiPart : undefined;
    const requests =
      fn.kind !== 'http'
        ? {}
        : Object.fromEntries(
            (part ? groupProbes(part) : [{ group: 'health', event: httpEvent('GET', '/health') }]).map((p) => [
              p.group,
              serve(side, fn.name, p.event),
            ]),
          );
    return { name: fn.name, side, importScript: `await import(${url(side, fn.name)});`, requests };
  }),
  ...[...after.map((b) => ({ b, side: 'after' })), ...unsplit.map((b) => ({ b, side: 'unsplit' }))]
    .filter(({ b }) => b.name === fn.name && b.file)
    .map(({ b, side }) => ({
      name: fn.name,
      side,
      importScript: `await import(${JSON.stringify(pathToFileURL(b.file ?? '').href)});`,
      requests: Object.fromEntries(b.probes.map((p) => [p.group, p.script])),
    })),
]);

const time = (args: string[]) => {
  const started = performance.now();
  const result = spawnSync(NODE, args, { env: LAMBDA_ENV, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${args.join(' ').slice(0, 200)}: ${result.stderr}`);
  return performance.now() - started;
};
const samples = new Map<string, number[]>();
const add = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
for (let i = 0; i <= runs; i++) {
  // Round 0 warms the file cache and is not counted.
  const keep = i > 0;
  const base = time(['-e', '']);
  if (keep) add('baseline', base);
  for (const c of cases) {
    const imported = time(['--input-type=module', '-e', c.importScript]);
    if (keep) add(`${c.name} ${c.side} import`, imported);
    for (const [group, script] of Object.entries(c.requests)) {
      const served = time(['--input-type=module', '-e', script]);
      if (keep) add(`${c.name} ${c.side} ${group}`, served);
    }
  }
}
const baseline = median(samples.get('baseline') ?? []);
const ratio = (key: string) => median(samples.get(key) ?? []) / baseline;
const rows = lambdaFunctions.map((fn) => {
  const sideOf = (side: string) => {
    const c = cases.find((x) => x.name === fn.name && x.side === side);
    const groups = Object.keys(c?.requests ?? {}).map((g) => [g, ratio(`${fn.name} ${side} ${g}`)] as const);
    const heaviest = groups.sort((a, b) => b[1] - a[1])[0];
    return { import: ratio(`${fn.name} ${side} import`), firstRequest: heaviest?.[1], group: heaviest?.[0] };
  };
  return {
    name: fn.name,
    before: sideOf('before'),
    after: sideOf('after'),
    ...(unsplit.length ? { unsplit: sideOf('unsplit') } : {}),
  };
});
console.log(`node -e '' ${baseline.toFixed(1)} ms (${runs} runs); before = ${ref}`);
console.log('function              import before → after   first request before → after (group)');
for (const r of rows)
  console.log(
    `${r.name.padEnd(22)}${r.before.import.toFixed(2)} → ${r.after.import.toFixed(2)}           ${r.before.firstRequest?.toFixed(2) ?? '(= import)'} → ${r.after.firstRequest?.toFixed(2) ?? '(= import)'} (${r.after.group ?? '—'})${r.unsplit ? `   unsplit: ${r.unsplit.import.toFixed(2)} / ${r.unsplit.firstRequest?.toFixed(2)}` : ''}`,
  );
const { writeFileSync } = await import('node:fs');
writeFileSync(
  join(ROOT, 'bench', 'results-cold-start-compare.json'),
  `${JSON.stringify({ command: `npx tsx bench/cold-start-compare.ts ${ref} ${runs}`, baselineMs: baseline, runs, rows }, null, 2)}\n`,
);
