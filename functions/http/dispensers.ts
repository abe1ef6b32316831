import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { dispensersGroups } from '#shared/app/parts/dispensers-groups.ts';

export const handler = partHandler('dispensers', dispensersGroups);
