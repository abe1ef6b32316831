import type { WorkflowRow } from './api.ts';
import type { IngestRow } from './ingest.ts';
import type { ItemSizeStats } from './meter.ts';

/**
 * The capacity model of docs/capacity.md, computed from this run's measurements: requests,
 * read and write units per call (as DynamoDB Local reports them, indexes included) and item
 * sizes, times a daily mix of calls per scenario. The mix and the prices are ASSUMPTIONS,
 * listed here and in the doc, to be checked; everything per call is measured.
 */
export interface Prices {
  /** USD per million write request units (on-demand). */
  wru: number;
  rru: number;
  /** USD per GB-month of table storage (indexes included). */
  storageGbMonth: number;
  /** Lambda arm64: USD per GB-second and per million requests. */
  lambdaGbSecond: number;
  lambdaPerMillion: number;
  /** API Gateway HTTP API, USD per million requests. */
  apiPerMillion: number;
}

/** eu-north-1 list prices as we ASSUME them (check the AWS price list before deciding). */
export const ASSUMED_PRICES: Prices = {
  wru: 0.66,
  rru: 0.132,
  storageGbMonth: 0.27,
  lambdaGbSecond: 0.0000133334,
  lambdaPerMillion: 0.2,
  apiPerMillion: 1.1,
};

export interface Scenario {
  name: string;
  citizens: number;
  dispensers: number;
  dosesPerDay: number;
  screenVisitsPerDay: number;
  staff: number;
  /** Posts a dispenser makes a day besides its dose events: the "I am alive" heartbeat. */
  heartbeatsPerDay: number;
  /** Share of doses that end in a missed-dose alert. */
  missedShare: number;
  /** New citizens through assessment → conversion → approval a day. */
  newCitizensPerDay: number;
  /** The 07:00–09:00 peak: this share of the day's dose posts falls in the peak window of `peakHours`. */
  peakShare: number;
  peakHours: number;
  /** Share of dispensers with a dose at 08:00 sharp, whose dose_dispensed posts land in the same minute. */
  burstShare: number;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'one municipality',
    citizens: 1_000,
    dispensers: 300,
    dosesPerDay: 4,
    screenVisitsPerDay: 150,
    staff: 12,
    heartbeatsPerDay: 24,
    missedShare: 0.05,
    newCitizensPerDay: 3,
    peakShare: 0.35,
    peakHours: 2,
    burstShare: 0.5,
  },
  {
    name: 'national rollout',
    citizens: 100_000,
    dispensers: 50_000,
    dosesPerDay: 4,
    screenVisitsPerDay: 20_000,
    staff: 1_500,
    heartbeatsPerDay: 24,
    missedShare: 0.05,
    newCitizensPerDay: 150,
    peakShare: 0.35,
    peakHours: 2,
    burstShare: 0.5,
  },
];

export interface CallCost {
  requests: number;
  rru: number;
  wru: number;
  ms: number;
}

export interface ScenarioLoad {
  scenario: Scenario;
  httpCallsPerDay: number;
  jobInvocationsPerDay: number;
  dynamoRequestsPerDay: number;
  rruPerDay: number;
  wruPerDay: number;
  storageGb: number;
  lambdaGbSecondsPerMonth: number;
  /** Device posts per second in the 07:00–09:00 peak, and the writes they put on the one DISPENSERS#ASSIGNED index partition. */
  peakPostsPerSecond: number;
  peakAssignedIndexWcuPerSecond: number;
  /** Dispensers with a dose at the top of the hour release it in the same minute: posts per second in that minute, and its index writes. */
  burstPostsPerSecond: number;
  burstAssignedIndexWcuPerSecond: number;
  /** Read units one run of detect-missed-doses needs at this scale (GSI query of every assigned dispenser + its due dose records). */
  missedDoseJobRruPerRun: number;
  monthly: { dynamoRequests: number; dynamoStorage: number; lambda: number; apiGateway: number; total: number };
  /** `httpCalls`: API calls per occurrence (0 for jobs and consumers, which are not API Gateway requests). */
  lines: { what: string; perDay: number; httpCalls: number; cost: CallCost }[];
}

export interface CapacityModel {
  prices: Prices;
  loads: ScenarioLoad[];
  missing: string[];
}

const DAYS_PER_MONTH = 30.4;

/** One run of detect-missed-doses at a fleet's size: a paged Query of the assigned index and BatchGets of 100 due doses; ~5 ms a request on AWS. */
function missedDoseJob(s: Scenario, rru: number): CallCost {
  const requests = Math.ceil(s.dispensers / 1000) + Math.ceil((s.dispensers * s.dosesPerDay * 26) / 24 / 100);
  return { requests, rru, wru: 0, ms: 100 + requests * 5 };
}

/** Mean per-call figures of the workflow rows for a route (optionally one step). */
export function costOf(rows: readonly WorkflowRow[], route: string, step?: string): CallCost | undefined {
  const hits = rows.filter(
    (r) =>
      r.route === route &&
      (!step || r.step === step) &&
      typeof r.status === 'number' &&
      r.status < 400 &&
      Number.isFinite(r.requests),
  );
  if (hits.length === 0) return undefined;
  const mean = (f: (r: WorkflowRow) => number) => hits.reduce((s, r) => s + f(r), 0) / hits.length;
  return {
    requests: mean((r) => r.requests),
    rru: mean((r) => r.readUnits),
    wru: mean((r) => r.writeUnits),
    ms: mean((r) => r.ms ?? 50),
  };
}

/** Mean bytes of an entity's items as written in this run. */
export function sizeOf(sizes: readonly ItemSizeStats[], entity: string, fallback: number): number {
  return sizes.find((s) => s.entity === entity)?.meanBytes ?? fallback;
}

export function buildCapacityModel(
  input: { workflow: WorkflowRow[]; ingest: IngestRow[]; itemSizes: ItemSizeStats[] },
  prices: Prices = ASSUMED_PRICES,
): CapacityModel {
  const rows = input.workflow;
  const missing: string[] = [];
  const need = (route: string, step?: string): CallCost => {
    const cost = costOf(rows, route, step);
    if (!cost) {
      missing.push(step ? `${route} (${step})` : route);
      return { requests: 0, rru: 0, wru: 0, ms: 0 };
    }
    return cost;
  };
  const sum = (...costs: CallCost[]): CallCost =>
    costs.reduce(
      (a, c) => ({ requests: a.requests + c.requests, rru: a.rru + c.rru, wru: a.wru + c.wru, ms: a.ms + c.ms }),
      { requests: 0, rru: 0, wru: 0, ms: 0 },
    );

  const measuredPost = need('POST /dispensers/{dispenserId}/events', 'device posts 1 event');
  // Duration of a post: from the sustained single-device ingest run rather than one cold workflow call.
  const sustained = input.ingest.find((r) => r.batch === 1 && r.devices === 1);
  const devicePost =
    sustained && Number.isFinite(sustained.oursEventsPerSecond)
      ? { ...measuredPost, ms: 1000 / sustained.oursEventsPerSecond }
      : measuredPost;
  const visitLifecycle = sum(
    need('POST /visits', 'book a screen visit'),
    need('POST /visits/{visitId}/start'),
    need('POST /visits/{visitId}/join'),
    need('POST /visits/{visitId}/complete'),
    need('GET /me/visits'),
  );
  const alertHandling = sum(need('POST /alerts/{alertId}/ack'), need('POST /alerts/{alertId}/resolve'));
  const newCitizen = sum(
    need('POST /citizens'),
    need('POST /citizens/{citizenId}/assessments'),
    need('POST /citizens/{citizenId}/grants', 'grant personal care (§ 83)'),
    need('POST /citizens/{citizenId}/grants', 'grant medication handling (§ 138)'),
    need('POST /citizens/{citizenId}/conversions'),
    need('POST /conversions/{conversionId}/approve'),
    need('POST /dispensers'),
    need('PUT /dispensers/{dispenserId}/assignment'),
    need('PUT /citizens/{citizenId}/dose-plan'),
  );
  const approvalConsumer = costOf(
    rows.map((r) => ({ ...r, route: r.step })),
    'consumer FinalGrantApproved',
  ) ?? { requests: 0, rru: 0, wru: 0, ms: 0 };
  const staffReads = {
    alerts: need('GET /alerts'),
    visits: need('GET /visits'),
    citizen: need('GET /citizens/{citizenId}'),
    calendar: need('GET /staff/{staffId}/calendar.ics'),
  };
  const adherence = need('GET /citizens/{citizenId}/adherence');
  const smallJob = (name: string) =>
    costOf(
      rows.map((r) => ({ ...r, route: r.step })),
      `job ${name}`,
    ) ?? { requests: 1, rru: 0.5, wru: 0, ms: 50 };

  const dispenserBytes = sizeOf(input.itemSizes, 'Dispenser', 450) + 600; // + periods and plan copy once assigned and used
  const rawEventBytes = sizeOf(input.itemSizes, 'DeviceEvent', 300);
  const auditBytes = sizeOf(input.itemSizes, 'AuditRecord', 500);
  const visitBytes = sizeOf(input.itemSizes, 'Visit', 800) + 3 * sizeOf(input.itemSizes, 'VisitSlot', 140);

  // Every contact moves the dispenser's gsi2 sort key (DISPENSERS#ASSIGNED, projection ALL): the index
  // deletes the old entry and writes the new one, each ⌈item KB⌉ write units.
  const indexWcuPerContact = 2 * Math.ceil(dispenserBytes / 1024);
  const loads = SCENARIOS.map((s): ScenarioLoad => {
    const postsPerDay = s.dispensers * (s.dosesPerDay * 2 + s.heartbeatsPerDay);
    const alertsPerDay = s.dispensers * s.dosesPerDay * s.missedShare;
    // detect-missed-doses reads the whole assigned index (eventually consistent: 0.5 RRU per 4 KB) and,
    // strongly consistent, the dose record of every dose in its 24 h (+ grace) lookback.
    const missedDoseJobRruPerRun =
      Math.ceil((s.dispensers * dispenserBytes) / 4096) * 0.5 + s.dispensers * s.dosesPerDay * (26 / 24);
    const jobRuns = 288; // every 5 minutes
    const lines: ScenarioLoad['lines'] = [
      {
        what: 'device posts (dose events + heartbeats, 1 event each)',
        perDay: postsPerDay,
        httpCalls: 1,
        cost: devicePost,
      },
      {
        what: 'screen visit: book, start, join, complete, citizen list',
        perDay: s.screenVisitsPerDay,
        httpCalls: 5,
        cost: visitLifecycle,
      },
      { what: 'alert: acknowledge and resolve', perDay: alertsPerDay, httpCalls: 2, cost: alertHandling },
      {
        what: 'staff: alert list (every 15 min of an 8 h shift)',
        perDay: s.staff * 32,
        httpCalls: 1,
        cost: staffReads.alerts,
      },
      { what: 'staff: own visit list (10 a day)', perDay: s.staff * 10, httpCalls: 1, cost: staffReads.visits },
      { what: 'staff: citizen look-ups (10 a day)', perDay: s.staff * 10, httpCalls: 1, cost: staffReads.citizen },
      { what: 'staff: calendar feed (hourly sync)', perDay: s.staff * 24, httpCalls: 1, cost: staffReads.calendar },
      {
        what: 'adherence reads (each dispenser citizen weekly)',
        perDay: s.dispensers / 7,
        httpCalls: 1,
        cost: adherence,
      },
      {
        what: 'new citizen: register → assess → grants → conversion → approve → dispenser',
        perDay: s.newCitizensPerDay,
        httpCalls: 9,
        cost: newCitizen,
      },
      {
        what: 'consumer FinalGrantApproved (visit horizon, dose plan)',
        perDay: s.newCitizensPerDay,
        httpCalls: 0,
        cost: approvalConsumer,
      },
      {
        what: 'job detect-missed-doses (every 5 min, scaled to the fleet)',
        perDay: jobRuns,
        httpCalls: 0,
        cost: missedDoseJob(s, missedDoseJobRruPerRun),
      },
      {
        what: 'jobs detect-silent-devices, escalate-alerts (every 5 min)',
        perDay: jobRuns * 2,
        httpCalls: 0,
        cost: sum(smallJob('detect-silent-devices'), smallJob('escalate-alerts')),
      },
    ];
    const per = (f: (c: CallCost) => number) => lines.reduce((a, l) => a + l.perDay * f(l.cost), 0);
    const httpCallsPerDay = lines.reduce((a, l) => a + l.perDay * l.httpCalls, 0);
    const jobInvocationsPerDay = jobRuns * 3 + s.newCitizensPerDay;
    const rruPerDay = per((c) => c.rru);
    const wruPerDay = per((c) => c.wru);
    // Storage: raw events 90 days, audit 2 years (one per call that touches citizen data: about every HTTP call), visits a year, dose records kept.
    const storageBytes =
      postsPerDay * rawEventBytes * 90 +
      httpCallsPerDay * auditBytes * 730 +
      s.screenVisitsPerDay * visitBytes * 365 +
      s.dispensers * s.dosesPerDay * 365 * 250 +
      s.citizens * 6_000;
    const storageGb = (storageBytes * 1.3) / 1024 ** 3; // +30% for the index copies of indexed items
    const lambdaGbSeconds = per((c) => c.ms / 1000) * 1.0 * DAYS_PER_MONTH; // 1 GB functions
    const peakPostsPerSecond =
      (postsPerDay * s.peakShare * (s.dosesPerDay * 2)) /
        (s.dosesPerDay * 2 + s.heartbeatsPerDay) /
        (s.peakHours * 3600) +
      (s.dispensers * s.heartbeatsPerDay) / 86_400;
    const monthly = {
      dynamoRequests: ((rruPerDay * prices.rru + wruPerDay * prices.wru) / 1e6) * DAYS_PER_MONTH,
      dynamoStorage: storageGb * prices.storageGbMonth,
      lambda:
        lambdaGbSeconds * prices.lambdaGbSecond +
        ((httpCallsPerDay + jobInvocationsPerDay) * DAYS_PER_MONTH * prices.lambdaPerMillion) / 1e6,
      apiGateway: (httpCallsPerDay * DAYS_PER_MONTH * prices.apiPerMillion) / 1e6,
      total: 0,
    };
    monthly.total = monthly.dynamoRequests + monthly.dynamoStorage + monthly.lambda + monthly.apiGateway;
    return {
      scenario: s,
      httpCallsPerDay,
      jobInvocationsPerDay,
      dynamoRequestsPerDay: per((c) => c.requests),
      rruPerDay,
      wruPerDay,
      storageGb,
      lambdaGbSecondsPerMonth: lambdaGbSeconds,
      peakPostsPerSecond,
      peakAssignedIndexWcuPerSecond: peakPostsPerSecond * indexWcuPerContact,
      burstPostsPerSecond: (s.dispensers * s.burstShare) / 60,
      burstAssignedIndexWcuPerSecond: ((s.dispensers * s.burstShare) / 60) * indexWcuPerContact,
      missedDoseJobRruPerRun,
      monthly,
      lines,
    };
  });
  return { prices, loads, missing: [...new Set(missing)] };
}
