import { call, type CallOptions } from './client.ts';
import { newCallMeter } from './meter.ts';
import { groupIntoWaves, isReplayableRead, replay } from './replay.ts';
import type { BenchStack } from './stack.ts';
import { ratio, summarize, type LatencySummary } from './stats.ts';

/**
 * Figure 2: latency of a read route over real HTTP against its floor, the same DynamoDB Query
 * calls sent directly (captured from one call of the route, replayed in the route's own
 * parallel waves). Requests run one at a time, ours and floor alternating, so both see the
 * same machine.
 */
export interface ReadRow {
  name: string;
  route: string;
  items: number;
  ours: LatencySummary;
  floor: LatencySummary;
  ratioP50: number;
  ratioP99: number;
  /** Every DynamoDB operation one call of the route makes, and the ones in the floor. */
  routeCommands: Record<string, number>;
  floorCommands: Record<string, number>;
}

export async function measureRead(
  stack: BenchStack,
  spec: {
    name: string;
    route: string;
    template: string;
    options: CallOptions;
    items: (body: unknown) => number;
    iterations: number;
    warmup: number;
  },
): Promise<ReadRow> {
  const get = () => call(stack, 'GET', spec.template, spec.options);
  const first = await get();
  if (first.status !== 200)
    throw new Error(`${spec.route} answered ${first.status}: ${JSON.stringify(first.body).slice(0, 400)}`);

  const meter = newCallMeter(spec.route);
  stack.meter.recordInputs = true;
  try {
    await call(stack, 'GET', spec.template, { ...spec.options, meter });
  } finally {
    stack.meter.recordInputs = false;
  }
  const queries = meter.inputs.filter((c) => isReplayableRead(c.command, ['QueryCommand']));
  if (queries.length === 0) throw new Error(`${spec.route} made no Query to replay as its floor`);
  const waves = groupIntoWaves(queries);
  const floorCommands: Record<string, number> = {};
  for (const q of queries) floorCommands[q.command] = (floorCommands[q.command] ?? 0) + 1;

  for (let i = 0; i < spec.warmup; i++) {
    await get();
    await replay(stack.floorDb, waves);
  }
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < spec.iterations; i++) {
    const res = await get();
    if (res.status !== 200) throw new Error(`${spec.route} answered ${res.status} during the run`);
    ours.push(res.ms);
    floor.push(await replay(stack.floorDb, waves));
  }
  const o = summarize(ours);
  const f = summarize(floor);
  return {
    name: spec.name,
    route: spec.route,
    items: spec.items(first.body),
    ours: o,
    floor: f,
    ratioP50: ratio(o.p50, f.p50),
    ratioP99: ratio(o.p99, f.p99),
    routeCommands: meter.commands,
    floorCommands,
  };
}
