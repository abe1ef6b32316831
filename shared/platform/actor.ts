import * as z from '#shared/platform/zod.ts';

/**
 * `dpo`: the municipality's data-protection officer (Cognito group `dpo`): reads the audit log of
 * every team, and nothing else. `reporting`: the municipality's reporting role (the roll-up across
 * teams). `support`: the team's IT supporter: technical alerts (device faults, silent devices).
 * Every other role sees its own team only.
 */
export const roles = ['assessor', 'staff', 'lead', 'citizen', 'admin', 'dpo', 'reporting', 'support'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/**
 * Who is calling. `sub` is the Cognito subject; for staff it is their staff id, for a citizen's
 * tablet it is the citizen id. `team` scopes what a care worker may see.
 */
export interface Actor {
  readonly kind: 'user';
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly team: string;
}

export interface DeviceActor {
  readonly kind: 'device';
  readonly dispenserId: string;
}

export function hasRole(actor: Actor, ...allowed: Role[]): boolean {
  return actor.roles.some((r) => allowed.includes(r));
}

/** The role recorded in audit: the strongest one the caller used. */
export function primaryRole(actor: Actor): Role {
  const order: Role[] = ['dpo', 'admin', 'reporting', 'lead', 'assessor', 'staff', 'support', 'citizen'];
  return order.find((r) => actor.roles.includes(r)) ?? 'citizen';
}
