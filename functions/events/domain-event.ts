import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from '#shared/platform/zod.ts';
import { consume } from '#shared/app/event-registry.ts';
import { createAwsDeps } from '#shared/app/aws-deps.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { logger } from '#shared/platform/logger.ts';

/** Target of the EventBridge rule for consumed domain events (see shared/domain-events/). */
const eventBridgeEvent = z.object({
  id: z.string(),
  'detail-type': z.string(),
  time: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

const deps = createAwsDeps(loadConfig());

export const handler = middy(async (event: unknown) => {
  const parsed = eventBridgeEvent.parse(event);
  const { eventId, ...detail } = parsed.detail;
  await consume(deps, {
    id: typeof eventId === 'string' ? eventId : parsed.id,
    type: parsed['detail-type'],
    occurredAt: parsed.time,
    detail,
  });
  logger.info('domain event consumed', { type: parsed['detail-type'] });
}).use(injectLambdaContext(logger));
