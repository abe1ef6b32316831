import { describe, expect, it } from 'vitest';
import { seedDemoData } from '#shared/demo/all.ts';
import { createTestApp } from '../support/app.ts';

describe('the demo data of npm start', () => {
  it('has a dispenser in stock, one active with the demo citizen, and one on trial with days of events', async () => {
    const t = await createTestApp();
    const { demo } = await seedDemoData(t.deps);
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
    // Days of device events are derived through the stream (and their alerts through the notifier): ~25 s alone on the shared machine.
  }, 120_000);
});
