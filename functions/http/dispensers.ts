import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { dispensersGroups } from '#shared/app/parts/dispensers-routers.ts';
import { routeTable } from '#shared/app/route-table.ts';

export const handler = partHandler(dispensersGroups, routeTable().dispensers);
