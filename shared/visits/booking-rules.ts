import { visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import { currentFinalGrantSchema, type CurrentFinalGrant } from '#shared/conversion/final-grants.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import { ConflictError, ForbiddenError, ValidationError, type FieldError } from '#shared/platform/errors.ts';
import type { Item } from '#shared/table/store.ts';
import { isAvailable } from './availability-rules.ts';
import { staffProfileFrom, type StaffProfile } from './availability.ts';
import { requireWithinGrantDates } from './grant-dates.ts';
import type { VisitRecord } from './model.ts';
import { addMinutes, isOnGrid, isValidDuration, MAX_VISIT_MINUTES, SLOT_MINUTES } from './time.ts';
import {
  AvailabilityChanged,
  CitizenDoubleBooked,
  StaffDoubleBooked,
  VisitVersionMismatch,
  VisitWriteContended,
  VisitWriteRefused,
} from './visit-store.ts';

/**
 * The rules of booking and changing a visit, as pure functions of what was read: they decide
 * the visit to write or throw the typed error the API answers with. No table, no clock.
 */

export interface BookingInput {
  readonly citizenId: string;
  readonly staffId: string;
  readonly start: string;
  readonly durationMinutes: number;
  readonly purpose: { readonly grantId: string; readonly service: string };
}

/** The items a booking is decided on, read together (absent ones undefined). */
export interface BookingReads {
  readonly citizen: Item | undefined;
  readonly staff: Item | undefined;
  readonly finalGrant: Item | undefined;
}

export interface Decider {
  readonly actor: Actor;
  readonly now: Date;
  readonly zone: string;
}

export function timeFields(start: Date, now: Date, field: string): FieldError[] {
  const problems: FieldError[] = [];
  if (Number.isNaN(start.getTime())) return [{ field, message: 'not a date-time' }];
  if (!isOnGrid(start))
    problems.push({ field, message: `must be on a ${SLOT_MINUTES}-minute grid (e.g. 08:00, 08:05)` });
  if (start.getTime() <= now.getTime()) problems.push({ field, message: 'must be in the future' });
  return problems;
}

/** The staff member must belong to the visit's team and be available for the whole visit. */
export function requireAvailableStaff(
  profile: StaffProfile | undefined,
  staffId: string,
  team: string,
  start: Date,
  end: Date,
  zone: string,
): StaffProfile {
  if (!profile || profile.team !== team) {
    throw new ConflictError(`Staff member ${staffId} has no availability in this team.`, 'staff-unavailable');
  }
  if (!isAvailable(profile, start, end, zone)) {
    throw new ConflictError(`Staff member ${staffId} is not available for the whole visit.`, 'staff-unavailable');
  }
  return profile;
}

/**
 * When the citizen has a current final grant, a visit must deliver one of its screen-visit
 * benefits. A citizen without one yet may still get a one-off visit (e.g. an introduction).
 */
export function requireGrantedPurpose(
  current: Pick<CurrentFinalGrant, 'screenVisitPlan'> | undefined,
  grantId: string,
): void {
  if (current && !current.screenVisitPlan.some((entry) => entry.grantId === grantId)) {
    throw new ConflictError('The citizen’s final grant has no screen visits for this benefit.', 'purpose-not-granted');
  }
}

const grantOf = (item: Item | undefined) => (item ? currentFinalGrantSchema.parse(item) : undefined);

/** A new booking: who may book, a valid time, a granted purpose, an available staff member. */
export function decideBooking(reads: BookingReads, input: BookingInput, by: Decider, visitId: string): VisitRecord {
  const citizen = visibleCitizenFrom(reads.citizen, by.actor);
  if (!hasRole(by.actor, 'lead') && input.staffId !== by.actor.sub) {
    throw new ForbiddenError('Staff book visits for themselves; a lead books for anyone in the team.');
  }
  const start = new Date(input.start);
  const fields = timeFields(start, by.now, 'body/start');
  if (!isValidDuration(input.durationMinutes))
    fields.push({ field: 'body/durationMinutes', message: `a multiple of ${SLOT_MINUTES} up to ${MAX_VISIT_MINUTES}` });
  if (fields.length > 0) throw new ValidationError('The visit time is not valid.', fields);
  const end = addMinutes(start, input.durationMinutes);
  const grant = grantOf(reads.finalGrant);
  requireGrantedPurpose(grant, input.purpose.grantId);
  requireWithinGrantDates(grant, input.purpose.grantId, start, by.zone);
  const profile = reads.staff ? staffProfileFrom(reads.staff) : undefined;
  requireAvailableStaff(profile, input.staffId, citizen.team, start, end, by.zone);
  const at = by.now.toISOString();
  return {
    visitId,
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
    createdBy: by.actor.sub,
    updatedAt: at,
  };
}

/** A retried booking whose answer was lost finds its own visit holding the slot: that visit is the answer. */
export function isSameBooking(held: VisitRecord | undefined, wanted: VisitRecord): held is VisitRecord {
  return (
    held !== undefined &&
    held.createdBy === wanted.createdBy &&
    held.citizenId === wanted.citizenId &&
    held.staffId === wanted.staffId &&
    held.start === wanted.start &&
    held.end === wanted.end &&
    held.purpose.grantId === wanted.purpose.grantId &&
    held.status === 'scheduled'
  );
}

export interface ChangeInput {
  readonly start?: string | undefined;
  readonly durationMinutes?: number | undefined;
  readonly staffId?: string | null | undefined;
  readonly status?: 'cancelled' | undefined;
  readonly reason?: string | undefined;
  readonly expectedVersion?: number | undefined;
}

/** The shape of a change: one thing at a time, a reason only with a cancellation. */
function checkChangeShape(input: ChangeInput): void {
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
}

/**
 * Whether this change of this visit is allowed at all: a lead changes any visit of the team; a
 * staff member their own, and may take an unassigned one (staffId = themselves).
 */
export function checkChange(visit: VisitRecord, input: ChangeInput, actor: Actor): void {
  checkChangeShape(input);
  if (!hasRole(actor, 'lead')) {
    const ownsIt = visit.staffId === actor.sub;
    const takesUnassigned = visit.staffId === undefined && input.staffId === actor.sub;
    if (!ownsIt && !takesUnassigned)
      throw new ForbiddenError('Staff change only their own visits (or take an unassigned one); a lead changes any.');
    if (input.staffId !== undefined && input.staffId !== actor.sub)
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
}

/** The visit cancelled now (with the caller's reason). */
export function cancelled(visit: VisitRecord, now: Date, reason: string | undefined): VisitRecord {
  const at = now.toISOString();
  return {
    ...visit,
    status: 'cancelled',
    cancelledAt: at,
    cancelReason: reason,
    version: visit.version + 1,
    updatedAt: at,
  };
}

/** The visit moved and/or reassigned as asked, before the checks that need reads; a new start is validated here. */
export function proposeMove(visit: VisitRecord, input: ChangeInput, now: Date): VisitRecord {
  const start = input.start !== undefined ? new Date(input.start) : new Date(visit.start);
  if (input.start !== undefined) {
    const fields = timeFields(start, now, 'body/start');
    if (fields.length > 0) throw new ValidationError('The visit time is not valid.', fields);
  }
  const duration = input.durationMinutes ?? visit.durationMinutes;
  return {
    ...visit,
    staffId: input.staffId === undefined ? visit.staffId : (input.staffId ?? undefined),
    start: start.toISOString(),
    end: addMinutes(start, duration).toISOString(),
    durationMinutes: duration,
    version: visit.version + 1,
    updatedAt: now.toISOString(),
  };
}

/**
 * A moved visit still delivers its benefit (the grant's dates hold as for a booking), and its
 * staff member must be available for the whole of it.
 */
export function decideMove(
  changed: VisitRecord,
  reads: { finalGrant: Item | undefined; staff: Item | undefined },
  moved: boolean,
  zone: string,
): VisitRecord {
  const start = new Date(changed.start);
  if (moved) requireWithinGrantDates(grantOf(reads.finalGrant), changed.purpose.grantId, start, zone);
  if (changed.staffId) {
    const profile = reads.staff ? staffProfileFrom(reads.staff) : undefined;
    requireAvailableStaff(profile, changed.staffId, changed.team, start, new Date(changed.end), zone);
  }
  return changed;
}

/** The API's answer to a visit write that failed a condition (anything else is passed on as it is). */
export function visitConflict(error: unknown): unknown {
  if (error instanceof VisitVersionMismatch)
    return new ConflictError('The visit was changed by someone else; read it again and retry.', 'version-mismatch');
  if (error instanceof AvailabilityChanged)
    return new ConflictError(
      'The staff member’s availability changed at the same time; try again.',
      'availability-changed',
    );
  if (error instanceof StaffDoubleBooked)
    return new ConflictError(
      `Staff member ${error.staffId} is already booked in an overlapping window.`,
      'staff-double-booked',
    );
  if (error instanceof CitizenDoubleBooked)
    return new ConflictError('The citizen already has a visit in an overlapping window.', 'citizen-double-booked');
  if (error instanceof VisitWriteContended)
    return new ConflictError('The slot is being booked by someone else right now; try again.', 'contended');
  if (error instanceof VisitWriteRefused)
    return new ConflictError('The visit could not be changed; try again.', 'conflict');
  return error;
}
