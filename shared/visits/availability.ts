import * as z from '#shared/platform/zod.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { blockRemovedTime, settleAvailabilityChange } from './availability-guard.ts';
import {
  availabilityExceptionSchema,
  weeklyWindowSchema,
  type AvailabilityException,
  type WeeklyWindow,
} from './availability-rules.ts';
import {
  AvailabilityVersionMismatch,
  getStaffProfile,
  putStaffProfile,
  readStaffProfile,
  type StaffProfile,
} from './availability-store.ts';

/**
 * A staff member's profile is their entry in the team's staff directory (staff-directory.ts): a
 * lead or admin registers them, or their own first availability does, in their token's team.
 * Staff are identified by their token's `sub`.
 */
export const staffIdSchema = z
  .string()
  .max(48, 'must be a staff id (letters, digits, . _ @ -; at most 48)')
  .regex(/^[A-Za-z0-9._@-]{1,48}$/, 'must be a staff id (letters, digits, . _ @ -; at most 48)')
  .openapi({ example: 'stf-anna' });

export const staffAvailabilitySchema = z
  .object({
    staffId: z.string(),
    team: z.string(),
    timeZone: z.string().openapi({ description: 'The zone every wall-clock time here is in' }),
    weekly: z.array(weeklyWindowSchema),
    exceptions: z.array(availabilityExceptionSchema),
    version: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('StaffAvailability');
export type StaffAvailability = z.infer<typeof staffAvailabilitySchema>;

// Read by other capabilities through this module: the profile is the staff member's availability.
export { getStaffProfile, listTeamStaff, staffProfileFrom, type StaffProfile } from './availability-store.ts';

/**
 * Staff see and change only their own availability (sub = staffId; another staff id is 403);
 * a lead anyone's registered in their team. A staff member registered in another team, or in
 * none, is 404 to a lead, as if unknown: a lead's write never registers anyone.
 */
function assertMayManage(actor: Actor, staffId: string, profile: StaffProfile | undefined): void {
  const own = actor.sub === staffId;
  if (!own && !hasRole(actor, 'lead'))
    throw new ForbiddenError('Staff set only their own availability; a lead sets anyone’s in the team.');
  if (profile ? profile.team !== actor.team : !own) throw new NotFoundError('The staff member');
}

const toView = (profile: StaffProfile, timeZone: string): StaffAvailability => ({
  staffId: profile.staffId,
  team: profile.team,
  timeZone,
  weekly: [...profile.weekly],
  exceptions: [...profile.exceptions],
  version: profile.version,
  updatedAt: profile.updatedAt,
  updatedBy: profile.updatedBy,
});

export async function readAvailability(deps: Deps, ctx: RequestContext, staffId: string): Promise<StaffAvailability> {
  const profile = await getStaffProfile(deps.table, staffId, true);
  assertMayManage(ctx.actor, staffId, profile);
  if (!profile) throw new NotFoundError('The staff member’s availability');
  return toView(profile, deps.config.TIME_ZONE);
}

/**
 * Replaces the weekly windows and exceptions (the version goes up by one, and guards concurrent
 * changes of the availability itself). Before it commits, the staff locks of the time it takes
 * away are blocked, so a booking that read the old availability cannot commit into that time
 * (shared/visits/availability-guard.ts); bookings themselves never touch the profile item.
 * Visits already booked are kept: taking time off over a booked visit is the lead's cue to
 * reassign it (PATCH /visits/{id}).
 */
export async function setAvailability(
  deps: Deps,
  ctx: RequestContext,
  staffId: string,
  input: { weekly: WeeklyWindow[]; exceptions: AvailabilityException[] },
): Promise<StaffAvailability> {
  const stored = await readStaffProfile(deps.table, staffId, true);
  const current = stored?.profile;
  assertMayManage(ctx.actor, staffId, current);
  const profile = nextProfile(current, staffId, input, ctx);
  // The directory entry's own fields survive the replace; a first own write registers them.
  const directory = stored?.directory ?? { registeredAt: ctx.now.toISOString(), registeredBy: ctx.actor.sub };
  const changeId = newId('avc', ctx.now);
  const guard = current
    ? await blockRemovedTime(deps, staffId, changeId, current, profile)
    : { blocked: [], available: [] };
  try {
    await putStaffProfile(deps.table, profile, directory, current?.version);
  } catch (error) {
    await settleAvailabilityChange(deps, staffId, changeId, guard, false);
    if (error instanceof AvailabilityVersionMismatch)
      throw new ConflictError(
        'The availability was changed at the same time; read it again and retry.',
        'availability-changed',
      );
    throw error;
  }
  await settleAvailabilityChange(deps, staffId, changeId, guard, true);
  return toView(profile, deps.config.TIME_ZONE);
}

/** The profile after a replace: rules sorted, the version one up, the team kept (or the writer's own, the first time). */
export function nextProfile(
  current: StaffProfile | undefined,
  staffId: string,
  input: { weekly: readonly WeeklyWindow[]; exceptions: readonly AvailabilityException[] },
  by: { actor: Actor; now: Date },
): StaffProfile {
  return {
    staffId,
    // Only the staff member's own first write gets here without a profile: their own token's team.
    team: current?.team ?? by.actor.team,
    weekly: sortWeekly(input.weekly),
    exceptions: [...input.exceptions].sort(
      (a, b) => a.date.localeCompare(b.date) || (a.start ?? '').localeCompare(b.start ?? ''),
    ),
    version: (current?.version ?? 0) + 1,
    updatedAt: by.now.toISOString(),
    updatedBy: by.actor.sub,
  };
}

function sortWeekly(weekly: readonly WeeklyWindow[]): WeeklyWindow[] {
  return [...weekly].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
}
