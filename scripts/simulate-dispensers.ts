import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { answersReadyForBoth } from '#shared/assessment/default-questionnaire.ts';
import { signLocalToken } from '#shared/http/auth.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { readLocalApiInfo } from './local-api.ts';

/**
 * LOCAL ONLY: `npm run simulate:dispensers -- --count N --days D [--batch 25] [--seed 1]`.
 * Drives N simulated dispensers against the running `npm start` (its URL from .data/local-api.json):
 * registers a citizen with a dose plan per dispenser, registers and assigns the dispenser (backdated
 * D days, as when existing installations are brought in), then posts D days of what a device sends:
 * heartbeats, doses dispensed and taken on time or late, misses the device reports, silences, faults,
 * and the untidy parts — retried batches, repeated events and batches in shuffled order. It prints
 * what it sent and what the API answered, and the outcomes it expects adherence to show.
 * `simulateDispensers` is the same thing as a function, for the benchmark.
 */
export interface SimulationOptions {
  apiUrl: string;
  count: number;
  days: number;
  /** Events per POST (at most MAX_EVENTS_PER_BATCH = 100). */
  batchSize?: number;
  /** Dispensers posting at once (each posts its batches one after the other). */
  concurrency?: number;
  seed?: number;
  team?: string;
  now?: Date;
  timeZone?: string;
  log?: (line: string) => void;
}

export interface SimulationSummary {
  dispensers: { dispenserId: string; citizenId: string }[];
  eventsGenerated: number;
  batchesPosted: number;
  retriedBatches: number;
  repeatedEvents: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** What the simulator made happen to each planned dose (adherence should agree, pending aside). */
  expected: { taken_on_time: number; taken_late: number; missed: number; no_data: number };
  faults: number;
  elapsedMs: number;
  eventsPerSecond: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON answers, read by field
type Json = any;

type SimEvent = {
  eventId: string;
  type: string;
  occurredAt: string;
  scheduledFor?: string;
  details?: Record<string, string | number | boolean>;
};

/** A small seeded generator (mulberry32), so a run can be repeated exactly. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLANS = [['08:00', '20:00'], ['08:00', '13:00', '20:00'], ['07:30', '12:00', '17:00', '21:30'], ['09:00']];
const FAULTS = ['low_battery', 'empty', 'jammed', 'tampered'] as const;

async function request(
  apiUrl: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const READY_ANSWERS = answersReadyForBoth;

async function proposeMedicationTechnology(
  apiUrl: string,
  assessor: string,
  staff: string,
  citizenId: string,
  times: string[],
  startDate: string,
): Promise<string> {
  await expectOk(
    'POST assessment',
    request(apiUrl, 'POST', `/citizens/${citizenId}/assessments`, assessor, { answers: READY_ANSWERS }),
  );
  const grant = await expectOk(
    'POST grant',
    request(apiUrl, 'POST', `/citizens/${citizenId}/grants`, assessor, {
      paragraph: 'SUL-138',
      service: 'medication_handling',
      frequency: { per: 'day', times: times.length, timesOfDay: times },
      minutesPerOccurrence: 10,
      startDate,
    }),
  );
  const conversion = await expectOk(
    'POST conversion',
    request(apiUrl, 'POST', `/citizens/${citizenId}/conversions`, staff, {
      reason: 'Medication by dispenser.',
      splits: [{ grantId: grant.grantId, physical: 0, screenVisit: 0, medicationTechnology: times.length }],
    }),
  );
  return conversion.conversionId as string;
}

async function expectOk(what: string, res: Promise<{ status: number; body: Json }>): Promise<Json> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what} failed with ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

function nationalId(rand: () => number): string {
  const n = (max: number, width: number) => String(Math.floor(rand() * max) + 1).padStart(width, '0');
  return `${n(28, 2)}${n(12, 2)}${n(60, 2)}-${n(9998, 4)}`;
}

/** One device's days: the events it would have buffered, and the outcome of each dose. */
function deviceDays(
  rand: () => number,
  prefix: string,
  times: readonly string[],
  from: DateTime,
  days: number,
  now: Date,
) {
  const events: SimEvent[] = [];
  const expected = { taken_on_time: 0, taken_late: 0, missed: 0, no_data: 0 };
  let faults = 0;
  let n = 0;
  const push = (type: string, at: DateTime, extra: Partial<SimEvent> = {}) => {
    if (at.toMillis() > now.getTime()) return;
    events.push({ eventId: `${prefix}-${(n++).toString(36)}`, type, occurredAt: at.toISO() ?? '', ...extra });
  };
  for (let d = 0; d < days; d++) {
    const day = from.plus({ days: d }).startOf('day');
    // A silence: four hours of nothing, sometimes over a dose.
    const silentFrom = rand() < 0.1 ? day.plus({ hours: 6 + Math.floor(rand() * 14) }) : undefined;
    const silent = (at: DateTime) => silentFrom !== undefined && at >= silentFrom && at < silentFrom.plus({ hours: 4 });
    for (let m = 0; m < 24 * 60; m += 30) {
      const at = day.plus({ minutes: m });
      if (!silent(at)) push('heartbeat', at);
    }
    for (const time of times) {
      const [h, mi] = time.split(':').map(Number);
      const doseAt = day.set({ hour: h ?? 0, minute: mi ?? 0 });
      if (doseAt.toMillis() > now.getTime() - 3 * 3_600_000) continue;
      const scheduledFor = doseAt.toISO() ?? '';
      if (silent(doseAt)) {
        expected.no_data++;
        continue;
      }
      push('dose_dispensed', doseAt.plus({ seconds: 5 }), { scheduledFor });
      const roll = rand();
      if (roll < 0.78) {
        push('dose_taken', doseAt.plus({ minutes: 2 + Math.floor(rand() * 50) }), rand() < 0.5 ? { scheduledFor } : {});
        expected.taken_on_time++;
      } else if (roll < 0.9) {
        push('dose_late', doseAt.plus({ minutes: 60 }), { scheduledFor });
        push('dose_taken', doseAt.plus({ minutes: 75 + Math.floor(rand() * 90) }), { scheduledFor });
        expected.taken_late++;
      } else {
        push('dose_missed', doseAt.plus({ minutes: 90 }), { scheduledFor });
        expected.missed++;
      }
    }
    if (rand() < 0.08) {
      const fault = FAULTS[Math.floor(rand() * FAULTS.length)] ?? 'low_battery';
      push(
        fault,
        day.plus({ minutes: Math.floor(rand() * 24 * 60) }),
        fault === 'low_battery' ? { details: { batteryPercent: 10 + Math.floor(rand() * 10) } } : {},
      );
      faults++;
    }
  }
  return { events, expected, faults };
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

export async function simulateDispensers(options: SimulationOptions): Promise<SimulationSummary> {
  const { apiUrl, count, days } = options;
  const batchSize = Math.min(100, Math.max(1, options.batchSize ?? 25));
  const rand = random(options.seed ?? Date.now());
  const now = options.now ?? new Date();
  const zone = options.timeZone ?? 'Europe/Copenhagen';
  const log = options.log ?? (() => {});
  const config = loadConfig({ ...process.env, STAGE: 'local', AUTH_MODE: 'local' });
  const team = options.team ?? 'east';
  const staff = await signLocalToken(config, { sub: 'stf-simulator', roles: ['staff'], team });
  const assessor = await signLocalToken(config, { sub: 'asr-simulator', roles: ['assessor'], team });
  const lead = await signLocalToken(config, { sub: 'lead-simulator', roles: ['lead'], team });
  const start = DateTime.fromJSDate(now, { zone }).minus({ days }).startOf('day');

  const devices: { dispenserId: string; citizenId: string; credential: string; events: SimEvent[] }[] = [];
  const expected = { taken_on_time: 0, taken_late: 0, missed: 0, no_data: 0 };
  let faults = 0;
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    Math.min(4, options.concurrency ?? 4),
    async (i) => {
      const times = PLANS[i % PLANS.length] ?? ['08:00'];
      const citizen = await expectOk(
        'POST /citizens',
        request(apiUrl, 'POST', '/citizens', assessor, {
          nationalId: nationalId(rand),
          name: { given: 'Simulated', family: `Borger ${i + 1}` },
        }),
      );
      await expectOk(
        'PUT dose-plan',
        request(apiUrl, 'PUT', `/citizens/${citizen.citizenId}/dose-plan`, staff, {
          times,
          validFrom: start.toISODate(),
        }),
      );
      const registered = await expectOk(
        'POST /dispensers',
        request(apiUrl, 'POST', '/dispensers', staff, {
          vendor: i % 3 === 2 ? 'Medido' : 'Evondos',
          model: i % 3 === 2 ? 'Medido 2' : 'E300',
          serial: `SIM-${Date.now().toString(36)}-${i}-${Math.floor(rand() * 1e9)}`,
        }),
      );
      const dispenserId = registered.dispenser.dispenserId as string;
      const trial = i % 5 === 4;
      // A dispenser belongs to the grant: assess, grant the medication handling, propose it by
      // dispenser, and (for an active one) approve. The plan set above keeps the days before.
      const conversionId = await proposeMedicationTechnology(
        apiUrl,
        assessor,
        staff,
        citizen.citizenId as string,
        times,
        start.toISODate() ?? '',
      );
      if (!trial)
        await expectOk('POST approve', request(apiUrl, 'POST', `/conversions/${conversionId}/approve`, lead, {}));
      await expectOk(
        'PUT assignment',
        request(apiUrl, 'PUT', `/dispensers/${dispenserId}/assignment`, staff, {
          citizenId: citizen.citizenId,
          status: trial ? 'trial' : 'active',
          ...(trial
            ? {
                trialEndsOn: DateTime.fromJSDate(now, { zone })
                  .plus({ days: 5 + (i % 20) })
                  .toISODate(),
              }
            : {}),
          from: start.toUTC().toISO(),
        }),
      );
      const day = deviceDays(rand, `sim-${dispenserId.slice(-10)}`, times, start, days + 1, now);
      for (const k of Object.keys(expected) as (keyof typeof expected)[]) expected[k] += day.expected[k];
      faults += day.faults;
      devices.push({
        dispenserId,
        citizenId: citizen.citizenId,
        credential: registered.credential,
        events: day.events,
      });
    },
  );
  log(`registered ${devices.length} dispensers with citizens and dose plans (since ${start.toISODate()})`);

  // The untidy network: some events repeated in a later batch, batches shuffled, some batches retried.
  type Post = { device: (typeof devices)[number]; events: SimEvent[]; retry: boolean };
  const posts: Post[] = [];
  let repeatedEvents = 0;
  for (const device of devices) {
    const batches: SimEvent[][] = [];
    for (let i = 0; i < device.events.length; i += batchSize) batches.push(device.events.slice(i, i + batchSize));
    for (let i = 1; i < batches.length; i++) {
      const previous = batches[i - 1] ?? [];
      const batch = batches[i] ?? [];
      if (rand() < 0.1 && previous.length && batch.length < batchSize) {
        batch.push(previous[Math.floor(rand() * previous.length)] as SimEvent);
        repeatedEvents++;
      }
    }
    for (let i = batches.length - 1; i > 0; i--) {
      if (rand() < 0.2) {
        const j = Math.max(0, i - 1 - Math.floor(rand() * 3));
        [batches[i], batches[j]] = [batches[j] as SimEvent[], batches[i] as SimEvent[]];
      }
    }
    // Every device resends its first batch once (a lost acknowledgement), and a few more at random.
    batches.forEach((events, index) =>
      posts.push({
        device,
        events: rand() < 0.5 ? [...events].reverse() : events,
        retry: index === 0 || rand() < 0.05,
      }),
    );
  }

  const totals = { batchesPosted: 0, retriedBatches: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const started = performance.now();
  // Devices post in parallel; one device posts one batch after the other, as a real one does.
  await inParallel(devices, options.concurrency ?? 8, async (device) => {
    for (const post of posts.filter((p) => p.device === device)) {
      for (let attempt = 0; attempt < (post.retry ? 2 : 1); attempt++) {
        const res = await request(apiUrl, 'POST', `/dispensers/${device.dispenserId}/events`, device.credential, {
          events: post.events,
        });
        if (res.status !== 202) throw new Error(`POST events failed with ${res.status}: ${JSON.stringify(res.body)}`);
        totals.batchesPosted++;
        if (attempt > 0) totals.retriedBatches++;
        totals.accepted += res.body.accepted;
        totals.duplicates += res.body.duplicates;
        totals.rejected += res.body.rejected.length;
      }
    }
  });
  const elapsedMs = Math.round(performance.now() - started);
  const eventsGenerated = devices.reduce((n, d) => n + d.events.length, 0);
  return {
    dispensers: devices.map(({ dispenserId, citizenId }) => ({ dispenserId, citizenId })),
    eventsGenerated,
    ...totals,
    repeatedEvents,
    expected,
    faults,
    elapsedMs,
    eventsPerSecond: Math.round(((totals.accepted + totals.duplicates) / Math.max(1, elapsedMs)) * 1000),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '5' },
      days: { type: 'string', default: '3' },
      batch: { type: 'string', default: '25' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string' },
      'api-url': { type: 'string' },
    },
  });
  const count = Number(values.count);
  const days = Number(values.days);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(days) || days < 1 || days > 89) {
    console.error(
      'usage: npm run simulate:dispensers -- --count <N ≥ 1> --days <1..89> [--batch 25] [--concurrency 8] [--seed 1] [--api-url http://localhost:3000]',
    );
    process.exit(2);
  }
  const apiUrl = values['api-url'] ?? readLocalApiInfo()?.apiUrl;
  if (!apiUrl) {
    console.error('No local API is running: start it with `npm start` (or pass --api-url).');
    process.exit(2);
  }
  const summary = await simulateDispensers({
    apiUrl,
    count,
    days,
    batchSize: Number(values.batch),
    concurrency: Number(values.concurrency),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    log: (line) => console.log(line),
  });
  console.log(`
Simulated ${summary.dispensers.length} dispensers over ${days} days against ${apiUrl}
  events generated   ${summary.eventsGenerated} (+${summary.repeatedEvents} repeated in later batches, ${summary.retriedBatches} batches retried)
  batches posted     ${summary.batchesPosted} in ${summary.elapsedMs} ms (${summary.eventsPerSecond} events/s)
  API answered       accepted ${summary.accepted}, duplicates ${summary.duplicates}, rejected ${summary.rejected}
  doses simulated    on time ${summary.expected.taken_on_time}, late ${summary.expected.taken_late}, missed ${summary.expected.missed}, device silent ${summary.expected.no_data}
  faults             ${summary.faults}
Look at one:  GET /citizens/${summary.dispensers[0]?.citizenId}/adherence?from=…&to=…   Alerts: npm run job -- detect-missed-doses, then GET /alerts`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
