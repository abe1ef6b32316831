import { beforeAll, describe, expect, it } from 'vitest';
import { municipalityReportCsv, targetStatus } from '#shared/reports/municipality.ts';
import {
  assess,
  careActors,
  grant,
  medicationThreeTimesADay,
  readyAnswers,
  registerCitizen,
  supportConversationTwiceAWeek,
  type CareActors,
} from '../care/care-helpers.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';

let t: TestApp;
let east: CareActors;
let west: CareActors;
let reporting: string;
const clock = new FixedClock(new Date('2026-03-02T08:00:00Z'));

async function convertedWithDispenser(actors: CareActors, vendor: string, model: string, serial: string) {
  const citizenId = await registerCitizen(t, actors.assessor);
  await assess(t, actors.assessor, citizenId, readyAnswers);
  const medication = await grant(t, actors.assessor, citizenId, medicationThreeTimesADay);
  const talk = await grant(t, actors.assessor, citizenId, supportConversationTwiceAWeek);
  const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
    as: actors.staff,
    body: {
      reason: 'r',
      splits: [
        { grantId: medication.grantId, physical: 0, screenVisit: 0, medicationTechnology: 3 },
        { grantId: talk.grantId, physical: 2, screenVisit: 0, medicationTechnology: 0 },
      ],
    },
  });
  expect(
    (await t.call('POST', `/conversions/${proposal.body.conversionId}/approve`, { as: actors.lead, body: {} })).status,
  ).toBe(201);
  const dispenser = await t.call('POST', '/dispensers', { as: actors.staff, body: { vendor, model, serial } });
  expect(
    (
      await t.call('PUT', `/dispensers/${dispenser.body.dispenser.dispenserId}/assignment`, {
        as: actors.staff,
        body: { citizenId, status: 'active' },
      })
    ).status,
  ).toBe(200);
  return citizenId;
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  east = await careActors(t, 'east');
  west = await careActors(t, 'west');
  reporting = await t.token('reporting', 'rep-kommune', 'east');
  await convertedWithDispenser(east, 'Evondos', 'E300', 'EV-1');
  await convertedWithDispenser(east, 'Evondos', 'E300', 'EV-2');
  await convertedWithDispenser(west, 'Medido', 'Medido 2', 'MD-1');
});

describe('the municipality roll-up', () => {
  it('the reporting role sees every team and the total on a date: dispensers by vendor and model, citizens with a final grant, digital share', async () => {
    const res = await t.call('GET', '/reports/municipality?date=2026-03-02', { as: reporting });
    expect(res.status, res.text).toBe(200);
    expect(res.body.teams.map((x: any) => x.team)).toEqual(['east', 'west']);
    const eastFigures = res.body.teams[0];
    expect(eastFigures).toMatchObject({
      citizensWithFinalGrant: 2,
      activeDispensers: { total: 2, active: 2, byVendorModel: [{ vendor: 'Evondos', model: 'E300', total: 2 }] },
    });
    // 21 dispensed of 21 + 2 physical a week per citizen.
    expect(eastFigures.digitalShare).toBeCloseTo(0.913, 3);
    expect(res.body.total).toMatchObject({
      citizensWithFinalGrant: 3,
      activeDispensers: {
        total: 3,
        byVendorModel: [
          { vendor: 'Evondos', total: 2 },
          { vendor: 'Medido', total: 1 },
        ],
      },
    });
  });

  it('the municipality sets targets, and the report shows each against a steady pace (the mid-way status)', async () => {
    const targets = {
      trialStartsOn: '2026-01-01',
      midwayOn: '2026-03-02',
      targets: [
        { metric: 'activeDispensers', atLeast: 6, by: '2026-05-01' },
        { metric: 'citizensWithFinalGrant', team: 'west', atLeast: 1, by: '2026-06-30' },
      ],
    };
    expect((await t.call('PUT', '/reports/municipality/targets', { as: east.lead, body: targets })).status).toBe(403);
    const set = await t.call('PUT', '/reports/municipality/targets', { as: reporting, body: targets });
    expect(set.status, set.text).toBe(200);
    const report = (await t.call('GET', '/reports/municipality?date=2026-03-02', { as: reporting })).body;
    expect(report.midwayStatus).toMatchObject({ trialStartsOn: '2026-01-01', midwayOn: '2026-03-02' });
    expect(report.midwayStatus.targets).toEqual([
      {
        metric: 'activeDispensers',
        team: null,
        atLeast: 6,
        by: '2026-05-01',
        actual: 3,
        expectedByDate: 3,
        status: 'on_track',
      },
      {
        metric: 'citizensWithFinalGrant',
        team: 'west',
        atLeast: 1,
        by: '2026-06-30',
        actual: 1,
        expectedByDate: expect.any(Number),
        status: 'met',
      },
    ]);
    const bad = await t.call('PUT', '/reports/municipality/targets', {
      as: reporting,
      body: { ...targets, targets: [{ metric: 'digitalShare', atLeast: 70, by: '2026-06-30' }] },
    });
    expect(bad.status).toBe(400);
  });

  it('answers CSV for a spreadsheet when asked with Accept: text/csv', async () => {
    const res = await t.call('GET', '/reports/municipality?date=2026-03-02', {
      as: reporting,
      headers: { accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('date,section,team,vendor,model,metric,value,target,by,expected_by_date,status');
    expect(lines).toContain('2026-03-02,dispensers,east,Evondos,E300,activeDispensers,2,,,,');
    expect(lines).toContain('2026-03-02,figures,TOTAL,,,citizensWithFinalGrant,3,,,,');
  });

  it('is the reporting role’s alone and wants a valid date', async () => {
    expect((await t.call('GET', '/reports/municipality?date=2026-03-02', { as: east.lead })).status).toBe(403);
    expect((await t.call('GET', '/reports/municipality?date=March', { as: reporting })).status).toBe(400);
    expect((await t.call('GET', '/reports/municipality', { as: reporting })).status).toBe(400);
  });

  it('judges a target met, on track, behind or not started', () => {
    expect(targetStatus({ atLeast: 700, by: '2027-01-01' }, 700, '2026-07-01', '2026-01-01').status).toBe('met');
    expect(targetStatus({ atLeast: 700, by: '2027-01-01' }, 400, '2026-07-01', '2026-01-01').status).toBe('on_track');
    expect(targetStatus({ atLeast: 700, by: '2027-01-01' }, 300, '2026-07-01', '2026-01-01').status).toBe('behind');
    expect(targetStatus({ atLeast: 700, by: '2027-01-01' }, 0, '2025-12-01', '2026-01-01').status).toBe('not_started');
  });

  it('defuses spreadsheet formulas in vendor names', () => {
    const csv = municipalityReportCsv({
      date: '2026-03-02',
      timeZone: 'Europe/Copenhagen',
      teams: [],
      total: {
        activeDispensers: {
          total: 1,
          active: 1,
          trial: 0,
          byVendorModel: [{ vendor: '=HYPERLINK("x")', model: 'M', total: 1, active: 1, trial: 0 }],
        },
        citizensWithFinalGrant: 0,
        digitalShare: 0,
      },
      midwayStatus: { trialStartsOn: null, midwayOn: null, targets: [] },
    });
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
