import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '#shared/demo/all.ts';
import type { DemoData } from '#shared/demo/seed.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

/**
 * The lead evaluates the trial on the demo team: every figure must agree with what the other
 * routes say about the same team and period.
 */
let t: TestApp;
let lead: string;
let demo: DemoData;
const zone = 'Europe/Copenhagen';
const today = () => DateTime.now().setZone(zone).toISODate() ?? '';
const daysFromToday = (n: number) => DateTime.now().setZone(zone).plus({ days: n }).toISODate() ?? '';

beforeAll(async () => {
  t = await createTestApp();
  demo = (await seedDemoData(t.deps)).demo;
  // The demo's final grants plan their visits through the outbox, as on AWS moments later.
  await t.drain();
  lead = await t.token('lead', 'lead-lis', demo.team);
  // Seeding the demo derives days of device events through the stream: ~25 s alone on the shared machine.
}, 180_000);

describe('the trial report', () => {
  it('sums the team’s screen visits in the period by status, as the visit list shows them', async () => {
    const from = daysFromToday(-7);
    const to = daysFromToday(14);
    const report = await t.call('GET', `/reports/trial?from=${from}&to=${to}`, { as: lead });
    expect(report.status).toBe(200);

    const visits: { status: string }[] = [];
    let cursor: string | undefined;
    const fromIso = DateTime.fromISO(from, { zone }).toISO();
    const toIso = DateTime.fromISO(to, { zone }).plus({ days: 1 }).toISO();
    do {
      const page = await t.call(
        'GET',
        `/visits?from=${encodeURIComponent(fromIso ?? '')}&to=${encodeURIComponent(toIso ?? '')}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        { as: lead },
      );
      expect(page.status).toBe(200);
      visits.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);

    expect(visits.length).toBeGreaterThan(0);
    const s = report.body.screenVisits;
    expect(s.total).toBe(visits.length);
    expect(s.cancelled).toBe(visits.filter((v) => v.status === 'cancelled').length);
    expect(s.missed).toBe(visits.filter((v) => v.status === 'missed').length);
    expect(s.completed + s.notDelivered).toBe(visits.filter((v) => v.status === 'completed').length);
    expect(s.open).toBe(visits.filter((v) => v.status === 'scheduled' || v.status === 'in_progress').length);
  });

  it('counts the conversion figures day by day from the final grants and prints the savings model it used', async () => {
    const report = (await t.call('GET', `/reports/trial?from=${daysFromToday(-6)}&to=${today()}`, { as: lead })).body;
    const { conversion, savingsModel } = report;
    expect(savingsModel).toEqual({
      physicalMinutesPerVisit: null,
      travelMinutesPerVisit: t.config.TRAVEL_MINUTES_PER_VISIT,
      screenVisitLengthPercent: 100,
      dispensedDoseMinutes: 0,
    });
    expect(conversion.daysCounted).toBe(7);
    expect(conversion.citizensWithFinalGrantOnLastDay).toBeGreaterThanOrEqual(1);
    expect(conversion.digitalShare).toBeGreaterThan(0);
    expect(conversion.travelMinutesSaved).toBeCloseTo(
      (conversion.screenVisitOccurrences + conversion.medicationTechnologyOccurrences) *
        savingsModel.travelMinutesPerVisit,
      0,
    );
    expect(conversion.staffHoursSaved).toBeCloseTo(
      (conversion.staffMinutesBefore - conversion.staffMinutesAfter) / 60,
      1,
    );
  });

  it('counts the dispensers with citizens on the last day exactly as the dispenser report does', async () => {
    const trial = (await t.call('GET', `/reports/trial?from=${daysFromToday(-30)}&to=${today()}`, { as: lead })).body;
    const dispensers = (await t.call('GET', `/reports/dispensers?date=${today()}`, { as: lead })).body;
    expect(trial.dispensersOnLastDay).toEqual(dispensers.activeDispensers);
    expect(trial.citizensWithDispenser).toBe(dispensers.citizensWithDispenser);
    expect(trial.dispensersOnLastDay.total).toBeGreaterThan(0);
    const { counts, rates } = trial.adherence;
    expect(counts.planned).toBeGreaterThan(0);
    expect(rates).toBeDefined();
  });

  it('is the lead’s alone, and refuses a backwards or too long period', async () => {
    expect(
      (
        await t.call('GET', `/reports/trial?from=${today()}&to=${today()}`, {
          as: await t.token('staff', 'stf-anna', demo.team),
        })
      ).status,
    ).toBe(403);
    const backwards = await t.call('GET', `/reports/trial?from=${today()}&to=${daysFromToday(-1)}`, { as: lead });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('query/to');
    expect((await t.call('GET', `/reports/trial?from=2025-01-01&to=2026-06-01`, { as: lead })).status).toBe(400);
    expect((await t.call('GET', `/reports/trial?from=yesterday&to=${today()}`, { as: lead })).status).toBe(400);
  });

  it('shows another team nothing of this one', async () => {
    const other = await t.call('GET', `/reports/trial?from=${daysFromToday(-7)}&to=${today()}`, {
      as: await t.token('lead', 'lead-west', 'west'),
    });
    expect(other.status).toBe(200);
    expect(other.body.screenVisits.total).toBe(0);
    expect(other.body.conversion.citizensWithFinalGrantOnLastDay).toBe(0);
    expect(other.body.dispensersOnLastDay.total).toBe(0);
  });
});
