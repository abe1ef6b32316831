import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '#shared/app/job-registry.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { assess, grant, medicationThreeTimesADay, readyAnswers } from '../care/care-helpers.ts';
import { annasWeek, bosWeek, newCitizen, setAvailability, visitActors, type VisitActors } from './visit-helpers.ts';

let t: TestApp;
let clock: FixedClock;
let as: VisitActors;
let citizenId: string;
let medicationGrant: string;
let firstFinalGrant: string;

const localTime = (visit: any) => String(visit.start).slice(11, 16);
const localDate = (visit: any) => String(visit.start).slice(0, 10);

async function allVisits(query: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await t.call('GET', `/visits?${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { as: as.lead });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

beforeAll(async () => {
  // Monday 19 October 2026, 07:00 in Copenhagen; clocks go back on Sunday the 25th.
  clock = new FixedClock(new Date('2026-10-19T05:00:00Z'));
  t = await createTestApp({ clock });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', annasWeek); // weekdays 08–12 and 17–21, Sunday 09–13
  await setAvailability(t, as.bo, 'stf-bo', bosWeek); // every day 07–16
  citizenId = await newCitizen(t, as.assessor, 'Ingrid');
  await assess(t, as.assessor, citizenId, readyAnswers);
  medicationGrant = (await grant(t, as.assessor, citizenId, medicationThreeTimesADay)).grantId;
});

describe('visits from an approved final grant', () => {
  it('a lead approves medication support by screen at 08:00 and 20:00: two weeks of visits are planned, staffed where someone is free', async () => {
    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: as.anna,
      body: {
        reason: 'Medication support by screen morning and evening; lunch stays physical.',
        splits: [
          {
            grantId: medicationGrant,
            physical: 1,
            screenVisit: 2,
            medicationTechnology: 0,
            screenVisitTimes: ['08:00', '20:00'],
          },
        ],
      },
    });
    expect(proposal.status, proposal.text).toBe(201);
    const approval = await t.call('POST', `/conversions/${proposal.body.conversionId}/approve`, { as: as.lead });
    expect(approval.status).toBe(201);
    firstFinalGrant = approval.body.finalGrantId;

    const visits = await allVisits(`citizenId=${citizenId}&from=2026-10-19T00:00:00Z`);
    // 14 days from Monday 07:00: Monday 19th 08:00 up to Sunday 1 November 20:00.
    expect(visits).toHaveLength(28);
    expect(
      visits.every(
        (v) =>
          v.source === 'final-grant' &&
          v.finalGrantId === firstFinalGrant &&
          v.purpose.grantId === medicationGrant &&
          v.durationMinutes === 10,
      ),
    ).toBe(true);
    // Wall-clock 08:00 and 20:00 on both sides of the daylight-saving change.
    expect(visits.every((v) => ['08:00', '20:00'].includes(localTime(v)))).toBe(true);
    expect(visits.filter((v) => localDate(v) === '2026-10-24').map((v) => v.start)).toEqual([
      '2026-10-24T08:00:00.000+02:00',
      '2026-10-24T20:00:00.000+02:00',
    ]);
    expect(visits.filter((v) => localDate(v) === '2026-10-25').map((v) => v.start)).toEqual([
      '2026-10-25T08:00:00.000+01:00',
      '2026-10-25T20:00:00.000+01:00',
    ]);

    // Weekday evenings go to Anna, weekend mornings to Bo; weekend evenings have nobody.
    const weekend = (v: any) => ['2026-10-24', '2026-10-25', '2026-10-31', '2026-11-01'].includes(localDate(v));
    expect(visits.filter((v) => localTime(v) === '20:00' && !weekend(v)).every((v) => v.staffId === 'stf-anna')).toBe(
      true,
    );
    expect(visits.filter((v) => localTime(v) === '08:00' && weekend(v)).every((v) => v.staffId === 'stf-bo')).toBe(
      true,
    );
    const mornings = visits.filter((v) => localTime(v) === '08:00' && !weekend(v));
    expect(new Set(mornings.map((v) => v.staffId))).toEqual(new Set(['stf-anna', 'stf-bo']));

    const unassigned = await allVisits('unassigned=true&from=2026-10-19T00:00:00Z');
    expect(unassigned.map((v) => v.start)).toEqual([
      '2026-10-24T20:00:00.000+02:00',
      '2026-10-25T20:00:00.000+01:00',
      '2026-10-31T20:00:00.000+01:00',
      '2026-11-01T20:00:00.000+01:00',
    ]);
    expect(unassigned.every((v) => v.staffId === null)).toBe(true);
    expect(t.deps.events.ofType('VisitBooked').filter((e) => e.detail.finalGrantId === firstFinalGrant)).toHaveLength(
      28,
    );
    expect(t.deps.scheduler.jobs.has(`visit-no-show-${unassigned[0].visitId}`)).toBe(true);
  });

  it('re-delivery of the event makes no duplicates', async () => {
    const event = t.deps.events.ofType('FinalGrantApproved').find((e) => e.detail.finalGrantId === firstFinalGrant);
    expect(event).toBeDefined();
    if (!event) return;
    await t.deps.events.publish([event]);
    await t.deps.events.publish([event]);
    expect(await allVisits(`citizenId=${citizenId}&from=2026-10-19T00:00:00Z`)).toHaveLength(28);
  });

  it('a staff member who adds an extra shift takes an unassigned weekend evening; booking it twice is impossible', async () => {
    const [saturday] = await allVisits('unassigned=true&date=2026-10-24');
    await setAvailability(t, as.anna, 'stf-anna', {
      ...annasWeek,
      exceptions: [{ date: '2026-10-24', kind: 'extra-shift', start: '19:00', end: '21:00' }],
    });
    const taken = await t.call('PATCH', `/visits/${saturday.visitId}`, { as: as.anna, body: { staffId: 'stf-anna' } });
    expect(taken.status).toBe(200);
    expect(taken.body.staffId).toBe('stf-anna');
    expect(await allVisits('unassigned=true&date=2026-10-24')).toEqual([]);
    // Bo may not take a visit that is now Anna's.
    expect(
      (await t.call('PATCH', `/visits/${saturday.visitId}`, { as: as.bo, body: { staffId: 'stf-bo' } })).status,
    ).toBe(403);
  });

  it('a visit must deliver a benefit of the final grant', async () => {
    const other = await t.call('POST', '/visits', {
      as: as.bo,
      body: {
        citizenId,
        staffId: 'stf-bo',
        start: '2026-10-20T12:00:00+02:00',
        durationMinutes: 20,
        purpose: { grantId: 'grt_01KAQ3Y5B7D9F1H3K5M7P9R1T3', service: 'support_conversation' },
      },
    });
    expect(other.status).toBe(409);
    expect(other.body.reason).toBe('purpose-not-granted');
    const granted = await t.call('POST', '/visits', {
      as: as.bo,
      body: {
        citizenId,
        staffId: 'stf-bo',
        start: '2026-10-20T12:00:00+02:00',
        durationMinutes: 20,
        purpose: { grantId: medicationGrant, service: 'medication_handling' },
      },
    });
    expect(granted.status).toBe(201);
  });

  it('the daily job extends the horizon without touching what exists', async () => {
    clock.set('2026-10-22T05:00:00Z'); // Thursday
    const result = (await runJob(t.deps, 'extend-visit-horizon')) as Record<string, number>;
    expect(result).toMatchObject({ grants: 1, created: 6, existing: 22, cancelled: 0 });
    const visits = await allVisits(`citizenId=${citizenId}&from=2026-10-19T00:00:00Z`);
    const planned = visits.filter((v) => v.source === 'final-grant');
    expect(planned).toHaveLength(34);
    expect(planned.at(-1)?.start).toBe('2026-11-04T20:00:00.000+01:00');
    const again = (await runJob(t.deps, 'extend-visit-horizon')) as Record<string, number>;
    expect(again.created).toBe(0);
  });

  it('a superseding final grant cancels the future visits of the old one and plans its own', async () => {
    const revision = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: as.lead,
      body: {
        reason: 'Evenings by screen only.',
        splits: [
          {
            grantId: medicationGrant,
            physical: 2,
            screenVisit: 1,
            medicationTechnology: 0,
            screenVisitTimes: ['20:00'],
          },
        ],
      },
    });
    expect(revision.status, revision.text).toBe(201);
    const approval = await t.call('POST', `/conversions/${revision.body.conversionId}/approve`, { as: as.lead });
    expect(approval.status).toBe(201);
    expect(approval.body.supersedes).toBe(firstFinalGrant);

    const visits = await allVisits(`citizenId=${citizenId}&from=2026-10-22T05:00:00Z`);
    const old = visits.filter((v) => v.finalGrantId === firstFinalGrant);
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((v) => v.status === 'cancelled' && v.cancelReason === 'final grant superseded')).toBe(true);
    const fresh = visits.filter((v) => v.finalGrantId === approval.body.finalGrantId);
    // Thursday 22nd 20:00 up to Wednesday 4 November 20:00.
    expect(fresh).toHaveLength(14);
    expect(fresh.every((v) => v.status === 'scheduled' && localTime(v) === '20:00')).toBe(true);
    // The slots the old visits held were released: the new 20:00 visits got Anna on weekdays again.
    expect(fresh.filter((v) => v.staffId === 'stf-anna').length).toBeGreaterThanOrEqual(9);
    // Visits before now (already past) are left as they were.
    const past = await allVisits(`citizenId=${citizenId}&from=2026-10-19T00:00:00Z&to=2026-10-22T05:00:00Z`);
    expect(past.every((v) => v.status === 'scheduled')).toBe(true);
  });
});

describe('another team', () => {
  it('sees none of this team’s unassigned visits', async () => {
    const west = await t.call('GET', '/visits?unassigned=true&from=2026-10-19T00:00:00Z', { as: as.westLead });
    expect(west.body.items).toEqual([]);
    expect(await newCitizen(t, as.assessor)).toMatch(/^cit_/);
  });
});
