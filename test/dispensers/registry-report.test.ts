import { beforeAll, describe, expect, it } from 'vitest';
import { FINAL_GRANT_APPROVED } from '#shared/conversion/event-names.ts';
import { runJob } from '#shared/app/job-registry.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  citizenWithApprovedMedication,
  citizenWithDispenser,
  citizenWithMedicationProposal,
  eventId,
  postEvents,
  registerCitizen,
  registerDispenser,
  type DispenserWorld,
  dispenserWorld,
} from './support.ts';

const clock = new FixedClock(new Date('2026-10-01T09:00:00Z'));
let t: TestApp;
let w: DispenserWorld;
let westStaff: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  w = await dispenserWorld(t);
  westStaff = await t.token('staff', 'stf-west', 'west');
});

describe('the dispenser registry', () => {
  it('registers a dispenser in stock; the same serial of the same vendor again is a 409, of another vendor fine', async () => {
    const first = await t.call('POST', '/dispensers', {
      as: w.staff,
      body: { vendor: 'Medido', model: 'M2', serial: 'MD-1' },
    });
    expect(first.status).toBe(201);
    expect(first.body.dispenser).toMatchObject({ status: 'in_stock', vendor: 'Medido', serial: 'MD-1', team: 'east' });
    expect(first.body.credential).toMatch(new RegExp(`^${first.body.dispenser.dispenserId}\\.[A-Za-z0-9_-]{43}$`));
    const again = await t.call('POST', '/dispensers', {
      as: w.staff,
      body: { vendor: 'medido ', model: 'M3', serial: 'md-1' },
    });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('serial-taken');
    const otherVendor = await t.call('POST', '/dispensers', {
      as: w.staff,
      body: { vendor: 'Pilly', model: 'P1', serial: 'MD-1' },
    });
    expect(otherVendor.status).toBe(201);
  });

  it('refuses unknown fields and roles that may not', async () => {
    expect(
      (
        await t.call('POST', '/dispensers', {
          as: w.staff,
          body: { vendor: 'A', model: 'B', serial: 'C', colour: 'red' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await t.call('POST', '/dispensers', { as: w.assessor, body: { vendor: 'A', model: 'B', serial: 'C' } })).status,
    ).toBe(403);
  });

  it('gives a dispenser to one citizen at a time and a citizen one dispenser at a time', async () => {
    const { citizenId: anna } = await citizenWithApprovedMedication(t, w);
    const bo = await registerCitizen(t, w.assessor);
    const one = await registerDispenser(t, w.staff);
    const two = await registerDispenser(t, w.staff);
    expect(
      (await t.call('PUT', `/dispensers/${one.dispenserId}/assignment`, { as: w.staff, body: { citizenId: anna } }))
        .status,
    ).toBe(200);
    const taken = await t.call('PUT', `/dispensers/${one.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: bo },
    });
    expect([taken.status, taken.body.reason]).toEqual([409, 'dispenser-assigned']);
    const second = await t.call('PUT', `/dispensers/${two.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: anna },
    });
    expect([second.status, second.body.reason]).toEqual([409, 'citizen-has-dispenser']);
    const same = await t.call('PUT', `/dispensers/${one.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: anna },
    });
    expect(same.status).toBe(200);
  });

  it('answers 404 to another team, for the dispenser and for the citizen', async () => {
    const device = await registerDispenser(t, w.staff);
    expect((await t.call('GET', `/dispensers/${device.dispenserId}`, { as: westStaff })).status).toBe(404);
    const westDevice = await registerDispenser(t, westStaff);
    const citizen = await registerCitizen(t, w.assessor);
    expect(
      (
        await t.call('PUT', `/dispensers/${westDevice.dispenserId}/assignment`, {
          as: westStaff,
          body: { citizenId: citizen },
        })
      ).status,
    ).toBe(404);
    expect(
      (await t.call('GET', `/citizens/${citizen}/adherence?from=2026-10-01&to=2026-10-02`, { as: westStaff })).status,
    ).toBe(404);
  });

  it('runs a trial, decides it, takes the dispenser back and keeps the history', async () => {
    const { citizenId: citizen } = await citizenWithMedicationProposal(t, w);
    const device = await registerDispenser(t, w.staff, 'Pilly', 'P1');
    const noEnd = await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: citizen, status: 'trial' },
    });
    expect(noEnd.status).toBe(400);
    const trial = await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: citizen, status: 'trial', trialEndsOn: '2026-10-20' },
    });
    expect(trial.body).toMatchObject({ status: 'trial', trialEndsOn: '2026-10-20', citizenId: citizen });
    clock.set('2026-10-15T09:00:00Z');
    const active = await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: citizen, status: 'active' },
    });
    expect(active.body).toMatchObject({ status: 'active', citizenId: citizen });
    expect(active.body.trialEndsOn).toBeUndefined();
    clock.set('2026-10-25T09:00:00Z');
    const back = await t.call('DELETE', `/dispensers/${device.dispenserId}/assignment`, { as: w.staff });
    expect(back.body).toMatchObject({ status: 'in_stock' });
    expect(back.body.citizenId).toBeUndefined();
    expect((await t.call('DELETE', `/dispensers/${device.dispenserId}/assignment`, { as: w.staff })).status).toBe(409);

    const history = await t.call('GET', `/dispensers/${device.dispenserId}/assignments`, { as: w.staff });
    expect(
      history.body.items.map((p: { status: string; from: string; to?: string }) => [p.status, p.from, p.to]),
    ).toEqual([
      ['active', '2026-10-15T09:00:00.000Z', '2026-10-25T09:00:00.000Z'],
      ['trial', '2026-10-01T09:00:00.000Z', '2026-10-15T09:00:00.000Z'],
    ]);
    const citizenHistory = await t.call('GET', `/citizens/${citizen}/dispensers`, { as: w.staff });
    expect(citizenHistory.body.items).toHaveLength(2);

    const returned = await t.call('PATCH', `/dispensers/${device.dispenserId}`, {
      as: w.staff,
      body: { status: 'returned' },
    });
    expect(returned.body.status).toBe('returned');
    const reassign = await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: citizen },
    });
    expect(reassign.status).toBe(409);
    clock.set('2026-10-01T09:00:00Z');
  });

  it('reminds staff once to decide when a trial is about to end', async () => {
    const { citizenId: citizen } = await citizenWithMedicationProposal(t, w);
    const device = await registerDispenser(t, w.staff);
    await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: citizen, status: 'trial', trialEndsOn: '2026-10-30' },
    });
    await runJob(t.deps, 'trial-end-reminders');
    const none = await t.call('GET', `/alerts?citizenId=${citizen}`, { as: w.staff });
    expect(none.body.items.filter((a: { kind: string }) => a.kind === 'trial_ending')).toHaveLength(0);
    clock.set('2026-10-24T09:00:00Z');
    await runJob(t.deps, 'trial-end-reminders');
    await runJob(t.deps, 'trial-end-reminders');
    const some = await t.call('GET', `/alerts?citizenId=${citizen}`, { as: w.staff });
    expect(some.body.items.filter((a: { kind: string }) => a.kind === 'trial_ending')).toHaveLength(1);
    clock.set('2026-10-01T09:00:00Z');
  });
});

describe('the dose plan', () => {
  it('is set and read by staff, validated, and kept in versions so past doses keep their times', async () => {
    clock.set('2026-10-01T09:00:00Z');
    const citizen = await registerCitizen(t, w.assessor);
    const bad = await t.call('PUT', `/citizens/${citizen}/dose-plan`, {
      as: w.staff,
      body: { times: ['8:00', '08:00', '08:00'], validFrom: '2026-10-01' },
    });
    expect(bad.status).toBe(400);
    const wrongOrder = await t.call('PUT', `/citizens/${citizen}/dose-plan`, {
      as: w.staff,
      body: { times: ['08:00'], validFrom: '2026-10-05', validTo: '2026-10-01' },
    });
    expect(wrongOrder.body.errors[0].field).toBe('body/validTo');
    expect((await t.call('GET', `/citizens/${citizen}/dose-plan`, { as: w.staff })).status).toBe(404);

    const first = await t.call('PUT', `/citizens/${citizen}/dose-plan`, {
      as: w.staff,
      body: { times: ['20:00', '08:00'], validFrom: '2026-10-01' },
    });
    expect(first.body).toMatchObject({
      times: ['08:00', '20:00'],
      onTimeMinutes: 60,
      timeZone: 'Europe/Copenhagen',
      effectiveFrom: '2026-09-30T22:00:00.000Z',
    });
    clock.set('2026-10-03T12:00:00Z');
    await t.call('PUT', `/citizens/${citizen}/dose-plan`, {
      as: w.staff,
      body: { times: ['09:00'], validFrom: '2026-10-01', onTimeMinutes: 30 },
    });
    const plan = await t.call('GET', `/citizens/${citizen}/dose-plan`, { as: w.staff });
    expect(plan.body).toMatchObject({ times: ['09:00'], onTimeMinutes: 30, version: 2 });

    clock.set('2026-10-05T12:00:00Z');
    const adherence = await t.call('GET', `/citizens/${citizen}/adherence?from=2026-10-02&to=2026-10-04`, {
      as: w.staff,
    });
    expect(adherence.body.doses.map((d: { date: string; time: string }) => `${d.date} ${d.time}`)).toEqual([
      '2026-10-02 08:00',
      '2026-10-02 20:00',
      '2026-10-03 08:00',
      // The change took effect at 14:00 on the 3rd: that evening's 20:00 was no longer planned.
      '2026-10-04 09:00',
    ]);
    const tooLong = await t.call('GET', `/citizens/${citizen}/adherence?from=2026-01-01&to=2026-10-04`, {
      as: w.staff,
    });
    expect(tooLong.status).toBe(400);
    clock.set('2026-10-01T09:00:00Z');
  });

  it('is set from an approved final grant, once however often the event comes, and reaches the assigned dispenser', async () => {
    clock.set('2026-10-01T09:00:00Z');
    const { citizenId: citizen } = await citizenWithMedicationProposal(t, w);
    const device = await registerDispenser(t, w.staff);
    const onTrial = await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: citizen, status: 'trial', trialEndsOn: '2026-10-20' },
    });
    expect(onTrial.status, onTrial.text).toBe(200);
    const detail = {
      citizenId: citizen,
      team: 'east',
      finalGrantId: newId('fg'),
      conversionId: newId('cnv'),
      approvedAt: '2026-10-01T09:00:00.000Z',
      approvedBy: 'lead-lis',
      screenVisitPlan: [],
      dosePlan: { grantId: newId('grt'), times: ['08:00', '18:00'], validFrom: '2026-10-02' },
    };
    const event = domainEvent(FINAL_GRANT_APPROVED, detail, clock.now());
    await t.deps.events.publish([event, event]);
    const plan = await t.call('GET', `/citizens/${citizen}/dose-plan`, { as: w.staff });
    expect(plan.body).toMatchObject({ times: ['08:00', '18:00'], finalGrantId: detail.finalGrantId, version: 1 });
    // The dispenser's copy places an event without scheduledFor: 08:20 local on the 2nd is the 08:00 dose.
    clock.set('2026-10-02T10:00:00Z');
    await postEvents(t, device, [
      { eventId: eventId('fg'), type: 'dose_taken', occurredAt: '2026-10-02T08:20:00+02:00' },
    ]);
    const adherence = await t.call('GET', `/citizens/${citizen}/adherence?from=2026-10-02&to=2026-10-02`, {
      as: w.staff,
    });
    expect(adherence.body.doses[0]).toMatchObject({ time: '08:00', outcome: 'taken_on_time' });
    clock.set('2026-10-01T09:00:00Z');
  });
});

describe('the dispenser report', () => {
  it('counts the dispensers with a citizen on the date from the history, by vendor and model, with the month’s adherence', async () => {
    const lead = await t.token('lead', 'lead-north', 'north');
    const staff = await t.token('staff', 'stf-north', 'north');
    const assessor = await t.token('assessor', 'asr-north', 'north');
    const world = { assessor, staff, lead };
    clock.set('2026-11-02T09:00:00Z');
    const a = await citizenWithDispenser(t, world, { times: ['08:00'], validFrom: '2026-11-03' });
    const { citizenId: trialCitizen } = await citizenWithMedicationProposal(t, world);
    const trialDevice = await registerDispenser(t, staff, 'Pilly', 'P1');
    await t.call('PUT', `/dispensers/${trialDevice.dispenserId}/assignment`, {
      as: staff,
      body: { citizenId: trialCitizen, status: 'trial', trialEndsOn: '2026-12-01' },
    });
    const gone = await citizenWithDispenser(t, world, { times: ['08:00'], validFrom: '2026-11-03' });
    clock.set('2026-11-20T10:00:00Z');
    await t.call('DELETE', `/dispensers/${gone.dispenserId}/assignment`, { as: staff });
    await postEvents(t, a, [
      {
        eventId: eventId('rep'),
        type: 'dose_taken',
        occurredAt: '2026-11-10T08:05:00+01:00',
        scheduledFor: '2026-11-10T08:00:00+01:00',
      },
    ]);

    clock.set('2026-12-02T10:00:00Z');
    expect((await t.call('GET', '/reports/dispensers?date=2026-11-30', { as: staff })).status).toBe(403);
    const onTheTwentieth = await t.call('GET', '/reports/dispensers?date=2026-11-20', { as: lead });
    expect(onTheTwentieth.status).toBe(200);
    expect(onTheTwentieth.body.activeDispensers).toEqual({
      total: 3,
      active: 2,
      trial: 1,
      byVendorModel: [
        { vendor: 'Evondos', model: 'E300', total: 2, active: 2, trial: 0 },
        { vendor: 'Pilly', model: 'P1', total: 1, active: 0, trial: 1 },
      ],
    });
    const report = await t.call('GET', '/reports/dispensers?date=2026-11-30', { as: lead });
    expect(report.body.activeDispensers).toMatchObject({ total: 2, active: 1, trial: 1 });
    expect(report.body.citizensWithDispenser).toBe(2);
    // a's 08:00 doses 3–29 November (27): one taken on time, the rest with a silent device.
    expect(report.body.adherence).toMatchObject({ from: '2026-10-30', to: '2026-11-29' });
    expect(report.body.adherence.counts).toMatchObject({ planned: 27, taken_on_time: 1, no_data: 26 });
    const before = await t.call('GET', '/reports/dispensers?date=2026-11-01', { as: lead });
    expect(before.body.activeDispensers.total).toBe(0);
    clock.set('2026-10-01T09:00:00Z');
  });
});
