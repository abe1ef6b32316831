import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import { apiHandler } from '#shared/app/lambda.ts';
import { visitsRouters } from '#shared/app/parts/visits-routers.ts';
import { tabletTokens } from '#shared/tablets/tokens.ts';

// The visits part serves the paired tablets' routes, so it verifies their tokens too.
export const handler = apiHandler(visitsRouters(), { tabletTokens });
