import { apiHandler } from '#shared/app/lambda.ts';
import { deviceEventsRouters } from '#shared/app/parts/device-events.ts';

export const handler = apiHandler(deviceEventsRouters());
