import * as z from '#shared/platform/zod.ts';
import { DateTime } from 'luxon';
import { auditLogOf, type AuditEntry, type SystemContext } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { idPattern, newId } from '#shared/platform/ids.ts';
import { isoDateInput, isoDateTime } from '#shared/platform/time-input.ts';
import { citizenKeys, conversionKeys, staffKeys, visitKeys } from '#shared/table/keys.ts';
import { getItems, queryPage, type Key, type Page } from '#shared/table/store.ts';
import { requireTeamStaff } from './staff-directory.ts';
import { staffIdSchema } from './availability.ts';
import {
  cancelled,
  checkChange,
  decideBooking,
  decideMove,
  isSameBooking,
  proposeMove,
  visitConflict,
} from './booking-rules.ts';
import { visitEvent } from './event-types.ts';
import type { citizenVisitSchema } from './model.ts';
import {
  fromItem,
  slotsOf,
  toView,
  visitPurposeSchema,
  visitStatuses,
  type VisitRecord,
  type VisitView,
} from './model.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import { addMinutes, localPeriod, MAX_VISIT_MINUTES, SLOT_MINUTES } from './time.ts';
import {
  CitizenDoubleBooked,
  failedCondition,
  loadVisit,
  lockMoves,
  otherAction,
  StaffDoubleBooked,
  visitAction,
  VisitVersionMismatch,
  writeVisit,
} from './visit-store.ts';

const CITIZEN_ID_MESSAGE = 'must be a citizen id (cit_<ULID>)';
export const citizenIdSchema = z.string().max(30, CITIZEN_ID_MESSAGE).regex(idPattern('cit'), CITIZEN_ID_MESSAGE);

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

const audit = (deps: Deps) => auditLogOf(deps);
const visitEntry = (visit: Pick<VisitRecord, 'visitId' | 'citizenId'>, action: AuditEntry['action']): AuditEntry => ({
  action,
  resource: `visits/${visit.visitId}`,
  citizenId: visit.citizenId,
});

/** The three reads a booking needs (citizen, staff, final grant), in one consistent BatchGetItem. */
async function readBooking(deps: Deps, ctx: RequestContext, input: BookVisit) {
  const [citizen, staff, finalGrant] = await getItems(
    deps.table,
    [
      citizenKeys.profile(input.citizenId),
      staffKeys.profile(input.staffId),
      conversionKeys.currentFinalGrant(input.citizenId),
    ],
    { consistent: true, now: ctx.now },
  );
  return { citizen, staff, finalGrant };
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
  const zone = deps.config.TIME_ZONE;
  const reads = await readBooking(deps, ctx, input);
  const visit = decideBooking(reads, input, { actor: ctx.actor, now: ctx.now, zone }, newId('vis', ctx.now));
  try {
    await writeVisit(deps.table, visit, [
      visitAction(deps.table, visit),
      ...lockMoves(deps, visit.visitId, undefined, slotsOf(visit)),
      otherAction('audit', audit(deps).item(ctx, visitEntry(visit, 'visit.create'))),
      otherAction(
        'event',
        outboxEvent(
          deps.table,
          visitEvent('VisitBooked', visit, { source: 'booking', bookedBy: ctx.actor.sub }, ctx.now),
        ),
      ),
    ]);
  } catch (error) {
    const holder =
      error instanceof StaffDoubleBooked || error instanceof CitizenDoubleBooked ? error.holder : undefined;
    const same = holder ? await loadVisit(deps.table, holder) : undefined;
    if (isSameBooking(same, visit)) return toView(same, zone);
    throw visitConflict(error);
  }
  return toView(visit, zone);
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

/** What a move must be checked against: the citizen's final grant (a new start) and the staff member. */
async function readMove(deps: Deps, ctx: RequestContext, changed: VisitRecord, moved: boolean) {
  const keys: Key[] = [
    ...(moved ? [conversionKeys.currentFinalGrant(changed.citizenId)] : []),
    ...(changed.staffId ? [staffKeys.profile(changed.staffId)] : []),
  ];
  const items = await getItems(deps.table, keys, { consistent: true, now: ctx.now });
  return { finalGrant: moved ? items[0] : undefined, staff: changed.staffId ? items.at(-1) : undefined };
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
  const zone = deps.config.TIME_ZONE;
  const visit = await requireTeamVisit(deps, ctx.actor, visitId);
  checkChange(visit, input, ctx.actor);
  if (input.status === 'cancelled') {
    const next = cancelled(visit, ctx.now, input.reason);
    const details = {
      cancelledAt: next.cancelledAt,
      cancelledBy: ctx.actor.sub,
      ...(input.reason ? { reason: input.reason } : {}),
    };
    await cancelVisitWrite(deps, ctx, visit, next, visitEvent('VisitCancelled', next, details, ctx.now));
    return toView(next, zone);
  }
  const moved = input.start !== undefined;
  const proposed = proposeMove(visit, input, ctx.now);
  const changed = decideMove(proposed, await readMove(deps, ctx, proposed, moved), moved, zone);
  const previous = { staffId: visit.staffId ?? null, start: visit.start, end: visit.end };
  const event = visitEvent('VisitChanged', changed, { changedBy: ctx.actor.sub, previous }, ctx.now);
  try {
    await writeVisit(deps.table, changed, [
      visitAction(deps.table, changed, visit.version),
      ...lockMoves(deps, visit.visitId, slotsOf(visit), slotsOf(changed)),
      otherAction('audit', audit(deps).item(ctx, visitEntry(visit, 'visit.update'))),
      otherAction('event', outboxEvent(deps.table, event)),
    ]);
  } catch (error) {
    throw visitConflict(error);
  }
  return toView(changed, zone);
}

/** The cancel transaction (shared with superseded final grants): the visit, its released locks, audit, the VisitCancelled event. */
export async function cancelVisitWrite(
  deps: Deps,
  ctx: RequestContext | SystemContext,
  before: VisitRecord,
  cancelledVisit: VisitRecord,
  event: DomainEvent,
): Promise<void> {
  try {
    await writeVisit(deps.table, cancelledVisit, [
      visitAction(deps.table, cancelledVisit, before.version),
      ...lockMoves(deps, before.visitId, slotsOf(before), undefined),
      otherAction('audit', audit(deps).item(ctx, visitEntry(before, 'visit.update'))),
      otherAction('event', outboxEvent(deps.table, event)),
    ]);
  } catch (error) {
    // Whatever condition failed, the visit is no longer the one read.
    throw visitConflict(failedCondition(error) ? new VisitVersionMismatch('The visit changed') : error);
  }
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
  const since = DateTime.fromJSDate(ctx.now).minus({ minutes: MAX_VISIT_MINUTES }).toJSDate().toISOString();
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
