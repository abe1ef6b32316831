import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { encodeTime } from 'ulid';
import type { ScreenVisitPlanEntry } from '#shared/conversion/plan.ts';
import { gridDuration, wallClockInstant } from './time.ts';

/**
 * The recurring screen visits a final grant's plan implies, as plain data. Rules:
 * - every listed ISO weekday at every listed wall-clock time (config.TIME_ZONE), within the
 *   entry's validFrom..validTo (dates inclusive);
 * - an entry without times (a grant counted per week) gets one visit at DEFAULT_VISIT_TIME;
 * - `perWeek` caps the visits of one ISO week to the first N of them, counted over the whole
 *   week, so the answer does not depend on where the rolling horizon starts;
 * - the duration is the grant's minutes on the 5-minute grid, 5..120 (see time.ts).
 * Each occurrence has a deterministic visit id, so re-delivery of the event or a re-run of the
 * horizon job finds the visit it already made instead of making another.
 */
export const DEFAULT_VISIT_TIME = '10:00';

export interface Occurrence {
  readonly visitId: string;
  readonly grantId: string;
  readonly service: string;
  /** Local date and time, e.g. `2026-10-25` and `08:00`. */
  readonly date: string;
  readonly time: string;
  readonly start: Date;
  readonly end: Date;
  readonly durationMinutes: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `vis_` + a ULID whose time part is the visit's start and whose rest is a hash of what it is. */
export function occurrenceVisitId(
  finalGrantId: string,
  grantId: string,
  date: string,
  time: string,
  start: Date,
): string {
  const digest = createHash('sha256').update(`${finalGrantId}|${grantId}|${date}|${time}`).digest();
  let rest = '';
  for (let i = 0; i < 16; i += 1) rest += CROCKFORD[(digest[i] ?? 0) % 32];
  return `vis_${encodeTime(start.getTime(), 10)}${rest}`;
}

export function occurrencesOf(
  finalGrantId: string,
  entry: ScreenVisitPlanEntry,
  window: { from: Date; to: Date },
  zone: string,
): Occurrence[] {
  const times = entry.times.length > 0 ? [...new Set(entry.times)].sort() : [DEFAULT_VISIT_TIME];
  const weekdays = [...new Set(entry.weekdays)].sort((a, b) => a - b);
  const durationMinutes = gridDuration(entry.minutes);
  const out: Occurrence[] = [];
  let monday = DateTime.fromJSDate(window.from, { zone }).startOf('week');
  const lastDay = DateTime.fromJSDate(window.to, { zone }).startOf('day');
  while (monday <= lastDay) {
    const week: Occurrence[] = [];
    for (const weekday of weekdays) {
      const date = monday.plus({ days: weekday - 1 }).toISODate() ?? '';
      if (date < entry.validFrom || (entry.validTo !== undefined && date > entry.validTo)) continue;
      for (const time of times) {
        const start = wallClockInstant(date, time, zone).toJSDate();
        const end = DateTime.fromJSDate(start).plus({ minutes: durationMinutes }).toJSDate();
        week.push({
          visitId: occurrenceVisitId(finalGrantId, entry.grantId, date, time, start),
          grantId: entry.grantId,
          service: entry.service,
          date,
          time,
          start,
          end,
          durationMinutes,
        });
      }
    }
    const capped = entry.perWeek !== undefined ? week.slice(0, entry.perWeek) : week;
    out.push(...capped.filter((o) => o.start >= window.from && o.start < window.to));
    monday = monday.plus({ weeks: 1 });
  }
  return out;
}
