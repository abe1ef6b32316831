import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { apiHandler } from '#shared/app/lambda.ts';
import { adminRouters } from '#shared/app/parts/admin-routers.ts';

export const handler = apiHandler(adminRouters());
