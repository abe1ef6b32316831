import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which partitions each Lambda may touch: the `dynamodb:LeadingKeys` patterns of its IAM grant
 * (infra/constructs/functions.ts) and, locally, of the client guard (./iam-guard.ts), so a code path that reads
 * or writes outside its function's partitions fails in the tests before it fails on AWS.
 *
 * A leading key is the partition key of the request: `pk` for item operations and table queries,
 * the index's partition key (`gsiNpk`) for index queries. Patterns use IAM's `StringLike` syntax
 * (`*` is any run of characters, `#` included), one per key family of ./keys.ts. A function that
 * needs a new family gets it here, and the tests fail until it does.
 */
export type TableFunctionName =
  | 'Care'
  | 'Visits'
  | 'Dispensers'
  | 'DeviceEvents'
  | 'Reports'
  | 'Admin'
  | 'JobRunner'
  | 'DomainEventConsumer'
  | 'Notifier'
  | 'TableStream';

/** Every function that reads citizen data writes audit records: `AUDIT#*` is append-only for all (Deny statements). */
const AUDIT = 'AUDIT#*';
/** A change's domain events commit with it (the transactional outbox, shared/domain-events/outbox.ts): whoever changes something writes here. */
const OUTBOX = 'OUTBOX#*';

export const leadingKeyPatterns = {
  /** Citizens and the national-id index, questionnaires, assessments, grants, conversions, final grants. */
  Care: [
    'CITIZEN#*',
    'TEAM#*#CITIZENS',
    'TEAM#*#FINALGRANTS',
    'NATIONALID#*',
    'QUESTIONNAIRE',
    'CONVERSION#*',
    'TEAMS',
    AUDIT,
    OUTBOX,
  ],
  /**
   * Staff availability and calendar feeds, visits and their slots, video sessions; a visit names
   * its citizen. Tablet pairing codes (`TABLETPAIRING#`); paired tablets live in `CITIZEN#`.
   */
  Visits: [
    'STAFF#*',
    'TEAM#*#STAFF',
    'TEAM#*#VISITS',
    'TEAM#*#UNASSIGNED',
    'VISIT#*',
    'SLOT#STAFF#*',
    'SLOT#CITIZEN#*',
    'CITIZEN#*',
    'TEAM#*#NOTIFY',
    'TABLETPAIRING#*',
    AUDIT,
    OUTBOX,
  ],
  /**
   * Dispenser registry, assignments, dose plans, adherence and alerts; the alert routing it serves:
   * duty rosters and chains (`TEAM#…#NOTIFY`), staff contact points (`STAFF#…`), push
   * subscriptions, used acknowledgement links and fault quiet periods.
   */
  Dispensers: [
    'DISPENSER#*',
    'DISPENSERSERIAL#*',
    'TEAM#*#DISPENSERS',
    'TEAM#*#ALERTS#*',
    'CITIZEN#*',
    'ADHERENCE#*',
    'ALERT#*',
    'ALERTCAUSE#*',
    'TEAM#*#NOTIFY',
    'STAFF#*',
    'PUSHSUB#*',
    'ACKLINK#*',
    'QUIET#*',
    AUDIT,
    OUTBOX,
  ],
  /**
   * The one route without gateway auth: the dispenser's own item (credential, assignment, plan
   * copy) and its raw events, nothing else. Adherence, alerts, last contact and their audit are
   * derived from the stored events by the table-stream function. No citizen, team, staff, visit
   * or national-id partition.
   */
  DeviceEvents: ['DISPENSER#*', AUDIT, OUTBOX],
  /**
   * Team figures for the lead's reports (with the team's reversions); the municipality roll-up
   * (every current final grant) and the municipality's savings model and targets, the only items
   * it writes besides the audit records of its reads.
   */
  Reports: [
    'CITIZEN#*',
    'TEAM#*#FINALGRANTS',
    'TEAM#*#VISITS',
    'TEAM#*#DISPENSERPERIODS',
    'TEAM#*#REVERSIONS',
    'FINALGRANTS#CURRENT',
    'MUNICIPALITY',
    'ADHERENCE#*',
    AUDIT,
  ],
  /** The audit log, by citizen and by actor; a citizen's team (or a staff member's profile) decides who may read their trail; the staff directory. */
  Admin: [AUDIT, 'CITIZEN#*', 'STAFF#*', 'TEAM#*#STAFF'],
  /**
   * Detection jobs, escalation, reminders and no-show checks, the visit horizon, trial-end
   * reminders; tablets not seen (a team's tablets by last seen, its open tablet alerts).
   */
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
    // The daily reconciliation reads each team's visits (the visits' team index).
    'TEAM#*#VISITS',
    'SLOT#STAFF#*',
    'SLOT#CITIZEN#*',
    'TEAM#*#NOTIFY',
    'PUSHSUB#*',
    'QUIET#*',
    'TEAMS',
    'TEAM#*#TABLETS',
    'TEAM#*#ALERTS#*',
    AUDIT,
    OUTBOX,
  ],
  /** Plans visits (and starts the dispenser's plan) from an approved final grant. */
  DomainEventConsumer: [
    'CITIZEN#*',
    'DISPENSER#*',
    'STAFF#*',
    'TEAM#*#STAFF',
    'VISIT#*',
    'SLOT#STAFF#*',
    'SLOT#CITIZEN#*',
    'TEAM#*#NOTIFY',
    AUDIT,
    OUTBOX,
  ],
  /**
   * The notifier (infra/notifications.ts): escalation over alerts, duty rosters and chains, staff
   * contact points and push subscriptions, the quiet period after a resolved fault; reminders and
   * check-in on visits; a relative's SMS reads the citizen's consented contact.
   */
  Notifier: [
    'ALERT#*',
    'ALERTCAUSE#*',
    'TEAM#*#ALERTS#*',
    'TEAM#*#NOTIFY',
    'STAFF#*',
    'PUSHSUB#*',
    'QUIET#*',
    'CITIZEN#*',
    'VISIT#*',
    'DISPENSER#*',
    AUDIT,
    OUTBOX,
  ],
  /**
   * The table's stream (infra/outbox.ts): outbox events to the bus, and what a device's stored
   * events mean: adherence, missed-dose and fault alerts (with the citizen's alert settings and
   * pauses, and a resolved fault's quiet period), last contact, the audit of device data.
   */
  TableStream: ['DISPENSER#*', 'ADHERENCE#*', 'ALERT#*', 'ALERTCAUSE#*', 'CITIZEN#*', 'QUIET#*', AUDIT, OUTBOX],
} as const satisfies Record<TableFunctionName, readonly string[]>;

/** Compiled once per pattern: the local guard checks every request of every test and benchmark. */
const stringLikeRegexes = new Map<string, RegExp>();

/** IAM `StringLike`: `*` matches any characters, `?` one; everything else literally. */
export function matchesStringLike(pattern: string, value: string): boolean {
  let regex = stringLikeRegexes.get(pattern);
  if (!regex) {
    regex = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      's',
    );
    stringLikeRegexes.set(pattern, regex);
  }
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

/**
 * LOCAL ONLY: the local stand-ins' own items (LocalScheduler's schedules, the local stream
 * poller's checkpoints) are EventBridge Scheduler and Lambda's event source mapping on AWS, no
 * function's table access: they run outside any function's partitions.
 */
export function outsideFunctions<T>(work: () => T): T {
  return currentFunctionStore.exit(work);
}

export function currentFunction(): TableFunctionName | undefined {
  return currentFunctionStore.getStore();
}
