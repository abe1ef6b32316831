import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { adminGroups } from '#shared/app/parts/admin-groups.ts';

export const handler = partHandler('admin', adminGroups);
