import { beforeAll, describe, expect, it } from 'vitest';
import { medicationLineFor } from '#shared/dispensers/grant-link.ts';
import { revertedLines } from '#shared/conversion/revert.ts';
import { assess, grant, readyAnswers, supportConversationTwiceAWeek } from '../care/care-helpers.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { citizenWithMedicationProposal, registerCitizen, registerDispenser, type DispenserWorld } from './support.ts';

let t: TestApp;
let w: DispenserWorld;
const clock = new FixedClock(new Date('2026-03-02T08:00:00Z'));

beforeAll(async () => {
  t = await createTestApp({ clock });
  w = {
    assessor: await t.token('assessor', 'asr-east'),
    staff: await t.token('staff', 'stf-east'),
    lead: await t.token('lead', 'lead-east'),
  };
});

const putOnTrial = (dispenserId: string, citizenId: string) =>
  t.call('PUT', `/dispensers/${dispenserId}/assignment`, {
    as: w.staff,
    body: { citizenId, status: 'trial', trialEndsOn: '2026-03-20' },
  });
const decide = (dispenserId: string, body: unknown) =>
  t.call('POST', `/dispensers/${dispenserId}/trial-decision`, { as: w.staff, body });

describe('a dispenser trial inside the grant (rules)', () => {
  it('serves the approved medication line first, else the newest proposed one', () => {
    const approved = { lines: [{ grantId: 'grt_a', medicationTechnology: 2 }] };
    const proposed = [{ lines: [{ grantId: 'grt_b', medicationTechnology: 1 }] }];
    expect(medicationLineFor(approved, proposed)).toEqual({ grantId: 'grt_a', approved: true });
    expect(medicationLineFor(undefined, proposed)).toEqual({ grantId: 'grt_b', approved: false });
    expect(medicationLineFor({ lines: [{ grantId: 'grt_a', medicationTechnology: 0 }] }, [])).toBeUndefined();
  });

  it('reverting a line moves its technology occurrences to physical and leaves the others', () => {
    const line = (grantId: string, screenVisit: number, medicationTechnology: number) =>
      ({
        grantId,
        physical: 1,
        screenVisit,
        medicationTechnology,
        screenVisitTimes: screenVisit ? ['10:00'] : [],
        medicationTechnologyTimes: medicationTechnology ? ['08:00'] : [],
      }) as never;
    const lines = revertedLines([line('grt_a', 0, 2), line('grt_b', 1, 0)], 'grt_a', 'medication_technology');
    expect(lines?.map((l) => [l.grantId, l.physical, l.screenVisit, l.medicationTechnology])).toEqual([
      ['grt_a', 3, 0, 0],
      ['grt_b', 1, 1, 0],
    ]);
    expect(revertedLines([line('grt_b', 1, 0)], 'grt_b', 'medication_technology')).toBeUndefined();
  });
});

describe('a dispenser trial inside the grant', () => {
  it('a dispenser cannot go on trial for a citizen whose grant has no medication-technology line', async () => {
    const citizenId = await registerCitizen(t, w.assessor);
    const device = await registerDispenser(t, w.staff);
    const res = await putOnTrial(device.dispenserId, citizenId);
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('no-medication-line');
  });

  it('no dispenser is active for a citizen without an approved medication line: a proposal allows a trial only', async () => {
    const { citizenId } = await citizenWithMedicationProposal(t, w);
    const device = await registerDispenser(t, w.staff);
    const active = await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId, status: 'active' },
    });
    expect(active.status).toBe(409);
    expect(active.body.reason).toBe('no-medication-line');
    expect((await putOnTrial(device.dispenserId, citizenId)).status).toBe(200);
  });

  it('staff put a dispenser on trial for a proposed line; keeping it waits for the approval, then the dispenser is active in the final grant', async () => {
    const { citizenId, conversionId } = await citizenWithMedicationProposal(t, w);
    const device = await registerDispenser(t, w.staff);
    expect((await putOnTrial(device.dispenserId, citizenId)).status).toBe(200);

    const early = await decide(device.dispenserId, { decision: 'keep' });
    expect(early.status).toBe(409);
    expect(early.body.reason).toBe('medication-line-not-approved');

    const approved = await t.call('POST', `/conversions/${conversionId}/approve`, { as: w.lead, body: {} });
    expect(approved.status, approved.text).toBe(201);
    const kept = await decide(device.dispenserId, { decision: 'keep' });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body).toMatchObject({
      decision: 'keep',
      dispenser: { status: 'active', citizenId },
      finalGrantId: approved.body.finalGrantId,
    });
    expect((await decide(device.dispenserId, { decision: 'keep' })).body.reason).toBe('not-on-trial');
  });

  it('a returned trial reverts the line to physical delivery with a reason code, ends the dose plan and counts in the trial report', async () => {
    const { citizenId, grantId, conversionId } = await citizenWithMedicationProposal(t, w);
    expect((await t.call('POST', `/conversions/${conversionId}/approve`, { as: w.lead, body: {} })).status).toBe(201);
    const device = await registerDispenser(t, w.staff);
    expect((await putOnTrial(device.dispenserId, citizenId)).status).toBe(200);

    const noText = await decide(device.dispenserId, { decision: 'return', reasonCode: 'other' });
    expect(noText.status).toBe(400);
    const unknown = await decide(device.dispenserId, { decision: 'return', reasonCode: 'too_expensive' });
    expect(unknown.status).toBe(400);

    const returned = await decide(device.dispenserId, { decision: 'return', reasonCode: 'cannot_handle_device' });
    expect(returned.status, returned.text).toBe(200);
    expect(returned.body).toMatchObject({
      decision: 'return',
      dispenser: { status: 'in_stock' },
      reversion: {
        grantId,
        technology: 'medication_technology',
        reasonCode: 'cannot_handle_device',
        dispenserId: device.dispenserId,
      },
    });

    const view = (await t.call('GET', `/citizens/${citizenId}/final-grant`, { as: w.lead })).body;
    expect(view.current.finalGrantId).toBe(returned.body.finalGrantId);
    expect(view.current.lines[0]).toMatchObject({ grantId, physical: 2, medicationTechnology: 0 });
    expect(view.current.dosePlan).toBeNull();
    expect(view.current.revision).toMatchObject({ kind: 'reversion', reasonCode: 'cannot_handle_device' });
    expect(view.history).toHaveLength(2);
    expect(
      t.deps.events.ofType('FinalGrantRevised').some((e) => e.detail.finalGrantId === view.current.finalGrantId),
    ).toBe(true);
    const plan = (await t.call('GET', `/citizens/${citizenId}/dose-plan`, { as: w.staff })).body;
    expect(plan.validTo).toBe('2026-03-02');

    const report = (await t.call('GET', '/reports/trial?from=2026-03-01&to=2026-03-31', { as: w.lead })).body;
    expect(report.reversions.byReason.cannot_handle_device).toBeGreaterThanOrEqual(1);
    expect(report.reversions.byTechnology.medication_technology).toBeGreaterThanOrEqual(1);
  });

  it('a screen-visit line reverted to physical visits takes the same reason list and cancels the line’s future screen visits', async () => {
    const citizenId = await registerCitizen(t, w.assessor);
    await assess(t, w.assessor, citizenId, readyAnswers);
    const talk = await grant(t, w.assessor, citizenId, supportConversationTwiceAWeek);
    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: w.staff,
      body: { reason: 'r', splits: [{ grantId: talk.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 }] },
    });
    expect(
      (await t.call('POST', `/conversions/${proposal.body.conversionId}/approve`, { as: w.lead, body: {} })).status,
    ).toBe(201);
    const visits = async () =>
      (await t.call('GET', `/visits?citizenId=${citizenId}&from=2026-03-02T00:00:00Z&limit=200`, { as: w.lead })).body
        .items as any[];
    expect((await visits()).filter((v) => v.status === 'scheduled').length).toBeGreaterThan(0);

    const path = `/citizens/${citizenId}/final-grant/reversions`;
    expect(
      (
        await t.call('POST', path, {
          as: w.staff,
          body: { grantId: talk.grantId, technology: 'screen_visit', reasonCode: 'other' },
        })
      ).status,
    ).toBe(400);
    const reverted = await t.call('POST', path, {
      as: w.staff,
      body: {
        grantId: talk.grantId,
        technology: 'screen_visit',
        reasonCode: 'other',
        reasonText: 'Prefers to meet in person.',
      },
    });
    expect(reverted.status, reverted.text).toBe(201);
    expect(reverted.body.finalGrant.lines[0]).toMatchObject({ physical: 2, screenVisit: 0 });
    expect(reverted.body.finalGrant.screenVisitPlan).toEqual([]);
    expect((await visits()).filter((v) => v.status === 'scheduled')).toEqual([]);
    const again = await t.call('POST', path, {
      as: w.staff,
      body: { grantId: talk.grantId, technology: 'screen_visit', reasonCode: 'citizen_declined' },
    });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('nothing-to-revert');

    const report = (await t.call('GET', '/reports/trial?from=2026-03-01&to=2026-03-31', { as: w.lead })).body;
    expect(report.reversions.otherReasons).toContain('Prefers to meet in person.');
  });

  it('a trial returned before its line was approved records the reversion without touching a final grant', async () => {
    const { citizenId } = await citizenWithMedicationProposal(t, w);
    const device = await registerDispenser(t, w.staff);
    expect((await putOnTrial(device.dispenserId, citizenId)).status).toBe(200);
    const returned = await decide(device.dispenserId, {
      decision: 'return',
      reasonCode: 'dose_plan_unsuitable',
      then: 'returned',
    });
    expect(returned.status, returned.text).toBe(200);
    expect(returned.body.dispenser.status).toBe('returned');
    expect(returned.body.finalGrantId).toBeUndefined();
    expect(returned.body.reversion.reasonCode).toBe('dose_plan_unsuitable');
  });
});
