import { describe, expect, it } from 'vitest';
import type { Actor } from '#shared/platform/actor.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { NamedTransactionConflict, TransactionConflict } from '#shared/table/store.ts';
import { checkChange, decideBooking, decideMove, proposeMove, visitConflict } from '#shared/visits/booking-rules.ts';
import type { VisitRecord } from '#shared/visits/model.ts';
import {
  AvailabilityChanged,
  CitizenDoubleBooked,
  decodeVisitConflict,
  StaffDoubleBooked,
  VisitVersionMismatch,
  VisitWriteContended,
} from '#shared/visits/visit-store.ts';

/** The booking rules decide on what was read, without a table: these run in memory. */
const zone = 'Europe/Copenhagen';
const now = new Date('2026-11-23T06:00:00Z');
const lead: Actor = { kind: 'user', sub: 'lead-lis', roles: ['lead'], team: 'east' };
const anna: Actor = { kind: 'user', sub: 'stf-anna', roles: ['staff'], team: 'east' };
const citizen = {
  citizenId: 'cit_01JD0000000000000000000001',
  team: 'east',
  name: { given: 'Karen', family: 'Sørensen' },
  nationalIdMasked: '120339-xxxx',
  preferredLanguage: 'da',
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'asr',
};
const weekdays = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '16:00' }));
const annaProfile = { staffId: 'stf-anna', team: 'east', weekly: weekdays, exceptions: [], version: 1 };
const booking = {
  citizenId: citizen.citizenId,
  staffId: 'stf-anna',
  start: '2026-11-23T09:00:00+01:00',
  durationMinutes: 20,
  purpose: { grantId: 'grt_1', service: 'medication support' },
};
const reads = { citizen, staff: annaProfile, finalGrant: undefined };

describe('deciding a booking', () => {
  it('makes a scheduled visit of the booked time for a staff member who is available then', () => {
    const visit = decideBooking(reads, booking, { actor: lead, now, zone }, 'vis_1');
    expect(visit).toMatchObject({
      visitId: 'vis_1',
      team: 'east',
      staffId: 'stf-anna',
      start: '2026-11-23T08:00:00.000Z',
      end: '2026-11-23T08:20:00.000Z',
      status: 'scheduled',
      source: 'booking',
      version: 1,
      createdBy: 'lead-lis',
    });
  });

  it('refuses another team’s citizen as unknown, another staff member’s booking by staff, and time off the grid', () => {
    const west: Actor = { ...lead, team: 'west' };
    expect(() => decideBooking(reads, booking, { actor: west, now, zone }, 'vis_1')).toThrow(NotFoundError);
    const forBo = { ...booking, staffId: 'stf-bo' };
    expect(() => decideBooking(reads, forBo, { actor: anna, now, zone }, 'vis_1')).toThrow(ForbiddenError);
    const offGrid = { ...booking, start: '2026-11-23T09:02:00+01:00' };
    expect(() => decideBooking(reads, offGrid, { actor: lead, now, zone }, 'vis_1')).toThrow(ValidationError);
  });

  it('refuses a staff member outside their availability or without a profile in the team', () => {
    const evening = { ...booking, start: '2026-11-23T19:00:00+01:00' };
    expect(() => decideBooking(reads, evening, { actor: lead, now, zone }, 'vis_1')).toThrow(
      expect.objectContaining({ reason: 'staff-unavailable' }),
    );
    const noProfile = { ...reads, staff: undefined };
    expect(() => decideBooking(noProfile, booking, { actor: lead, now, zone }, 'vis_1')).toThrow(ConflictError);
  });
});

describe('deciding a change', () => {
  const visit: VisitRecord = {
    ...decideBooking(reads, booking, { actor: lead, now, zone }, 'vis_1'),
    version: 3,
  };

  it('lets staff change only their own visit, and only a lead hand it to someone else', () => {
    const bo: Actor = { ...anna, sub: 'stf-bo' };
    expect(() => checkChange(visit, { start: '2026-11-23T10:00:00+01:00' }, bo)).toThrow(ForbiddenError);
    expect(() => checkChange(visit, { staffId: 'stf-bo' }, anna)).toThrow(ForbiddenError);
    expect(() => checkChange(visit, { staffId: 'stf-bo' }, lead)).not.toThrow();
  });

  it('refuses an empty change, a cancellation with a move, and a stale expected version', () => {
    expect(() => checkChange(visit, {}, lead)).toThrow(ValidationError);
    expect(() => checkChange(visit, { status: 'cancelled', staffId: null }, lead)).toThrow(ValidationError);
    expect(() => checkChange(visit, { staffId: null, expectedVersion: 2 }, lead)).toThrow(
      expect.objectContaining({ reason: 'version-mismatch' }),
    );
  });

  it('moves the visit keeping its duration, and checks the staff member at the new time', () => {
    const moved = proposeMove(visit, { start: '2026-11-24T10:00:00+01:00' }, now);
    expect(moved).toMatchObject({ start: '2026-11-24T09:00:00.000Z', end: '2026-11-24T09:20:00.000Z', version: 4 });
    expect(decideMove(moved, { finalGrant: undefined, staff: annaProfile }, true, zone)).toBe(moved);
    const evening = proposeMove(visit, { start: '2026-11-24T20:00:00+01:00' }, now);
    expect(() => decideMove(evening, { finalGrant: undefined, staff: annaProfile }, true, zone)).toThrow(
      expect.objectContaining({ reason: 'staff-unavailable' }),
    );
  });
});

describe('naming why a visit transaction failed', () => {
  const names = ['visit', 'staffSlot', 'citizenSlot', 'releaseSlot', 'audit'];
  const failed = (index: number, item?: Record<string, unknown>) =>
    new NamedTransactionConflict(
      names,
      new TransactionConflict(
        names.map((_, i) => (i === index ? 'ConditionalCheckFailed' : 'None')),
        names.map((_, i) => (i === index ? item : undefined)),
      ),
    );

  it('by the action whose condition failed, and answers with the same 409 reasons as before', () => {
    const visit = { staffId: 'stf-anna' };
    expect(decodeVisitConflict(failed(0), visit)).toBeInstanceOf(VisitVersionMismatch);
    const staff = decodeVisitConflict(failed(1, { visitId: 'vis_other' }), visit);
    expect(staff).toEqual(new StaffDoubleBooked('stf-anna', 'vis_other'));
    expect(decodeVisitConflict(failed(1, { blockedBy: 'avc_1' }), visit)).toBeInstanceOf(AvailabilityChanged);
    expect(decodeVisitConflict(failed(2, { visitId: 'vis_x' }), visit)).toEqual(new CitizenDoubleBooked('vis_x'));
    const contended = new NamedTransactionConflict(
      names,
      new TransactionConflict(names.map(() => 'TransactionConflict')),
    );
    expect(decodeVisitConflict(contended, visit)).toBeInstanceOf(VisitWriteContended);
    const reasons = [0, 1, 2, 3].map(
      (i) => (visitConflict(decodeVisitConflict(failed(i), visit)) as ConflictError).reason,
    );
    expect(reasons).toEqual(['version-mismatch', 'staff-double-booked', 'citizen-double-booked', 'conflict']);
    expect((visitConflict(staff) as ConflictError).message).toBe(
      'Staff member stf-anna is already booked in an overlapping window.',
    );
  });
});
