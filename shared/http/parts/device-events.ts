import { deviceEventRoutes } from '../../dispensers/device-routes.ts';
import type { Router } from '../env.ts';

/** The device ingest route: authenticated by the dispenser's credential, not a JWT. */
export const deviceEventsRouters = (): Router[] => [deviceEventRoutes()];
