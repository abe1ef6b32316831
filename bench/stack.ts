import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { signLocalToken } from '#shared/http/auth.ts';
import { createLocalApp } from '#shared/app/local-app.ts';
import { runJob } from '#shared/app/job-registry.ts';
import type { Role } from '#shared/platform/actor.ts';
import type { Clock } from '#shared/platform/clock.ts';
import { loadConfig, type Config } from '#shared/platform/config.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { createLocalDeps, type LocalDeps } from '#shared/app/local-deps.ts';
import { createDocumentClient } from '#shared/table/client.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { freePort, startDynamoDbLocal } from '../scripts/dynamodb-local.ts';
import { DynamoMeter, newCallMeter, type CallMeter } from './meter.ts';

/**
 * The local stack the benchmark drives, built exactly like `npm start` (scripts/start-local.ts):
 * one DynamoDB Local, the local deps, the whole app, served by @hono/node-server on a free
 * loopback port. The app's document client carries the DynamoDB meter; a request that names a
 * meter in `x-bench-call` has its DynamoDB requests counted there. Domain-event consumers run
 * under their own meter (on AWS they are another Lambda), and so do jobs run with `runJob`.
 */
/**
 * The system clock, or the system clock moved back by `offsetMs`: the adherence read needs a
 * dispenser that was assigned a month ago, and an assignment is stamped with "now".
 */
export class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  async at<T>(offsetMs: number, work: () => Promise<T>): Promise<T> {
    this.offsetMs = offsetMs;
    try {
      return await work();
    } finally {
      this.offsetMs = 0;
    }
  }
}

export interface BenchStack {
  config: Config;
  clock: ShiftedClock;
  deps: LocalDeps;
  baseUrl: string;
  meter: DynamoMeter;
  /** A second client on the same DynamoDB Local, unmetered: the floors write and read through it. */
  floorDb: DynamoDBDocumentClient;
  consumerMeters: Map<string, CallMeter>;
  token(roles: Role | Role[], sub: string, team?: string): Promise<string>;
  /** Registers a meter for one request and returns the header value that selects it. */
  meterHeader(meter: CallMeter): string;
  runJob(name: string, meter?: CallMeter): Promise<unknown>;
  /**
   * From now on the table's stream is consumed by a process of its own (bench/stream-process.ts), as
   * the TableStream function is on AWS, instead of by this process's poller. Consumers' requests are
   * then no longer metered here (the workflow figure runs before).
   */
  streamInOwnProcess(): Promise<void>;
  /** Stops the stream's own process (SIGSTOP) until `resumeStream`: what is committed meanwhile waits in the stream. */
  pauseStream(): void;
  resumeStream(): void;
  /** Delivers everything committed so far through the stream, wherever it is consumed. */
  drainStream(): Promise<void>;
  stop(): Promise<void>;
}

export const BENCH_CALL_HEADER = 'x-bench-call';

export async function startBenchStack(): Promise<BenchStack> {
  const ddb = await startDynamoDbLocal({ dataDir: 'memory' });
  const config = loadConfig({
    ...process.env,
    STAGE: 'local',
    AUTH_MODE: 'local',
    DYNAMODB_ENDPOINT: ddb.endpoint,
    TABLE_NAME: 'bench',
  });
  const clock = new ShiftedClock();
  const deps = await createLocalDeps(config, { clock });
  const meter = new DynamoMeter();
  meter.attach(deps.table.db);

  const consumerMeters = new Map<string, CallMeter>();
  const bus = deps.events;
  const publish = bus.publish.bind(bus);
  // One meter per consumed event type: on AWS the consumer is its own Lambda invocation.
  bus.publish = async (events: readonly DomainEvent[]) => {
    for (const event of events) {
      const label = `consumer ${event.type}`;
      const m = consumerMeters.get(label) ?? newCallMeter(label);
      consumerMeters.set(label, m);
      m.calls += 1;
      await meter.within(m, () => publish([event]));
    }
  };
  // The published list is for tests; a benchmark publishing hundreds of thousands would only grow it.
  const trimPublished = setInterval(() => bus.published.splice(0, bus.published.length), 1000);
  trimPublished.unref();

  // The table's stream delivers outbox events and derives device data, as the stream Lambda does on AWS.
  deps.stream.startTimer(Number(process.env.STREAM_POLL_MS ?? 50));
  const app = createLocalApp(deps);
  const pending = new Map<string, CallMeter>();
  let seq = 0;
  const port = await freePort();
  const server = serve({
    port,
    hostname: '127.0.0.1',
    fetch: (req: Request, env: unknown) => {
      const id = req.headers.get(BENCH_CALL_HEADER);
      const m = id ? pending.get(id) : undefined;
      if (!m) return app.fetch(req, env);
      pending.delete(id as string);
      m.calls += 1;
      return meter.within(m, () => app.fetch(req, env));
    },
  });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const address = server.address() as AddressInfo;
  const floorDb = createDocumentClient({ region: config.AWS_REGION, endpoint: ddb.endpoint });
  let streamProcess: ChildProcess | undefined;
  let movingStream: Promise<void> | undefined;
  /** One move only: a second caller waits for the first instead of forking a second consumer. */
  async function moveStreamToOwnProcess(): Promise<void> {
    await deps.drainOutbox();
    deps.stream.stopTimer();
    // Waits for a poll in flight, so the two pollers never deliver at once.
    await deps.drainOutbox();
    streamProcess = fork(new URL('./stream-process.ts', import.meta.url), {
      env: { ...process.env, DYNAMODB_ENDPOINT: ddb.endpoint, TABLE_NAME: config.TABLE_NAME },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    await answer(streamProcess, 'ready');
  }

  return {
    config,
    clock,
    deps,
    baseUrl: `http://127.0.0.1:${address.port}`,
    meter,
    floorDb,
    consumerMeters,
    token: (roles, sub, team) =>
      signLocalToken(config, { sub, roles: Array.isArray(roles) ? roles : [roles], ...(team ? { team } : {}) }),
    meterHeader(m) {
      const id = `m${++seq}`;
      pending.set(id, m);
      return id;
    },
    async runJob(name, m) {
      if (!m) return runJob(deps, name);
      m.calls += 1;
      return meter.within(m, () => runJob(deps, name));
    },
    streamInOwnProcess() {
      movingStream ??= moveStreamToOwnProcess();
      return movingStream;
    },
    pauseStream() {
      if (!streamProcess) throw new Error('pauseStream needs the stream in its own process');
      streamProcess.kill('SIGSTOP');
    },
    resumeStream() {
      streamProcess?.kill('SIGCONT');
    },
    async drainStream() {
      if (!streamProcess) {
        while ((await deps.drainOutbox()).handled > 0);
        return;
      }
      // DynamoDB Local shows a burst's last records on its stream a little later: caught up is three
      // drains in a row, half a second apart, that find nothing.
      for (let quiet = 0; quiet < 3;) {
        const drained = answer(streamProcess, 'drained');
        streamProcess.send('drain');
        quiet = (await drained) === 0 ? quiet + 1 : 0;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    async stop() {
      streamProcess?.kill('SIGCONT');
      streamProcess?.send('stop');
      clearInterval(trimPublished);
      deps.scheduler.stopTimer();
      deps.stream.stopTimer();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      floorDb.destroy();
      deps.table.db.destroy();
      await ddb.stop();
    },
  };
}

/** The child's next answer of that kind: `ready`, or `drained` with how many records it handled. */
function answer(child: ChildProcess, expected: 'ready' | 'drained'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const drained = (message as { drained?: unknown } | null)?.drained;
      if (expected === 'ready' ? message !== 'ready' : typeof drained !== 'number') return;
      child.off('exit', onExit);
      child.off('message', onMessage);
      resolve(typeof drained === 'number' ? drained : 0);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`the stream process exited (${code}) before '${expected}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
