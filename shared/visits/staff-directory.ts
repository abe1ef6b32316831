import * as z from '#shared/platform/zod.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import type { Page } from '#shared/table/store.ts';
import { staffIdSchema } from './availability.ts';
import {
  getStaffProfile,
  pageTeamStaff,
  registerStaffProfile,
  StaffAlreadyRegistered,
  type StaffProfile,
} from './availability-store.ts';

/**
 * The staff directory: a staff member belongs to a team before anyone can schedule them. The
 * team's lead or an admin registers them; a staff member's own first write (their availability)
 * registers them in the team their own token's groups name. Another team's write never does.
 * The directory entry is the staff profile (`staffKeys.profile`), availability and all.
 */
export const teamIdSchema = z
  .string()
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a team id (lower-case letters, digits, -)')
  .openapi({ example: 'east' });

export const registerStaffSchema = z.strictObject({
  staffId: staffIdSchema,
  name: z.string().trim().min(1).max(200).optional().openapi({ description: 'How colleagues know them' }),
});

export const staffMemberSchema = z
  .object({
    staffId: z.string(),
    team: z.string(),
    name: z.string().optional(),
    registeredAt: z.string(),
    registeredBy: z.string(),
    hasAvailability: z.boolean(),
  })
  .openapi('StaffMember');
export type StaffMember = z.infer<typeof staffMemberSchema>;

const toMember = (item: Record<string, unknown>): StaffMember => ({
  staffId: String(item.staffId),
  team: String(item.team),
  ...(typeof item.name === 'string' ? { name: item.name } : {}),
  registeredAt: String(item.registeredAt ?? item.updatedAt ?? ''),
  registeredBy: String(item.registeredBy ?? item.updatedBy ?? ''),
  hasAvailability: Array.isArray(item.weekly) && item.weekly.length > 0,
});

/** Only the team's own lead or admin manages its directory; any other team is the 404 of an unknown one. */
function assertManagesTeam(actor: Actor, team: string): void {
  if (actor.team !== team || !hasRole(actor, 'lead', 'admin')) throw new NotFoundError('The team');
}

export async function registerStaff(
  deps: Deps,
  ctx: RequestContext,
  team: string,
  input: z.infer<typeof registerStaffSchema>,
): Promise<StaffMember> {
  assertManagesTeam(ctx.actor, team);
  const at = ctx.now.toISOString();
  const item = {
    staffId: input.staffId,
    team,
    ...(input.name ? { name: input.name } : {}),
    weekly: [],
    exceptions: [],
    version: 0,
    registeredAt: at,
    registeredBy: ctx.actor.sub,
    updatedAt: at,
    updatedBy: ctx.actor.sub,
  };
  try {
    await registerStaffProfile(deps.table, item);
  } catch (error) {
    // Staff ids are the sign-in names of one user pool: unique across the municipality.
    if (error instanceof StaffAlreadyRegistered)
      throw new ConflictError(`Staff member ${input.staffId} is already registered.`, 'staff-registered');
    throw error;
  }
  return toMember(item);
}

export async function listStaff(
  deps: Deps,
  ctx: RequestContext,
  team: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<StaffMember>> {
  assertManagesTeam(ctx.actor, team);
  const result = await pageTeamStaff(deps.table, team, page);
  return { items: result.items.filter((i) => i.team === team).map(toMember), nextCursor: result.nextCursor };
}

/**
 * A staff member the caller may name (in a list, a calendar): themselves, or — for a lead or
 * admin — a member of the caller's team. Anyone else, registered elsewhere or not at all, is 404.
 */
export async function requireTeamStaff(deps: Deps, actor: Actor, staffId: string): Promise<StaffProfile | undefined> {
  const profile = await getStaffProfile(deps.table, staffId);
  if (profile && profile.team !== actor.team) throw new NotFoundError('The staff member');
  if (actor.sub === staffId) return profile;
  if (!profile) throw new NotFoundError('The staff member');
  return profile;
}
