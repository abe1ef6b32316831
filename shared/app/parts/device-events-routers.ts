import { deviceEventRoutes } from '#shared/dispensers/device-ingest-routes.ts';
import type { Router } from '#shared/http/env.ts';

/** The device ingest route: authenticated by the dispenser's credential, not a JWT. */
export const deviceEventsRouters = (): Router[] => [deviceEventRoutes()];
