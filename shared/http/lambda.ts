import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../platform/config.ts';
import { createAwsDeps } from '../platform/aws-deps.ts';
import { createApp } from './app.ts';
import { verifierFor } from './auth.ts';
import { deviceRoutes } from './device-routes.ts';
import type { Router } from './env.ts';

/** A Lambda handler serving some routers, built once per container (outside the handler). */
export function apiHandler(routers: Router[]) {
  const config = loadConfig();
  const deps = createAwsDeps(config);
  // The device route carries its own credential; API Gateway routes it without the JWT authorizer.
  const app = createApp(deps, { verifier: verifierFor(config), routers, deviceRoutes });
  return handle(app);
}
