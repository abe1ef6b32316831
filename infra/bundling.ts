import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * How every Lambda is bundled, in ONE place. The stack (infra/stack.ts) turns these into
 * `NodejsFunction` bundling options, and the benchmark (bench/) hands the same options to
 * esbuild directly, so the bundle it measures is byte-for-byte the kind AWS runs.
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
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * The Node runtime ships the AWS SDK v3; bundling it again would only add init time.
 * Everything else (hono, zod, powertools, luxon, …) is bundled and tree-shaken.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** esbuild options for one Lambda entry (what `NodejsFunction` runs, written as an esbuild API call). */
export const lambdaEsbuildOptions = {
  bundle: true,
  platform: 'node',
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: 'esm',
  // Prefer the ESM build of dependencies: better tree-shaking, no CJS interop shims.
  mainFields: ['module', 'main'],
  minify: true,
  // Stack traces point at the TypeScript source; sourcesContent is left out to keep the .map small.
  sourcemap: true,
  sourcesContent: false,
  external: EXTERNAL_MODULES,
  banner: { js: ESM_REQUIRE_BANNER },
  outExtension: { '.js': '.mjs' },
} as const satisfies BuildOptions;

/** Environment every function gets so the source maps above are used in stack traces. */
export const lambdaRuntimeEnvironment = { NODE_OPTIONS: '--enable-source-maps' } as const;

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
  /** The API part whose routes it serves (`apiParts` in shared/http/routers.ts), for HTTP functions. */
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
] as const satisfies readonly LambdaFunctionSpec[];

export type LambdaFunctionName = (typeof lambdaFunctions)[number]['name'];
