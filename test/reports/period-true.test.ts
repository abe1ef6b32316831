import { beforeAll, describe, expect, it } from 'vitest';
import { countVisits, summariseReversions } from '#shared/reports/trial.ts';
import { periodFigures, type FinalGrantVersion } from '#shared/reports/period-figures.ts';
import { defaultSavingsModel } from '#shared/reports/savings-model.ts';
import {
  assess,
  careActors,
  grant,
  readyAnswers,
  registerCitizen,
  supportConversationTwiceAWeek,
  practicalHelpWeekly,
  type CareActors,
} from '../care/care-helpers.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';

const zone = 'Europe/Copenhagen';
const model = defaultSavingsModel({ TRAVEL_MINUTES_PER_VISIT: 15 });
const line = (over: Record<string, unknown> = {}) =>
  ({
    grantId: 'grt_a',
    paragraph: 'SEL-85',
    service: 'support_conversation',
    frequency: { per: 'day', times: 2 },
    minutesPerOccurrence: 30,
    startDate: '2026-03-01',
    physical: 0,
    screenVisit: 2,
    medicationTechnology: 0,
    screenVisitTimes: ['08:00', '20:00'],
    medicationTechnologyTimes: [],
    ...over,
  }) as FinalGrantVersion['lines'][number];

describe('period-true figures (rules)', () => {
  it('a scale-up in the middle of the period counts only from the day it was approved', () => {
    const versions = new Map([
      [
        'cit_a',
        [
          {
            finalGrantId: 'fg_1',
            citizenId: 'cit_a',
            team: 'east',
            approvedAt: '2026-03-10T09:00:00.000Z',
            lines: [line()],
          },
        ],
      ],
    ]);
    // 1..31 March: approved on the 10th, so 22 days of two screen visits.
    const march = periodFigures(versions, '2026-03-01', '2026-03-31', zone, model);
    expect(march.daysCounted).toBe(31);
    expect(march.screenVisitOccurrences).toBe(44);
    expect(march.digitalShare).toBe(1);
  });

  it('a revision counts from its day, the superseded version until then; an end recorded later is not known before it', () => {
    const first = {
      finalGrantId: 'fg_1',
      citizenId: 'cit_a',
      team: 'east',
      approvedAt: '2026-02-20T09:00:00.000Z',
      supersededAt: '2026-03-05T09:00:00.000Z',
      lines: [line()],
    };
    const second = {
      finalGrantId: 'fg_2',
      citizenId: 'cit_a',
      team: 'east',
      approvedAt: '2026-03-05T09:00:00.000Z',
      lines: [line({ physical: 2, screenVisit: 0, endDate: '2026-03-02', endRecordedAt: '2026-03-08T10:00:00.000Z' })],
    };
    const figures = periodFigures(new Map([['cit_a', [first, second]]]), '2026-03-01', '2026-03-10', zone, model);
    // 1–4 March screen (fg_1), 5–7 March physical (fg_2, end not yet recorded), from 8 March the end is known.
    expect(figures.screenVisitOccurrences).toBe(8);
    expect(figures.physicalOccurrences).toBe(6);
    expect(figures.grantedOccurrences).toBe(14);
  });

  it('the savings model decides the minutes: physical minutes, travel per visit and screen-visit length', () => {
    const versions = new Map([
      [
        'cit_a',
        [
          {
            finalGrantId: 'fg_1',
            citizenId: 'cit_a',
            team: 'east',
            approvedAt: '2026-02-01T09:00:00.000Z',
            lines: [line()],
          },
        ],
      ],
    ]);
    const figures = periodFigures(versions, '2026-03-02', '2026-03-02', zone, {
      physicalMinutesPerVisit: 20,
      travelMinutesPerVisit: 10,
      screenVisitLengthPercent: 50,
      dispensedDoseMinutes: 0,
    });
    // Before: 2 × (20 + 10) = 60; after: 2 screen visits × 10 = 20.
    expect(figures).toMatchObject({ staffMinutesBefore: 60, staffMinutesAfter: 20, travelMinutesSaved: 20 });
  });

  it('zero figures because nothing has started yet say when it starts', () => {
    const versions = new Map([
      [
        'cit_a',
        [
          {
            finalGrantId: 'fg_1',
            citizenId: 'cit_a',
            team: 'east',
            approvedAt: '2026-02-01T09:00:00.000Z',
            lines: [line({ startDate: '2026-04-01' })],
          },
        ],
      ],
    ]);
    expect(periodFigures(versions, '2026-03-01', '2026-03-31', zone, model)).toMatchObject({
      grantedOccurrences: 0,
      startsOn: '2026-04-01',
    });
  });

  it('completed, not delivered, missed and cancelled are separate counts, each as it stood at the end of the period', () => {
    const end = '2026-04-01T00:00:00.000Z';
    const counts = countVisits(
      [
        { status: 'completed', completedAt: '2026-03-03T10:00:00.000Z', outcome: { result: 'delivered' } },
        { status: 'completed', completedAt: '2026-03-04T10:00:00.000Z', outcome: { result: 'not-delivered' } },
        { status: 'missed', missedAt: '2026-03-05T10:00:00.000Z' },
        { status: 'cancelled', cancelledAt: '2026-03-06T10:00:00.000Z' },
        { status: 'cancelled', cancelledAt: '2026-04-03T10:00:00.000Z' },
      ],
      end,
    );
    expect(counts).toMatchObject({
      total: 5,
      completed: 1,
      notDelivered: 1,
      missed: 1,
      cancelled: 1,
      open: 1,
      completionRate: 0.333,
    });
  });

  it('reversions are counted by reason code and technology', () => {
    const r = (
      reasonCode: 'citizen_declined' | 'other',
      technology: 'screen_visit' | 'medication_technology',
      reasonText?: string,
    ) => ({
      reversionId: 'rv',
      citizenId: 'c',
      team: 'east',
      grantId: 'g',
      technology,
      reasonCode,
      at: '2026-03-03T00:00:00.000Z',
      by: 'x',
      ...(reasonText ? { reasonText } : {}),
    });
    expect(
      summariseReversions([r('citizen_declined', 'screen_visit'), r('other', 'medication_technology', 'moved')]),
    ).toMatchObject({
      total: 2,
      byReason: { citizen_declined: 1, other: 1, cannot_handle_device: 0 },
      byTechnology: { screen_visit: 1, medication_technology: 1 },
      otherReasons: ['moved'],
    });
  });
});

describe('a closed period’s trial report', () => {
  let t: TestApp;
  let east: CareActors;
  const clock = new FixedClock(new Date('2026-03-02T08:00:00Z'));
  beforeAll(async () => {
    t = await createTestApp({ clock });
    east = await careActors(t, 'east');
  });

  async function convert(splits: (grants: any[]) => Record<string, unknown>[], ...grants: Record<string, unknown>[]) {
    const citizenId = await registerCitizen(t, east.assessor);
    await assess(t, east.assessor, citizenId, readyAnswers);
    const recorded = [];
    for (const body of grants) recorded.push(await grant(t, east.assessor, citizenId, body));
    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: { reason: 'r', splits: splits(recorded) },
    });
    expect(proposal.status, proposal.text).toBe(201);
    const approved = await t.call('POST', `/conversions/${proposal.body.conversionId}/approve`, {
      as: east.lead,
      body: {},
    });
    expect(approved.status, approved.text).toBe(201);
    return { citizenId, grants: recorded };
  }

  it('does not change when today’s approvals, revisions, grant ends and visit changes come in', async () => {
    const a = await convert(
      (g) => [{ grantId: g[0].grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 }],
      supportConversationTwiceAWeek,
    );

    // A month later the lead reports on March.
    clock.set('2026-04-02T08:00:00Z');
    const before = await t.call('GET', '/reports/trial?from=2026-03-01&to=2026-03-31', { as: east.lead });
    expect(before.status, before.text).toBe(200);
    expect(before.body.conversion.screenVisitOccurrences).toBeGreaterThan(0);

    // Today: another citizen is converted, A's final grant is revised to physical, A's grant is
    // ended back-dated into March, and one of A's March visits is cancelled late.
    await convert((g) => [{ grantId: g[0].grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 }], {
      ...practicalHelpWeekly,
      startDate: '2026-02-01',
    });
    const revision = await t.call('POST', `/citizens/${a.citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'back to physical',
        splits: [{ grantId: a.grants[0].grantId, physical: 2, screenVisit: 0, medicationTechnology: 0 }],
      },
    });
    expect(
      (await t.call('POST', `/conversions/${revision.body.conversionId}/approve`, { as: east.lead, body: {} })).status,
    ).toBe(201);
    expect(
      (
        await t.call('PATCH', `/citizens/${a.citizenId}/grants/${a.grants[0].grantId}`, {
          as: east.assessor,
          body: { endDate: '2026-03-15', reason: 'Moved away mid-March.' },
        })
      ).status,
    ).toBe(200);
    const march = await t.call(
      'GET',
      `/visits?citizenId=${a.citizenId}&from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z&limit=200`,
      { as: east.lead },
    );
    const open = march.body.items.find((v: any) => v.status === 'scheduled');
    expect(open).toBeDefined();
    expect(
      (
        await t.call('PATCH', `/visits/${open.visitId}`, {
          as: east.lead,
          body: { status: 'cancelled', reason: 'tidying up' },
        })
      ).status,
    ).toBe(200);

    const after = await t.call('GET', '/reports/trial?from=2026-03-01&to=2026-03-31', { as: east.lead });
    expect(after.body.conversion).toEqual(before.body.conversion);
    expect(after.body.screenVisits).toEqual(before.body.screenVisits);
    expect(after.body.reversions).toEqual(before.body.reversions);

    // April, which is still running, does see today's changes.
    const april = await t.call('GET', '/reports/trial?from=2026-04-01&to=2026-04-30', { as: east.lead });
    expect(april.body.conversion.daysCounted).toBe(2);
    expect(april.body.conversion.citizensWithFinalGrantOnLastDay).toBe(1);
  });

  it('the municipality’s savings model is printed with the report and used for its minutes', async () => {
    const reporting = await t.token('reporting', 'rep-1', 'east');
    const set = await t.call('PUT', '/reports/savings-model', {
      as: reporting,
      body: {
        physicalMinutesPerVisit: null,
        travelMinutesPerVisit: 25,
        screenVisitLengthPercent: 80,
        dispensedDoseMinutes: 1,
      },
    });
    expect(set.status, set.text).toBe(200);
    expect((await t.call('PUT', '/reports/savings-model', { as: east.lead, body: set.body })).status).toBe(403);
    const report = await t.call('GET', '/reports/trial?from=2026-03-01&to=2026-03-31', { as: east.lead });
    expect(report.body.savingsModel).toEqual({
      physicalMinutesPerVisit: null,
      travelMinutesPerVisit: 25,
      screenVisitLengthPercent: 80,
      dispensedDoseMinutes: 1,
    });
    const bad = await t.call('PUT', '/reports/savings-model', {
      as: reporting,
      body: {
        physicalMinutesPerVisit: 0,
        travelMinutesPerVisit: 25,
        screenVisitLengthPercent: 80,
        dispensedDoseMinutes: 1,
      },
    });
    expect(bad.status).toBe(400);
  });
});
