import { z } from '@hono/zod-openapi';
import { DateTime } from 'luxon';
import { auditLog, type AuditEntry, type SystemContext } from '#shared/audit/audit.ts';
import { requireVisibleCitizen, visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import { currentFinalGrantSchema, type CurrentFinalGrant } from '#shared/conversion/final-grants.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldError,
} from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { isoDateInput, isoDateTime } from '#shared/platform/time-input.ts';
import { citizenKeys, conversionKeys, staffKeys, visitKeys } from '#shared/table/keys.ts';
import type { TransactionConflict } from '#shared/table/store.ts';
import { getItems, putNew, queryPage, type Page, type TransactItem } from '#shared/table/store.ts';
import { isAvailable } from './availability-rules.ts';
import { requireTeamStaff } from './staff-directory.ts';
import { getStaffProfile, staffIdSchema, staffProfileFrom, type StaffProfile } from './availability.ts';
import { commitVisitChange } from './commit.ts';
import { requireWithinGrantDates } from './grant-dates.ts';
import { visitEvent } from './event-types.ts';
import type { citizenVisitSchema } from './model.ts';
import {
  fromItem,
  loadVisit,
  moveLocks,
  putVisitIfVersion,
  slotsOf,
  toView,
  visitItem,
  visitPurposeSchema,
  visitStatuses,
  type Party,
  type VisitRecord,
  type VisitView,
} from './model.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import { addMinutes, isOnGrid, isValidDuration, localPeriod, MAX_VISIT_MINUTES, SLOT_MINUTES } from './time.ts';

export const citizenIdSchema = z
  .string()
  .max(30, 'must be a citizen id (cit_<ULID>)')
  .regex(/^cit_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a citizen id (cit_<ULID>)');

export const bookVisitSchema = z
  .strictObject({
    citizenId: citizenIdSchema,
    staffId: staffIdSchema,
    start: isoDateTime().openapi({ example: '2026-11-23T08:00:00+01:00', description: 'On a 5-minute grid' }),
    durationMinutes: z
      .number()
      .int()
      .min(SLOT_MINUTES)
      .max(MAX_VISIT_MINUTES)
      .multipleOf(SLOT_MINUTES)
      .openapi({ example: 20 }),
    purpose: visitPurposeSchema,
  })
  .openapi('BookVisit');
export type BookVisit = z.infer<typeof bookVisitSchema>;

export const changeVisitSchema = z
  .strictObject({
    start: isoDateTime().optional().openapi({ description: 'Reschedule to this start' }),
    durationMinutes: z.number().int().min(SLOT_MINUTES).max(MAX_VISIT_MINUTES).multipleOf(SLOT_MINUTES).optional(),
    staffId: staffIdSchema
      .nullable()
      .optional()
      .openapi({ description: 'Reassign; null leaves it unassigned (lead only)' }),
    status: z.literal('cancelled').optional().openapi({ description: 'Cancel the visit' }),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: 'Why it was cancelled (no personal details)' }),
    expectedVersion: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .openapi({ description: 'Refuse (409) if the visit changed since this version' }),
  })
  .openapi('ChangeVisit');
export type ChangeVisit = z.infer<typeof changeVisitSchema>;

const audit = (deps: Deps) => auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS);
const visitEntry = (visit: Pick<VisitRecord, 'visitId' | 'citizenId'>, action: AuditEntry['action']): AuditEntry => ({
  action,
  resource: `visits/${visit.visitId}`,
  citizenId: visit.citizenId,
});

function timeFields(start: Date, now: Date, field: string): FieldError[] {
  const problems: FieldError[] = [];
  if (Number.isNaN(start.getTime())) return [{ field, message: 'not a date-time' }];
  if (!isOnGrid(start))
    problems.push({ field, message: `must be on a ${SLOT_MINUTES}-minute grid (e.g. 08:00, 08:05)` });
  if (start.getTime() <= now.getTime()) problems.push({ field, message: 'must be in the future' });
  return problems;
}

/**
 * The staff member must belong to the citizen's team and be available for the whole visit.
 */
async function requireAvailableStaff(
  deps: Deps,
  staffId: string,
  team: string,
  start: Date,
  end: Date,
): Promise<StaffProfile> {
  return availableStaffFrom(deps, await getStaffProfile(deps.table, staffId, true), staffId, team, start, end);
}

function availableStaffFrom(
  deps: Deps,
  profile: StaffProfile | undefined,
  staffId: string,
  team: string,
  start: Date,
  end: Date,
): StaffProfile {
  if (!profile || profile.team !== team) {
    throw new ConflictError(`Staff member ${staffId} has no availability in this team.`, 'staff-unavailable');
  }
  if (!isAvailable(profile, start, end, deps.config.TIME_ZONE)) {
    throw new ConflictError(`Staff member ${staffId} is not available for the whole visit.`, 'staff-unavailable');
  }
  return profile;
}

/**
 * When the citizen has a current final grant, a visit must deliver one of its screen-visit
 * benefits. A citizen without one yet may still get a one-off visit (e.g. an introduction).
 */
function requireGrantedPurpose(current: Pick<CurrentFinalGrant, 'screenVisitPlan'> | undefined, grantId: string): void {
  if (current && !current.screenVisitPlan.some((entry) => entry.grantId === grantId)) {
    throw new ConflictError('The citizen’s final grant has no screen visits for this benefit.', 'purpose-not-granted');
  }
}

/** Names the failed condition of a visit transaction laid out as [visit, ...takenLocks, ...]. */
function explainConflict(conflict: TransactionConflict, taken: readonly Party[]): Error {
  const failed = conflict.firstFailed();
  if (failed === 0)
    return new ConflictError('The visit was changed by someone else; read it again and retry.', 'version-mismatch');
  const party = taken[failed - 1];
  // The staff member's time was taken away by a change of availability committing at the same moment.
  if (party?.kind === 'staff' && conflict.items[failed]?.blockedBy !== undefined)
    return new ConflictError(
      'The staff member’s availability changed at the same time; try again.',
      'availability-changed',
    );
  if (party?.kind === 'staff')
    return new ConflictError(
      `Staff member ${party.id} is already booked in an overlapping window.`,
      'staff-double-booked',
    );
  if (party?.kind === 'citizen')
    return new ConflictError('The citizen already has a visit in an overlapping window.', 'citizen-double-booked');
  return new ConflictError('The visit could not be changed; try again.', 'conflict');
}

/**
 * Books a screen visit. One transaction holds the visit, a lock per 5-minute bucket for the
 * staff member and for the citizen (a change of availability blocks the staff locks of the time
 * it removes, shared/visits/availability-guard.ts), the audit record and the VisitBooked event (the outbox): of N simultaneous bookings of
 * one slot exactly one commits. The reminder and no-show schedules are made from the committed
 * event (shared/visits/consumers.ts), so a booking that committed always gets them and one that
 * did not never does, whatever fails in between.
 */
export async function bookVisit(deps: Deps, ctx: RequestContext, input: BookVisit): Promise<VisitView> {
  // One consistent BatchGetItem for the three reads a booking needs (citizen, staff, final grant).
  const [citizenItem, staffItem, finalGrantItem] = await getItems(
    deps.table,
    [
      citizenKeys.profile(input.citizenId),
      staffKeys.profile(input.staffId),
      conversionKeys.currentFinalGrant(input.citizenId),
    ],
    { consistent: true, now: ctx.now },
  );
  const citizen = visibleCitizenFrom(citizenItem, ctx.actor);
  if (!hasRole(ctx.actor, 'lead') && input.staffId !== ctx.actor.sub) {
    throw new ForbiddenError('Staff book visits for themselves; a lead books for anyone in the team.');
  }
  const start = new Date(input.start);
  const fields = timeFields(start, ctx.now, 'body/start');
  if (!isValidDuration(input.durationMinutes))
    fields.push({ field: 'body/durationMinutes', message: `a multiple of ${SLOT_MINUTES} up to ${MAX_VISIT_MINUTES}` });
  if (fields.length > 0) throw new ValidationError('The visit time is not valid.', fields);
  const end = addMinutes(start, input.durationMinutes);
  const currentGrant = finalGrantItem ? currentFinalGrantSchema.parse(finalGrantItem) : undefined;
  requireGrantedPurpose(currentGrant, input.purpose.grantId);
  requireWithinGrantDates(currentGrant, input.purpose.grantId, start, deps.config.TIME_ZONE);
  availableStaffFrom(
    deps,
    staffItem ? staffProfileFrom(staffItem) : undefined,
    input.staffId,
    citizen.team,
    start,
    end,
  );

  const at = ctx.now.toISOString();
  const visit: VisitRecord = {
    visitId: newId('vis', ctx.now),
    citizenId: citizen.citizenId,
    team: citizen.team,
    staffId: input.staffId,
    start: start.toISOString(),
    end: end.toISOString(),
    durationMinutes: input.durationMinutes,
    purpose: { grantId: input.purpose.grantId, service: input.purpose.service },
    status: 'scheduled',
    source: 'booking',
    guests: [],
    version: 1,
    createdAt: at,
    createdBy: ctx.actor.sub,
    updatedAt: at,
  };
  const locks = moveLocks(deps, visit.visitId, undefined, slotsOf(visit));
  const items: TransactItem[] = [
    putNew(deps.table, visitItem(visit)),
    ...locks.items,
    audit(deps).item(ctx, visitEntry(visit, 'visit.create')),
    outboxEvent(deps.table, visitEvent('VisitBooked', visit, { source: 'booking', bookedBy: ctx.actor.sub }, ctx.now)),
  ];
  let holder: string | undefined;
  try {
    await commitVisitChange(deps.table, items, (c) => {
      const held = c.items[c.firstFailed()]?.visitId;
      holder = typeof held === 'string' ? held : undefined;
      return explainConflict(c, locks.taken);
    });
  } catch (error) {
    // A client retrying a booking whose answer it lost finds its own visit holding the slot: that visit is the answer.
    const same = holder ? await loadVisit(deps.table, holder) : undefined;
    if (
      same &&
      same.createdBy === visit.createdBy &&
      same.citizenId === visit.citizenId &&
      same.staffId === visit.staffId &&
      same.start === visit.start &&
      same.end === visit.end &&
      same.purpose.grantId === visit.purpose.grantId &&
      same.status === 'scheduled'
    ) {
      return toView(same, deps.config.TIME_ZONE);
    }
    throw error;
  }
  return toView(visit, deps.config.TIME_ZONE);
}

/** A visit of the caller's team, or 404 (unknown and not visible look the same). */
export async function requireTeamVisit(deps: Deps, actor: Actor, visitId: string): Promise<VisitRecord> {
  const visit = await loadVisit(deps.table, visitId);
  if (!visit || visit.team !== actor.team || !hasRole(actor, 'staff', 'lead')) throw new NotFoundError('The visit');
  return visit;
}

export async function readVisit(deps: Deps, ctx: RequestContext, visitId: string): Promise<VisitView> {
  const visit = await requireTeamVisit(deps, ctx.actor, visitId);
  await audit(deps).recordRead(ctx, visitEntry(visit, 'visit.read'));
  return toView(visit, deps.config.TIME_ZONE);
}

/**
 * PATCH: reschedule (start, duration), reassign (staffId) or cancel (status: cancelled) a
 * scheduled visit, with the same guarantee as booking: locks released and taken in the one
 * transaction that changes the visit. A lead may change any visit of the team; a staff member
 * their own visits, and may take an unassigned one (staffId = themselves).
 */
export async function changeVisit(
  deps: Deps,
  ctx: RequestContext,
  visitId: string,
  input: ChangeVisit,
): Promise<VisitView> {
  const visit = await requireTeamVisit(deps, ctx.actor, visitId);
  const lead = hasRole(ctx.actor, 'lead');
  const cancelling = input.status === 'cancelled';
  const moving = input.start !== undefined || input.durationMinutes !== undefined;
  const reassigning = input.staffId !== undefined;
  if (!cancelling && !moving && !reassigning) {
    throw new ValidationError('Say what to change: start, durationMinutes, staffId or status.', [
      { field: 'body', message: 'nothing to change' },
    ]);
  }
  if (cancelling && (moving || reassigning)) {
    throw new ValidationError('A cancellation changes nothing else.', [
      { field: 'body/status', message: 'cancel alone, without start, durationMinutes or staffId' },
    ]);
  }
  if (input.reason !== undefined && !cancelling)
    throw new ValidationError('A reason goes with a cancellation.', [
      { field: 'body/reason', message: 'only with status: cancelled' },
    ]);
  if (!lead) {
    const ownsIt = visit.staffId === ctx.actor.sub;
    const takesUnassigned = visit.staffId === undefined && input.staffId === ctx.actor.sub;
    if (!ownsIt && !takesUnassigned)
      throw new ForbiddenError('Staff change only their own visits (or take an unassigned one); a lead changes any.');
    if (reassigning && input.staffId !== ctx.actor.sub)
      throw new ForbiddenError('Only a lead hands a visit to someone else or leaves it unassigned.');
  }
  if (input.expectedVersion !== undefined && input.expectedVersion !== visit.version) {
    throw new ConflictError(
      `The visit is at version ${visit.version}, not ${input.expectedVersion}.`,
      'version-mismatch',
    );
  }
  if (visit.status !== 'scheduled')
    throw new ConflictError(`A ${visit.status} visit cannot be changed.`, 'not-scheduled');

  const at = ctx.now.toISOString();
  if (cancelling) {
    const cancelled: VisitRecord = {
      ...visit,
      status: 'cancelled',
      cancelledAt: at,
      cancelReason: input.reason,
      version: visit.version + 1,
      updatedAt: at,
    };
    await cancelVisitWrite(
      deps,
      ctx,
      visit,
      cancelled,
      visitEvent(
        'VisitCancelled',
        cancelled,
        { cancelledAt: at, cancelledBy: ctx.actor.sub, ...(input.reason ? { reason: input.reason } : {}) },
        ctx.now,
      ),
    );
    return toView(cancelled, deps.config.TIME_ZONE);
  }

  const start = input.start !== undefined ? new Date(input.start) : new Date(visit.start);
  const duration = input.durationMinutes ?? visit.durationMinutes;
  if (input.start !== undefined) {
    const fields = timeFields(start, ctx.now, 'body/start');
    if (fields.length > 0) throw new ValidationError('The visit time is not valid.', fields);
    // A moved visit still delivers its benefit: the same dates hold as for a booking.
    const [finalGrantItem] = await getItems(deps.table, [conversionKeys.currentFinalGrant(visit.citizenId)], {
      consistent: true,
      now: ctx.now,
    });
    requireWithinGrantDates(
      finalGrantItem ? currentFinalGrantSchema.parse(finalGrantItem) : undefined,
      visit.purpose.grantId,
      start,
      deps.config.TIME_ZONE,
    );
  }
  const end = addMinutes(start, duration);
  const staffId = input.staffId === undefined ? visit.staffId : (input.staffId ?? undefined);
  const changed: VisitRecord = {
    ...visit,
    staffId,
    start: start.toISOString(),
    end: end.toISOString(),
    durationMinutes: duration,
    version: visit.version + 1,
    updatedAt: at,
  };
  if (staffId) await requireAvailableStaff(deps, staffId, visit.team, start, end);
  const locks = moveLocks(deps, visit.visitId, slotsOf(visit), slotsOf(changed));
  const items: TransactItem[] = [
    putVisitIfVersion(deps.table, changed, visit.version),
    ...locks.items,
    audit(deps).item(ctx, visitEntry(visit, 'visit.update')),
    outboxEvent(
      deps.table,
      visitEvent(
        'VisitChanged',
        changed,
        { changedBy: ctx.actor.sub, previous: { staffId: visit.staffId ?? null, start: visit.start, end: visit.end } },
        ctx.now,
      ),
    ),
  ];
  // Releases come after the takes; a failed release means the visit changed under us (index 0 says so too).
  await commitVisitChange(deps.table, items, (c) => explainConflict(c, locks.taken));
  return toView(changed, deps.config.TIME_ZONE);
}

/** The cancel transaction (shared with superseded final grants): the visit, its released locks, audit, the VisitCancelled event. */
export async function cancelVisitWrite(
  deps: Deps,
  ctx: RequestContext | SystemContext,
  before: VisitRecord,
  cancelled: VisitRecord,
  event: DomainEvent,
): Promise<void> {
  const locks = moveLocks(deps, before.visitId, slotsOf(before), undefined);
  await commitVisitChange(
    deps.table,
    [
      putVisitIfVersion(deps.table, cancelled, before.version),
      ...locks.items,
      audit(deps).item(ctx, visitEntry(before, 'visit.update')),
      outboxEvent(deps.table, event),
    ],
    () => new ConflictError('The visit was changed by someone else; read it again and retry.', 'version-mismatch'),
  );
}

// ── Listing ─────────────────────────────────────────────────────────────────────────────────

export const listVisitsQuery = z.strictObject({
  staffId: staffIdSchema.optional(),
  citizenId: citizenIdSchema.optional(),
  unassigned: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'true: the team’s unassigned visits (for the lead)' }),
  from: isoDateTime().optional().openapi({ description: 'Visits starting at or after (default: start of today)' }),
  to: isoDateTime().optional().openapi({ description: 'Visits starting before' }),
  date: isoDateInput.optional().openapi({ description: 'A local day instead of from/to' }),
  week: z
    .string()
    .max(8, 'must be an ISO week like 2026-W44')
    .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'must be an ISO week like 2026-W44')
    .optional()
    .openapi({ description: 'An ISO week instead of from/to' }),
  status: z.enum(visitStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});
export type ListVisitsQuery = z.infer<typeof listVisitsQuery>;

/** Sort-key bounds for visits starting in [from, to): keys are `<startIso>#<visitId>`. */
function startRange(from: Date, to: Date): readonly [string, string] {
  return [from.toISOString(), to.toISOString()];
}

function periodOf(
  deps: Deps,
  ctx: RequestContext,
  q: Pick<ListVisitsQuery, 'from' | 'to' | 'date' | 'week'>,
): { from: Date; to: Date } {
  const given = [q.date, q.week, q.from ?? q.to].filter((v) => v !== undefined).length;
  if (given > 1)
    throw new ValidationError('Give a date, a week, or from/to — one of them.', [
      { field: 'query/date', message: 'use only one of date, week, from/to' },
    ]);
  const local = localPeriod(q, deps.config.TIME_ZONE);
  if (local) return local;
  const from = q.from
    ? new Date(q.from)
    : DateTime.fromJSDate(ctx.now, { zone: deps.config.TIME_ZONE }).startOf('day').toJSDate();
  const to = q.to ? new Date(q.to) : new Date('9999-12-31T00:00:00.000Z');
  if (from.getTime() >= to.getTime())
    throw new ValidationError('from must be before to.', [{ field: 'query/to', message: 'must be after from' }]);
  return { from, to };
}

/**
 * GET /visits: by staff member, by citizen, the team's unassigned ones, or the whole team, in a
 * period (a local day, an ISO week, or from/to). Every visit returned is audited as read.
 */
export async function listVisits(deps: Deps, ctx: RequestContext, q: ListVisitsQuery): Promise<Page<VisitView>> {
  const { from, to } = periodOf(deps, ctx, q);
  const unassigned = q.unassigned === 'true';
  if (unassigned && q.staffId)
    throw new ValidationError('Unassigned visits have no staff member.', [
      { field: 'query/staffId', message: 'not with unassigned=true' },
    ]);
  // Authorise before the query: another team's staff member or citizen is the 404 of an unknown one.
  if (q.citizenId) await requireVisibleCitizen(deps, ctx.actor, q.citizenId);
  if (q.staffId) await requireTeamStaff(deps, ctx.actor, q.staffId);
  const partition: readonly [string, string] = unassigned
    ? ['gsi1pk', visitKeys.unassignedPartition(ctx.actor.team)]
    : q.staffId
      ? ['gsi1pk', visitKeys.staffPartition(q.staffId)]
      : q.citizenId
        ? ['gsi2pk', visitKeys.citizenPartition(q.citizenId)]
        : ['gsi3pk', visitKeys.teamPartition(ctx.actor.team)];
  const index = partition[0] === 'gsi1pk' ? 'gsi1' : partition[0] === 'gsi2pk' ? 'gsi2' : 'gsi3';
  const page = await queryPage(deps.table, {
    index,
    partition,
    sort: { attribute: `${index}sk`, between: startRange(from, to) },
    limit: q.limit,
    cursor: q.cursor,
  });
  const visits = page.items
    .map(fromItem)
    .filter((v) => v.team === ctx.actor.team)
    .filter((v) => !q.citizenId || v.citizenId === q.citizenId)
    .filter((v) => !q.status || v.status === q.status)
    .filter((v) => new Date(v.start) < to);
  await audit(deps).recordRead(ctx, ...visits.map((v) => visitEntry(v, 'visit.read')));
  return { items: visits.map((v) => toView(v, deps.config.TIME_ZONE)), nextCursor: page.nextCursor };
}

/** GET /me/visits: the citizen's own visits that have not ended yet and may still happen. */
export async function listMyVisits(
  deps: Deps,
  ctx: RequestContext,
  q: { limit: number; cursor?: string | undefined },
): Promise<Page<z.infer<typeof citizenVisitSchema>>> {
  const citizenId = ctx.actor.sub;
  // A visit that started up to two hours ago may still be running.
  const since = new Date(ctx.now.getTime() - MAX_VISIT_MINUTES * 60_000).toISOString();
  const page = await queryPage(deps.table, {
    index: 'gsi2',
    partition: ['gsi2pk', visitKeys.citizenPartition(citizenId)],
    sort: { attribute: 'gsi2sk', gte: since },
    limit: q.limit,
    cursor: q.cursor,
  });
  const visits = page.items
    .map(fromItem)
    .filter(
      (v) =>
        v.citizenId === citizenId &&
        new Date(v.end) > ctx.now &&
        (v.status === 'scheduled' || v.status === 'in_progress'),
    );
  await audit(deps).recordRead(ctx, ...visits.map((v) => visitEntry(v, 'visit.read')));
  const zone = deps.config.TIME_ZONE;
  return {
    items: visits.map((v) => {
      const view = toView(v, zone);
      return {
        visitId: v.visitId,
        start: view.start,
        end: view.end,
        durationMinutes: v.durationMinutes,
        service: v.purpose.service,
        status: v.status,
        joinableFrom: toView(
          { ...v, start: addMinutes(new Date(v.start), -deps.config.VISIT_JOIN_EARLY_MINUTES).toISOString() },
          zone,
        ).start,
      };
    }),
    nextCursor: page.nextCursor,
  };
}
