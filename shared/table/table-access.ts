import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which partitions each Lambda may touch: the `dynamodb:LeadingKeys` patterns of its IAM grant
 * (infra/stack.ts) and, locally, of the client guard (./iam-guard.ts), so a code path that reads
 * or writes outside its function's partitions fails in the tests before it fails on AWS.
 *
 * A leading key is the partition key of the request: `pk` for item operations and table queries,
 * the index's partition key (`gsiNpk`) for index queries. Patterns use IAM's `StringLike` syntax
 * (`*` is any run of characters, `#` included), one per key family of ./keys.ts. A function that
 * needs a new family gets it here, and the tests fail until it does.
 */
export type TableFunctionName = 'Care' | 'Visits' | 'Dispensers' | 'DeviceEvents' | 'Reports' | 'Admin' | 'JobRunner' | 'DomainEventConsumer';

/** Every function that reads citizen data writes audit records: `AUDIT#*` is append-only for all (Deny statements). */
const AUDIT = 'AUDIT#*';

export const leadingKeyPatterns = {
  /** Citizens and the national-id index, questionnaires, assessments, grants, conversions, final grants. */
  Care: ['CITIZEN#*', 'TEAM#*#CITIZENS', 'TEAM#*#FINALGRANTS', 'NATIONALID#*', 'QUESTIONNAIRE', 'CONVERSION#*', AUDIT],
  /**
   * Staff availability and calendar feeds, visits and their slots, video sessions; a visit names
   * its citizen. Tablet pairing codes (`TABLETPAIRING#`); paired tablets live in `CITIZEN#`.
   */
  Visits: ['STAFF#*', 'TEAM#*#STAFF', 'TEAM#*#VISITS', 'TEAM#*#UNASSIGNED', 'VISIT#*', 'SLOT#STAFF#*', 'SLOT#CITIZEN#*', 'CITIZEN#*', 'TABLETPAIRING#*', AUDIT],
  /** Dispenser registry, assignments, dose plans, adherence and alerts. */
  Dispensers: ['DISPENSER#*', 'DISPENSERSERIAL#*', 'TEAM#*#DISPENSERS', 'TEAM#*#ALERTS#*', 'CITIZEN#*', 'ADHERENCE#*', 'ALERT#*', 'ALERTCAUSE#*', AUDIT],
  /**
   * The one route without gateway auth: the dispenser's own item (credential, assignment, plan
   * copy) and raw events, the adherence it derives and the alerts a missed dose or a fault raises.
   * No citizen profile, no team list, no staff, no visits, no national ids.
   */
  DeviceEvents: ['DISPENSER#*', 'ADHERENCE#*', 'ALERT#*', 'ALERTCAUSE#*', AUDIT],
  /**
   * Team figures for the lead's reports (with the team's reversions); the municipality roll-up
   * (every current final grant) and the municipality's savings model and targets, the only items
   * it writes besides the audit records of its reads.
   */
  Reports: ['CITIZEN#*', 'TEAM#*#FINALGRANTS', 'TEAM#*#VISITS', 'TEAM#*#DISPENSERPERIODS', 'TEAM#*#REVERSIONS', 'FINALGRANTS#CURRENT', 'MUNICIPALITY', 'ADHERENCE#*', AUDIT],
  /** The audit log, by citizen and by actor; a citizen's team (or a staff member's profile) decides who may read their trail; the staff directory. */
  Admin: [AUDIT, 'CITIZEN#*', 'STAFF#*', 'TEAM#*#STAFF'],
  /** Detection jobs, escalation, reminders and no-show checks, the visit horizon, trial-end reminders. */
  JobRunner: [
    'FINALGRANTS#CURRENT',
    'DISPENSERS#ASSIGNED',
    'DISPENSERS#TRIAL',
    'ALERTS#UNACKNOWLEDGED',
    'DISPENSER#*',
    'ADHERENCE#*',
    'ALERT#*',
    'ALERTCAUSE#*',
    'CITIZEN#*',
    'STAFF#*',
    'TEAM#*#STAFF',
    'VISIT#*',
    'SLOT#STAFF#*',
    'SLOT#CITIZEN#*',
    AUDIT,
  ],
  /** Plans visits (and starts the dispenser's plan) from an approved final grant. */
  DomainEventConsumer: ['CITIZEN#*', 'DISPENSER#*', 'STAFF#*', 'TEAM#*#STAFF', 'VISIT#*', 'SLOT#STAFF#*', 'SLOT#CITIZEN#*', AUDIT],
} as const satisfies Record<TableFunctionName, readonly string[]>;

/** IAM `StringLike`: `*` matches any characters, `?` one; everything else literally. */
export function matchesStringLike(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return regex.test(value);
}

export function allowedLeadingKey(fn: TableFunctionName, leadingKey: string): boolean {
  return leadingKeyPatterns[fn].some((pattern) => matchesStringLike(pattern, leadingKey));
}

/**
 * LOCAL ONLY: which function the current code would run in on AWS. `npm start` and the tests run
 * every part, job and consumer in one process; each entry point runs its work inside `asFunction`
 * so the local guard can hold it to that function's partitions.
 */
const currentFunctionStore = new AsyncLocalStorage<TableFunctionName>();

export function asFunction<T>(fn: TableFunctionName, work: () => T): T {
  return currentFunctionStore.run(fn, work);
}

export function currentFunction(): TableFunctionName | undefined {
  return currentFunctionStore.getStore();
}
