import { DateTime } from 'luxon';

/**
 * What a dispenser posts, for the load: a batch like a device that was quiet for a while and
 * sends what it buffered — mostly "I am alive" heartbeats, and for each planned dose time in the
 * window a `dose_dispensed` and a `dose_taken` stamped a few minutes after the dose time, with
 * `scheduledFor`, so the ingest does its full adherence work (dose records, seen hours). Every
 * event id is new, so every event is stored: the figure is for new events, not repeats.
 */
export interface BenchDeviceEvent {
  eventId: string;
  type: 'heartbeat' | 'dose_dispensed' | 'dose_taken';
  occurredAt: string;
  scheduledFor?: string;
}

/** The planned dose instants (UTC ISO) of wall-clock `times` in `zone` between `from` and `to`. */
export function doseInstants(times: readonly string[], zone: string, from: Date, to: Date): string[] {
  const out: string[] = [];
  let day = DateTime.fromJSDate(from, { zone }).startOf('day');
  const end = DateTime.fromJSDate(to, { zone });
  while (day <= end) {
    for (const time of times) {
      const [h, m] = time.split(':').map(Number);
      const at = day.set({ hour: h ?? 0, minute: m ?? 0 });
      if (at.toMillis() >= from.getTime() && at.toMillis() <= to.getTime())
        out.push(at.toUTC().toISO({ suppressMilliseconds: false }) ?? '');
    }
    day = day.plus({ days: 1 });
  }
  return out.sort();
}

const DAY_MS = 86_400_000;
const dosesByDay = new Map<string, { ms: number; iso: string }[]>();

/**
 * `doseInstants` between `fromMs` and `toMs` (at most a day apart), from the doses of the days
 * around them computed once per UTC day: the load generator runs on the cores the API shares, and
 * working the calendar out in luxon for every post took 7 % of the CPU of the 16-device window,
 * while the floor's writes are prepared once.
 */
export function recentDoseInstants(times: readonly string[], zone: string, fromMs: number, toMs: number): string[] {
  const day = Math.floor(fromMs / DAY_MS);
  const key = `${zone}|${times.join(',')}|${day}`;
  let doses = dosesByDay.get(key);
  if (!doses) {
    doses = doseInstants(times, zone, new Date((day - 1) * DAY_MS), new Date((day + 3) * DAY_MS)).map((iso) => ({
      ms: Date.parse(iso),
      iso,
    }));
    dosesByDay.set(key, doses);
  }
  return doses.filter((d) => d.ms >= fromMs && d.ms <= toMs).map((d) => d.iso);
}

/**
 * `size` events ending at `now`: dose pairs for the most recent planned doses (at most a third of
 * the batch), the rest heartbeats every 5 minutes back from now. `prefix` keeps ids unique per device and batch.
 */
export function deviceBatch(options: {
  prefix: string;
  size: number;
  now: Date;
  doseTimes: readonly string[];
  zone: string;
  seq?: number;
}): BenchDeviceEvent[] {
  const { prefix, size, now, doseTimes, zone } = options;
  const events: BenchDeviceEvent[] = [];
  const recent = recentDoseInstants(doseTimes, zone, now.getTime() - 11 * 3_600_000, now.getTime() - 6 * 60_000);
  // A device posting event by event: every third post is the latest dose taken, the others heartbeats.
  const latest = recent[recent.length - 1];
  if (size === 1 && latest && (options.seq ?? 0) % 3 === 2) {
    return [
      {
        eventId: `${prefix}-0`,
        type: 'dose_taken',
        occurredAt: new Date(Date.parse(latest) + 5 * 60_000).toISOString(),
        scheduledFor: latest,
      },
    ];
  }
  const pairs = Math.min(recent.length, Math.floor(size / 3));
  for (const scheduledFor of recent.slice(recent.length - pairs)) {
    const at = new Date(Date.parse(scheduledFor) + 2 * 60_000);
    events.push({
      eventId: `${prefix}-${events.length}`,
      type: 'dose_dispensed',
      occurredAt: at.toISOString(),
      scheduledFor,
    });
    events.push({
      eventId: `${prefix}-${events.length}`,
      type: 'dose_taken',
      occurredAt: new Date(at.getTime() + 3 * 60_000).toISOString(),
      scheduledFor,
    });
  }
  for (let i = 0; events.length < size; i++) {
    events.push({
      eventId: `${prefix}-${events.length}`,
      type: 'heartbeat',
      occurredAt: new Date(now.getTime() - i * 5 * 60_000).toISOString(),
    });
  }
  return events.slice(0, size);
}
