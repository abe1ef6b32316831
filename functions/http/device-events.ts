import { apiHandler } from '#shared/http/lambda.ts';
import { deviceEventsRouters } from '#shared/http/parts/device-events.ts';

export const handler = apiHandler(deviceEventsRouters());
