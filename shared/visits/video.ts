import { DateTime } from 'luxon';
import * as z from '#shared/platform/zod.ts';
import { auditLogOf, type AuditEntry } from '#shared/audit/audit.ts';
import { hasRole } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { logger } from '#shared/platform/logger.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { TRANSACTION_CONFLICT_BACKOFF, withRetry } from '#shared/platform/retry.ts';
import { visitEvent } from './event-types.ts';
import type { AttendeeInfo, MeetingInfo } from '#shared/platform/meetings.ts';
import {
  consentOf,
  guestConsents,
  guestKinds,
  toView,
  visitOutcomes,
  type Guest,
  type VisitRecord,
  type VisitView,
} from './model.ts';
import { requireTeamVisit } from './visits.ts';
import {
  failedCondition,
  loadVisit,
  otherAction,
  visitAction,
  VisitWriteContended,
  writeVisit,
} from './visit-store.ts';

/**
 * The video session of a screen visit. Chime is called first and the visit written after, in
 * one conditional write: if Chime fails nothing is written and the visit stays startable; if the
 * write loses a race, we read again and retry. The meeting's idempotency token is derived from
 * the visit and its meeting generation, so a retried start returns the same meeting, and a new
 * meeting (generation + 1) is only made when the last one has ended — Chime ends a meeting five
 * minutes after its last attendee left, so a citizen who joins late finds it recreated.
 * Join tokens go back only to their own attendee; they are never stored or logged.
 */
export const MAX_GUESTS = 10;

export const joinInfoSchema = z
  .object({
    visitId: z.string(),
    meeting: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The Chime `Meeting` object, as the Chime client SDK takes it' }),
    attendee: z
      .object({
        AttendeeId: z.string(),
        ExternalUserId: z.string(),
        JoinToken: z.string().openapi({ description: 'Secret: only for this attendee' }),
      })
      .openapi('Attendee'),
  })
  .openapi('JoinInfo');
export type JoinInfo = z.infer<typeof joinInfoSchema>;

export const addGuestSchema = z
  .strictObject({
    kind: z
      .enum(guestKinds)
      .openapi({ description: 'A relative, or another professional (e.g. a nurse supporting a colleague)' }),
  })
  .openapi('AddGuest');

export const completeVisitSchema = z
  .strictObject({
    result: z.enum(visitOutcomes),
    notes: z
      .string()
      .trim()
      .max(4000)
      .optional()
      .openapi({ description: 'Outcome notes (personal data: stored, never logged or published)' }),
  })
  .openapi('CompleteVisit');

const audit = (deps: Deps) => auditLogOf(deps);
const entry = (visit: VisitRecord, action: AuditEntry['action']): AuditEntry => ({
  action,
  resource: `visits/${visit.visitId}`,
  citizenId: visit.citizenId,
});

function joinInfo(visitId: string, meeting: MeetingInfo, attendee: AttendeeInfo): JoinInfo {
  return {
    visitId,
    meeting: meeting.meeting,
    attendee: {
      AttendeeId: attendee.attendeeId,
      ExternalUserId: attendee.externalUserId,
      JoinToken: attendee.joinToken,
    },
  };
}

/** The visit's meeting if it still lives, else a new one (the next generation, idempotently). */
async function liveMeeting(deps: Deps, visit: VisitRecord): Promise<{ meeting: MeetingInfo; generation: number }> {
  const current = visit.meetingGeneration ?? 0;
  if (visit.meetingId) {
    const meeting = await deps.meetings.getMeeting(visit.meetingId);
    if (meeting) return { meeting, generation: current };
  }
  const generation = current + 1;
  const meeting = await deps.meetings.createMeeting({
    externalMeetingId: visit.visitId,
    clientRequestToken: `${visit.visitId}-m${generation}`,
  });
  return { meeting, generation };
}

/** The visit must be open for video now: [start − VISIT_JOIN_EARLY_MINUTES, end], scheduled or in progress. */
function assertInWindow(deps: Deps, visit: VisitRecord, now: Date): void {
  if (visit.status !== 'scheduled' && visit.status !== 'in_progress')
    throw new ConflictError(`The visit is ${visit.status}.`, 'not-open');
  const opens = DateTime.fromISO(visit.start).minus({ minutes: deps.config.VISIT_JOIN_EARLY_MINUTES }).toMillis();
  if (now.getTime() < opens)
    throw new ConflictError(
      `The visit opens ${deps.config.VISIT_JOIN_EARLY_MINUTES} minutes before its start.`,
      'too-early',
    );
  if (now.getTime() > new Date(visit.end).getTime())
    throw new ConflictError('The visit window is over.', 'window-over');
}

function assertAssigned(visit: VisitRecord, sub: string): void {
  if (visit.staffId !== sub) throw new ForbiddenError('Only the staff member assigned to the visit may do this.');
}

/**
 * Reads the visit, lets `attempt` call Chime and build the new visit, and commits it on the
 * condition that the visit did not change meanwhile; on a lost race it starts over.
 */
async function withVisit<T>(
  deps: Deps,
  load: () => Promise<VisitRecord>,
  attempt: (
    visit: VisitRecord,
  ) => Promise<{ next: VisitRecord; action: AuditEntry['action']; result: T; events?: DomainEvent[] }>,
  ctx: RequestContext,
): Promise<{ before: VisitRecord; next: VisitRecord; result: T }> {
  const once = async () => {
    const before = await load();
    const { next, action, result, events = [] } = await attempt(before);
    await writeVisit(
      deps.table,
      next,
      [
        visitAction(deps.table, next, before.version),
        otherAction('audit', audit(deps).item(ctx, entry(before, action))),
        ...events.map((e) => otherAction('event', outboxEvent(deps.table, e))),
      ],
      1,
    );
    return { before, next, result };
  };
  const lostRace = (error: unknown) => failedCondition(error) || error instanceof VisitWriteContended;
  try {
    return await withRetry(once, { ...TRANSACTION_CONFLICT_BACKOFF, attempts: 4, retryIf: lostRace });
  } catch (error) {
    if (lostRace(error)) throw new ConflictError('The visit is being changed by someone else; try again.', 'contended');
    throw error;
  }
}

/** POST /visits/{id}/start: the assigned staff member opens the video session. Repeating it rejoins. */
export async function startVisit(
  deps: Deps,
  ctx: RequestContext,
  visitId: string,
): Promise<{ visit: VisitView; join: JoinInfo }> {
  const at = ctx.now.toISOString();
  const { next, result } = await withVisit(
    deps,
    () => requireTeamVisit(deps, ctx.actor, visitId),
    async (visit) => {
      assertAssigned(visit, ctx.actor.sub);
      assertInWindow(deps, visit, ctx.now);
      const { meeting, generation } = await liveMeeting(deps, visit);
      const attendee = await deps.meetings.createAttendee(meeting.meetingId, `staff-${ctx.actor.sub}`);
      const next: VisitRecord = {
        ...visit,
        status: 'in_progress',
        startedAt: visit.startedAt ?? at,
        meetingId: meeting.meetingId,
        meetingGeneration: generation,
        version: visit.version + 1,
        updatedAt: at,
      };
      const events =
        visit.status === 'scheduled' ? [visitEvent('VisitStarted', next, { startedAt: next.startedAt }, ctx.now)] : [];
      return { next, action: 'visit.start', result: joinInfo(visit.visitId, meeting, attendee), events };
    },
    ctx,
  );
  logger.info('visit started', { visitId, meetingId: next.meetingId });
  return { visit: toView(next, deps.config.TIME_ZONE), join: result };
}

/** POST /visits/{id}/join: the visit's own citizen, inside the window; anyone else's visit is 404. */
export async function joinVisit(deps: Deps, ctx: RequestContext, visitId: string): Promise<JoinInfo> {
  const at = ctx.now.toISOString();
  const { result } = await withVisit(
    deps,
    async () => {
      const visit = await loadVisit(deps.table, visitId);
      if (!visit || !hasRole(ctx.actor, 'citizen') || visit.citizenId !== ctx.actor.sub)
        throw new NotFoundError('The visit');
      return visit;
    },
    async (visit) => {
      assertInWindow(deps, visit, ctx.now);
      const { meeting, generation } = await liveMeeting(deps, visit);
      const attendee = await deps.meetings.createAttendee(meeting.meetingId, `citizen-${visit.citizenId}`);
      const next: VisitRecord = {
        ...visit,
        meetingId: meeting.meetingId,
        meetingGeneration: generation,
        citizenJoinedAt: visit.citizenJoinedAt ?? at,
        version: visit.version + 1,
        updatedAt: at,
      };
      return { next, action: 'visit.join', result: joinInfo(visit.visitId, meeting, attendee) };
    },
    ctx,
  );
  return result;
}

export const guestViewSchema = z
  .object({
    guestId: z.string(),
    kind: z.enum(guestKinds),
    addedAt: z.string(),
    consent: z.enum(guestConsents),
    consentAt: z.string().optional(),
  })
  .openapi('VisitGuest');
export type GuestView = z.infer<typeof guestViewSchema>;

export const guestConsentSchema = z
  .strictObject({
    consent: z.boolean().openapi({ description: 'true: the citizen lets this guest into the call; false: not' }),
  })
  .openapi('GuestConsent');

const guestView = (g: Guest): GuestView => ({
  guestId: g.guestId,
  kind: g.kind,
  addedAt: g.addedAt,
  consent: consentOf(g),
  ...(g.consent?.at ? { consentAt: g.consent.at } : {}),
});

function requireGuest(visit: VisitRecord, guestId: string): Guest {
  const guest = visit.guests.find((g) => g.guestId === guestId);
  if (!guest) throw new NotFoundError('The guest');
  return guest;
}

/**
 * POST /visits/{id}/guests: the assigned staff member asks to add a relative or another
 * professional. The guest waits for the citizen's consent on the tablet; no join data yet.
 */
export async function addGuest(
  deps: Deps,
  ctx: RequestContext,
  visitId: string,
  input: z.infer<typeof addGuestSchema>,
): Promise<GuestView> {
  const at = ctx.now.toISOString();
  const { result } = await withVisit(
    deps,
    () => requireTeamVisit(deps, ctx.actor, visitId),
    async (visit) => {
      assertAssigned(visit, ctx.actor.sub);
      if (visit.status !== 'in_progress')
        throw new ConflictError('Start the visit before adding a guest.', 'not-in-progress');
      if (visit.guests.length >= MAX_GUESTS)
        throw new ConflictError(`A visit has at most ${MAX_GUESTS} guests.`, 'too-many-guests');
      const guest: Guest = {
        guestId: newId('gst', ctx.now),
        kind: input.kind,
        addedAt: at,
        addedBy: ctx.actor.sub,
        consent: { status: 'pending' },
      };
      const next: VisitRecord = {
        ...visit,
        guests: [...visit.guests, guest],
        version: visit.version + 1,
        updatedAt: at,
      };
      return { next, action: 'visit.guest', result: guestView(guest) };
    },
    ctx,
  );
  return result;
}

/** POST /visits/{id}/guests/{guestId}/consent: the visit's own citizen says yes or no, on the tablet. */
export async function recordGuestConsent(
  deps: Deps,
  ctx: RequestContext,
  visitId: string,
  guestId: string,
  input: z.infer<typeof guestConsentSchema>,
): Promise<GuestView> {
  const at = ctx.now.toISOString();
  const { result } = await withVisit(
    deps,
    async () => {
      const visit = await loadVisit(deps.table, visitId);
      if (!visit || !hasRole(ctx.actor, 'citizen') || visit.citizenId !== ctx.actor.sub)
        throw new NotFoundError('The visit');
      return visit;
    },
    async (visit) => {
      const guest = requireGuest(visit, guestId);
      if (visit.status !== 'in_progress' && visit.status !== 'scheduled')
        throw new ConflictError(`The visit is ${visit.status}.`, 'not-open');
      if (guest.attendeeId) throw new ConflictError('The guest has already joined.', 'guest-joined');
      const updated: Guest = {
        ...guest,
        consent: { status: input.consent ? 'given' : 'refused', at, by: ctx.actor.sub },
      };
      const next: VisitRecord = {
        ...visit,
        guests: visit.guests.map((g) => (g.guestId === guestId ? updated : g)),
        version: visit.version + 1,
        updatedAt: at,
      };
      return { next, action: 'visit.consent', result: guestView(updated) };
    },
    ctx,
  );
  return result;
}

/**
 * POST /visits/{id}/guests/{guestId}/join: the assigned staff member gets the guest's join data to
 * pass on, only once the citizen's consent is recorded (409 `consent-missing` / `consent-refused`).
 */
export async function joinGuest(
  deps: Deps,
  ctx: RequestContext,
  visitId: string,
  guestId: string,
): Promise<JoinInfo & { guestId: string; kind: string }> {
  const at = ctx.now.toISOString();
  const { result } = await withVisit(
    deps,
    () => requireTeamVisit(deps, ctx.actor, visitId),
    async (visit) => {
      assertAssigned(visit, ctx.actor.sub);
      const guest = requireGuest(visit, guestId);
      const consent = consentOf(guest);
      if (consent === 'pending')
        throw new ConflictError('The citizen has not yet consented to this guest on the tablet.', 'consent-missing');
      if (consent === 'refused')
        throw new ConflictError('The citizen did not consent to this guest.', 'consent-refused');
      if (visit.status !== 'in_progress')
        throw new ConflictError('Only a visit in progress can be joined.', 'not-in-progress');
      const { meeting, generation } = await liveMeeting(deps, visit);
      const attendee = await deps.meetings.createAttendee(meeting.meetingId, `guest-${guestId}`);
      const next: VisitRecord = {
        ...visit,
        meetingId: meeting.meetingId,
        meetingGeneration: generation,
        guests: visit.guests.map((g) => (g.guestId === guestId ? { ...g, attendeeId: attendee.attendeeId } : g)),
        version: visit.version + 1,
        updatedAt: at,
      };
      return {
        next,
        action: 'visit.guest',
        result: { guestId, kind: guest.kind, ...joinInfo(visit.visitId, meeting, attendee) },
      };
    },
    ctx,
  );
  return result;
}

/** POST /visits/{id}/complete: the outcome is recorded, then the meeting deleted. */
export async function completeVisit(
  deps: Deps,
  ctx: RequestContext,
  visitId: string,
  input: z.infer<typeof completeVisitSchema>,
): Promise<VisitView> {
  const at = ctx.now.toISOString();
  const { next } = await withVisit(
    deps,
    () => requireTeamVisit(deps, ctx.actor, visitId),
    async (visit) => {
      assertAssigned(visit, ctx.actor.sub);
      if (visit.status !== 'in_progress')
        throw new ConflictError(
          `Only a visit in progress can be completed; this one is ${visit.status}.`,
          'not-in-progress',
        );
      const next: VisitRecord = {
        ...visit,
        status: 'completed',
        completedAt: at,
        outcome: { result: input.result, ...(input.notes ? { notes: input.notes } : {}) },
        version: visit.version + 1,
        updatedAt: at,
      };
      const completed = visitEvent(
        'VisitCompleted',
        next,
        { startedAt: next.startedAt, completedAt: at, result: input.result },
        ctx.now,
      );
      return { next, action: 'visit.complete', result: undefined, events: [completed] };
    },
    ctx,
  );
  if (next.meetingId) {
    // Chime ends an idle meeting by itself within minutes, so a failed delete is only logged.
    await deps.meetings
      .deleteMeeting(next.meetingId)
      .catch((error: unknown) => logger.warn('meeting not deleted', { visitId, error: error as Error }));
  }
  return toView(next, deps.config.TIME_ZONE);
}
