// @ts-check
/**
 * The layers, checked by `npm run lint` (so by `npm test`). From the top:
 *
 *   functions/, infra/, scripts/, bench/, test/   entry points, deployment, tools
 *     shared/app/                                 the composition root: builds Deps, assembles
 *                                                 the routers, lists consumers, event types, jobs
 *       shared/<capability>/                      the domain (visits, dispensers, conversion, …)
 *         shared/http/, shared/domain-events/,
 *         shared/jobs/                            the HTTP app, the outbox/stream, the job runner
 *           shared/platform/                      Deps type, ports, errors, clock, config
 *             shared/table/                       the one table
 *
 * See docs/architecture.md.
 */

/** Folders below the capabilities: they import no capability and not the composition root. */
const FRAMEWORK = '^shared/(http|platform|table|domain-events|jobs)/';
const NOT_A_CAPABILITY = '^shared/(http|platform|table|domain-events|jobs|app)/';

/** Who may hold @aws-sdk imports: repositories (stores) and adapters of outside services. */
const AWS_SDK_ALLOWED = [
  '(^|/)store\\.ts$',
  '-store\\.ts$',
  '-adapter\\.ts$',
  '^shared/platform/',
  '^shared/table/',
  '(^|/)chime-meetings\\.ts$',
  '(^|/)aws-notifier\\.ts$',
  // The AWS deps build the clients the adapters take; the outbox and the local stream poller are
  // the table's own event machinery, as shared/table/ is its access.
  '^shared/app/aws-deps\\.ts$',
  '^shared/domain-events/(outbox|local-stream)\\.ts$',
];

/**
 * TEMPORARY: files that break a rule today while the repositories are being extracted
 * (.dependency-cruiser-known-violations.cjs). test/foundation/layers.test.ts fails when an entry
 * no longer violates its rule, so the list only shrinks.
 */
const KNOWN_VIOLATIONS = process.env.LAYERS_WITHOUT_KNOWN_VIOLATIONS
  ? {}
  : require('./.dependency-cruiser-known-violations.cjs');

const exempt = (rule) =>
  (KNOWN_VIOLATIONS[rule] ?? []).map((/** @type {string} */ file) => `^${file.replace(/[.]/g, '\\.')}$`);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'composition-root-only-from-entry-points',
      comment:
        'shared/app/ builds Deps and lists every capability; only entry points, scripts, the bench, tests and the stack import it.',
      severity: 'error',
      from: { pathNot: '^(functions|infra|scripts|bench|test|shared/app)/' },
      to: { path: '^shared/app/' },
    },
    {
      name: 'framework-imports-no-capability',
      comment:
        'shared/http, shared/platform, shared/table, shared/domain-events and shared/jobs sit below the capabilities: a capability is listed in shared/app/, not imported here.',
      severity: 'error',
      from: { path: FRAMEWORK, pathNot: exempt('framework-imports-no-capability') },
      to: { path: '^shared/', pathNot: NOT_A_CAPABILITY },
    },
    {
      name: 'no-infra-at-run-time',
      comment: 'Run-time code (shared/, functions/) never imports the CDK app in infra/.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { path: '^infra/' },
    },
    {
      name: 'only-routes-import-http',
      comment:
        'Only route files (routes.ts, *-routes.ts) and shared/app/ import shared/http/; the domain gets plain values and throws the errors of shared/platform/errors.ts.',
      severity: 'error',
      from: {
        path: '^shared/',
        pathNot: ['^shared/(http|app)/', '(^|/)routes\\.ts$', '-routes\\.ts$'],
      },
      to: { path: '^shared/http/' },
    },
    {
      name: 'aws-sdk-only-in-repositories-and-adapters',
      comment: 'Domain modules call repositories (store.ts, *-store.ts) and adapters; only those import @aws-sdk/*.',
      severity: 'error',
      from: {
        path: '^shared/',
        pathNot: [...AWS_SDK_ALLOWED, ...exempt('aws-sdk-only-in-repositories-and-adapters')],
      },
      to: { path: '(^|/)node_modules/@aws-sdk/|^@aws-sdk/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|dist|web|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
