import * as z from '#shared/platform/zod.ts';
import { DateTime } from 'luxon';
import { isoDate, isoWeekday, wallClockTime } from '#shared/conversion/plan.ts';
import { wallClockInstant } from './time.ts';

/**
 * A staff member's self-scheduled availability, all in wall-clock time of the municipality
 * (config.TIME_ZONE):
 *
 * - `weekly`: windows per ISO weekday (1 = Monday … 7 = Sunday), several a day, evenings and
 *   weekends included. A window never crosses midnight: `end` is later than `start` on the
 *   same day, and `24:00` means "until midnight". A night shift 22:00–02:00 is two windows
 *   (Mon 22:00–24:00 and Tue 00:00–02:00); windows that touch are one, so a visit 23:30–00:30
 *   fits. This keeps every window's meaning obvious on the days clocks change.
 * - `exceptions` on dated days: `time-off` (the whole day, or `start`–`end`) removes time;
 *   `extra-shift` (`start`–`end`) adds time. Time off wins over an extra shift on the same day.
 *
 * Windows are turned into instants day by day with luxon, so 08:00 is 08:00 on both sides of a
 * daylight-saving change (and a day can be 23 or 25 hours long).
 */
export const wallClockEnd = z.union([wallClockTime, z.literal('24:00')]);

export const weeklyWindowSchema = z
  .strictObject({ weekday: isoWeekday, start: wallClockTime, end: wallClockEnd })
  .refine((w) => w.end > w.start, {
    message: 'end must be after start on the same day (use 24:00 for midnight)',
    path: ['end'],
  })
  .openapi('WeeklyWindow');

export const availabilityExceptionSchema = z
  .strictObject({
    date: isoDate,
    kind: z.enum(['time-off', 'extra-shift']),
    start: wallClockTime.optional(),
    end: wallClockEnd.optional(),
  })
  .refine((e) => (e.start === undefined) === (e.end === undefined), {
    message: 'give both start and end, or neither (the whole day)',
    path: ['end'],
  })
  .refine((e) => e.kind === 'time-off' || e.start !== undefined, {
    message: 'an extra shift needs start and end',
    path: ['start'],
  })
  .refine((e) => e.start === undefined || e.end === undefined || e.end > e.start, {
    message: 'end must be after start',
    path: ['end'],
  })
  .openapi('AvailabilityException');

export const availabilityInputSchema = z
  .strictObject({
    weekly: z.array(weeklyWindowSchema).max(70),
    exceptions: z.array(availabilityExceptionSchema).max(366).default([]),
  })
  .openapi('AvailabilityInput');

export type WeeklyWindow = z.infer<typeof weeklyWindowSchema>;
export type AvailabilityException = z.infer<typeof availabilityExceptionSchema>;
export interface AvailabilityRules {
  readonly weekly: readonly WeeklyWindow[];
  readonly exceptions: readonly AvailabilityException[];
}

/** Half-open [from, to) in epoch milliseconds. */
export type Interval = readonly [number, number];

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

function subtract(intervals: Interval[], holes: Interval[]): Interval[] {
  let result = intervals;
  for (const [hf, ht] of holes) {
    result = result.flatMap(([f, t]): Interval[] => {
      if (ht <= f || hf >= t) return [[f, t]];
      const parts: Interval[] = [];
      if (hf > f) parts.push([f, hf]);
      if (ht < t) parts.push([ht, t]);
      return parts;
    });
  }
  return result;
}

function window(date: string, start: string, end: string, zone: string): Interval {
  return [wallClockInstant(date, start, zone).toMillis(), wallClockInstant(date, end, zone).toMillis()];
}

/**
 * On the day the clocks skip an hour, a window inside that hour does not exist: 02:00–03:00 is
 * empty and 02:30–03:00 would run backwards (03:30 to 03:00), so such windows are dropped.
 */
const runsForwards = ([from, to]: Interval) => to > from;

/** The available time of one local date. */
export function availableOnDate(rules: AvailabilityRules, date: string, zone: string): Interval[] {
  const weekday = DateTime.fromISO(date, { zone }).weekday;
  const onDate = rules.exceptions.filter((e) => e.date === date);
  const open = [
    ...rules.weekly.filter((w) => w.weekday === weekday).map((w) => window(date, w.start, w.end, zone)),
    ...onDate
      .filter((e) => e.kind === 'extra-shift' && e.start && e.end)
      .map((e) => window(date, e.start ?? '00:00', e.end ?? '24:00', zone)),
  ].filter(runsForwards);
  const off = onDate
    .filter((e) => e.kind === 'time-off')
    .map((e) => window(date, e.start ?? '00:00', e.end ?? '24:00', zone))
    .filter(runsForwards);
  return subtract(merge(open), off);
}

/** Available time overlapping [from, to), merged across days (so windows meeting at midnight join). */
export function availableBetween(rules: AvailabilityRules, from: Date, to: Date, zone: string): Interval[] {
  const intervals: Interval[] = [];
  let day = DateTime.fromJSDate(from, { zone }).startOf('day');
  const last = DateTime.fromJSDate(to, { zone }).startOf('day');
  while (day <= last) {
    intervals.push(...availableOnDate(rules, day.toISODate() ?? '', zone));
    day = day.plus({ days: 1 });
  }
  return merge(intervals).filter(([f, t]) => t > from.getTime() && f < to.getTime());
}

/** Is the staff member available for the whole of [start, end)? */
export function isAvailable(rules: AvailabilityRules, start: Date, end: Date, zone: string): boolean {
  return availableBetween(rules, start, end, zone).some(([f, t]) => f <= start.getTime() && t >= end.getTime());
}

/** The time in [from, to) that `before` makes available and `after` does not (what a change of availability takes away). */
export function removedBetween(
  before: AvailabilityRules,
  after: AvailabilityRules,
  from: Date,
  to: Date,
  zone: string,
): Interval[] {
  const clip = ([f, t]: Interval): Interval => [Math.max(f, from.getTime()), Math.min(t, to.getTime())];
  return subtract(availableBetween(before, from, to, zone).map(clip), availableBetween(after, from, to, zone)).filter(
    ([f, t]) => t > f,
  );
}
