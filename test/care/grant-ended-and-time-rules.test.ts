import { beforeAll, describe, expect, it } from 'vitest';
import { conversionFigures } from '#shared/conversion/figures.ts';
import { consume } from '#shared/app/event-registry.ts';
import { planTimeFaults } from '#shared/dispensers/plan-start.ts';
import { requireWithinGrantDates } from '#shared/visits/grant-dates.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  assess,
  careActors,
  grant,
  medicationThreeTimesADay,
  readyAnswers,
  registerCitizen,
  supportConversationTwiceAWeek,
  type CareActors,
} from './care-helpers.ts';

let t: TestApp;
let east: CareActors;

beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Copenhagen.
  t = await createTestApp({ clock: new FixedClock(new Date('2026-03-02T08:00:00Z')) });
  east = await careActors(t, 'east');
});

async function convertedCitizen() {
  const citizenId = await registerCitizen(t, east.assessor);
  await assess(t, east.assessor, citizenId, readyAnswers);
  const medication = await grant(t, east.assessor, citizenId, medicationThreeTimesADay);
  const talk = await grant(t, east.assessor, citizenId, supportConversationTwiceAWeek);
  const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
    as: east.staff,
    body: {
      reason: 'r',
      splits: [
        { grantId: medication.grantId, physical: 0, screenVisit: 0, medicationTechnology: 3 },
        { grantId: talk.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 },
      ],
    },
  });
  expect(proposal.status, proposal.text).toBe(201);
  const approved = await t.call('POST', `/conversions/${proposal.body.conversionId}/approve`, {
    as: east.lead,
    body: {},
  });
  expect(approved.status, approved.text).toBe(201);
  return { citizenId, medication, talk, finalGrantId: approved.body.finalGrantId as string };
}

const visitsOf = async (citizenId: string) =>
  (
    await t.call('GET', `/visits?citizenId=${citizenId}&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&limit=200`, {
      as: east.lead,
    })
  ).body.items as any[];

describe('GrantEnded and its consumers', () => {
  it('ending a grant publishes GrantEnded once; its screen visits after the end are cancelled with a reason and the others stay', async () => {
    const { citizenId, talk, finalGrantId } = await convertedCitizen();
    const planned = await visitsOf(citizenId);
    expect(planned.length).toBeGreaterThan(3);

    // Last conversation on Tuesday 10 March.
    const ended = await t.call('PATCH', `/citizens/${citizenId}/grants/${talk.grantId}`, {
      as: east.assessor,
      body: { endDate: '2026-03-10', reason: 'Moves to a nursing home.' },
    });
    expect(ended.status, ended.text).toBe(200);
    const events = t.deps.events.ofType('GrantEnded').filter((e) => e.detail.grantId === talk.grantId);
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toMatchObject({
      citizenId,
      grantId: talk.grantId,
      endDate: '2026-03-10',
      endedBy: 'asr-east',
      finalGrantId,
    });

    const after = await visitsOf(citizenId);
    const localDay = (v: any) => String(v.localStart ?? v.start).slice(0, 10);
    const late = after.filter((v) => v.start >= '2026-03-10T23:00:00.000Z');
    const early = after.filter((v) => v.start < '2026-03-10T23:00:00.000Z');
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((v) => v.status === 'cancelled' && v.cancelReason === 'grant ended on 2026-03-10')).toBe(true);
    expect(early.every((v) => v.status === 'scheduled')).toBe(true);
    expect(early.map(localDay).length).toBeGreaterThan(0);
    const cancelledEvents = t.deps.events.ofType('VisitCancelled').filter((e) => e.detail.citizenId === citizenId);
    expect(cancelledEvents).toHaveLength(late.length);

    // Delivered again: nothing more is cancelled or published.
    const [event] = events;
    if (!event) throw new Error('no GrantEnded');
    await consume(t.deps, event);
    expect(t.deps.events.ofType('VisitCancelled').filter((e) => e.detail.citizenId === citizenId)).toHaveLength(
      late.length,
    );
  });

  it('ending the dispensed benefit gives the dose plan its validTo; a repeat changes nothing', async () => {
    const { citizenId, medication } = await convertedCitizen();
    const before = await t.call('GET', `/citizens/${citizenId}/dose-plan`, { as: east.staff });
    expect(before.body).toMatchObject({ grantId: medication.grantId, validFrom: '2026-03-02' });
    expect(before.body.validTo).toBeUndefined();

    expect(
      (
        await t.call('PATCH', `/citizens/${citizenId}/grants/${medication.grantId}`, {
          as: east.assessor,
          body: { endDate: '2026-03-20', reason: 'Hospital takes over.' },
        })
      ).status,
    ).toBe(200);
    const plan = (await t.call('GET', `/citizens/${citizenId}/dose-plan`, { as: east.staff })).body;
    expect(plan).toMatchObject({ validFrom: '2026-03-02', validTo: '2026-03-20', version: before.body.version + 1 });

    const event = t.deps.events.ofType('GrantEnded').find((e) => e.detail.grantId === medication.grantId);
    if (!event) throw new Error('no GrantEnded');
    await consume(t.deps, event);
    expect((await t.call('GET', `/citizens/${citizenId}/dose-plan`, { as: east.staff })).body.version).toBe(
      plan.version,
    );
  });
});

describe('consistent time rules', () => {
  it('a dose plan change that starts before today is refused with a 400 that says why; a first plan is honoured from its date', async () => {
    expect(planTimeFaults({ validFrom: '2026-02-20' }, undefined, '2026-03-02')).toEqual([]);
    expect(planTimeFaults({ validFrom: '2025-10-01' }, undefined, '2026-03-02').map((f) => f.field)).toEqual([
      'body/validFrom',
    ]);
    expect(
      planTimeFaults({ validFrom: '2026-02-25' }, { validFrom: '2026-02-20' }, '2026-03-02').map((f) => f.field),
    ).toEqual(['body/validFrom']);
    expect(planTimeFaults({ validFrom: '2026-02-20' }, { validFrom: '2026-02-20' }, '2026-03-02')).toEqual([]);
    expect(
      planTimeFaults({ validFrom: '2026-03-02', validTo: '2026-03-01' }, { validFrom: '2026-02-20' }, '2026-03-02').map(
        (f) => f.field,
      ),
    ).toEqual(['body/validTo']);

    const citizenId = await registerCitizen(t, east.assessor);
    const first = await t.call('PUT', `/citizens/${citizenId}/dose-plan`, {
      as: east.staff,
      body: { times: ['08:00'], validFrom: '2026-02-25' },
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body.effectiveFrom).toBe('2026-02-24T23:00:00.000Z');
    const backdated = await t.call('PUT', `/citizens/${citizenId}/dose-plan`, {
      as: east.staff,
      body: { times: ['09:00'], validFrom: '2026-02-28' },
    });
    expect(backdated.status).toBe(400);
    expect(backdated.body.errors[0].field).toBe('body/validFrom');
    expect(backdated.body.errors[0].message).toMatch(/already counted/);
    expect((await t.call('GET', `/citizens/${citizenId}/dose-plan`, { as: east.staff })).body.times).toEqual(['08:00']);
    const fromToday = await t.call('PUT', `/citizens/${citizenId}/dose-plan`, {
      as: east.staff,
      body: { times: ['09:00'], validFrom: '2026-03-02' },
    });
    expect(fromToday.status).toBe(200);
  });

  it('a visit before its grant starts or after it ends is refused with a 400 naming the dates', async () => {
    const line = { grantId: 'grt_a', startDate: '2026-04-01', endDate: '2026-04-30' } as never;
    const zone = 'Europe/Copenhagen';
    expect(() => requireWithinGrantDates({ lines: [line] }, 'grt_a', new Date('2026-03-31T08:00:00Z'), zone)).toThrow(
      /starts on 2026-04-01/,
    );
    expect(() => requireWithinGrantDates({ lines: [line] }, 'grt_a', new Date('2026-05-01T08:00:00Z'), zone)).toThrow(
      /ended on 2026-04-30/,
    );
    expect(() =>
      requireWithinGrantDates({ lines: [line] }, 'grt_a', new Date('2026-04-30T20:00:00Z'), zone),
    ).not.toThrow();
    expect(() => requireWithinGrantDates(undefined, 'grt_a', new Date('2026-03-31T08:00:00Z'), zone)).not.toThrow();

    const { citizenId, talk } = await convertedCitizen();
    await t.call('PATCH', `/citizens/${citizenId}/grants/${talk.grantId}`, {
      as: east.assessor,
      body: { endDate: '2026-03-10', reason: 'Ends.' },
    });
    const staff = await t.token('lead', 'lead-east', 'east');
    const booked = await t.call('POST', '/visits', {
      as: staff,
      body: {
        citizenId,
        staffId: 'lead-east',
        start: '2026-03-12T09:00:00+01:00',
        durationMinutes: 30,
        purpose: { grantId: talk.grantId, service: 'support_conversation' },
      },
    });
    expect(booked.status, booked.text).toBe(400);
    expect(booked.body.errors[0]).toMatchObject({ field: 'body/start' });
    expect(booked.body.errors[0].message).toMatch(/2026-03-10/);

    // Moving a visit of that benefit past the end is refused in the same words; the visit stays put.
    const before = (await visitsOf(citizenId)).find(
      (v) => v.purpose.grantId === talk.grantId && v.status === 'scheduled',
    );
    expect(before, 'a planned visit of the benefit before its end').toBeDefined();
    const moved = await t.call('PATCH', `/visits/${before.visitId}`, {
      as: staff,
      body: { start: '2026-03-12T09:00:00+01:00' },
    });
    expect(moved.status, moved.text).toBe(400);
    expect(moved.body.errors[0]).toMatchObject({ field: 'body/start' });
    expect(moved.body.errors[0].message).toMatch(/2026-03-10/);
    expect((await t.call('GET', `/visits/${before.visitId}`, { as: staff })).body.start).toBe(before.start);
  });

  it('figures that are zero because nothing has started say when it starts', () => {
    const line = {
      grantId: 'grt_a',
      paragraph: 'SEL-85' as const,
      service: 'support_conversation' as const,
      frequency: { per: 'week' as const, times: 1 },
      minutesPerOccurrence: 30,
      startDate: '2026-03-03',
      physical: 0,
      screenVisit: 1,
      medicationTechnology: 0,
      screenVisitTimes: [],
      medicationTechnologyTimes: [],
    };
    expect(conversionFigures([line], 15, '2026-03-02')).toMatchObject({
      grantedOccurrencesPerWeek: 0,
      startsOn: '2026-03-03',
    });
    expect(conversionFigures([line], 15, '2026-03-03').startsOn).toBeUndefined();
  });
});
