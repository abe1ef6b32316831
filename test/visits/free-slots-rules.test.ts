import { describe, expect, it } from 'vitest';
import type { AvailabilityRules, Interval } from '#shared/visits/availability-rules.ts';
import { freeIntervals, freeSlots } from '#shared/visits/free-slots.ts';
import { bufferMinutesFor } from '#shared/visits/free-time.ts';

const zone = 'Europe/Copenhagen';
const ms = (iso: string) => Date.parse(iso);
const iso = ([f, t]: Interval): [string, string] => [new Date(f).toISOString(), new Date(t).toISOString()];

// Mondays 08:00–10:00 and an evening 18:00–20:00; Sundays 09:00–10:00.
const rules: AvailabilityRules = {
  weekly: [
    { weekday: 1, start: '08:00', end: '10:00' },
    { weekday: 1, start: '18:00', end: '20:00' },
    { weekday: 7, start: '09:00', end: '10:00' },
  ],
  exceptions: [],
};

const day = (date: string, offset: string) => ({
  from: new Date(`${date}T00:00:00${offset}`),
  to: new Date(ms(`${date}T00:00:00${offset}`) + 86_400_000),
});

describe('free slots from availability, booked visits and a buffer', () => {
  it('an empty Monday offers every 30-minute start of the morning and the evening, the evening as a first-class window', () => {
    const slots = freeSlots({
      rules,
      busy: [],
      ...day('2026-11-23', '+01:00'),
      notBefore: new Date(0),
      durationMinutes: 30,
      bufferMinutes: 10,
      stepMinutes: 30,
      zone,
    });
    expect(slots.map(iso).map(([s]) => s)).toEqual([
      '2026-11-23T07:00:00.000Z',
      '2026-11-23T07:30:00.000Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-23T08:30:00.000Z',
      '2026-11-23T17:00:00.000Z',
      '2026-11-23T17:30:00.000Z',
      '2026-11-23T18:00:00.000Z',
      '2026-11-23T18:30:00.000Z',
    ]);
  });

  it('a booked visit blocks its time plus the buffer on both sides', () => {
    // Booked 08:30–09:00 local (07:30–08:00Z), buffer 10: 08:20–09:10 is taken.
    const busy: Interval[] = [[ms('2026-11-23T07:30:00Z'), ms('2026-11-23T08:00:00Z')]];
    const slots = freeSlots({
      rules,
      busy,
      ...day('2026-11-23', '+01:00'),
      notBefore: new Date(0),
      durationMinutes: 20,
      bufferMinutes: 10,
      stepMinutes: 5,
      zone,
    });
    const morning = slots.map(iso).filter(([s]) => s < '2026-11-23T12:00:00Z');
    expect(morning[0]).toEqual(['2026-11-23T07:00:00.000Z', '2026-11-23T07:20:00.000Z']);
    // The last start before the visit ends at 08:20 local, where the buffer begins.
    expect(morning.filter(([, e]) => e <= '2026-11-23T07:30:00Z').at(-1)).toEqual([
      '2026-11-23T07:00:00.000Z',
      '2026-11-23T07:20:00.000Z',
    ]);
    expect(morning.find(([s]) => s >= '2026-11-23T07:20:00Z')).toEqual([
      '2026-11-23T08:10:00.000Z',
      '2026-11-23T08:30:00.000Z',
    ]);
    expect(morning.at(-1)).toEqual(['2026-11-23T08:40:00.000Z', '2026-11-23T09:00:00.000Z']);
    expect(
      freeIntervals({
        rules,
        busy,
        ...day('2026-11-23', '+01:00'),
        notBefore: new Date(0),
        bufferMinutes: 10,
        zone,
      }).map(iso),
    ).toEqual([
      ['2026-11-23T07:00:00.000Z', '2026-11-23T07:20:00.000Z'],
      ['2026-11-23T08:10:00.000Z', '2026-11-23T09:00:00.000Z'],
      ['2026-11-23T17:00:00.000Z', '2026-11-23T19:00:00.000Z'],
    ]);
  });

  it('a zero buffer lets visits run back to back', () => {
    const busy: Interval[] = [[ms('2026-11-23T07:30:00Z'), ms('2026-11-23T08:00:00Z')]];
    const starts = freeSlots({
      rules,
      busy,
      ...day('2026-11-23', '+01:00'),
      notBefore: new Date(0),
      durationMinutes: 30,
      bufferMinutes: 0,
      stepMinutes: 30,
      zone,
    })
      .map(iso)
      .map(([s]) => s);
    expect(starts).toContain('2026-11-23T07:00:00.000Z');
    expect(starts).toContain('2026-11-23T08:00:00.000Z');
    expect(starts).not.toContain('2026-11-23T07:30:00.000Z');
  });

  it('nothing before now: the morning that has passed is not offered', () => {
    const slots = freeSlots({
      rules,
      busy: [],
      ...day('2026-11-23', '+01:00'),
      notBefore: new Date('2026-11-23T08:15:00Z'),
      durationMinutes: 30,
      bufferMinutes: 0,
      stepMinutes: 15,
      zone,
    });
    expect(slots.map(iso)[0]).toEqual(['2026-11-23T08:15:00.000Z', '2026-11-23T08:45:00.000Z']);
  });

  it('keeps wall-clock windows across the change to winter time (a 25-hour Sunday)', () => {
    // Sunday 25 October 2026: clocks go back at 03:00; 09:00 local is 08:00Z (was 07:00Z the week before).
    const before = freeSlots({
      rules,
      busy: [],
      ...day('2026-10-18', '+02:00'),
      notBefore: new Date(0),
      durationMinutes: 60,
      bufferMinutes: 0,
      stepMinutes: 60,
      zone,
    });
    expect(before.map(iso)).toEqual([['2026-10-18T07:00:00.000Z', '2026-10-18T08:00:00.000Z']]);
    const from = new Date('2026-10-25T00:00:00+02:00');
    const to = new Date('2026-10-26T00:00:00+01:00'); // 25 hours later
    const after = freeSlots({
      rules,
      busy: [],
      from,
      to,
      notBefore: new Date(0),
      durationMinutes: 60,
      bufferMinutes: 0,
      stepMinutes: 60,
      zone,
    });
    expect(after.map(iso)).toEqual([['2026-10-25T08:00:00.000Z', '2026-10-25T09:00:00.000Z']]);
  });

  it('time off removes free time; an extra shift on a Saturday adds it', () => {
    const withExceptions: AvailabilityRules = {
      weekly: rules.weekly,
      exceptions: [
        { date: '2026-11-23', kind: 'time-off', start: '08:00', end: '09:30' },
        { date: '2026-11-28', kind: 'extra-shift', start: '10:00', end: '11:00' },
      ],
    };
    const monday = freeSlots({
      rules: withExceptions,
      busy: [],
      ...day('2026-11-23', '+01:00'),
      notBefore: new Date(0),
      durationMinutes: 30,
      bufferMinutes: 0,
      stepMinutes: 30,
      zone,
    });
    expect(monday.map(iso).map(([s]) => s)[0]).toBe('2026-11-23T08:30:00.000Z');
    const saturday = freeSlots({
      rules: withExceptions,
      busy: [],
      ...day('2026-11-28', '+01:00'),
      notBefore: new Date(0),
      durationMinutes: 30,
      bufferMinutes: 0,
      stepMinutes: 30,
      zone,
    });
    expect(saturday.map(iso)).toEqual([
      ['2026-11-28T09:00:00.000Z', '2026-11-28T09:30:00.000Z'],
      ['2026-11-28T09:30:00.000Z', '2026-11-28T10:00:00.000Z'],
    ]);
  });

  it('a night shift across midnight offers a slot that runs past the end of the asked day', () => {
    const night: AvailabilityRules = {
      weekly: [
        { weekday: 1, start: '23:00', end: '24:00' },
        { weekday: 2, start: '00:00', end: '01:00' },
      ],
      exceptions: [],
    };
    const slots = freeSlots({
      rules: night,
      busy: [],
      ...day('2026-11-23', '+01:00'),
      notBefore: new Date(0),
      durationMinutes: 60,
      bufferMinutes: 0,
      stepMinutes: 30,
      zone,
    });
    expect(slots.map(iso)).toEqual([
      ['2026-11-23T22:00:00.000Z', '2026-11-23T23:00:00.000Z'],
      ['2026-11-23T22:30:00.000Z', '2026-11-23T23:30:00.000Z'],
    ]);
  });

  it('the buffer is configured per team, with a default', () => {
    const config = { VISIT_BUFFER_MINUTES: 10, VISIT_BUFFER_MINUTES_BY_TEAM: 'east=5,west=15' };
    expect(bufferMinutesFor(config, 'east')).toBe(5);
    expect(bufferMinutesFor(config, 'west')).toBe(15);
    expect(bufferMinutesFor(config, 'north')).toBe(10);
    expect(bufferMinutesFor({ VISIT_BUFFER_MINUTES: 0, VISIT_BUFFER_MINUTES_BY_TEAM: undefined }, 'east')).toBe(0);
  });
});
