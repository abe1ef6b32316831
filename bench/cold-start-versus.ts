/**
 * The cold start a first request waits for, this checkout's API functions against another commit's,
 * interleaved in one run: `npx tsx bench/cold-start-versus.ts <commit> [rounds]`.
 *
 * Each API part is bundled twice, each with its own commit's `infra/bundling.ts` (the other commit
 * from a worktree in the system's temporary directory), then, in fresh processes of the project's Node, imported and
 * sent one request of each route group (an API Gateway event with that group's route key and no
 * token, refused 401 before the table), and imported alone. Ratios are to the median of
 * `node -e ''` in the same rounds, which run in a fresh random order. bench/README.md, "Cold
 * start, fourth pass", has a run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaFunctions } from '../infra/bundling.ts';
import { groupsByRoute } from '../shared/app/route-table.ts';
import { firstRouteOfEachGroup, gatewayEvent, LAMBDA_ENV, shuffled } from './cold-start.ts';
import { median } from './stats.ts';

const ROOT = resolve(import.meta.dirname, '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const [commit, roundsArg] = process.argv.slice(2);
if (!commit) throw new Error('usage: npx tsx bench/cold-start-versus.ts <commit> [rounds]');
const rounds = Number(roundsArg ?? 15);

/** Builds a checkout's API functions into `out/<name>/index.mjs` with that checkout's own options. */
function buildApiFunctions(checkout: string, out: string): void {
  const script = join(checkout, 'bench', '.tmp', 'versus-build.ts');
  writeFileSync(
    script,
    `import { build } from 'esbuild';
import { lambdaEsbuildOptions, lambdaFunctions } from '../../infra/bundling.ts';
for (const fn of lambdaFunctions.filter((f) => f.kind === 'http' && f.name !== 'Public'))
  await build({ ...lambdaEsbuildOptions, entryPoints: [fn.entry], outdir: ${JSON.stringify(out)} + '/' + fn.name, entryNames: 'index', logLevel: 'silent' });`,
  );
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [script], { cwd: checkout, stdio: 'inherit' });
}

// Outside the repository: a second checkout inside it would be linted and scanned as this one's code.
const WORK = join(tmpdir(), 'e-team-cold-start-versus');
const other = join(WORK, commit);
if (!existsSync(other)) {
  execFileSync('git', ['worktree', 'add', '--detach', other, commit], { cwd: ROOT, stdio: 'inherit' });
  symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
}
execFileSync('mkdir', ['-p', join(other, 'bench', '.tmp'), join(ROOT, 'bench', '.tmp')]);
const bundles: [version: string, checkout: string, dir: string][] = [
  [commit, other, join(WORK, 'bundles', commit)],
  ['this checkout', ROOT, join(WORK, 'bundles', 'here')],
];
for (const [, checkout, dir] of bundles) buildApiFunctions(checkout, dir);

const table = groupsByRoute();
const cases: { label: string; args: string[] }[] = [{ label: "node -e ''", args: ['-e', ''] }];
for (const fn of lambdaFunctions) {
  if (!('apiPart' in fn)) continue;
  for (const [version, , dir] of bundles) {
    const url = JSON.stringify(pathToFileURL(join(dir, fn.name, 'index.mjs')).href);
    cases.push({
      label: `${fn.name} import, ${version}`,
      args: ['--input-type=module', '-e', `await import(${url});`],
    });
    for (const { group, routeKey } of firstRouteOfEachGroup(table[fn.apiPart]))
      cases.push({
        label: `${fn.name} ${group}, ${version}`,
        args: [
          '--input-type=module',
          '-e',
          `const { handler } = await import(${url}); const r = await handler(${JSON.stringify(gatewayEvent(routeKey))}, {}); if (r.statusCode !== 401) throw new Error('answered ' + r.statusCode);`,
        ],
      });
  }
}

const samples = new Map<string, number[]>(cases.map((c) => [c.label, []]));
for (let round = 0; round <= rounds; round++)
  for (const c of shuffled(cases)) {
    const started = performance.now();
    const run = spawnSync(NODE, c.args, { env: LAMBDA_ENV, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${c.label}: ${run.stderr.slice(0, 400)}`);
    // Round 0 warms the file cache.
    if (round > 0) samples.get(c.label)?.push(performance.now() - started);
  }
const floor = median(samples.get("node -e ''") ?? []);
console.log(`node -e '' ${floor.toFixed(1)} ms, ${rounds} rounds; ratios to it`);
for (const c of cases.slice(1))
  console.log(`${c.label.padEnd(40)} ${(median(samples.get(c.label) ?? []) / floor).toFixed(2)}`);
