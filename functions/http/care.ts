import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { careGroups } from '#shared/app/parts/care-groups.ts';

export const handler = partHandler('care', careGroups);
