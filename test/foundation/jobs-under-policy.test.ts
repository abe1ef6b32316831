import { beforeAll, describe, expect, it } from 'vitest';
import { jobs, runJob } from '#shared/app/job-registry.ts';
import { seedDemoData } from '#shared/demo/all.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

/**
 * Every recurring job, run by name as the job runner Lambda runs it: within the JobRunner's
 * partitions (shared/table/table-access.ts, the same patterns as its IAM grant), over the demo
 * data `npm start` loads, so each job meets the items it reads in real use. A job that touches a
 * partition the stack does not grant it fails here (DeniedByStackPolicy) before it fails on AWS.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await seedDemoData(t.deps);
});

describe('the recurring jobs over the demo data', () => {
  const recurring = Object.entries(jobs).filter(([, job]) => job.every !== undefined);

  it('are the ones the stack schedules', () => {
    expect(recurring.map(([name]) => name).sort()).toEqual([
      'detect-missed-doses',
      'detect-silent-devices',
      'escalate-alerts',
      'extend-visit-horizon',
      'reconcile',
      'tablets-not-seen',
      'trial-end-reminders',
    ]);
  });

  it.each(recurring.map(([name]) => name))('run %s within the job runner’s partitions', async (name) => {
    await expect(runJob(t.deps, name)).resolves.toBeDefined();
  });
});
