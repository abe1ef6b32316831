import type { Router } from '#shared/http/env.ts';

/**
 * One API part as named route groups, each a lazy loader of its router factory. The part's
 * Lambda (./lambda.ts `partHandler`) loads a group with the first request that reaches it, so a
 * container that only serves one group never compiles the others; `npm start`, the tests and
 * infra/ load them all (../routers.ts). Order is mount order: the first group whose route
 * matches a request serves it, as in one app mounting them all.
 */
export type RouteGroups = Readonly<Record<string, () => Promise<() => Router>>>;
