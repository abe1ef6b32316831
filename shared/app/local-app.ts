import { createApp } from '#shared/http/app.ts';
import { localVerifier } from '#shared/http/auth.ts';
import type { Router } from '#shared/http/env.ts';
import { scopeRequestsToFunctions } from './local-function-scope.ts';
import { localNotificationRoutes } from '#shared/notifications/local-routes.ts';
import { tabletTokens } from '#shared/tablets/tokens.ts';
import type { LocalDeps } from './local-deps.ts';
import { allRouters, credentialRoutes } from './routers.ts';

/**
 * LOCAL ONLY: the whole API as `npm start`, the tests and the bench serve it: every part, the
 * local notification routes, local tokens, and each request held to the table partitions of the
 * function that serves its part on AWS. A Lambda serves one part through `partHandler`
 * (./lambda.ts) with the same device routes and tablet tokens.
 */
export function createLocalApp(deps: LocalDeps): Router {
  return scopeRequestsToFunctions(
    createApp(deps, {
      verifier: localVerifier(deps.config),
      routers: [...allRouters(), localNotificationRoutes()],
      deviceRoutes: credentialRoutes,
      tabletTokens,
    }),
  );
}
