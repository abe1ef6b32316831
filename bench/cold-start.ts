import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import {
  lambdaEsbuildOptions,
  lambdaFunctions,
  MAX_BUNDLE_BYTES,
  openApiDocumentAtBuildTime,
  type LambdaKind,
  zodTreeShaken,
  routeTableAtBuildTime,
} from '../infra/bundling.ts';
import { lazyModulesCompiledOnUse } from '../infra/lazy-module-wrappers.ts';
import { groupsByRoute } from '../shared/app/route-table.ts';
import { fmt, verdict, type ReportRow } from './report.ts';
import { median } from './stats.ts';

/**
 * Cold-start proxy. Each Lambda entry of the stack (infra/bundling.ts `lambdaFunctions`) is
 * bundled with the stack's own esbuild options, then imported in a fresh Node process of the
 * project's Node 22 (node_modules/.bin/node, the Lambda major). The figure is the median wall
 * time of that process minus the median of `node -e ''`, both measured interleaved in this run.
 * `@aws-sdk/*` stays external, as on Lambda where the runtime provides it, and loads on first use;
 * here it resolves from node_modules. The second figure (`firstRequestRatio`) adds what a first
 * request loads whichever route it takes (Node's fetch classes, and the SDK if it reaches the
 * table), so the whole of a cold start a caller waits for stays in view, not only the import.
 */
export interface ColdStartRow {
  name: string;
  entry: string;
  kind: LambdaKind;
  bundleKb: number;
  /** Median wall time of the importing process minus the median of `node -e ''`. */
  importMs: number;
  /** Median wall time of the importing process over the median of `node -e ''` (the target is ≤ 3). */
  ratio: number;
  /** The biggest contributors to the bundle, KB by package (`project` is our own code). */
  topPackagesKb: Record<string, number>;
  /**
   * The AWS SDK packages a first request can reach (`sdkLoadedByFirstRequest`): with the stack's options
   * they load on first use (infra/bundling.ts `awsSdkOnFirstUse`), when a request first reaches the table.
   */
  external: string[];
  /**
   * The import followed by the most a first request loads whichever route it takes: for an HTTP
   * function one request answered through the handler, with every route group of its part loaded
   * (Node's fetch classes come with it: Hono's Lambda adapter builds a `Request`, the app answers
   * with a `Response`), then `external` from the runtime's copy, as a request that reaches the table
   * loads it. Median wall time over that of `node -e ''`: the cold start a caller waits for, short of
   * the sandbox and the route's own work.
   */
  firstRequestRatio: number;
  /**
   * An API part's figure by route group: the import, then one request of that group (its group
   * loaded, as the route key names it; shared/app/lambda.ts), then `external`. What a first request
   * of that group waits for; `firstRequestRatio` is the most of these, every group loaded.
   */
  groupRatios: Record<string, number>;
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
 * The `@aws-sdk/*` packages a first request can load: those reached from the entry through static
 * imports (the command classes the stores use), and through a part's route groups or a capability's
 * job or consumer list or the stream's handlers, which the first request, job, event or batch loads. A package behind any other dynamic `import()` (EventBridge,
 * Scheduler, Chime, the DynamoDB client of shared/table/lazy-client.ts) is left out: it loads with
 * the request that needs it.
 */
export function sdkLoadedByFirstRequest(metafile: Metafile, entry: string): string[] {
  const inputs = metafile.inputs;
  const start = Object.keys(inputs).find((input) => join(ROOT, input) === entry);
  const seen = new Set<string>();
  const sdk = new Set<string>();
  const queue = start ? [start] : [];
  for (let input = queue.pop(); input !== undefined; input = queue.pop()) {
    if (seen.has(input)) continue;
    seen.add(input);
    for (const imported of inputs[input]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' && !FIRST_USE_LOADERS.test(input)) continue;
      const name = /^(?:aws-sdk-on-first-use:)?(@aws-sdk\/[^/#]+)/.exec(imported.path)?.[1];
      if (name) sdk.add(name);
      if (!imported.external) queue.push(imported.path);
    }
  }
  return [...sdk].sort();
}

/**
 * An API Gateway event without a token for a route key: a path the route has (each parameter
 * `x1`), or for `$default` a path no route has. The app refuses it 401 before any table access.
 */
export function gatewayEvent(routeKey: string) {
  const [method = 'GET', template = '/cold-start'] = routeKey === '$default' ? [] : routeKey.split(' ');
  const path = template.replace(/\{[^}]+\}/g, 'x1');
  const http = { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' };
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example' },
    isBase64Encoded: false,
    requestContext: {
      ...{ accountId: '1', apiId: 'bench', domainName: 'api.example', domainPrefix: 'api', http, requestId: 'bench' },
      ...{ routeKey, stage: '$default', time: '', timeEpoch: 0 },
    },
  };
}

/** One route key of each group of a part (any will do: the group is what loads). */
export function firstRouteOfEachGroup(routes: Record<string, string>): { group: string; routeKey: string }[] {
  const first = new Map<string, string>();
  for (const [routeKey, group] of Object.entries(routes)) if (!first.has(group)) first.set(group, routeKey);
  return [...first].map(([group, routeKey]) => ({ group, routeKey }));
}

/** Modules whose dynamic imports a first request or invocation makes: a part's route groups, a capability's job or consumer list, the stream's handlers. */
const FIRST_USE_LOADERS = /(^|\/)shared\/(app\/parts\/[^/]+-groups|app\/stream-registry|[^/]+\/(jobs|consumers))\.ts$/;

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
  plugins: [zodTreeShaken, openApiDocumentAtBuildTime, routeTableAtBuildTime, lazyModulesCompiledOnUse],
} satisfies BuildOptions;

/** At most this many times `node -e ''`: the target for every function's import. */
export const MAX_IMPORT_RATIO = 3;

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
  const bundles: {
    name: string;
    entry: string;
    kind: LambdaKind;
    file?: string;
    bundleKb: number;
    topPackagesKb: Record<string, number>;
    external: string[];
    groups: { group: string; routeKey: string }[];
    error?: string;
  }[] = [];
  const table = groupsByRoute();
  for (const fn of lambdaFunctions.filter((f) => !variant.only || variant.only.includes(f.name))) {
    const outdir = join(OUT, fn.name);
    mkdirSync(outdir, { recursive: true });
    try {
      const result = await build({
        ...options,
        entryPoints: [join(ROOT, fn.entry)],
        outdir,
        entryNames: 'index',
        logLevel: 'silent',
        metafile: true,
      });
      const file = join(outdir, 'index.mjs');
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
      const byPackage = new Map<string, number>();
      for (const [input, info] of Object.entries(output?.inputs ?? {})) {
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/(v4\/locales))?/.exec(input);
        const key = pkg ? (pkg[2] ? `${pkg[1]}/${pkg[2]}` : (pkg[1] ?? 'other')) : 'project';
        byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput / 1024);
      }
      const topPackagesKb = Object.fromEntries(
        [...byPackage]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([k, v]) => [k, Math.round(v)]),
      );
      const external = sdkLoadedByFirstRequest(result.metafile, join(ROOT, fn.entry));
      bundles.push({
        name: fn.name,
        entry: fn.entry,
        kind: fn.kind,
        file,
        bundleKb: statSync(file).size / 1024,
        topPackagesKb,
        external,
        groups: 'apiPart' in fn ? firstRouteOfEachGroup(table[fn.apiPart]) : [],
      });
    } catch (error) {
      bundles.push({
        name: fn.name,
        entry: fn.entry,
        kind: fn.kind,
        bundleKb: Number.NaN,
        topPackagesKb: {},
        external: [],
        groups: [],
        error: `bundle failed: ${(error as Error).message.split('\n')[0]}`,
      });
    }
  }

  const script = (file: string) => `await import(${JSON.stringify(pathToFileURL(file).href)});`;
  // What a first request adds. An HTTP function answers one request: an API Gateway event with no
  // route key, so a part loads every route group (the most a first request can load), refused 401
  // or 404 before the table. Then, for every function, the SDK packages its code reaches, loaded
  // from the bundle's place.
  const firstRequest = (b: (typeof bundles)[number], file: string, routeKey = '$default') =>
    `const m = ${script(file).slice(0, -1)}; ${b.kind === 'http' ? `const r = await m.handler(${JSON.stringify(gatewayEvent(routeKey))}, {}); if (!(r.statusCode >= 400 && r.statusCode < 500)) throw new Error('first request answered ' + r.statusCode);` : ''} const { createRequire } = await import('node:module'); const load = createRequire(${JSON.stringify(pathToFileURL(file).href)}); for (const p of ${JSON.stringify(b.external)}) load(p);`;
  // One warm-up of each so the first measured run does not pay for the file cache.
  timeNode(['-e', '']);
  for (const b of bundles)
    if (b.file) {
      const warm = timeNode(['--input-type=module', '-e', script(b.file)]);
      if (!warm.ok)
        b.error = `import failed: ${warm.stderr.split('\n').find((l) => /Error/.test(l)) ?? warm.stderr.slice(0, 200)}`;
    }

  const baseline: number[] = [];
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const firstRequestSamples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const groupSamples = new Map<string, number[]>();
  // Each round measures the floor and every process once, in a fresh random order: on a shared VM a
  // fixed order lets a slow stretch land on the same functions round after round.
  const measurements = [
    () => baseline.push(timeNode(['-e', '']).ms),
    ...bundles.flatMap((b) => {
      if (!b.file || b.error) return [];
      const imported = script(b.file);
      const served = firstRequest(b, b.file);
      return [
        () => samples.get(b.name)?.push(timeNode(['--input-type=module', '-e', imported]).ms),
        () => firstRequestSamples.get(b.name)?.push(timeNode(['--input-type=module', '-e', served]).ms),
        ...b.groups.map(({ group, routeKey }) => {
          const key = `${b.name} ${group}`;
          const request = firstRequest(b, b.file ?? '', routeKey);
          groupSamples.set(key, []);
          return () => groupSamples.get(key)?.push(timeNode(['--input-type=module', '-e', request]).ms);
        }),
      ];
    }),
  ];
  for (let i = 0; i < runs; i++) {
    for (const measure of shuffled(measurements)) measure();
  }
  const baselineMs = median(baseline);
  const importOf = (b: (typeof bundles)[number]) => (b.error ? Number.NaN : median(samples.get(b.name) ?? []));
  const firstRequestOf = (b: (typeof bundles)[number]) =>
    b.error ? Number.NaN : median(firstRequestSamples.get(b.name) ?? []);
  return {
    baselineMs,
    runs,
    rows: bundles.map((b) => ({
      name: b.name,
      entry: b.entry,
      kind: b.kind,
      bundleKb: b.bundleKb,
      importMs: importOf(b) - baselineMs,
      ratio: importOf(b) / baselineMs,
      firstRequestRatio: firstRequestOf(b) / baselineMs,
      groupRatios: Object.fromEntries(
        b.groups.map(({ group }) => [group, median(groupSamples.get(`${b.name} ${group}`) ?? []) / baselineMs]),
      ),
      topPackagesKb: b.topPackagesKb,
      external: b.external,
      ...(b.error ? { error: b.error } : {}),
    })),
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
      : `${fmt(r.bundleKb, 0)} KB, +${fmt(r.importMs, 0)} ms import; ${fmt(r.firstRequestRatio, 2)}× with the most a first ${r.kind === 'http' ? 'request' : 'invocation'} loads (${[...(r.kind === 'http' ? [r.name === 'Public' ? 'one request' : 'one request, every route group'] : []), ...r.external].join(', ') || 'nothing'})${byGroup(r)}`,
    floor: `node -e '' ${fmt(result.baselineMs, 0)} ms`,
    ratio: r.error ? 'n/a' : fmt(r.ratio, 2),
    target,
    result: r.error
      ? 'not measured'
      : verdict(r.bundleKb * 1024, MAX_BUNDLE_BYTES, 'below') === 'met' &&
          verdict(r.ratio, MAX_IMPORT_RATIO, 'atMost') === 'met'
        ? 'met'
        : 'missed',
  }));
}

/** `; by route group: alerts 3.80×, …` for an API part. */
function byGroup(r: ColdStartRow): string {
  const groups = Object.entries(r.groupRatios);
  return groups.length > 0
    ? `; one request by route group: ${groups.map(([group, ratio]) => `${group} ${fmt(ratio, 2)}×`).join(', ')}`
    : '';
}

/** A copy in random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
