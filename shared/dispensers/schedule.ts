import { DateTime, Duration } from 'luxon';

/**
 * The dose rules, as plain functions without I/O: when the planned doses of a plan fall (in the
 * municipality's time zone, DST-correct), which planned dose a device event is about, and what
 * became of a dose. Everything derived (adherence, the missed-dose job, the report) goes through
 * these, so the figures agree wherever they are shown.
 */

export interface DosePlanRule {
  /** Wall-clock `HH:mm` in the time zone, sorted, unique. */
  readonly times: readonly string[];
  readonly onTimeMinutes: number;
  /** Local dates, inclusive. */
  readonly validFrom: string;
  readonly validTo?: string | undefined;
}

/** A plan version: the rule as it stood from `effectiveFrom` (UTC ISO) until the next version. */
export interface DosePlanVersion extends DosePlanRule {
  readonly effectiveFrom: string;
}

export interface PlannedDose {
  /** UTC ISO instant of the dose (the derived dose item's key). */
  readonly doseAt: string;
  /** The wall-clock time of the plan it comes from. */
  readonly time: string;
  /** The local date it belongs to. */
  readonly date: string;
  readonly onTimeMinutes: number;
}

/**
 * The instant of a wall-clock dose time on a local date. On the spring-forward night a time that
 * does not exist (02:30) moves forward by the gap, to 03:30; on the fall-back night an ambiguous
 * time takes its first occurrence. Both are what a dispenser's own clock does.
 */
export function doseInstant(date: string, time: string, zone: string): Date {
  const key = `${zone}|${date}|${time}`;
  let at = instants.get(key);
  if (at === undefined) {
    const [hour, minute] = time.split(':').map(Number);
    at = DateTime.fromISO(date, { zone })
      .set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 })
      .toMillis();
    if (instants.size >= INSTANTS_KEPT) instants.clear();
    instants.set(key, at);
  }
  return new Date(at);
}

/**
 * Zone arithmetic (luxon, Intl) is the main CPU cost of matching events to doses, and every
 * device of the municipality asks for the same few dates and times: a bounded memo of a pure function.
 */
const instants = new Map<string, number>();
const INSTANTS_KEPT = 50_000;

export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate() ?? '';
}

/** The start of a local date as an instant. */
export function startOfLocalDate(date: string, zone: string): Date {
  return DateTime.fromISO(date, { zone }).startOf('day').toJSDate();
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() ?? date;
}

/** Planned doses of one rule with `from <= doseAt < to`, ignoring versions. */
export function dosesOfRule(rule: DosePlanRule, from: Date, to: Date, zone: string): PlannedDose[] {
  if (to <= from) return [];
  const doses: PlannedDose[] = [];
  // One local day either side: a dose's date and its instant's UTC date may differ.
  let date = addDays(localDate(from, zone), -1);
  const lastDate = addDays(localDate(to, zone), 1);
  while (date <= lastDate) {
    if (date >= rule.validFrom && (!rule.validTo || date <= rule.validTo)) {
      for (const time of rule.times) {
        const at = doseInstant(date, time, zone);
        if (at >= from && at < to)
          doses.push({ doseAt: at.toISOString(), time, date, onTimeMinutes: rule.onTimeMinutes });
      }
    }
    date = addDays(date, 1);
  }
  return sortUnique(doses);
}

/** Planned doses in `[from, to)` across plan versions: each version rules from its effectiveFrom until the next. */
export function plannedDoses(versions: readonly DosePlanVersion[], from: Date, to: Date, zone: string): PlannedDose[] {
  const sorted = [...versions].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const doses: PlannedDose[] = [];
  sorted.forEach((version, i) => {
    const next = sorted[i + 1];
    const start = new Date(Math.max(from.getTime(), Date.parse(version.effectiveFrom)));
    const end = new Date(Math.min(to.getTime(), next ? Date.parse(next.effectiveFrom) : Number.POSITIVE_INFINITY));
    doses.push(...dosesOfRule(version, start, end, zone));
  });
  return sortUnique(doses);
}

function sortUnique(doses: PlannedDose[]): PlannedDose[] {
  const seen = new Set<string>();
  return doses
    .sort((a, b) => a.doseAt.localeCompare(b.doseAt))
    .filter((d) => (seen.has(d.doseAt) ? false : (seen.add(d.doseAt), true)));
}

/** How far a device's `scheduledFor` may be from a planned dose and still be that dose. */
export const SCHEDULED_FOR_SNAP_MINUTES = 30;
/** A dose event without `scheduledFor` may come this early before its dose (taken a little early). */
export const EARLY_TAKE_MINUTES = 30;
/** …and belongs to the latest dose at most this long before it. */
export const DOSE_EVENT_LOOKBACK_HOURS = 12;

const minutes = (n: number) => Duration.fromObject({ minutes: n }).toMillis();
const MINUTE = minutes(1);
const HOUR = Duration.fromObject({ hours: 1 }).toMillis();
const DAY = Duration.fromObject({ days: 1 }).toMillis();
const SNAP_WINDOW = minutes(SCHEDULED_FOR_SNAP_MINUTES);
const EARLY_TAKE = minutes(EARLY_TAKE_MINUTES);

/**
 * Which planned dose a dose event is about, as the UTC ISO key of that dose.
 * - With `scheduledFor`: the planned dose within ±30 minutes of it, else `scheduledFor` itself
 *   (minute precision): the device knows its schedule better than a plan that changed since.
 * - Without: the latest planned dose at or before `occurredAt` + 30 minutes, within 12 hours.
 * Undefined when there is no plan to match against.
 */
export function matchDose(
  rule: DosePlanRule | undefined,
  zone: string,
  occurredAt: Date,
  scheduledFor?: Date,
): string | undefined {
  return doseMatcher(rule, zone)(occurredAt, scheduledFor);
}

type DayDoses = readonly { doseAt: string; at: number }[];
const dayDoses = new Map<string, DayDoses>();
/** Enough for a large municipality's plans over the days a post touches; past it the cache starts again. */
const MAX_CACHED_DAYS = 20_000;

/**
 * The instants of `times` on local `date` in `zone`: pure, so kept per process. Working them out
 * (luxon, Intl) was the main cost of placing a post's events on doses, and a device posts the
 * same few days over and over.
 */
function dosesOfDay(date: string, times: readonly string[], zone: string): DayDoses {
  const key = `${zone}|${date}|${times.join(',')}`;
  let doses = dayDoses.get(key);
  if (!doses) {
    doses = times
      .map((time) => doseInstant(date, time, zone))
      .map((at) => ({ doseAt: at.toISOString(), at: at.getTime() }));
    if (dayDoses.size >= MAX_CACHED_DAYS) dayDoses.clear();
    dayDoses.set(key, doses);
  }
  return doses;
}

/**
 * `matchDose` for the many events of one batch against one plan. The zone arithmetic (luxon) is
 * what a match costs, so each local date's planned doses are computed once and reused; the
 * answers are exactly `matchDose`'s.
 */
export function doseMatcher(
  rule: DosePlanRule | undefined,
  zone: string,
): (occurredAt: Date, scheduledFor?: Date) => string | undefined {
  const dosesOn = (date: string) => {
    const valid = rule && date >= rule.validFrom && (!rule.validTo || date <= rule.validTo);
    return valid ? dosesOfDay(date, rule.times, zone) : [];
  };
  /** The doseAt keys in `[from, to)`, sorted, unique (as `dosesOfRule`). */
  const within = (from: number, to: number): { doseAt: string; at: number }[] => {
    if (to <= from) return [];
    const found = new Map<string, { doseAt: string; at: number }>();
    // A local date is within a day of the UTC date in every zone; one more day either side covers
    // a dose moved across midnight by a DST gap, as dosesOfRule's padding does.
    for (let day = Math.floor(from / DAY) - 2; day <= Math.floor((to - 1) / DAY) + 2; day++) {
      for (const dose of dosesOn(new Date(day * DAY).toISOString().slice(0, 10)))
        if (dose.at >= from && dose.at < to) found.set(dose.doseAt, dose);
    }
    return [...found.values()].sort((a, b) => a.at - b.at);
  };
  return (occurredAt, scheduledFor) => {
    if (scheduledFor) {
      const wholeMinute = new Date(Math.floor(scheduledFor.getTime() / MINUTE) * MINUTE);
      if (!rule) return wholeMinute.toISOString();
      const candidates = within(scheduledFor.getTime() - SNAP_WINDOW, scheduledFor.getTime() + SNAP_WINDOW + 1);
      const nearest = candidates.sort(
        (a, b) => Math.abs(a.at - scheduledFor.getTime()) - Math.abs(b.at - scheduledFor.getTime()),
      )[0];
      return nearest?.doseAt ?? wholeMinute.toISOString();
    }
    if (!rule) return undefined;
    return within(occurredAt.getTime() - DOSE_EVENT_LOOKBACK_HOURS * HOUR, occurredAt.getTime() + EARLY_TAKE + 1).at(-1)
      ?.doseAt;
  };
}

export const doseOutcomes = ['taken_on_time', 'taken_late', 'missed', 'no_data', 'pending', 'paused'] as const;
export type DoseOutcome = (typeof doseOutcomes)[number];

/** What the devices said about one dose (sets of UTC ISO times, any order, repeats harmless). */
export interface DoseRecord {
  readonly takenAts?: readonly string[] | undefined;
  readonly missedAts?: readonly string[] | undefined;
  readonly lateAts?: readonly string[] | undefined;
  readonly dispensedAts?: readonly string[] | undefined;
}

/** A UTC hour the device was heard from: `YYYY-MM-DDTHH`. */
export const hourKey = (at: Date) => at.toISOString().slice(0, 13);

/** The hours in which contact counts as "the device was there" for a dose: an hour before it until its missed deadline. */
export function hoursAround(doseAt: Date, missedAfterMinutes: number): string[] {
  const keys: string[] = [];
  const start = Math.floor((doseAt.getTime() - HOUR) / HOUR) * HOUR;
  for (let t = start; t <= doseAt.getTime() + minutes(missedAfterMinutes); t += HOUR) keys.push(hourKey(new Date(t)));
  return keys;
}

export interface DoseVerdict {
  readonly outcome: DoseOutcome;
  readonly takenAt?: string | undefined;
  readonly minutesLate?: number | undefined;
}

/**
 * The outcome of a dose. The earliest `dose_taken` decides (so a repeated or reordered event
 * cannot change it): within the on-time tolerance → taken_on_time, later → taken_late. Without a
 * take: pending until the missed deadline; then missed if the device said so or was heard from
 * around the dose, and no_data if it was silent.
 */
export function classifyDose(
  dose: Pick<PlannedDose, 'doseAt' | 'onTimeMinutes'>,
  record: DoseRecord | undefined,
  seenHours: ReadonlySet<string>,
  now: Date,
  missedAfterMinutes: number,
): DoseVerdict {
  const doseAt = new Date(dose.doseAt);
  const takenAt = [...(record?.takenAts ?? [])].sort()[0];
  if (takenAt) {
    const late = Math.round((Date.parse(takenAt) - doseAt.getTime()) / MINUTE);
    return late <= dose.onTimeMinutes
      ? { outcome: 'taken_on_time', takenAt }
      : { outcome: 'taken_late', takenAt, minutesLate: late };
  }
  if ((record?.missedAts?.length ?? 0) > 0) return { outcome: 'missed' };
  if (now.getTime() < doseAt.getTime() + minutes(missedAfterMinutes)) return { outcome: 'pending' };
  if ((record?.dispensedAts?.length ?? 0) > 0 || (record?.lateAts?.length ?? 0) > 0) return { outcome: 'missed' };
  return hoursAround(doseAt, missedAfterMinutes).some((h) => seenHours.has(h))
    ? { outcome: 'missed' }
    : { outcome: 'no_data' };
}

export type OutcomeCounts = Record<DoseOutcome, number> & { planned: number };

export function emptyCounts(): OutcomeCounts {
  return { planned: 0, taken_on_time: 0, taken_late: 0, missed: 0, no_data: 0, pending: 0, paused: 0 };
}

export function addCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  return {
    planned: a.planned + b.planned,
    taken_on_time: a.taken_on_time + b.taken_on_time,
    taken_late: a.taken_late + b.taken_late,
    missed: a.missed + b.missed,
    no_data: a.no_data + b.no_data,
    pending: a.pending + b.pending,
    paused: a.paused + b.paused,
  };
}

export interface AdherenceRates {
  /** Doses whose outcome is known (planned minus pending): the denominator of every rate. */
  readonly decided: number;
  readonly onTime: number | null;
  readonly taken: number | null;
  readonly missed: number | null;
  readonly noData: number | null;
}

const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

/** Rates over the decided doses (pending ones are not yet anything, paused ones never are); null when there is none. */
export function adherenceRates(counts: OutcomeCounts): AdherenceRates {
  const decided = counts.planned - counts.pending - counts.paused;
  return {
    decided,
    onTime: ratio(counts.taken_on_time, decided),
    taken: ratio(counts.taken_on_time + counts.taken_late, decided),
    missed: ratio(counts.missed, decided),
    noData: ratio(counts.no_data, decided),
  };
}
