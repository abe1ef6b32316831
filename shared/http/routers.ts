import type { Router } from './env.ts';
import { adminRouters } from './parts/admin.ts';
import { careRouters } from './parts/care.ts';
import { deviceEventsRouters } from './parts/device-events.ts';
import { dispensersRouters } from './parts/dispensers.ts';
import { reportsRouters } from './parts/reports.ts';
import { visitsRouters } from './parts/visits.ts';

/**
 * The API in parts: each part is one Lambda behind API Gateway (least privilege, small bundle:
 * its entry in functions/http imports only its own part), and `npm start` and the tests mount
 * them all. infra/ reads each part's routes from here.
 */
export const apiParts = {
  care: careRouters,
  visits: visitsRouters,
  dispensers: dispensersRouters,
  deviceEvents: deviceEventsRouters,
  reports: reportsRouters,
  admin: adminRouters,
} satisfies Record<string, () => Router[]>;

export type ApiPart = keyof typeof apiParts;

export { credentialRoutes, deviceRoutes } from './credential-routes.ts';

export function allRouters(): Router[] {
  return Object.values(apiParts).flatMap((part) => part());
}
