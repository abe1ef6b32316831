import { handle } from 'hono/aws-lambda';
import { loadConfig } from '#shared/platform/config.ts';
import { createAwsDeps } from '#shared/platform/aws-deps.ts';
import { createApp, type AppOptions } from './app.ts';
import { verifierFor } from './auth.ts';
import { credentialRoutes } from './credential-routes.ts';
import type { Router } from './env.ts';

/** A Lambda handler serving some routers, built once per container (outside the handler). */
export function apiHandler(routers: Router[], options: Pick<AppOptions, 'document' | 'tabletTokens'> = {}) {
  const config = loadConfig();
  const deps = createAwsDeps(config);
  const app = createApp(deps, { verifier: verifierFor(config), routers, deviceRoutes: credentialRoutes, ...options });
  return handle(app);
}
