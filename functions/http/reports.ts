import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { reportsGroups } from '#shared/app/parts/reports-routers.ts';
import { routeTable } from '#shared/app/route-table.ts';

export const handler = partHandler(reportsGroups, routeTable().reports);
