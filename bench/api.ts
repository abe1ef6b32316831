import { call, type BenchResponse, type CallOptions, type Json } from './client.ts';
import { newCallMeter, type CallMeter } from './meter.ts';
import type { BenchStack } from './stack.ts';

/**
 * The API as the benchmark sees it: which operations the app serves (from its own OpenAPI
 * document, so a route another engineer has not mounted yet is reported as missing instead of
 * failing the run), and the scripted workflow's recorder: one row per call, with the DynamoDB
 * requests it made.
 */
export class RouteMissing extends Error {
  constructor(readonly route: string) {
    super(`not measured: ${route} missing`);
  }
}

export interface WorkflowRow {
  step: string;
  route: string;
  status: number | 'missing' | 'skipped' | 'error';
  calls: number;
  requests: number;
  commands: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  capacityReported: boolean;
  /** Round-trip milliseconds of the call over loopback HTTP (routes only). */
  ms?: number;
  /** Why a row has no figure, or what it is (a job, a consumer, a documented batch operation). */
  note?: string;
  kind: 'route' | 'job' | 'consumer';
  batch?: boolean;
}

export interface OpenApiOperation {
  method: string;
  path: string;
}

export async function servedOperations(stack: BenchStack): Promise<OpenApiOperation[]> {
  const res = await call(stack, 'GET', '/openapi.json');
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  const paths = (res.body as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  return Object.entries(paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path })),
  );
}

export class Workflow {
  readonly rows: WorkflowRow[] = [];
  private readonly served: Set<string>;

  constructor(
    private readonly stack: BenchStack,
    operations: OpenApiOperation[],
  ) {
    this.served = new Set(operations.map((o) => `${o.method} ${o.path}`));
  }

  has(method: string, template: string): boolean {
    return this.served.has(`${method} ${template}`);
  }

  /** Throws RouteMissing when the app does not serve the route (yet). */
  require(method: string, template: string): void {
    if (!this.has(method, template)) throw new RouteMissing(`${method} ${template}`);
  }

  /**
   * One metered call. A missing route or an unexpected status is recorded as the row's result
   * and thrown, so the steps that need its answer are skipped, not faked.
   */
  async step<T = Json>(
    step: string,
    method: string,
    template: string,
    expect: number | number[],
    options: CallOptions = {},
  ): Promise<BenchResponse<T>> {
    const route = `${method} ${template}`;
    if (!this.has(method, template)) {
      this.rows.push(emptyRow(step, route, 'missing', `not measured: ${route} missing`));
      throw new RouteMissing(route);
    }
    const meter = newCallMeter(route);
    this.stack.meter.capacity = true;
    let res: BenchResponse<T>;
    try {
      res = await call<T>(this.stack, method, template, { ...options, meter });
    } finally {
      this.stack.meter.capacity = false;
    }
    // What the call committed is delivered before the next step, as the stream Lambda would moments later (metered as consumers).
    await this.stack.deps.drainOutbox();
    const ok = Array.isArray(expect) ? expect.includes(res.status) : res.status === expect;
    this.rows.push({
      ...rowOf(step, route, 'route', meter),
      status: res.status,
      ms: res.ms,
      ...(ok ? {} : { note: `expected ${String(expect)}: ${JSON.stringify(res.body).slice(0, 300)}` }),
    });
    if (!ok)
      throw new Error(
        `${route} answered ${res.status}, expected ${String(expect)}: ${JSON.stringify(res.body).slice(0, 600)}`,
      );
    return res;
  }

  /** A job run as its Lambda would run it (one invocation), metered like a route. */
  async job(name: string): Promise<unknown> {
    const meter = newCallMeter(`job ${name}`);
    this.stack.meter.capacity = true;
    try {
      const result = await this.stack.runJob(name, meter);
      await this.stack.deps.drainOutbox();
      this.rows.push({ ...rowOf(`job ${name}`, `job ${name}`, 'job', meter), status: 200 });
      return result;
    } catch (error) {
      this.rows.push({
        ...rowOf(`job ${name}`, `job ${name}`, 'job', meter),
        status: 'error',
        note: (error as Error).message.slice(0, 300),
      });
      return undefined;
    } finally {
      this.stack.meter.capacity = false;
    }
  }

  /** Records a step that could not run because an earlier one it needs failed or was missing. */
  skipped(step: string, route: string, why: string): void {
    this.rows.push(
      emptyRow(step, route, this.has(...(route.split(' ', 2) as [string, string])) ? 'skipped' : 'missing', why),
    );
  }

  /** Rows for the consumers that ran during the workflow (per consumed event, averaged). */
  consumerRows(meters: Iterable<CallMeter>): WorkflowRow[] {
    return [...meters].map((m) => ({
      ...rowOf(m.label, m.label, 'consumer', m),
      status: 200,
      note: `${m.calls} event(s); figures per event`,
    }));
  }
}

function emptyRow(step: string, route: string, status: WorkflowRow['status'], note: string): WorkflowRow {
  return {
    step,
    route,
    status,
    calls: 0,
    requests: Number.NaN,
    commands: {},
    readUnits: Number.NaN,
    writeUnits: Number.NaN,
    capacityReported: false,
    note,
    kind: 'route',
  };
}

/** Per-call figures of a meter (a consumer meter may cover several events). */
function rowOf(step: string, route: string, kind: WorkflowRow['kind'], m: CallMeter): WorkflowRow {
  const per = Math.max(1, m.calls);
  return {
    step,
    route,
    status: 200,
    calls: m.calls,
    requests: m.requests / per,
    commands: Object.fromEntries(Object.entries(m.commands).map(([k, v]) => [k, v / per])),
    readUnits: m.readUnits / per,
    writeUnits: m.writeUnits / per,
    capacityReported: m.capacityReported && m.requests > 0,
    kind,
  };
}
