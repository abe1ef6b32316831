import type { Router } from '#shared/http/env.ts';

/**
 * One API part as named route groups, each a loader of its router. A part's Lambda
 * (../lambda.ts `partHandler`) loads a group with the first request that reaches one of its
 * routes, so a container builds only the groups it serves; `npm start`, the tests and infra/
 * load them all (../routers.ts). The loaders are dynamic imports inside the one bundle file:
 * esbuild keeps the code in that file and only defers running it.
 */
export type RouteGroups = Readonly<Record<string, () => Promise<() => Router>>>;
