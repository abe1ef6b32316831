import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { careGroups } from '#shared/app/parts/care-routers.ts';
import { routeTable } from '#shared/app/route-table.ts';

export const handler = partHandler(careGroups, routeTable().care);
