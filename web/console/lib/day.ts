/**
 * "My day" as a view model: the staff member's visits in order, what each one needs next, and
 * which are evening or weekend visits (first-class: the trials did much of the work then).
 * Times come from the API with the municipality's offset, so the local wall clock is read
 * straight from the string and the view never depends on the browser's time zone.
 */
export interface Visit {
  readonly visitId: string;
  readonly citizenId: string;
  readonly staffId: string | null;
  readonly start: string;
  readonly end: string;
  readonly durationMinutes: number;
  readonly status: 'scheduled' | 'in_progress' | 'completed' | 'missed' | 'cancelled';
  readonly purpose: { readonly grantId: string; readonly service: string };
  readonly version: number;
  readonly citizenJoinedAt?: string;
  readonly guests?: readonly unknown[];
}

export type Action = 'start' | 'rejoin' | 'complete' | 'guest' | 'reschedule' | 'cancel';

export interface DayRow {
  readonly visit: Visit;
  /** `HH:MM` local. */
  readonly from: string;
  readonly to: string;
  readonly evening: boolean;
  readonly weekend: boolean;
  readonly actions: readonly Action[];
  /** The first visit still to do: the one the page points at. */
  readonly next: boolean;
  readonly videoOpen: boolean;
}

/** Evening from 17:00 local, as the trials counted out-of-hours work. */
export const EVENING_FROM = '17:00';

export const localTime = (iso: string) => iso.slice(11, 16);
export const localDate = (iso: string) => iso.slice(0, 10);

/** ISO weekday (1 = Monday … 7 = Sunday) of a `YYYY-MM-DD`. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** What the assigned staff member can do with a visit at `now`; the server still decides. */
export function actionsFor(visit: Visit, now: Date, joinEarlyMinutes: number): Action[] {
  const start = Date.parse(visit.start);
  const end = Date.parse(visit.end);
  const t = now.getTime();
  const inWindow = t >= start - joinEarlyMinutes * 60_000 && t <= end;
  if (visit.status === 'scheduled') return [...(inWindow ? (['start'] as const) : []), 'reschedule', 'cancel'];
  if (visit.status === 'in_progress') return [...(t <= end ? (['rejoin', 'guest'] as const) : []), 'complete'];
  return [];
}

export function dayRows(visits: readonly Visit[], now: Date, joinEarlyMinutes = 10): DayRow[] {
  const sorted = [...visits]
    .filter((v) => v.status !== 'cancelled')
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.visitId.localeCompare(b.visitId));
  const nextId = sorted.find(
    (v) => (v.status === 'scheduled' || v.status === 'in_progress') && Date.parse(v.end) >= now.getTime(),
  )?.visitId;
  return sorted.map((visit) => {
    const from = localTime(visit.start);
    const weekday = isoWeekday(localDate(visit.start));
    return {
      visit,
      from,
      to: localTime(visit.end),
      evening: from >= EVENING_FROM,
      weekend: weekday >= 6,
      actions: actionsFor(visit, now, joinEarlyMinutes),
      next: visit.visitId === nextId,
      videoOpen: visit.status === 'in_progress',
    };
  });
}

/** A local date plus/minus days (`YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The ISO week (`2026-W44`) a local date is in. */
export function isoWeekOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const thursday = new Date(d.getTime() + (4 - isoWeekday(date)) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((thursday.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export interface WeekWindow {
  readonly weekday: number;
  readonly start: string;
  readonly end: string;
}

/**
 * The week grid of the availability editor: for each weekday, the hour rows covered by weekly
 * windows (and, on dated days of the shown week, exceptions). `open` quarter-hours per weekday.
 */
export function weekGrid(
  weekly: readonly WeekWindow[],
  exceptions: readonly { date: string; kind: 'time-off' | 'extra-shift'; start?: string; end?: string }[],
  weekDates: readonly string[],
): { weekday: number; date: string; quarters: boolean[] }[] {
  const q = (hhmm: string) => {
    const [h = 0, m = 0] = hhmm.split(':').map(Number);
    return Math.floor((h * 60 + m) / 15);
  };
  return weekDates.map((date) => {
    const weekday = isoWeekday(date);
    const quarters = new Array<boolean>(96).fill(false);
    const mark = (start: string, end: string, value: boolean) => {
      for (let i = q(start); i < q(end) && i < 96; i++) quarters[i] = value;
    };
    for (const w of weekly.filter((w) => w.weekday === weekday)) mark(w.start, w.end, true);
    for (const e of exceptions.filter((e) => e.date === date && e.kind === 'extra-shift'))
      mark(e.start ?? '00:00', e.end ?? '24:00', true);
    for (const e of exceptions.filter((e) => e.date === date && e.kind === 'time-off'))
      mark(e.start ?? '00:00', e.end ?? '24:00', false);
    return { weekday, date, quarters };
  });
}

/** Alerts for the queue: open and acknowledged, newest first, escalated marked. */
export interface AlertLike {
  readonly alertId: string;
  readonly raisedAt: string;
  readonly status: string;
  readonly escalated: boolean;
}
export function alertQueue<T extends AlertLike>(alerts: readonly T[]): T[] {
  const seen = new Set<string>();
  return [...alerts]
    .filter((a) => a.status !== 'resolved' && !seen.has(a.alertId) && (seen.add(a.alertId), true))
    .sort((a, b) => b.raisedAt.localeCompare(a.raisedAt) || b.alertId.localeCompare(a.alertId));
}

/**
 * The instant of a wall-clock date and time in `zone`, as ISO 8601 with that zone's offset
 * (what the API takes), whatever zone the browser is in. Found by asking Intl for the zone's
 * offset near the guess, twice (once more across a change of offset).
 */
export function zonedIso(date: string, time: string, zone: string): string {
  const asUtc = Date.parse(`${date}T${time}:00Z`);
  let offset = offsetMinutes(asUtc, zone);
  offset = offsetMinutes(asUtc - offset * 60_000, zone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${date}T${time}:00${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function offsetMinutes(instant: number, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
  );
  return Math.round((wall - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/** Today's local date in `zone` (`YYYY-MM-DD`). */
export function todayIn(zone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
}
