import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { alertKeys, dispenserKeys } from '#shared/table/keys.ts';
import { call } from './client.ts';
import { deviceBatch, doseInstants } from './device-events.ts';
import { newCallMeter, type CallMeter } from './meter.ts';
import type { BenchStack } from './stack.ts';
import { median, medianRoundRatio, percentile, ratePerSecond } from './stats.ts';
import { DOSE_TIMES, type Device } from './world.ts';

/**
 * Figure 1: device events per second through POST /dispensers/{id}/events (credential check,
 * validation, idempotency lookup, the raw events; adherence, alerts, contact time and audit are
 * derived from the table's stream by the local stream poller, running meanwhile on the same
 * cores) against the floor: the same raw-event items written straight to the same DynamoDB
 * Local — one PutItem for a single event, BatchWriteItem for a batch — in batches of the same
 * size from the same number of concurrent writers.
 * Ours and floor run in alternating rounds; the ratio is the median of the per-round ratios.
 */
export interface IngestRow {
  batch: number;
  devices: number;
  oursEventsPerSecond: number;
  floorEventsPerSecond: number;
  ratio: number;
  rounds: { ours: number; floor: number }[];
  /** DynamoDB requests per POST, by operation, averaged over every POST of the measured rounds. */
  requestsPerPost: number;
  commandsPerPost: Record<string, number>;
  posts: number;
  /**
   * `paused`: the stream's consumer (its own process, as the TableStream function on AWS) is stopped
   * during the windows, so ours and the floor are the request path alone, as on AWS where the
   * derivation runs on other machines. `running`: it derives meanwhile on the same two cores.
   */
  stream: 'paused' | 'running';
}

export const INGEST_CASES = [
  { batch: 1, devices: 1 },
  { batch: 1, devices: 16 },
  { batch: 25, devices: 1 },
  { batch: 25, devices: 16 },
] as const;

type RawItem = Record<string, unknown> & { pk: string; sk: string };

/** `lanes` loops calling `once` until `windowMs` has passed; `count` is the sum of what the calls returned (events written). */
export async function forWindow(
  lanes: number,
  windowMs: number,
  once: (lane: number, seq: number) => Promise<number>,
): Promise<{ count: number; ms: number }> {
  const started = performance.now();
  const deadline = started + windowMs;
  let count = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let seq = 0; performance.now() < deadline; seq++) {
        // Not `count += await once(…)`: that reads `count` before the await, and the lanes' sums overwrite each other.
        const written = await once(lane, seq);
        count += written;
      }
    }),
  );
  return { count, ms: performance.now() - started };
}

let runId = 0;

export async function postBatch(
  stack: BenchStack,
  device: Device,
  prefix: string,
  size: number,
  seq: number,
  meter?: CallMeter,
): Promise<number> {
  const events = deviceBatch({
    prefix,
    size,
    now: new Date(),
    doseTimes: DOSE_TIMES,
    zone: stack.config.TIME_ZONE,
    seq,
  });
  const res = await call(stack, 'POST', '/dispensers/{dispenserId}/events', {
    headers: { authorization: `Bearer ${device.credential}` },
    params: { dispenserId: device.dispenserId },
    body: { events },
    ...(meter ? { meter } : {}),
  });
  if (res.status !== 202 || res.body?.accepted !== size) {
    throw new Error(`ingest of ${size} new event(s) answered ${res.status}: ${JSON.stringify(res.body).slice(0, 400)}`);
  }
  return size;
}

/** The raw-event items one POST of `size` events wrote, captured from its BatchWriteItem calls. */
async function capturedRawItems(stack: BenchStack, device: Device, size: number): Promise<RawItem[]> {
  const meter = newCallMeter('capture');
  stack.meter.recordInputs = true;
  try {
    await postBatch(stack, device, `cap${++runId}`, size, 0, meter);
  } finally {
    stack.meter.recordInputs = false;
  }
  const items = meter.inputs
    .filter((c) => c.command === 'BatchWriteItemCommand' || c.command === 'PutItemCommand')
    .flatMap((c) =>
      c.command === 'PutItemCommand'
        ? [{ PutRequest: { Item: c.input.Item as RawItem } }]
        : Object.values(c.input.RequestItems as Record<string, { PutRequest?: { Item?: RawItem } }[]>).flat(),
    )
    .flatMap((r) => (r.PutRequest?.Item ? [r.PutRequest.Item] : []))
    // The batch's audit record rides in the same BatchWriteItem; the floor is the raw events alone.
    .filter((item) => item.entity === 'DeviceEvent');
  if (items.length !== size)
    throw new Error(`expected ${size} raw event items in the ingest's BatchWriteItem, found ${items.length}`);
  return items;
}

/**
 * One floor write: the captured items with new ids, and — as a post of their own would have — their
 * own request id and receipt time, so the stream derives from the floor's events exactly what it
 * derives from ours (an audit record per post, the contact time moving forward). With the
 * captured request id kept, every floor write would be the same post, whose audit record exists
 * already, and the derivation running meanwhile would do less work during the floor's windows.
 */
function floorItem(item: RawItem, prefix: string, i: number): RawItem {
  const eventId = `${prefix}-${i}`;
  return { ...item, sk: eventId, eventId, requestId: `req-${prefix}`, receivedAt: new Date().toISOString() };
}

async function floorWrite(stack: BenchStack, template: readonly RawItem[], prefix: string): Promise<number> {
  if (template.length === 1 && template[0]) {
    // A device that posts event by event: the floor is one PutItem of its event.
    await stack.floorDb.send(
      new PutCommand({ TableName: stack.config.TABLE_NAME, Item: floorItem(template[0], prefix, 0) }),
    );
    return 1;
  }
  let requests = template.map((item, i) => ({ PutRequest: { Item: floorItem(item, prefix, i) } }));
  // Retries of unprocessed items belong to the floor too: the ingest does the same.
  while (requests.length) {
    const result = await stack.floorDb.send(
      new BatchWriteCommand({ RequestItems: { [stack.config.TABLE_NAME]: requests } }),
    );
    requests = (result.UnprocessedItems?.[stack.config.TABLE_NAME] ?? []) as typeof requests;
  }
  return template.length;
}

export async function measureIngest(
  stack: BenchStack,
  devices: readonly Device[],
  options: { windowMs: number; rounds: number; stream: IngestRow['stream'] },
): Promise<IngestRow[]> {
  if (options.stream === 'paused') stack.pauseStream();
  try {
    const rows: IngestRow[] = [];
    for (const c of INGEST_CASES) rows.push(await measureCase(stack, devices, c, options));
    return rows;
  } finally {
    stack.resumeStream();
  }
}

async function measureCase(
  stack: BenchStack,
  devices: readonly Device[],
  c: (typeof INGEST_CASES)[number],
  options: { windowMs: number; rounds: number; stream: IngestRow['stream'] },
): Promise<IngestRow> {
  {
    const lanes = devices.slice(0, c.devices);
    if (lanes.length < c.devices) throw new Error(`need ${c.devices} devices, have ${devices.length}`);
    const template = await capturedRawItems(stack, lanes[0] as Device, c.batch);
    const tag = `b${c.batch}d${c.devices}r${++runId}`;
    // Warm-up: connections, JIT and DynamoDB Local's first writes to these partitions.
    await forWindow(c.devices, 600, (lane, seq) =>
      postBatch(stack, lanes[lane] as Device, `${tag}w${lane}-${seq}`, c.batch, seq),
    );
    await forWindow(c.devices, 600, (lane, seq) => floorWrite(stack, template, `${tag}fw${lane}-${seq}`));

    const meter = newCallMeter(`ingest batch ${c.batch}`);
    const rounds: { ours: number; floor: number }[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const floor = await forWindow(c.devices, options.windowMs, (lane, seq) =>
        floorWrite(stack, template, `${tag}f${r}-${lane}-${seq}`),
      );
      const ours = await forWindow(c.devices, options.windowMs, (lane, seq) =>
        postBatch(stack, lanes[lane] as Device, `${tag}o${r}-${lane}-${seq}`, c.batch, seq, meter),
      );
      rounds.push({ ours: ratePerSecond(ours.count, ours.ms), floor: ratePerSecond(floor.count, floor.ms) });
    }
    const posts = Math.max(1, meter.calls);
    return {
      stream: options.stream,
      batch: c.batch,
      devices: c.devices,
      oursEventsPerSecond: median(rounds.map((r) => r.ours)),
      floorEventsPerSecond: median(rounds.map((r) => r.floor)),
      ratio: medianRoundRatio(rounds),
      rounds,
      requestsPerPost: meter.requests / posts,
      commandsPerPost: Object.fromEntries(Object.entries(meter.commands).map(([k, v]) => [k, v / posts])),
      posts: meter.calls,
    };
  }
}

/**
 * How long after the 202 the derived state is there, as a distribution: a device posts a
 * `dose_taken` (then the dose record's take is readable: adherence) or a `jammed` fault (then
 * the alert's cause exists), and the time until a consistent GetItem sees it is measured.
 */
export interface DerivedLatency {
  kind: 'adherence' | 'alert';
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  within2s: number;
  /** Every sample, in the order measured (ms). */
  samples: number[];
}

/**
 * One sample: a device posts a `dose_taken` (adherence) or a `jammed` fault (alert); the time from
 * the 202 until a consistent GetItem sees its derived state. A fault's alert is then resolved, as
 * staff would, so the next fault sample begins a new episode.
 */
async function derivedAfter(
  stack: BenchStack,
  device: Device,
  kind: 'adherence' | 'alert',
  i: number,
  timeoutMs: number,
): Promise<number> {
  const now = new Date();
  const occurredAt = new Date(now.getTime() - 60_000 - i * 1000).toISOString();
  const eventId = `lat${++runId}-${i}`;
  const planned = doseInstants(
    DOSE_TIMES,
    stack.config.TIME_ZONE,
    new Date(now.getTime() - 11 * 3_600_000),
    new Date(now.getTime() - 6 * 60_000),
  ).at(-1);
  // Each take has its own time, so its arrival in the dose record's set is visible even when the dose was taken before.
  const event =
    kind === 'adherence'
      ? { eventId, type: 'dose_taken', occurredAt, ...(planned ? { scheduledFor: planned } : {}) }
      : { eventId, type: 'jammed', occurredAt };
  const res = await call(stack, 'POST', '/dispensers/{dispenserId}/events', {
    headers: { authorization: `Bearer ${device.credential}` },
    params: { dispenserId: device.dispenserId },
    body: { events: [event] },
  });
  const acceptedAt = performance.now();
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
  const key = kind === 'adherence' ? undefined : alertKeys.cause(`device_fault#${device.dispenserId}#jammed`);
  for (;;) {
    let seen: boolean;
    if (kind === 'adherence') {
      const raw = await stack.floorDb.send(
        new GetCommand({
          TableName: stack.config.TABLE_NAME,
          Key: dispenserKeys.rawEvent(device.dispenserId, eventId),
          ConsistentRead: true,
        }),
      );
      const doseAt = raw.Item?.doseAt as string | undefined;
      if (!doseAt) throw new Error('the take was not matched to a planned dose');
      const record = await stack.floorDb.send(
        new GetCommand({
          TableName: stack.config.TABLE_NAME,
          Key: dispenserKeys.dose(device.citizenId, doseAt),
          ConsistentRead: true,
        }),
      );
      seen = (record.Item?.takenAts as Set<string> | undefined)?.has(occurredAt) === true;
    } else {
      const cause = await stack.floorDb.send(
        new GetCommand({ TableName: stack.config.TABLE_NAME, Key: key, ConsistentRead: true }),
      );
      seen = cause.Item !== undefined;
    }
    if (seen) break;
    if (performance.now() - acceptedAt > timeoutMs)
      throw new Error(`derived ${kind} not seen within ${timeoutMs} ms of the 202`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - acceptedAt;
  if (kind === 'alert') {
    // A new episode for the next sample: resolve the fault alert as staff would.
    const cause = await stack.floorDb.send(
      new GetCommand({ TableName: stack.config.TABLE_NAME, Key: key, ConsistentRead: true }),
    );
    const { resolveAlertByDedupKey } = await import('#shared/alerts/alerts.ts');
    if (cause.Item)
      await resolveAlertByDedupKey(stack.deps, `device_fault#${device.dispenserId}#jammed`, 'bench', 'bench');
  }
  return ms;
}

/**
 * The stream has caught up when an event posted now is derived: records of a shard are delivered
 * in order. (An empty GetRecords page does not say so: DynamoDB Local returns empty pages while
 * records of a burst are still ahead.) Answers how long that took; the sample is not a latency figure.
 */
export async function streamCaughtUp(stack: BenchStack, device: Device): Promise<number> {
  return derivedAfter(stack, device, 'adherence', 0, 15 * 60_000);
}

export async function measureDerivedLatency(
  stack: BenchStack,
  device: Device,
  samples: number,
): Promise<DerivedLatency[]> {
  const out: Record<'adherence' | 'alert', number[]> = { adherence: [], alert: [] };
  for (let i = 0; i < samples; i++) {
    const kind = i % 2 === 0 ? 'adherence' : 'alert';
    out[kind].push(await derivedAfter(stack, device, kind, i, 10_000));
  }
  return (['adherence', 'alert'] as const).map((kind) => {
    const xs = out[kind];
    return {
      kind,
      n: xs.length,
      p50: percentile(xs, 50),
      p90: percentile(xs, 90),
      p99: percentile(xs, 99),
      max: Math.max(...xs),
      within2s: xs.filter((x) => x <= 2000).length / Math.max(1, xs.length),
      samples: xs.map((x) => Math.round(x)),
    };
  });
}
