import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { adminGroups } from '#shared/app/parts/admin-routers.ts';
import { routeTable } from '#shared/app/route-table.ts';

export const handler = partHandler(adminGroups, routeTable().admin);
