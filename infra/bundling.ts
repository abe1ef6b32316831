import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';
import { lazyModulesCompiledOnUse } from './lazy-module-wrappers.ts';

/**
 * How every Lambda is bundled, in ONE place. The stack's assets (infra/constructs/functions.ts `functionCode`, via
 * infra/bundle-function.ts) and the benchmark (bench/) hand these options to esbuild, so the bundle
 * the benchmark measures is byte-for-byte the kind AWS runs.
 *
 * No CDK import here on purpose: the benchmark imports this file without paying for aws-cdk-lib.
 */

/** Repository root: every `entry` below is relative to it, and so is the lock file. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Local Node (the `node` devDependency) and the Lambda runtime stay on the same major. */
export const LAMBDA_NODE_MAJOR = 22;

/**
 * ESM output needs `require` for the few CommonJS dependencies esbuild inlines
 * (they call `require('crypto')` and the like at run time).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * The Node runtime ships the AWS SDK v3; bundling it again would only add init time.
 * Everything else (hono, zod, powertools, luxon, …) is bundled and tree-shaken.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/**
 * zod kept to the parts a function uses. Our modules import zod as a namespace
 * (shared/platform/zod.ts), which esbuild tree-shakes; `@hono/zod-openapi` instead imports `{ z }` and
 * passes that whole namespace object to `extendZodWithOpenApi`, which keeps every export of zod
 * alive, its ~60 locales included (188 KB of each bundle against ~100 KB). That function reads only `ZodType` from it, so the
 * package's module is built with a namespace import and `{ ZodType }` in its place: the same call,
 * the same prototype patched. If an upgrade changes either line, the build stops here rather than
 * silently bundling all of zod again.
 */
export const zodTreeShaken: Plugin = {
  name: 'zod-tree-shaken',
  setup(build) {
    build.onLoad({ filter: /[\\/]@hono[\\/]zod-openapi[\\/]dist[\\/]index\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const patched = ZOD_OPENAPI_PATCHES.reduce((text, [from, to]) => {
        if (!text.includes(from)) throw new Error(`zod-tree-shaken: "${from}" is no longer in ${args.path}`);
        return text.replace(from, to);
      }, source);
      return { contents: patched, loader: 'js' };
    });
  },
};

const ZOD_OPENAPI_PATCHES: readonly (readonly [string, string])[] = [
  ['import { z } from "zod";', 'import * as z from "zod";'],
  ['extendZodWithOpenApi(z);', 'extendZodWithOpenApi({ ZodType: z.ZodType });'],
];

/**
 * The runtime's AWS SDK, loaded on first use instead of at import. Each `@aws-sdk/*` import becomes a
 * small CommonJS module whose exports are getters: the first one read (a `new GetCommand(…)`, an
 * `instanceof ConditionalCheckFailedException`, `DynamoDBDocumentClient.from(…)`) `require`s the
 * package, every later one reads the loaded copy. esbuild reads a CommonJS module's exports at the
 * use site (`import_x.GetCommand`), so nothing is loaded until a handler really reaches the SDK: a
 * request refused by validation or auth never loads it, and the DynamoDB client (about 7× `node -e ''`
 * by itself) leaves the import for the first request that uses the table. Same modules, same
 * behaviour, same copy (the runtime's); only when Node loads them changes. `require` (the banner's
 * `createRequire`) also spares Node lexing every file of a CommonJS package for its named exports,
 * which an ESM `import` of the runtime's SDK costs (~120 ms measured).
 *
 * The getters are the package's exports that the project's own code names (an identifier in
 * shared/ or functions/): a name the code imports is a name it writes. Importers inside
 * node_modules (Powertools' secrets provider) get every export.
 */
export const awsSdkOnFirstUse: Plugin = {
  name: 'aws-sdk-on-first-use',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\// }, (args) => {
      if (args.namespace === AWS_SDK_NAMESPACE) return { path: args.path, external: true };
      const everyExport = /[\\/]node_modules[\\/]/.test(args.importer);
      return { path: `${args.path}${everyExport ? '#every-export' : ''}`, namespace: AWS_SDK_NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: AWS_SDK_NAMESPACE }, (args) => {
      const [pkg = '', everyExport] = args.path.split('#');
      const named = projectIdentifiers();
      const names = Object.keys(requireFromProject(pkg) as object).filter(
        (name) => name !== 'default' && name !== '__esModule' && (everyExport !== undefined || named.has(name)),
      );
      return {
        contents: `let sdk; const load = () => (sdk ??= require(${JSON.stringify(pkg)}));
for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
        loader: 'js',
      };
    });
  },
};

const AWS_SDK_NAMESPACE = 'aws-sdk-on-first-use';
const requireFromProject = createRequire(join(PROJECT_ROOT, 'package.json'));
let identifiers: Set<string> | undefined;

/** Every identifier written in the code the Lambdas bundle (shared/, functions/), read once per build process. */
function projectIdentifiers(): Set<string> {
  if (identifiers) return identifiers;
  identifiers = new Set();
  for (const folder of ['shared', 'functions'])
    for (const file of readdirSync(join(PROJECT_ROOT, folder), { recursive: true, encoding: 'utf8' }))
      if (file.endsWith('.ts'))
        for (const [name] of readFileSync(join(PROJECT_ROOT, folder, file), 'utf8').matchAll(/[A-Za-z_$][\w$]*/g))
          identifiers.add(name);
  return identifiers;
}

/** The module whose result the public function serves at `/openapi.json` (see below). */
export const PUBLISHED_DOCUMENT_MODULE = 'shared/app/published-document.ts';

/**
 * The public function serves `/openapi.json`, which describes every route. Generating it at run
 * time means bundling every capability into that function (~550 KB); instead, bundling runs the
 * module once, here, and replaces it by its result: the same document, as a constant. Needs a
 * TypeScript-aware process (tsx, vitest), as every caller of these options is.
 */
export const openApiDocumentAtBuildTime: Plugin = {
  name: 'openapi-document-at-build-time',
  setup(build) {
    build.onLoad({ filter: /[\\/]shared[\\/]app[\\/]published-document\.ts$/ }, async (args) => {
      const module = (await import(pathToFileURL(args.path).href)) as { publishedOpenApiDocument: () => unknown };
      // A JSON string for JSON.parse: V8 reads that faster than the same object as a JS literal.
      const json = JSON.stringify(module.publishedOpenApiDocument());
      return {
        contents: `export const publishedOpenApiDocument = () => JSON.parse(${JSON.stringify(json)});`,
        loader: 'js',
      };
    });
  },
};

/**
 * A part's Lambda picks the route group a request needs from a table of route keys
 * (shared/app/route-table.ts). Made at run time, that table would load every group, which is what
 * loading groups on demand avoids; so bundling runs the module once, here, and replaces it by its
 * result, as for the document above. Every part's table goes into every part's bundle: a few KB.
 */
export const routeTableAtBuildTime: Plugin = {
  name: 'route-table-at-build-time',
  setup(build) {
    build.onLoad({ filter: /[\\/]shared[\\/]app[\\/]route-table\.ts$/ }, async (args) => {
      const module = (await import(pathToFileURL(args.path).href)) as { groupsByRoute: () => unknown };
      return {
        contents: `export const groupsByRoute = () => (${JSON.stringify(module.groupsByRoute())});`,
        loader: 'js',
      };
    });
  },
};

/** esbuild options for every Lambda entry (the stack's asset bundling and the benchmark both build with these). */
export const lambdaEsbuildOptions = {
  bundle: true,
  platform: 'node',
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: 'esm',
  // Prefer the ESM build of dependencies: better tree-shaking, no CJS interop shims.
  mainFields: ['module', 'main'],
  minify: true,
  // Stack traces point at the TypeScript source through the .map beside each bundle, read when a stack is
  // first printed (shared/platform/bundle-source-maps.ts), not at load as `--enable-source-maps` would.
  // sourcesContent is left out to keep the .map small.
  sourcemap: true,
  sourcesContent: false,
  external: EXTERNAL_MODULES,
  banner: { js: ESM_REQUIRE_BANNER },
  outExtension: { '.js': '.mjs' },
  plugins: [
    zodTreeShaken,
    openApiDocumentAtBuildTime,
    routeTableAtBuildTime,
    awsSdkOnFirstUse,
    lazyModulesCompiledOnUse,
  ],
} as const satisfies BuildOptions;

/** The complete build of one function: its entry into `outdir/index.mjs` (handler `index.handler`). */
export function functionBuildOptions(spec: Pick<LambdaFunctionSpec, 'entry'>, outdir: string) {
  return {
    ...lambdaEsbuildOptions,
    entryPoints: [join(PROJECT_ROOT, spec.entry)],
    outdir,
    entryNames: 'index',
  } satisfies BuildOptions;
}

/** Every bundle must stay under this (~260 KB is ~100 ms of cold start; 500 KB is the ceiling). */
export const MAX_BUNDLE_BYTES = 500 * 1024;

export type LambdaKind = 'http' | 'job' | 'consumer';

export interface LambdaFunctionSpec {
  /** Construct id. */
  readonly name: string;
  /** End of the deployed function's name: `e-team-<stage>-<municipality>-<suffix>`. */
  readonly suffix: string;
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  readonly kind: LambdaKind;
  readonly purpose: string;
  /** The API part whose routes it serves (`apiParts` in shared/app/routers.ts), for HTTP functions. */
  readonly apiPart?: 'care' | 'visits' | 'dispensers' | 'deviceEvents' | 'reports' | 'admin';
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/**
 * Every Lambda of the stack. Sizes: 1 GB gives an API function a full vCPU share on arm64, which
 * mostly buys a shorter cold start; HTTP timeouts stay well under API Gateway's 30 s integration
 * limit; visits gets more because Chime calls retry with backoff; reports aggregate a month.
 */
export const lambdaFunctions = [
  {
    name: 'Public',
    suffix: 'public',
    entry: 'functions/http/public.ts',
    kind: 'http',
    purpose: 'GET /health, /openapi.json and /docs without a token',
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  {
    name: 'Care',
    suffix: 'care',
    entry: 'functions/http/care.ts',
    kind: 'http',
    apiPart: 'care',
    purpose: 'Citizens, questionnaires, assessments, grants, conversions and final grants',
    memoryMb: 1024,
    timeoutSeconds: 10,
  },
  {
    name: 'Visits',
    suffix: 'visits',
    entry: 'functions/http/visits.ts',
    kind: 'http',
    apiPart: 'visits',
    purpose: 'Availability, screen visits, video sessions (Chime) and calendars',
    memoryMb: 1024,
    timeoutSeconds: 20,
  },
  {
    name: 'Dispensers',
    suffix: 'dispensers',
    entry: 'functions/http/dispensers.ts',
    kind: 'http',
    apiPart: 'dispensers',
    purpose: 'Dispenser registry, assignments, dose plans, adherence and alerts',
    memoryMb: 1024,
    timeoutSeconds: 10,
  },
  {
    name: 'DeviceEvents',
    suffix: 'device-events',
    entry: 'functions/http/device-events.ts',
    kind: 'http',
    apiPart: 'deviceEvents',
    purpose: 'Event ingest from pill dispensers, authenticated by the device credential',
    memoryMb: 1024,
    timeoutSeconds: 10,
  },
  {
    name: 'Reports',
    suffix: 'reports',
    entry: 'functions/http/reports.ts',
    kind: 'http',
    apiPart: 'reports',
    purpose: 'Trial and dispenser status reports for the lead',
    memoryMb: 1024,
    timeoutSeconds: 25,
  },
  {
    name: 'Admin',
    suffix: 'admin',
    entry: 'functions/http/admin.ts',
    kind: 'http',
    apiPart: 'admin',
    purpose: 'Audit log and administration',
    memoryMb: 1024,
    timeoutSeconds: 10,
  },
  {
    name: 'JobRunner',
    suffix: 'jobs',
    entry: 'functions/jobs/run-job.ts',
    kind: 'job',
    purpose: 'Runs any registered job; target of every EventBridge Scheduler schedule',
    memoryMb: 1024,
    timeoutSeconds: 300,
  },
  {
    name: 'DomainEventConsumer',
    suffix: 'events',
    entry: 'functions/events/domain-event.ts',
    kind: 'consumer',
    purpose: 'Consumes domain events routed by the EventBridge rule',
    memoryMb: 512,
    timeoutSeconds: 60,
  },
  {
    name: 'TableStream',
    suffix: 'table-stream',
    entry: 'functions/events/table-stream.ts',
    kind: 'consumer',
    purpose: 'Reads the table stream: outbox events to the bus, stored device events to derived state',
    memoryMb: 1024,
    timeoutSeconds: 60,
  },
] as const satisfies readonly LambdaFunctionSpec[];

export type LambdaFunctionName = (typeof lambdaFunctions)[number]['name'];
