import { beforeAll, describe, expect, it } from 'vitest';
import { careDemo } from '#shared/demo/care.ts';
import { dispensersDemo } from '#shared/demo/dispensers.ts';
import { seedDemoDataWith, type DemoData } from '#shared/demo/seed.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let demo: DemoData;

beforeAll(async () => {
  t = await createTestApp();
  // The steps this test looks at: citizens and grants, then dispensers (the visits step is the visits tests').
  demo = (await seedDemoDataWith(t.deps, [careDemo, dispensersDemo])).demo;
  // What the stream derives from the seeded device events and grants, as on AWS moments later.
  await t.drain();
});

describe('the demo data of npm start', () => {
  it('has a dispenser in stock, one active with the demo citizen, and one on trial with days of events', async () => {
    const staff = await t.token('staff', 'stf-anna', demo.team);
    const list = await t.call('GET', '/dispensers', { as: staff });
    expect(list.body.items.map((d: { status: string }) => d.status).sort()).toEqual(['active', 'in_stock', 'trial']);
    const to = new Date(t.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
    const from = new Date(t.clock.now().getTime() - 3 * 86_400_000).toISOString().slice(0, 10);
    const adherence = await t.call(
      'GET',
      `/citizens/${demo.ids.citizenReadyWithSupport}/adherence?from=${from}&to=${to}`,
      { as: staff },
    );
    expect(adherence.status).toBe(200);
    expect(adherence.body.counts.taken_late).toBeGreaterThanOrEqual(1);
    expect(adherence.body.counts.taken_on_time).toBeGreaterThan(1);
  });
});
