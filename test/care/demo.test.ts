import { beforeAll, describe, expect, it } from 'vitest';
import { careDemo } from '#shared/demo/care.ts';
import { seedDemoDataWith } from '#shared/demo/seed.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

describe('the care demo data of npm start', () => {
  it('leaves the default questionnaire, three citizens and one approved final grant in the demo team', async () => {
    const { demo } = await seedDemoDataWith(t.deps, [careDemo]);
    const lead = await t.token('lead', 'lead-demo', demo.team);
    const citizens = await t.call('GET', '/citizens', { as: lead });
    expect(citizens.body.items).toHaveLength(3);
    const view = await t.call('GET', `/citizens/${demo.ids.citizen}/final-grant`, { as: lead });
    expect(view.status).toBe(200);
    expect(view.body.current.finalGrantId).toBe(demo.ids.finalGrant);
    expect(view.body.current.dosePlan.times).toEqual(['08:00', '20:00']);
    expect(view.body.current.screenVisitPlan.length).toBe(3);
    const decisions = await Promise.all(
      [demo.ids.citizenReadyWithSupport, demo.ids.citizenNotReady].map(
        async (id) => (await t.call('GET', `/citizens/${id}/assessments`, { as: lead })).body.items[0].decision,
      ),
    );
    expect(decisions).toEqual(['ready_with_support', 'not_ready']);
  });
});
