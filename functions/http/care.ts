import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { apiHandler } from '#shared/app/lambda.ts';
import { careRouters } from '#shared/app/parts/care-routers.ts';

export const handler = apiHandler(careRouters());
