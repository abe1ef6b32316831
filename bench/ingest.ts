import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { call } from './client.ts';
import { deviceBatch } from './device-events.ts';
import { newCallMeter, type CallMeter } from './meter.ts';
import type { BenchStack } from './stack.ts';
import { median, medianRoundRatio, ratePerSecond } from './stats.ts';
import { DOSE_TIMES, type Device } from './world.ts';

/**
 * Figure 1: device events per second through POST /dispensers/{id}/events (credential check,
 * validation, idempotency lookup, raw events, adherence records, contact time, audit) against
 * the floor: the same raw-event items written straight to the same DynamoDB Local with
 * BatchWriteItem, in batches of the same size from the same number of concurrent writers.
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
}

export const INGEST_CASES = [
  { batch: 1, devices: 1 },
  { batch: 1, devices: 16 },
  { batch: 25, devices: 1 },
  { batch: 25, devices: 16 },
] as const;

type RawItem = Record<string, unknown> & { pk: string; sk: string };

async function forWindow(lanes: number, windowMs: number, once: (lane: number, seq: number) => Promise<number>): Promise<{ count: number; ms: number }> {
  const started = performance.now();
  const deadline = started + windowMs;
  let count = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let seq = 0; performance.now() < deadline; seq++) count += await once(lane, seq);
    }),
  );
  return { count, ms: performance.now() - started };
}

let runId = 0;

async function postBatch(stack: BenchStack, device: Device, prefix: string, size: number, seq: number, meter?: CallMeter): Promise<number> {
  const events = deviceBatch({ prefix, size, now: new Date(), doseTimes: DOSE_TIMES, zone: stack.config.TIME_ZONE, seq });
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
    .filter((c) => c.command === 'BatchWriteItemCommand')
    .flatMap((c) => Object.values(c.input.RequestItems as Record<string, { PutRequest?: { Item?: RawItem } }[]>).flat())
    .flatMap((r) => (r.PutRequest?.Item ? [r.PutRequest.Item] : []))
    // The batch's audit record rides in the same BatchWriteItem; the floor is the raw events alone.
    .filter((item) => item.entity === 'DeviceEvent');
  if (items.length !== size) throw new Error(`expected ${size} raw event items in the ingest's BatchWriteItem, found ${items.length}`);
  return items;
}

async function floorWrite(stack: BenchStack, template: readonly RawItem[], prefix: string): Promise<number> {
  let requests = template.map((item, i) => {
    const eventId = `${prefix}-${i}`;
    return { PutRequest: { Item: { ...item, sk: eventId, eventId } } };
  });
  // Retries of unprocessed items belong to the floor too: the ingest does the same.
  while (requests.length) {
    const result = await stack.floorDb.send(new BatchWriteCommand({ RequestItems: { [stack.config.TABLE_NAME]: requests } }));
    requests = (result.UnprocessedItems?.[stack.config.TABLE_NAME] ?? []) as typeof requests;
  }
  return template.length;
}

export async function measureIngest(stack: BenchStack, devices: readonly Device[], options: { windowMs: number; rounds: number }): Promise<IngestRow[]> {
  const rows: IngestRow[] = [];
  for (const c of INGEST_CASES) {
    const lanes = devices.slice(0, c.devices);
    if (lanes.length < c.devices) throw new Error(`need ${c.devices} devices, have ${devices.length}`);
    const template = await capturedRawItems(stack, lanes[0] as Device, c.batch);
    const tag = `b${c.batch}d${c.devices}r${++runId}`;
    // Warm-up: connections, JIT and DynamoDB Local's first writes to these partitions.
    await forWindow(c.devices, 600, (lane, seq) => postBatch(stack, lanes[lane] as Device, `${tag}w${lane}-${seq}`, c.batch, seq));
    await forWindow(c.devices, 600, (lane, seq) => floorWrite(stack, template, `${tag}fw${lane}-${seq}`));

    const meter = newCallMeter(`ingest batch ${c.batch}`);
    const rounds: { ours: number; floor: number }[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const floor = await forWindow(c.devices, options.windowMs, (lane, seq) => floorWrite(stack, template, `${tag}f${r}-${lane}-${seq}`));
      const ours = await forWindow(c.devices, options.windowMs, (lane, seq) => postBatch(stack, lanes[lane] as Device, `${tag}o${r}-${lane}-${seq}`, c.batch, seq, meter));
      rounds.push({ ours: ratePerSecond(ours.count, ours.ms), floor: ratePerSecond(floor.count, floor.ms) });
    }
    const posts = Math.max(1, meter.calls);
    rows.push({
      batch: c.batch,
      devices: c.devices,
      oursEventsPerSecond: median(rounds.map((r) => r.ours)),
      floorEventsPerSecond: median(rounds.map((r) => r.floor)),
      ratio: medianRoundRatio(rounds),
      rounds,
      requestsPerPost: meter.requests / posts,
      commandsPerPost: Object.fromEntries(Object.entries(meter.commands).map(([k, v]) => [k, v / posts])),
      posts: meter.calls,
    });
  }
  return rows;
}
