import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { partHandler } from '#shared/app/lambda.ts';
import { visitsGroups } from '#shared/app/parts/visits-groups.ts';
import { tabletTokens } from '#shared/tablets/tokens.ts';

// The visits part serves the paired tablets' routes, so it verifies their tokens too.
export const handler = partHandler('visits', visitsGroups, { tabletTokens });
