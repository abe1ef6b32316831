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
}

/**
 * Least privilege, per function: what the code each function bundles calls through `Deps`
 * (test/infra/bundles.test.ts reads the bundles and fails when a function calls what it may not,
 * or may what it never calls). The consumer schedules because an approved final grant plans
 * visits, and planning a visit schedules its reminder and no-show check.
 */
export const functionAccess = {
  Public: { table: 'none', publishesEvents: false, schedules: false, meetings: false },
  Care: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false },
  Visits: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: true },
  Dispensers: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false },
  DeviceEvents: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false },
  Reports: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false },
  Admin: { table: 'readWrite', publishesEvents: false, schedules: false, meetings: false },
  JobRunner: { table: 'readWrite', publishesEvents: false, schedules: true, meetings: false },
  DomainEventConsumer: { table: 'readWrite', publishesEvents: false, schedules: true, meetings: false },
  TableStream: { table: 'readWrite', publishesEvents: true, schedules: false, meetings: false },
} as const satisfies Record<LambdaFunctionName, FunctionAccess>;
