import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { deviceEventsGroups } from '#shared/app/parts/device-events-groups.ts';

export const handler = partHandler('deviceEvents', deviceEventsGroups);
