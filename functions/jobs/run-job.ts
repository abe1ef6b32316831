import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from '#shared/platform/zod.ts';
import { runJob } from '#shared/app/job-registry.ts';
import { createAwsDeps } from '#shared/app/aws-deps.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { logger } from '#shared/platform/logger.ts';

/**
 * Target of every EventBridge Scheduler schedule: the recurring detection jobs and the
 * one-time visit reminders, no-show checks and trial-end reminders. Input: `{ job, payload }`.
 */
const jobInvocation = z.object({
  job: z.string().min(1).max(64),
  payload: z.record(z.string(), z.unknown()).default({}),
});

const deps = createAwsDeps(loadConfig());

export const handler = middy(async (event: unknown) => {
  const { job, payload } = jobInvocation.parse(event);
  const result = await runJob(deps, job, payload);
  logger.info('job finished', { job });
  return result;
}).use(injectLambdaContext(logger));
