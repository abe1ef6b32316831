import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { apiHandler } from '#shared/app/lambda.ts';
import { reportsRouters } from '#shared/app/parts/reports-routers.ts';

export const handler = apiHandler(reportsRouters());
