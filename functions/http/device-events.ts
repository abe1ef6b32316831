import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { deviceEventsGroups } from '#shared/app/parts/device-events-routers.ts';
import { routeTable } from '#shared/app/route-table.ts';

export const handler = partHandler(deviceEventsGroups, routeTable().deviceEvents);
