import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '#shared/app/job-registry.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { citizenWithDispenser, type DispenserWorld, dispenserWorld } from '../dispensers/support.ts';

/** A citizen in hospital for a day: the dispenser's doses that day are paused, not missed, and page nobody. */
const clock = new FixedClock(new Date('2026-11-22T12:00:00Z'));
let t: TestApp;
let w: DispenserWorld;

beforeAll(async () => {
  t = await createTestApp({ clock });
  w = await dispenserWorld(t);
});

describe('an alert pause while the citizen is in hospital', () => {
  it('counts the day’s doses as paused in the adherence, and the detection job raises nothing', async () => {
    const device = await citizenWithDispenser(t, w, { times: ['08:00', '20:00'], validFrom: '2026-11-23' });
    const pause = await t.call('POST', `/citizens/${device.citizenId}/alert-pauses`, {
      as: w.staff,
      body: { from: '2026-11-23T00:00:00+01:00', to: '2026-11-24T00:00:00+01:00', reason: 'hospital' },
    });
    expect(pause.status, pause.text).toBe(201);

    clock.set('2026-11-24T12:00:00Z');
    await runJob(t.deps, 'detect-missed-doses');
    const alerts = await t.call('GET', `/alerts?citizenId=${device.citizenId}&status=open`, { as: w.staff });
    expect(
      alerts.body.items
        .filter((a: { kind: string }) => a.kind === 'missed_dose')
        .map((a: { dedupKey: string }) => a.dedupKey),
    ).toEqual([`missed_dose#${device.citizenId}#2026-11-24T07:00:00.000Z`]);

    const res = await t.call('GET', `/citizens/${device.citizenId}/adherence?from=2026-11-23&to=2026-11-24`, {
      as: w.staff,
    });
    expect(res.status).toBe(200);
    expect(res.body.doses.map((d: { outcome: string }) => d.outcome)).toEqual([
      'paused',
      'paused',
      'no_data',
      'pending',
    ]);
    expect(res.body.counts).toMatchObject({ planned: 4, paused: 2, no_data: 1, pending: 1 });
    expect(res.body.rates.decided).toBe(1);

    const settings = await t.call('GET', `/citizens/${device.citizenId}/alert-settings`, { as: w.staff });
    expect(settings.body).toMatchObject({
      missedDoseDelayMinutes: 0,
      faultQuietMinutes: 30,
      pauses: [expect.objectContaining({ reason: 'hospital' })],
    });
    const west = await t.call('GET', `/citizens/${device.citizenId}/alert-settings`, {
      as: await t.token('staff', 'stf-west', 'west'),
    });
    expect(west.status).toBe(404);
  });
});
