import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { apiHandler } from '#shared/app/lambda.ts';
import { deviceEventsRouters } from '#shared/app/parts/device-events-routers.ts';

export const handler = apiHandler(deviceEventsRouters());
