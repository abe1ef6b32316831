import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claimedDispenser, credentialMatches, newCredential } from '#shared/dispensers/credential.ts';
import { deviceBatchJsonSchema } from '#shared/dispensers/event-types.ts';
import { checkEvents } from '#shared/dispensers/ingest.ts';
import { citizenAt } from '#shared/dispensers/placement.ts';
import { deviceEventBatchSchema, ingestResultSchema, MAX_EVENTS_PER_BATCH } from '#shared/dispensers/model.ts';
import {
  adherenceRates,
  classifyDose,
  doseInstant,
  doseMatcher,
  dosesOfRule,
  matchDose,
  plannedDoses,
} from '#shared/dispensers/schedule.ts';
import { newId } from '#shared/platform/ids.ts';

const zone = 'Europe/Copenhagen';
const rule = { times: ['08:00', '13:00', '20:00'], onTimeMinutes: 60, validFrom: '2026-03-01' };

describe('dose times in the municipality’s time zone', () => {
  it('follow the wall clock across the spring-forward night', () => {
    expect(doseInstant('2026-03-28', '08:00', zone).toISOString()).toBe('2026-03-28T07:00:00.000Z');
    expect(doseInstant('2026-03-29', '08:00', zone).toISOString()).toBe('2026-03-29T06:00:00.000Z');
    // 02:30 does not exist that night: the dispenser's clock jumps to 03:30 CEST.
    expect(doseInstant('2026-03-29', '02:30', zone).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('and across the fall-back night, where 02:30 happens twice and the first counts', () => {
    expect(doseInstant('2026-10-25', '08:00', zone).toISOString()).toBe('2026-10-25T07:00:00.000Z');
    expect(doseInstant('2026-10-25', '02:30', zone).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('lists each planned dose of a period once, within the plan’s validity', () => {
    const doses = dosesOfRule(
      { ...rule, validTo: '2026-03-29' },
      new Date('2026-03-28T00:00:00Z'),
      new Date('2026-04-01T00:00:00Z'),
      zone,
    );
    expect(doses.map((d) => `${d.date} ${d.time}`)).toEqual([
      '2026-03-28 08:00',
      '2026-03-28 13:00',
      '2026-03-28 20:00',
      '2026-03-29 08:00',
      '2026-03-29 13:00',
      '2026-03-29 20:00',
    ]);
  });

  it('lets each plan version rule from when it took effect', () => {
    const doses = plannedDoses(
      [
        { ...rule, effectiveFrom: '2026-02-28T23:00:00.000Z' },
        { times: ['09:00'], onTimeMinutes: 30, validFrom: '2026-03-01', effectiveFrom: '2026-03-02T10:00:00.000Z' },
      ],
      new Date('2026-03-02T00:00:00Z'),
      new Date('2026-03-03T23:00:00Z'),
      zone,
    );
    expect(doses.map((d) => `${d.date} ${d.time} ${d.onTimeMinutes}`)).toEqual([
      '2026-03-02 08:00 60',
      '2026-03-03 09:00 30',
    ]);
  });
});

describe('which dose an event is about', () => {
  const at = (iso: string) => new Date(iso);
  it('snaps scheduledFor to the planned dose within 30 minutes, else keeps it', () => {
    expect(matchDose(rule, zone, at('2026-03-10T07:30:00Z'), at('2026-03-10T07:10:00Z'))).toBe(
      '2026-03-10T07:00:00.000Z',
    );
    expect(matchDose(rule, zone, at('2026-03-10T07:30:00Z'), at('2026-03-10T09:15:42Z'))).toBe(
      '2026-03-10T09:15:00.000Z',
    );
  });
  it('without scheduledFor, takes the latest dose up to 30 minutes after the event', () => {
    expect(matchDose(rule, zone, at('2026-03-10T11:45:00Z'))).toBe('2026-03-10T12:00:00.000Z');
    expect(matchDose(rule, zone, at('2026-03-10T11:20:00Z'))).toBe('2026-03-10T07:00:00.000Z');
    expect(matchDose(undefined, zone, at('2026-03-10T11:20:00Z'))).toBeUndefined();
  });
  it('gives a whole batch the same answers as the planned-dose list, across both DST nights and the plan’s ends', () => {
    // The batch matcher reuses each date's doses; the reference asks dosesOfRule afresh per event.
    const plan = {
      times: ['00:30', '02:30', '08:00', '23:45'],
      onTimeMinutes: 60,
      validFrom: '2026-03-28',
      validTo: '2026-10-25',
    };
    const match = doseMatcher(plan, zone);
    for (const [start, end] of [
      ['2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z'],
      ['2026-10-24T00:00:00Z', '2026-10-26T12:00:00Z'],
    ] as const) {
      for (let t = Date.parse(start); t < Date.parse(end); t += 7 * 60_000) {
        const occurredAt = new Date(t);
        const latest = dosesOfRule(plan, new Date(t - 12 * 3_600_000), new Date(t + 30 * 60_000 + 1), zone).at(
          -1,
        )?.doseAt;
        expect(match(occurredAt)).toBe(latest);
        const near = dosesOfRule(plan, new Date(t - 30 * 60_000), new Date(t + 30 * 60_000 + 1), zone).sort(
          (a, b) => Math.abs(Date.parse(a.doseAt) - t) - Math.abs(Date.parse(b.doseAt) - t),
        )[0];
        expect(match(occurredAt, occurredAt)).toBe(
          near?.doseAt ?? new Date(Math.floor(t / 60_000) * 60_000).toISOString(),
        );
      }
    }
  });
});

describe('the outcome of a dose', () => {
  const dose = { doseAt: '2026-03-10T07:00:00.000Z', onTimeMinutes: 60 };
  const after = new Date('2026-03-10T12:00:00Z');
  it('is decided by the earliest take, whatever order the takes came in', () => {
    expect(
      classifyDose(dose, { takenAts: ['2026-03-10T08:30:00.000Z', '2026-03-10T07:40:00.000Z'] }, new Set(), after, 120),
    ).toEqual({ outcome: 'taken_on_time', takenAt: '2026-03-10T07:40:00.000Z' });
    expect(classifyDose(dose, { takenAts: ['2026-03-10T08:01:00.000Z'] }, new Set(), after, 120)).toMatchObject({
      outcome: 'taken_late',
      minutesLate: 61,
    });
  });
  it('is pending before the deadline, missed when the device was there, no_data when it was silent', () => {
    expect(classifyDose(dose, undefined, new Set(), new Date('2026-03-10T08:59:00Z'), 120).outcome).toBe('pending');
    expect(classifyDose(dose, undefined, new Set(['2026-03-10T08']), after, 120).outcome).toBe('missed');
    expect(
      classifyDose(dose, { missedAts: ['2026-03-10T08:00:00.000Z'] }, new Set(), new Date('2026-03-10T08:00:00Z'), 120)
        .outcome,
    ).toBe('missed');
    expect(classifyDose(dose, undefined, new Set(['2026-03-10T11']), after, 120).outcome).toBe('no_data');
  });
  it('gives rates over decided doses only', () => {
    expect(
      adherenceRates({ planned: 5, taken_on_time: 2, taken_late: 1, missed: 1, no_data: 0, pending: 1, paused: 0 }),
    ).toEqual({ decided: 4, onTime: 0.5, taken: 0.75, missed: 0.25, noData: 0 });
    expect(
      adherenceRates({ planned: 0, taken_on_time: 0, taken_late: 0, missed: 0, no_data: 0, pending: 0, paused: 0 })
        .onTime,
    ).toBeNull();
  });
});

describe('checking a device batch event by event', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  it('keeps the good ones and names each bad one by index and field', () => {
    const { candidates, rejected } = checkEvents(
      [
        { eventId: 'a', type: 'heartbeat', occurredAt: '2026-03-10T11:00:00Z' },
        { eventId: 'b', type: 'heartbeat', occurredAt: '2026-03-10T11:00:00' },
        { eventId: 'c', type: 'heartbeat', occurredAt: '2026-03-10T11:00:00Z', scheduledFor: '2026-03-10T11:00:00Z' },
        { eventId: 'd', type: 'heartbeat', occurredAt: '2026-03-10T12:10:01Z' },
        { eventId: 'e', type: 'heartbeat', occurredAt: '2025-12-01T12:00:00Z' },
      ],
      now,
      90,
    );
    expect(candidates.map((c) => c.index)).toEqual([0]);
    expect(rejected.map((r) => [r.index, r.eventId, r.errors[0]?.field])).toEqual([
      [1, 'b', 'events/1/occurredAt'],
      [2, 'c', 'events/2/scheduledFor'],
      [3, 'd', 'events/3/occurredAt'],
      [4, 'e', 'events/4/occurredAt'],
    ]);
  });
  it('places an event with the citizen who had the dispenser at that time', () => {
    const device = {
      periods: [
        { citizenId: 'cit_a', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' },
        { citizenId: 'cit_b', from: '2026-02-03T00:00:00.000Z' },
      ],
    };
    expect(citizenAt(device, new Date('2026-01-15T00:00:00Z'))).toBe('cit_a');
    expect(citizenAt(device, new Date('2026-02-02T00:00:00Z'))).toBeUndefined();
    expect(citizenAt(device, new Date('2026-03-01T00:00:00Z'))).toBe('cit_b');
  });
});

describe('device credentials', () => {
  it('name their dispenser, and only the hash of the whole credential matches', () => {
    const dispenserId = newId('dsp');
    const { credential, hash } = newCredential(dispenserId);
    expect(claimedDispenser(credential)).toBe(dispenserId);
    expect(credentialMatches(credential, hash)).toBe(true);
    expect(credentialMatches(`${credential.slice(0, -1)}x`, hash)).toBe(false);
    expect(claimedDispenser('dsp_nonsense.abc')).toBeUndefined();
  });
});

describe('the device batch schema in schemas/', () => {
  it('is the one generated from zod', () => {
    expect(JSON.parse(readFileSync('schemas/DispenserEventBatch.schema.json', 'utf8'))).toEqual(
      deviceBatchJsonSchema(),
    );
  });
  it('accepts its sample, and its bad sample fails only at the bad event', () => {
    expect(
      deviceEventBatchSchema.safeParse(JSON.parse(readFileSync('schemas/samples/DispenserEventBatch.json', 'utf8')))
        .success,
    ).toBe(true);
    const bad = JSON.parse(readFileSync('schemas/samples/DispenserEventBatch.with-bad-event.json', 'utf8'));
    const { rejected } = checkEvents(bad.events, new Date('2026-11-24T12:00:00Z'), 90);
    const expected = ingestResultSchema.parse(
      JSON.parse(readFileSync('schemas/samples/DispenserEventBatch.result.json', 'utf8')),
    );
    expect(rejected).toEqual(expected.rejected);
    expect(deviceBatchJsonSchema()).toMatchObject({ properties: { events: { maxItems: MAX_EVENTS_PER_BATCH } } });
  });
});
