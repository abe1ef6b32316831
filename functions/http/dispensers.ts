import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { apiHandler } from '#shared/app/lambda.ts';
import { dispensersRouters } from '#shared/app/parts/dispensers-routers.ts';

export const handler = apiHandler(dispensersRouters());
