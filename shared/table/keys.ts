/**
 * Every key of the one table is built here and nowhere else. docs/table-design.md lists each
 * entity and access pattern next to the function that builds its key.
 *
 * Conventions: `pk`/`sk` address the item; `gsiNpk`/`gsiNsk` place it in an index. Entities
 * that a route addresses by their own id (conversion, visit, dispenser, alert) live under their
 * own partition and are listed through an index. Ids are ULID-based, so sort keys built from
 * them sort by creation time. Times in sort keys are UTC ISO-8601 (`2026-11-23T08:00:00.000Z`),
 * which sort lexically in time order.
 */

const pad = (n: number, width: number) => String(n).padStart(width, '0');

// ── Citizens ────────────────────────────────────────────────────────────────────────────────
export const citizenKeys = {
  profile: (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'PROFILE' }),
  /** gsi1: a team's citizens by normalised name (search by name prefix, list all). */
  byTeamName: (team: string, normalisedName: string, citizenId: string) => ({
    gsi1pk: `TEAM#${team}#CITIZENS`,
    gsi1sk: `${normalisedName}#${citizenId}`,
  }),
  teamPartition: (team: string) => `TEAM#${team}#CITIZENS`,
  /** Uniqueness claim and lookup of a national id, by its peppered hash (never the id in clear). */
  nationalId: (nationalIdHash: string) => ({ pk: `NATIONALID#${nationalIdHash}`, sk: 'NATIONALID' }),
};

// ── Assessment ──────────────────────────────────────────────────────────────────────────────
export const assessmentKeys = {
  /** All questionnaire versions in one small partition; the highest version is the current one. */
  questionnaire: (version: number) => ({ pk: 'QUESTIONNAIRE', sk: `VERSION#${pad(version, 6)}` }),
  questionnairePartition: 'QUESTIONNAIRE',
  questionnaireVersionPrefix: 'VERSION#',
  /** A citizen's assessments live with the citizen; ULIDs make the newest the last. */
  assessment: (citizenId: string, assessmentId: string) => ({
    pk: `CITIZEN#${citizenId}`,
    sk: `ASSESSMENT#${assessmentId}`,
  }),
  assessmentPrefix: 'ASSESSMENT#',
  citizenPartition: (citizenId: string) => `CITIZEN#${citizenId}`,
};

// ── Conversion (grants, conversions, final grants) ──────────────────────────────────────────
export const conversionKeys = {
  citizenPartition: (citizenId: string) => `CITIZEN#${citizenId}`,
  grant: (citizenId: string, grantId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: `GRANT#${grantId}` }),
  grantPrefix: 'GRANT#',
  /**
   * Sort-key bounds of a citizen's grants and profile, which sort next to each other
   * (`GRANT#…` < `PROFILE`): one Query reads both (conversion proposal and approval).
   */
  grantsAndProfile: ['GRANT#', citizenKeys.profile('').sk] as const,
  /** A conversion is addressed by its own id (POST /conversions/{id}/approve). */
  conversion: (conversionId: string) => ({ pk: `CONVERSION#${conversionId}`, sk: 'CONVERSION' }),
  /** gsi1: a citizen's conversions, oldest first. */
  conversionsOfCitizen: (citizenId: string, conversionId: string) => ({
    gsi1pk: `CITIZEN#${citizenId}#CONVERSIONS`,
    gsi1sk: conversionId,
  }),
  conversionsOfCitizenPartition: (citizenId: string) => `CITIZEN#${citizenId}#CONVERSIONS`,
  /** Every final grant a citizen ever had (the history), by id. */
  finalGrant: (citizenId: string, finalGrantId: string) => ({
    pk: `CITIZEN#${citizenId}`,
    sk: `FINALGRANT#${finalGrantId}`,
  }),
  finalGrantPrefix: 'FINALGRANT#',
  /** The pointer to the current final grant, with a version that approvals condition on. */
  currentFinalGrant: (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'CURRENTFINALGRANT' }),
  /** gsi2: every citizen's current final grant (the daily visit-horizon job pages through it). */
  allCurrentFinalGrants: (citizenId: string) => ({ gsi2pk: 'FINALGRANTS#CURRENT', gsi2sk: citizenId }),
  allCurrentFinalGrantsPartition: 'FINALGRANTS#CURRENT',
  /** gsi3: a team's current final grants (team conversion figures). */
  teamCurrentFinalGrants: (team: string, citizenId: string) => ({
    gsi3pk: `TEAM#${team}#FINALGRANTS`,
    gsi3sk: citizenId,
  }),
  teamCurrentFinalGrantsPartition: (team: string) => `TEAM#${team}#FINALGRANTS`,
};

// ── Audit ───────────────────────────────────────────────────────────────────────────────────
export const auditKeys = {
  /** One partition per citizen: "who looked at me" (Min Log) is one Query. */
  record: (citizenId: string, atIso: string, auditId: string) => ({
    pk: `AUDIT#${citizenId}`,
    sk: `${atIso}#${auditId}`,
  }),
  citizenPartition: (citizenId: string) => `AUDIT#${citizenId}`,
  /** gsi1: everything one subject did, in time order. */
  byActor: (sub: string, atIso: string, auditId: string) => ({
    gsi1pk: `AUDIT#ACTOR#${sub}`,
    gsi1sk: `${atIso}#${auditId}`,
  }),
  actorPartition: (sub: string) => `AUDIT#ACTOR#${sub}`,
};

export const timeKey = {
  /** Sort-key bounds for an ISO time range, inclusive of `from` and exclusive-ish of `to`. */
  range: (fromIso: string, toIso: string): readonly [string, string] => [fromIso, `${toIso}\uffff`],
  pad,
};

// ── Alerts ──────────────────────────────────────────────────────────────────────────────────
export const alertKeys = {
  alert: (alertId: string) => ({ pk: `ALERT#${alertId}`, sk: 'ALERT' }),
  /** gsi1: a team's alerts in one status, oldest first (the on-duty list). Moves when the status changes. */
  byTeamStatus: (team: string, status: string, raisedAtIso: string, alertId: string) => ({
    gsi1pk: `TEAM#${team}#ALERTS#${status}`,
    gsi1sk: `${raisedAtIso}#${alertId}`,
  }),
  teamStatusPartition: (team: string, status: string) => `TEAM#${team}#ALERTS#${status}`,
  /** gsi2: open alerts nobody has acknowledged yet, by time: the escalation job's work list. */
  unacknowledged: (raisedAtIso: string, alertId: string) => ({
    gsi2pk: 'ALERTS#UNACKNOWLEDGED',
    gsi2sk: `${raisedAtIso}#${alertId}`,
  }),
  unacknowledgedPartition: 'ALERTS#UNACKNOWLEDGED',
  /** gsi3: a citizen's alerts, newest first. */
  byCitizen: (citizenId: string, raisedAtIso: string, alertId: string) => ({
    gsi3pk: `CITIZEN#${citizenId}#ALERTS`,
    gsi3sk: `${raisedAtIso}#${alertId}`,
  }),
  citizenPartition: (citizenId: string) => `CITIZEN#${citizenId}#ALERTS`,
  /** One alert per cause: the claim on a dedup key (per dose, per fault episode, per visit). */
  cause: (dedupKey: string) => ({ pk: `ALERTCAUSE#${dedupKey}`, sk: 'ALERTCAUSE' }),
};

// ── Visits and staff availability ───────────────────────────────────────────────────────────
export const staffKeys = {
  /** A staff member's profile: team and self-scheduled availability (weekly windows, exceptions). */
  profile: (staffId: string) => ({ pk: `STAFF#${staffId}`, sk: 'PROFILE' }),
  /** gsi1: a team's staff (candidates when visits from a final grant are assigned). */
  byTeam: (team: string, staffId: string) => ({ gsi1pk: `TEAM#${team}#STAFF`, gsi1sk: staffId }),
  teamPartition: (team: string) => `TEAM#${team}#STAFF`,
  /** The hash of a staff member's calendar feed key (the secret in their subscription URL). */
  calendarFeed: (staffId: string) => ({ pk: `STAFF#${staffId}`, sk: 'CALENDARFEED' }),
};

export const visitKeys = {
  visit: (visitId: string) => ({ pk: `VISIT#${visitId}`, sk: 'VISIT' }),
  /** gsi1: the assignee's visits by start — a staff member's, or (no staff) the team's unassigned ones. */
  byStaff: (staffId: string, startIso: string, visitId: string) => ({
    gsi1pk: `STAFF#${staffId}#VISITS`,
    gsi1sk: `${startIso}#${visitId}`,
  }),
  staffPartition: (staffId: string) => `STAFF#${staffId}#VISITS`,
  unassigned: (team: string, startIso: string, visitId: string) => ({
    gsi1pk: `TEAM#${team}#UNASSIGNED`,
    gsi1sk: `${startIso}#${visitId}`,
  }),
  unassignedPartition: (team: string) => `TEAM#${team}#UNASSIGNED`,
  /** gsi2: a citizen's visits by start (GET /visits?citizenId=, GET /me/visits). */
  byCitizen: (citizenId: string, startIso: string, visitId: string) => ({
    gsi2pk: `CITIZEN#${citizenId}#VISITS`,
    gsi2sk: `${startIso}#${visitId}`,
  }),
  citizenPartition: (citizenId: string) => `CITIZEN#${citizenId}#VISITS`,
  /** gsi3: all of a team's visits by start. */
  byTeam: (team: string, startIso: string, visitId: string) => ({
    gsi3pk: `TEAM#${team}#VISITS`,
    gsi3sk: `${startIso}#${visitId}`,
  }),
  teamPartition: (team: string) => `TEAM#${team}#VISITS`,
  /** The double-booking guard: one item per 5-minute bucket a staff member / citizen is booked in. */
  staffSlot: (staffId: string, bucketIso: string) => ({ pk: `SLOT#STAFF#${staffId}`, sk: bucketIso }),
  citizenSlot: (citizenId: string, bucketIso: string) => ({ pk: `SLOT#CITIZEN#${citizenId}`, sk: bucketIso }),
};

// ── Dispensers ──────────────────────────────────────────────────────────────────────────────
export const dispenserKeys = {
  /** The dispenser: registry data, credential hash, current assignment, recent periods, plan copy. */
  dispenser: (dispenserId: string) => ({ pk: `DISPENSER#${dispenserId}`, sk: 'DISPENSER' }),
  /** gsi1: a team's dispensers, by id (= registration order). */
  byTeam: (team: string, dispenserId: string) => ({ gsi1pk: `TEAM#${team}#DISPENSERS`, gsi1sk: dispenserId }),
  teamPartition: (team: string) => `TEAM#${team}#DISPENSERS`,
  /** gsi2: every assigned dispenser, by when it was last heard from (the detection jobs' work list). */
  assigned: (silentSinceIso: string, dispenserId: string) => ({
    gsi2pk: 'DISPENSERS#ASSIGNED',
    gsi2sk: `${silentSinceIso}#${dispenserId}`,
  }),
  assignedPartition: 'DISPENSERS#ASSIGNED',
  /** gsi3: dispensers on trial, by the trial's last day (the trial-end reminder's work list). */
  onTrial: (trialEndsOn: string, dispenserId: string) => ({
    gsi3pk: 'DISPENSERS#TRIAL',
    gsi3sk: `${trialEndsOn}#${dispenserId}`,
  }),
  onTrialPartition: 'DISPENSERS#TRIAL',
  /** Uniqueness claim of a serial number per vendor (both normalised). */
  serial: (vendor: string, serial: string) => ({ pk: `DISPENSERSERIAL#${vendor}#${serial}`, sk: 'SERIAL' }),
  /** One citizen, one dispenser: the claim a citizen's assignment holds. */
  citizenDispenser: (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'DISPENSER' }),
  /** A period of the history: one dispenser with one citizen in one status (trial or active). */
  period: (dispenserId: string, fromIso: string, periodId: string) => ({
    pk: `DISPENSER#${dispenserId}`,
    sk: `PERIOD#${fromIso}#${periodId}`,
  }),
  periodPrefix: 'PERIOD#',
  /** gsi1: a team's periods by start (the monthly report counts those covering a date). */
  teamPeriods: (team: string, fromIso: string, periodId: string) => ({
    gsi1pk: `TEAM#${team}#DISPENSERPERIODS`,
    gsi1sk: `${fromIso}#${periodId}`,
  }),
  teamPeriodsPartition: (team: string) => `TEAM#${team}#DISPENSERPERIODS`,
  /** gsi2: a citizen's periods by start (the citizen's dispenser history). */
  citizenPeriods: (citizenId: string, fromIso: string, periodId: string) => ({
    gsi2pk: `CITIZEN#${citizenId}#DISPENSERPERIODS`,
    gsi2sk: `${fromIso}#${periodId}`,
  }),
  citizenPeriodsPartition: (citizenId: string) => `CITIZEN#${citizenId}#DISPENSERPERIODS`,
  /** The citizen's current dose plan, and each version of it by the moment it took effect. */
  dosePlan: (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'DOSEPLAN' }),
  dosePlanVersion: (citizenId: string, effectiveFromIso: string) => ({
    pk: `CITIZEN#${citizenId}`,
    sk: `DOSEPLAN#V#${effectiveFromIso}`,
  }),
  dosePlanVersionPrefix: 'DOSEPLAN#V#',
  citizenPartition: (citizenId: string) => `CITIZEN#${citizenId}`,
  /** A raw device event: natural key dispenser + device event id (idempotent), TTL-expired. */
  rawEvent: (dispenserId: string, eventId: string) => ({ pk: `DISPENSER#${dispenserId}#EVENTS`, sk: eventId }),
  /** The first stored copy of a raw event that a later batch replaced, kept to put it back (same TTL). */
  rawEventFirstCopy: (dispenserId: string, eventId: string) => ({
    pk: `DISPENSER#${dispenserId}#FIRSTCOPIES`,
    sk: eventId,
  }),
  /** Derived, kept: what the devices said about one planned dose of a citizen. */
  dose: (citizenId: string, doseAtIso: string) => ({ pk: `ADHERENCE#${citizenId}`, sk: `DOSE#${doseAtIso}` }),
  dosePrefix: 'DOSE#',
  /**
   * Derived, kept: the UTC hours of one UTC day in which the citizen's dispenser was heard from.
   * `DOSE#<date>#SEEN` sorts just before that day's dose records (`#` < `T`), so one range read
   * of the adherence partition returns a period's doses and seen days together.
   */
  seenDay: (citizenId: string, utcDate: string) => ({ pk: `ADHERENCE#${citizenId}`, sk: `DOSE#${utcDate}#SEEN` }),
  /** Sort-key bounds covering the seen days `fromDate`..`toDate` (UTC, inclusive) and every dose record between. */
  adherenceRange: (fromDate: string, toDate: string) => [`DOSE#${fromDate}`, `DOSE#${toDate}#SEEN`] as const,
  adherencePartition: (citizenId: string) => `ADHERENCE#${citizenId}`,
};

// ── Local demo ──────────────────────────────────────────────────────────────────────────────
export const demoKeys = {
  /** Written once the demo data of `npm start` is loaded. */
  marker: () => ({ pk: 'DEMO', sk: 'SEEDED' }),
};

// ── Notifications: duty roster, escalation, contact points, push subscriptions, alert settings ──
export const notificationKeys = {
  /** A team's duty roster (who answers clinical and technical alerts when) and its escalation chain. */
  roster: (team: string) => ({ pk: `TEAM#${team}#NOTIFY`, sk: 'ROSTER' }),
  escalation: (team: string) => ({ pk: `TEAM#${team}#NOTIFY`, sk: 'ESCALATION' }),
  /** Contact points of a staff member (phone for SMS, consent), keyed by staff id. */
  staffContact: (staffId: string) => ({ pk: `STAFF#${staffId}`, sk: 'CONTACT' }),
  /** Web-push subscriptions of one person (staff id or citizen id), one per device. */
  pushSubscription: (subscriber: string, subscriptionId: string) => ({
    pk: `PUSHSUB#${subscriber}`,
    sk: subscriptionId,
  }),
  pushPartition: (subscriber: string) => `PUSHSUB#${subscriber}`,
  /** Per-citizen alert settings and pauses sort together (`ALERTPAUSE#…` < `ALERTSETTINGS`): one Query reads both. */
  alertSettings: (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'ALERTSETTINGS' }),
  alertPause: (citizenId: string, fromIso: string, pauseId: string) => ({
    pk: `CITIZEN#${citizenId}`,
    sk: `ALERTPAUSE#${fromIso}#${pauseId}`,
  }),
  alertSettingsPrefix: 'ALERT',
  /** A relative's SMS contact for a citizen, with the recorded consent. */
  relativeContact: (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'RELATIVECONTACT' }),
  /** One claim per alert and escalation step: a step never fires twice. */
  escalationStep: (alertId: string, step: number) => ({ pk: `ALERT#${alertId}`, sk: `STEP#${pad(step, 2)}` }),
  /** Every delivery attempt of an alert (shown on the alert), in time order. */
  deliveryAttempt: (alertId: string, atIso: string, attemptId: string) => ({
    pk: `ALERT#${alertId}`,
    sk: `DELIVERY#${atIso}#${attemptId}`,
  }),
  deliveryPrefix: 'DELIVERY#',
  alertPartition: (alertId: string) => `ALERT#${alertId}`,
  /** A used acknowledgement link (single use), kept until the link would have expired. */
  ackLinkUse: (nonce: string) => ({ pk: `ACKLINK#${nonce}`, sk: 'USED' }),
  /** After a technical alert is resolved: no paging for the same device and kind until `until`. */
  quietPeriod: (subject: string, kind: string) => ({ pk: `QUIET#${subject}#${kind}`, sk: 'QUIET' }),
};

// ── Outbox and stream ───────────────────────────────────────────────────────────────────────
export const outboxKeys = {
  /**
   * A domain event, written in the transaction of the change that caused it. One partition per
   * aggregate (visit, alert, citizen…): the stream keeps the order of one partition's writes, so
   * the events of one aggregate leave in the order they committed. TTL-expired after delivery.
   */
  event: (aggregate: string, eventId: string) => ({ pk: `OUTBOX#${aggregate}`, sk: eventId }),
  /** LOCAL ONLY: how far the local stream poller has read each shard of the table's stream. */
  streamCheckpoint: (shardId: string) => ({ pk: 'STREAMCHECKPOINT', sk: shardId }),
  streamCheckpointPartition: 'STREAMCHECKPOINT',
};

export const scheduleKeys = {
  /** LOCAL ONLY: a one-time job of LocalScheduler, by its schedule name; gsi1 orders them by due time. */
  schedule: (name: string) => ({ pk: `SCHEDULE#${name}`, sk: 'SCHEDULE' }),
  due: (atIso: string, name: string) => ({ gsi1pk: 'SCHEDULES#LOCAL', gsi1sk: `${atIso}#${name}` }),
  duePartition: 'SCHEDULES#LOCAL',
};

export const teamKeys = {
  /** Every team that has citizens: the reconciliation job's list of teams to look through. */
  team: (team: string) => ({ pk: 'TEAMS', sk: team }),
  partition: 'TEAMS',
};

// ── Trial evaluation: municipality settings and reversions ──────────────────────────────────
export const evaluationKeys = {
  /** The municipality's savings model (one table is one municipality). */
  savingsModel: () => ({ pk: 'MUNICIPALITY', sk: 'SAVINGSMODEL' }),
  /** The municipality's targets and trial dates (the mid-way status compares against them). */
  targets: () => ({ pk: 'MUNICIPALITY', sk: 'TARGETS' }),
  /** A technology line reverted to physical delivery, with its reason code; kept with the citizen. */
  reversion: (citizenId: string, atUtc: string, reversionId: string) => ({
    pk: `CITIZEN#${citizenId}`,
    sk: `REVERSION#${atUtc}#${reversionId}`,
  }),
  /** gsi1: a team's reversions by time (the report's learning loop). */
  teamReversions: (team: string, atUtc: string, reversionId: string) => ({
    gsi1pk: `TEAM#${team}#REVERSIONS`,
    gsi1sk: `${atUtc}#${reversionId}`,
  }),
  teamReversionsPartition: (team: string) => `TEAM#${team}#REVERSIONS`,
};

// ── Tablets (pairing codes, paired tablets) ─────────────────────────────────────────────────
export const tabletKeys = {
  /** A pairing code, by the SHA-256 of the normalised code (never the code); TTL 15 minutes, deleted on use. */
  pairing: (codeHash: string) => ({ pk: `TABLETPAIRING#${codeHash}`, sk: 'PAIRING' }),
  /** A citizen's paired tablets live with the citizen: listed with one Query, read on every tablet request. */
  tablet: (citizenId: string, tabletId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: `TABLET#${tabletId}` }),
  tabletPrefix: 'TABLET#',
  /**
   * gsi1: a team's paired tablets by when they were last seen, oldest first: the tablet-not-seen
   * job reads the ones not seen since a cutoff. Moves at most every few minutes (the heartbeat);
   * a revoked tablet leaves it.
   */
  byTeamLastSeen: (team: string, lastSeenIso: string, citizenId: string, tabletId: string) => ({
    gsi1pk: `TEAM#${team}#TABLETS`,
    gsi1sk: `${lastSeenIso}#${citizenId}#${tabletId}`,
  }),
  teamLastSeenPartition: (team: string) => `TEAM#${team}#TABLETS`,
  citizenPartition: (citizenId: string) => `CITIZEN#${citizenId}`,
};
