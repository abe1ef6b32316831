import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { reportsGroups } from '#shared/app/parts/reports-groups.ts';

export const handler = partHandler('reports', reportsGroups);
