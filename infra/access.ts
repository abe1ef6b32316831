import type { LambdaFunctionName } from './bundling.ts';

export interface FunctionAccess {
  /** Every part that reads citizen data also writes audit records, so reading implies writing. */
  readonly table: 'none' | 'readWrite';
  /** `deps.events.publish`: PutEvents on the bus (only the table-stream function: everything else writes to the outbox). */
  readonly publishesEvents: boolean;
  /** `deps.scheduler`: one-time schedules (visit reminders, no-show checks) in the stack's group. */
  readonly schedules: boolean;
  /** `deps.meetings`: Chime SDK meetings, in the Chime control region. */
  readonly meetings: boolean;
  /**
   * Reads the application secret at run time (APP_SECRET_ARN, infra/app-secret.ts): it hashes
   * national ids (the pepper), answers paged lists (the cursor key signs cursors) or accepts
   * paired tablets' tokens (the tablet token key; only the visits function serves tablet routes).
   */
  readonly appSecret: boolean;
}

/**
 * Least privilege, per function: what the code each function bundles calls through `Deps`
 * (test/infra/bundles.test.ts reads the bundles and fails when a function calls what it may not,
 * or may what it never calls). The consumer schedules because an approved final grant plans
 * visits, and planning a visit schedules its reminder and no-show check.
 */
export const functionAccess = {
  Public: { table: 'none', publishesEvents: false, schedules: false, meetings: false, appSecret: false },
  Care: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false, appSecret: true },
  Visits: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: true, appSecret: true },
  Dispensers: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false, appSecret: true },
  DeviceEvents: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false, appSecret: false },
  Reports: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false, appSecret: false },
  Admin: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false, appSecret: true },
  JobRunner: { table: 'readWrite', publishesEvents: false, schedules: true, meetings: false, appSecret: false },
  DomainEventConsumer: {
    table: 'readWrite',
    publishesEvents: false,
    schedules: true,
    meetings: false,
    appSecret: false,
  },
  TableStream: { table: 'readWrite', publishesEvents: true, schedules: false, meetings: false, appSecret: false },
} as const satisfies Record<LambdaFunctionName, FunctionAccess>;

/**
 * Reserved concurrency per function: a ceiling for what a caller can flood and a share nobody
 * else can take. The job runner's 10 cannot be starved by a flood on the device route, whose 50
 * are its cap (at ~50 ms a batch, ~1,000 batches/s: far above the stage's device throttle). The
 * sum (145) plus the 100 Lambda keeps unreserved must fit the account's concurrency quota (new
 * accounts may start at 10: ask for the default 1,000 before the first deploy).
 */
export const reservedConcurrency = {
  Public: 5,
  Care: 20,
  Visits: 20,
  Dispensers: 20,
  DeviceEvents: 50,
  Reports: 5,
  Admin: 5,
  JobRunner: 10,
  DomainEventConsumer: 10,
  // One invocation per stream shard at a time (parallelization factor 1): a small table has a few shards.
  TableStream: 10,
} as const satisfies Record<LambdaFunctionName, number>;

/**
 * The notifier (infra/notifications.ts), outside the bundling manifest: 5 covers a burst of alerts
 * with their escalation steps and reminders (each run is a few sends), and holds it to a share a
 * storm of device faults cannot grow beyond. Counted in the account sum with the others.
 */
export const NOTIFIER_RESERVED_CONCURRENCY = 5;
