import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import {
  lambdaEsbuildOptions,
  lambdaFunctions,
  lambdaRuntimeEnvironment,
  luxonDefaultsWithLuxon,
  MAX_BUNDLE_BYTES,
  openApiDocumentAtBuildTime,
  routeTableAtBuildTime,
  handlerTablesAtBuildTime,
  zodEnglishOnly,
} from '../infra/bundling.ts';
import { routeTable } from '#shared/app/route-table.ts';
import { examplePath, groupDispatcher } from '#shared/app/route-dispatch.ts';
import type { ApiPart } from '#shared/app/routers.ts';
import { credentialRoutes } from '#shared/http/credential-routes.ts';
import { fmt, verdict, type ReportRow } from './report.ts';
import { median } from './stats.ts';

/**
 * Cold-start proxy. Each Lambda entry of the stack (infra/bundling.ts `lambdaFunctions`) is
 * bundled with the stack's own esbuild options, then imported in a fresh Node process of the
 * project's Node 22 (node_modules/.bin/node, the Lambda major). The figure is the median wall
 * time of that process minus the median of `node -e ''`, both measured interleaved in this run.
 * `@aws-sdk/*` stays external, as on Lambda where the runtime provides it, and loads on first use;
 * here it resolves from node_modules. The second figure (`firstUseRatio`) adds loading it, as the
 * first request that uses the table does, so the SDK's share of a real cold start stays in view.
 */
export interface ColdStartRow {
  name: string;
  entry: string;
  /**
   * The most code one cold start can load: the entry and the chunks it imports statically, plus the
   * heaviest group's chunks (`firstRequestGroup`). The target (< 500 KB) applies to this.
   */
  bundleKb: number;
  /** The entry and the chunks it imports statically: what the import compiles. */
  importKb: number;
  /** Every .mjs file of the function's asset (all groups, the SDK glue), as deployed. */
  totalKb: number;
  /** Median wall time of the importing process minus the median of `node -e ''`. */
  importMs: number;
  /** Median wall time of the importing process over the median of `node -e ''` (the target is ≤ 3). */
  ratio: number;
  /** The biggest contributors to the bundle, KB by package (`project` is our own code). */
  topPackagesKb: Record<string, number>;
  /**
   * The AWS SDK packages the bundle reaches through static imports: with the stack's options they
   * load on first use (infra/bundling.ts `awsSdkOnFirstUse`), when a request first reaches the table.
   */
  external: string[];
  /**
   * The import followed by loading `external` from the runtime's copy, as the first request that
   * uses the table does: median wall time over that of `node -e ''`. The same as `ratio` when
   * nothing is left to load (no SDK, or the SDK bundled in).
   */
  firstUseRatio: number;
  /**
   * A cold start that serves one request: the import, then one request that reaches the heaviest
   * route group (the group's chunks loaded, its app built, the request answered before any table
   * call: 415 or 401), median wall time over that of `node -e ''`. For the public function, a GET
   * /health. For the other functions, the import plus loading what their heaviest event loads.
   */
  firstRequestRatio: number;
  /** The group, job, event type or stream entity behind `firstRequestRatio`. */
  firstRequestGroup?: string;
  /** Each group's first-request ratio. */
  groupRatios?: Record<string, number>;
  /** Set when the bundle failed to build or to import: then there is no figure. */
  error?: string;
}

export interface ColdStartResult {
  baselineMs: number;
  runs: number;
  rows: ColdStartRow[];
}

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', '.tmp', 'bundles');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');

/** What the stack sets on a function, with placeholders: importing a handler builds its deps, and a deployed stage refuses local tokens. */
export const LAMBDA_ENV = {
  PATH: process.env.PATH ?? '',
  ...lambdaRuntimeEnvironment,
  AWS_REGION: 'eu-north-1',
  STAGE: 'bench',
  AUTH_MODE: 'cognito',
  COGNITO_USER_POOL_ID: 'eu-north-1_bench',
  COGNITO_CLIENT_ID: 'bench-client',
  TABLE_NAME: 'e-team-bench',
  APP_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:bench',
  EVENT_BUS_NAME: 'e-team-bench',
  SCHEDULE_GROUP_NAME: 'e-team-bench',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/bench',
  SCHEDULER_TARGET_ARN: 'arn:aws:lambda:eu-north-1:000000000000:function:bench',
  LOG_LEVEL: 'SILENT',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/**
 * The `@aws-sdk/*` packages reached from the entry through static imports only (the command classes
 * the stores use). A package behind a dynamic `import()` (EventBridge, Scheduler, Chime, the
 * DynamoDB client of shared/table/lazy-client.ts) is left out: it loads with the request that needs it.
 */
export function sdkLoadedAtImport(metafile: Metafile, entry: string, withRouteGroups = false): string[] {
  const inputs = metafile.inputs;
  const start = Object.keys(inputs).find((input) => join(ROOT, input) === entry);
  const seen = new Set<string>();
  const sdk = new Set<string>();
  // With `withRouteGroups`, also what the lazily loaded groups and handler lists import statically.
  const groups = withRouteGroups ? [...lazyModules(metafile)] : [];
  const queue = start ? [start, ...groups] : [];
  for (let input = queue.pop(); input !== undefined; input = queue.pop()) {
    if (seen.has(input)) continue;
    seen.add(input);
    for (const imported of inputs[input]?.imports ?? []) {
      if (imported.kind === 'dynamic-import') continue;
      const name = /^(?:aws-sdk-on-first-use:)?(@aws-sdk\/[^/#]+)/.exec(imported.path)?.[1];
      if (name) sdk.add(name);
      if (!imported.external) queue.push(imported.path);
    }
  }
  return [...sdk].sort();
}

function timeNode(args: string[]): { ms: number; ok: boolean; stderr: string } {
  const started = performance.now();
  const result = spawnSync(NODE, args, { env: LAMBDA_ENV, encoding: 'utf8', timeout: 30_000 });
  const ms = performance.now() - started;
  return { ms, ok: result.status === 0, stderr: (result.stderr ?? '').trim() };
}

/**
 * The alternative AWS recommends for Node 20+ (`npm run bench -- cold-start --sdk-bundled`): the
 * SDK clients bundled into each function, minified and tree-shaken, instead of the runtime's copy.
 * Measured against the stack's options before choosing; bench/README.md has the figures.
 */
export const sdkBundledOptions = {
  ...lambdaEsbuildOptions,
  external: [],
  plugins: [
    zodEnglishOnly,
    luxonDefaultsWithLuxon,
    openApiDocumentAtBuildTime,
    routeTableAtBuildTime,
    handlerTablesAtBuildTime,
  ],
} satisfies BuildOptions;

/** At most this many times `node -e ''`: the target for every function's import. */
export const MAX_IMPORT_RATIO = 3;

/** An API Gateway (HTTP API, payload 2.0) event, as the stack's integrations send it. */
export function httpEvent(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example.org', ...headers },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example.org',
      domainPrefix: 'api',
      requestId: 'cold-start-bench',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'cold-start-bench' },
    },
  };
}

/**
 * One request per route group of an API part that the app answers before any table call: a write
 * route with a text body (415, refused before authentication), else a GET with no token (401). Its
 * path is a route's with each parameter filled in, and the dispatcher must send it to that group.
 */
export function groupProbes(part: ApiPart): { group: string; event: ReturnType<typeof httpEvent> }[] {
  const routes = routeTable()[part];
  const dispatch = groupDispatcher(routes);
  const groups = [...new Set(routes.map((r) => r.group))];
  return groups.map((group) => {
    const own = routes.filter((r) => r.group === group);
    const write = own.find((r) => ['POST', 'PUT', 'PATCH'].includes(r.method));
    const route =
      write ?? own.find((r) => !credentialRoutes.some((c) => c.method === r.method && c.path.test(r.path))) ?? own[0];
    if (!route) throw new Error(`group ${group} of ${part} has no route`);
    const path = examplePath(route.path);
    if (dispatch(route.method, path) !== group)
      throw new Error(`${route.method} ${path} does not reach group ${group}`);
    return {
      group,
      event: write
        ? httpEvent(route.method, path, { 'content-type': 'text/plain' }, 'x')
        : httpEvent(route.method, path),
    };
  });
}

/**
 * The modules a function loads on demand: a part's route groups (the loaders in shared/app/parts/)
 * and the job, consumer and stream-handler lists (shared/app/job-lists.ts, consumer-lists.ts, stream-handler-lists.ts).
 */
function lazyModules(metafile: Metafile): Set<string> {
  return new Set(
    Object.entries(metafile.inputs)
      .filter(
        ([input]) =>
          input.startsWith('shared/app/parts/') || /^shared\/app\/(job|consumer|stream-handler)-lists\.ts$/.test(input),
      )
      .flatMap(([, info]) => info.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)),
  );
}

/** The chunks a module of the build imports statically (itself included): what importing it compiles. */
function staticClosure(metafile: Metafile, output: string): Set<string> {
  const seen = new Set<string>();
  const queue = [output];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? [])
      if (!imported.external && imported.kind !== 'dynamic-import') queue.push(imported.path);
  }
  return seen;
}

export interface Built {
  name: string;
  entry: string;
  file?: string;
  bundleKb: number;
  importKb: number;
  totalKb: number;
  topPackagesKb: Record<string, number>;
  external: string[];
  /** Scripts that serve one request, by the group it reaches. */
  probes: { group: string; script: string; withSdk?: string }[];
  error?: string;
}

/** Bundles one function into bench/.tmp/bundles/<name>/ and writes the scripts that time it. */
export async function buildOne(
  fn: (typeof lambdaFunctions)[number],
  options: BuildOptions,
  into: string = OUT,
): Promise<Built> {
  const outdir = join(into, fn.name);
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    ...options,
    entryPoints: [join(ROOT, fn.entry)],
    outdir,
    entryNames: 'index',
    logLevel: 'silent',
    metafile: true,
  });
  const file = join(outdir, 'index.mjs');
  const { outputs } = result.metafile;
  const key = (path: string) => Object.keys(outputs).find((o) => resolve(ROOT, o) === path) ?? path;
  const entryOutput = key(file);
  const kb = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + (outputs[f]?.bytes ?? 0), 0) / 1024;
  const atImport = staticClosure(result.metafile, entryOutput);
  const groupModules = lazyModules(result.metafile);
  const groupChunks = Object.keys(outputs).filter((o) => groupModules.has(outputs[o]?.entryPoint ?? ''));
  const heaviestGroupKb = Math.max(
    0,
    ...groupChunks.map((g) => kb([...staticClosure(result.metafile, g)].filter((f) => !atImport.has(f)))),
  );
  const byPackage = new Map<string, number>();
  for (const output of atImport)
    for (const [input, info] of Object.entries(outputs[output]?.inputs ?? {})) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/(v4\/locales))?/.exec(input);
      const name = pkg ? (pkg[2] ? `${pkg[1]}/${pkg[2]}` : (pkg[1] ?? 'other')) : 'project';
      byPackage.set(name, (byPackage.get(name) ?? 0) + info.bytesInOutput / 1024);
    }
  const topPackagesKb = Object.fromEntries(
    [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k, v]) => [k, Math.round(v)]),
  );
  const external = sdkLoadedAtImport(result.metafile, join(ROOT, fn.entry), true);
  const url = JSON.stringify(pathToFileURL(file).href);
  const sdk = external.length
    ? ` const { createRequire } = await import('node:module'); const load = createRequire(${url}); for (const p of ${JSON.stringify(external)}) load(p);`
    : '';
  const serve = (event: unknown) =>
    `const { handler } = await import(${url}); const r = await handler(${JSON.stringify(event)}, {}); if (![200, 401, 415].includes(r.statusCode)) { console.error('Error: answered ' + r.statusCode + ' ' + r.body); process.exit(3); }`;
  const part = 'apiPart' in fn ? fn.apiPart : undefined;
  // Not HTTP: the import, then the chunk of one list, as the loader of the job, event type or entity imports it.
  const lists = groupChunks.map((chunk) => ({
    group: outputs[chunk]?.entryPoint ?? chunk,
    script: `await import(${url}); await import(${JSON.stringify(pathToFileURL(resolve(ROOT, chunk)).href)});`,
  }));
  const probes =
    fn.kind !== 'http'
      ? (lists.length > 0 ? lists : [{ group: 'import', script: `await import(${url});` }]).map((p) => ({
          ...p,
          ...(sdk ? { withSdk: p.script + sdk } : {}),
        }))
      : (part ? groupProbes(part) : [{ group: 'health', event: httpEvent('GET', '/health') }]).map(
          ({ group, event }) => ({
            group,
            script: serve(event),
            ...(sdk ? { withSdk: serve(event) + sdk } : {}),
          }),
        );
  return {
    name: fn.name,
    entry: fn.entry,
    file,
    importKb: kb(atImport),
    bundleKb: kb(atImport) + heaviestGroupKb,
    totalKb: kb(Object.keys(outputs).filter((o) => o.endsWith('.mjs'))),
    topPackagesKb,
    external,
    probes,
  };
}

/**
 * `options` replaces the stack's esbuild options (a variant to compare, e.g. the AWS SDK external);
 * `only` limits the run to some functions.
 */
export async function measureColdStarts(
  runs = 10,
  variant: { options?: BuildOptions; only?: readonly string[] } = {},
): Promise<ColdStartResult> {
  rmSync(OUT, { recursive: true, force: true });
  const options = variant.options ?? lambdaEsbuildOptions;
  const bundles: Built[] = [];
  for (const fn of lambdaFunctions.filter((f) => !variant.only || variant.only.includes(f.name))) {
    try {
      bundles.push(await buildOne(fn, options));
    } catch (error) {
      bundles.push({
        name: fn.name,
        entry: fn.entry,
        bundleKb: Number.NaN,
        importKb: Number.NaN,
        totalKb: Number.NaN,
        topPackagesKb: {},
        external: [],
        probes: [],
        error: `bundle failed: ${(error as Error).message.split('\n')[0]}`,
      });
    }
  }

  const script = (file: string) => `await import(${JSON.stringify(pathToFileURL(file).href)});`;
  const failure = (stderr: string) => stderr.split('\n').find((l) => /Error/.test(l)) ?? stderr.slice(0, 200);
  // One warm-up of each so the first measured run does not pay for the file cache; it also checks each probe.
  timeNode(['-e', '']);
  for (const b of bundles) {
    if (!b.file) continue;
    const warm = timeNode(['--input-type=module', '-e', script(b.file)]);
    if (!warm.ok) b.error = `import failed: ${failure(warm.stderr)}`;
    for (const probe of b.probes) {
      const served = timeNode(['--input-type=module', '-e', probe.withSdk ?? probe.script]);
      if (!served.ok && !b.error) b.error = `first request to ${probe.group} failed: ${failure(served.stderr)}`;
    }
  }

  const baseline: number[] = [];
  const samples = new Map<string, number[]>();
  const add = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
  for (let i = 0; i < runs; i++) {
    baseline.push(timeNode(['-e', '']).ms);
    for (const b of bundles) {
      if (!b.file || b.error) continue;
      add(b.name, timeNode(['--input-type=module', '-e', script(b.file)]).ms);
      for (const probe of b.probes) {
        add(`${b.name}/${probe.group}`, timeNode(['--input-type=module', '-e', probe.script]).ms);
        if (probe.withSdk)
          add(`${b.name}/${probe.group}+sdk`, timeNode(['--input-type=module', '-e', probe.withSdk]).ms);
      }
    }
  }
  const baselineMs = median(baseline);
  const ratioOf = (key: string) => {
    const measured = samples.get(key) ?? [];
    return measured.length > 0 ? median(measured) / baselineMs : Number.NaN;
  };
  return {
    baselineMs,
    runs,
    rows: bundles.map((b) => {
      const groupRatios = Object.fromEntries(b.probes.map((p) => [p.group, ratioOf(`${b.name}/${p.group}`)]));
      const heaviest = Object.entries(groupRatios).sort((x, y) => y[1] - x[1])[0];
      const withSdk = b.probes.filter((p) => p.withSdk).map((p) => ratioOf(`${b.name}/${p.group}+sdk`));
      return {
        name: b.name,
        entry: b.entry,
        bundleKb: b.bundleKb,
        importKb: b.importKb,
        totalKb: b.totalKb,
        importMs: b.error ? Number.NaN : median(samples.get(b.name) ?? []) - baselineMs,
        ratio: b.error ? Number.NaN : ratioOf(b.name),
        firstRequestRatio: heaviest?.[1] ?? Number.NaN,
        ...(heaviest ? { firstRequestGroup: heaviest[0] } : {}),
        groupRatios,
        firstUseRatio: withSdk.length > 0 ? Math.max(...withSdk) : (heaviest?.[1] ?? Number.NaN),
        topPackagesKb: b.topPackagesKb,
        external: b.external,
        ...(b.error ? { error: b.error } : {}),
      };
    }),
  };
}

/** The cold-start rows of the benchmark's table: bundle size and import ratio, each against its target. */
export function coldStartReportRows(result: ColdStartResult | undefined): ReportRow[] {
  const target = `< ${MAX_BUNDLE_BYTES / 1024} KB, ≤ ${MAX_IMPORT_RATIO}× node -e ''`;
  if (!result)
    return [
      {
        figure: '4 cold start',
        case: 'all Lambdas',
        measured: 'not measured',
        floor: 'n/a',
        ratio: '—',
        target,
        result: 'not measured',
      },
    ];
  return result.rows.map((r) => ({
    figure: '4 cold start',
    case: `${r.name} (${r.entry})`,
    measured: r.error
      ? r.error
      : `${fmt(r.importKb, 0)} KB at import (${fmt(r.bundleKb, 0)} KB with the heaviest group, ${fmt(r.totalKb, 0)} KB in all), +${fmt(r.importMs, 0)} ms import; first request ${fmt(r.firstRequestRatio, 2)}× (${r.firstRequestGroup ?? '—'})${r.external.length ? `; ${fmt(r.firstUseRatio, 2)}× with the SDK its first table request loads (${r.external.join(', ')})` : ''}`,
    floor: `node -e '' ${fmt(result.baselineMs, 0)} ms`,
    ratio: r.error ? 'n/a' : `${fmt(r.ratio, 2)} (first request ${fmt(r.firstRequestRatio, 2)})`,
    target,
    result: r.error
      ? 'not measured'
      : verdict(r.bundleKb * 1024, MAX_BUNDLE_BYTES, 'below') === 'met' &&
          verdict(r.ratio, MAX_IMPORT_RATIO, 'atMost') === 'met'
        ? 'met'
        : 'missed',
  }));
}
