import fc from 'fast-check';
import { DateTime, Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  availabilityInputSchema,
  availableBetween,
  availableOnDate,
  isAvailable,
  type AvailabilityRules,
  type Interval,
} from './availability-rules.ts';

/**
 * A staff member's availability is whatever they save: the rules are parsed (or refused as a
 * validation problem) and then turned into instants for any day, including the two days a year
 * the clocks change, without throwing and without an interval that runs backwards.
 */
const ZONE = 'Europe/Copenhagen';
const HOUR = Duration.fromObject({ hours: 1 }).toMillis();

/** Times around 02:00–03:00, the hour that is skipped or repeated, are over-represented. */
const hhmm = fc
  .record({
    h: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 3 })),
    m: fc.constantFrom(0, 15, 30, 45),
  })
  .map(({ h, m }) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const endTime = fc.oneof(hhmm, fc.constant('24:00'));
/** Dates around the clock changes are the interesting ones, so they are over-represented. */
const date = fc.oneof(
  fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.integer({ min: 2020, max: 2035 }).chain((year) => fc.constantFrom(lastSunday(year, 3), lastSunday(year, 10))),
);
const windowInput = fc.record({
  weekday: fc.oneof(fc.integer({ min: 1, max: 7 }), fc.constant(7)),
  start: hhmm,
  end: endTime,
});
const exceptionInput = fc.record(
  { date, kind: fc.constantFrom('time-off', 'extra-shift'), start: hhmm, end: endTime },
  { requiredKeys: ['date', 'kind'] },
);
/** Mostly plausible input (so much of it passes the schema), sometimes anything at all. */
const input = fc.oneof(
  fc.record({
    weekly: fc.array(windowInput, { maxLength: 12 }),
    exceptions: fc.array(exceptionInput, { maxLength: 8 }),
  }),
  fc.anything(),
  fc.record({ weekly: fc.array(fc.anything(), { maxLength: 3 }), exceptions: fc.anything() }),
);

function lastSunday(year: number, month: number): string {
  const last = DateTime.fromObject({ year, month }, { zone: ZONE }).endOf('month').startOf('day');
  return (last.weekday === 7 ? last : last.minus({ days: last.weekday })).toISODate() ?? '';
}

function expectWellFormed(intervals: Interval[]): void {
  for (const [from, to] of intervals)
    expect(to, `[${new Date(from).toISOString()}, ${new Date(to).toISOString()})`).toBeGreaterThan(from);
  for (let i = 1; i < intervals.length; i++)
    expect((intervals[i] as Interval)[0]).toBeGreaterThan((intervals[i - 1] as Interval)[1]);
}

describe('a staff member’s availability rules', () => {
  it('either parse or are refused as a validation problem, whatever is sent', () => {
    fc.assert(fc.property(input, (body) => void availabilityInputSchema.safeParse(body)));
  });

  it('give, for any day, ordered intervals that run forwards and stay within that day', () => {
    fc.assert(
      fc.property(input, date, (body, day) => {
        const parsed = availabilityInputSchema.safeParse(body);
        fc.pre(parsed.success);
        if (!parsed.success) return;
        const intervals = availableOnDate(parsed.data, day, ZONE)
          .slice()
          .sort((a, b) => a[0] - b[0]);
        const start = DateTime.fromISO(day, { zone: ZONE }).startOf('day');
        for (const [from, to] of intervals) {
          expect(to).toBeGreaterThan(from);
          expect(from).toBeGreaterThanOrEqual(start.toMillis());
          expect(to).toBeLessThanOrEqual(start.plus({ days: 1 }).toMillis());
        }
      }),
    );
  });

  it('merge across days into disjoint intervals, and a slot inside one of them is available', () => {
    fc.assert(
      fc.property(input, date, fc.integer({ min: 1, max: 4 }), (body, day, days) => {
        const parsed = availabilityInputSchema.safeParse(body);
        fc.pre(parsed.success);
        if (!parsed.success) return;
        const from = DateTime.fromISO(day, { zone: ZONE }).toJSDate();
        const to = DateTime.fromISO(day, { zone: ZONE }).plus({ days }).toJSDate();
        const intervals = availableBetween(parsed.data, from, to, ZONE);
        expectWellFormed(intervals);
        for (const [f, t] of intervals) {
          const start = new Date(Math.max(f, from.getTime()));
          const end = new Date(Math.min(t, DateTime.fromJSDate(start).plus({ minutes: 30 }).toMillis()));
          if (end > start) expect(isAvailable(parsed.data, start, end, ZONE)).toBe(true);
        }
      }),
    );
  });
});

describe('a staff member’s availability on the days the clocks change', () => {
  it('count 23 hours on the last Sunday of March and 25 on the last Sunday of October', () => {
    const allDaySunday: AvailabilityRules = { weekly: [{ weekday: 7, start: '00:00', end: '24:00' }], exceptions: [] };
    fc.assert(
      fc.property(fc.integer({ min: 1996, max: 2099 }), (year) => {
        const hours = (day: string) =>
          availableOnDate(allDaySunday, day, ZONE).reduce((sum, [f, t]) => sum + (t - f), 0) / HOUR;
        expect(hours(lastSunday(year, 3))).toBe(23);
        expect(hours(lastSunday(year, 10))).toBe(25);
        expect(hours(DateTime.fromISO(lastSunday(year, 3)).minus({ weeks: 1 }).toISODate() ?? '')).toBe(24);
      }),
    );
  });

  it('leave out a window that lies in the hour the clocks skip, rather than running it backwards', () => {
    // Found by the property above: 02:00–03:00 on 28 March 2027 was an empty interval, and
    // 02:30–03:00 on 29 March 2026 ran backwards, [03:30, 03:00).
    expect(
      availableOnDate({ weekly: [{ weekday: 7, start: '02:00', end: '03:00' }], exceptions: [] }, '2027-03-28', ZONE),
    ).toEqual([]);
    const rules: AvailabilityRules = { weekly: [{ weekday: 7, start: '02:30', end: '03:00' }], exceptions: [] };
    expect(availableOnDate(rules, '2026-03-29', ZONE)).toEqual([]);
    // A shift that only starts in the skipped hour keeps the part after it.
    expect(
      availableOnDate({ weekly: [{ weekday: 7, start: '02:30', end: '04:00' }], exceptions: [] }, '2026-03-29', ZONE),
    ).toEqual([[Date.parse('2026-03-29T01:30:00Z'), Date.parse('2026-03-29T02:00:00Z')]]);
    expect(availableOnDate(rules, '2026-03-22', ZONE)).toEqual([
      [Date.parse('2026-03-22T01:30:00Z'), Date.parse('2026-03-22T02:00:00Z')],
    ]);
  });

  it('count a whole day of time off on a clock-change day as the whole day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2020, max: 2035 }), fc.constantFrom(3, 10), (year, month) => {
        const day = lastSunday(year, month);
        const rules: AvailabilityRules = {
          weekly: [{ weekday: 7, start: '00:00', end: '24:00' }],
          exceptions: [{ date: day, kind: 'time-off' }],
        };
        expect(availableOnDate(rules, day, ZONE)).toEqual([]);
      }),
    );
  });
});
