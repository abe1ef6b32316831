import type { Router } from '#shared/http/env.ts';
import { adminRouters } from '#shared/app/parts/admin-routers.ts';
import { careRouters } from '#shared/app/parts/care-routers.ts';
import { deviceEventsRouters } from '#shared/app/parts/device-events-routers.ts';
import { dispensersRouters } from '#shared/app/parts/dispensers-routers.ts';
import { reportsRouters } from '#shared/app/parts/reports-routers.ts';
import { visitsRouters } from '#shared/app/parts/visits-routers.ts';

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

export { credentialRoutes, deviceRoutes } from '#shared/http/credential-routes.ts';

export function allRouters(): Router[] {
  return Object.values(apiParts).flatMap((part) => part());
}
