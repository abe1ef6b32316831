import { handle } from 'hono/aws-lambda';
import { loadConfig } from '#shared/platform/config.ts';
import { createAwsDeps } from './aws-deps.ts';
import { createApp, type AppOptions } from '#shared/http/app.ts';
import { verifierFor } from '#shared/http/auth.ts';
import { credentialRoutes } from '#shared/http/credential-routes.ts';
import type { Router } from '#shared/http/env.ts';

/** A Lambda handler serving some routers, built once per container (outside the handler). */
export function apiHandler(routers: Router[], options: Pick<AppOptions, 'document' | 'tabletTokens'> = {}) {
  const config = loadConfig();
  const deps = createAwsDeps(config);
  const app = createApp(deps, { verifier: verifierFor(config), routers, deviceRoutes: credentialRoutes, ...options });
  return handle(app);
}
