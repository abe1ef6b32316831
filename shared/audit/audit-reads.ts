import { getStaffProfile } from '#shared/visits/availability.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import { citizenKeys, dispenserKeys } from '#shared/table/keys.ts';
import { getItem, type Page } from '#shared/table/store.ts';
import { auditLog, listAudit, type AuditQuery, type AuditRecord } from './audit.ts';

/**
 * GET /audit, scoped: an admin reads the audit of their own team's citizens and of the subjects
 * (staff, citizens, dispensers) registered in their team; anything else is the 404 of an unknown
 * id. Only the municipality's data-protection officer (`dpo`) reads across teams. Reading the
 * audit log is a read of citizen data too, so it is audited like any other.
 */
export async function readAuditLog(deps: Deps, ctx: RequestContext, query: AuditQuery): Promise<Page<AuditRecord>> {
  const acrossTeams = hasRole(ctx.actor, 'dpo');
  if (!acrossTeams) {
    if (query.citizenId) await requireVisibleCitizen(deps, ctx.actor, query.citizenId);
    if (query.actor) await requireSubjectOfTeam(deps, ctx.actor, query.actor);
  }
  const page = await listAudit(deps.table, query);
  // A subject who changed teams keeps their old records; those belong to the old team.
  const items = acrossTeams
    ? page.items
    : page.items.filter(
        (r) => r.actor.team === undefined || r.actor.team === ctx.actor.team || query.citizenId !== undefined,
      );
  const citizens = new Set(items.map((r) => r.citizenId));
  if (query.citizenId) citizens.add(query.citizenId);
  const resource = query.citizenId ? `audit?citizenId=${query.citizenId}` : `audit?actor=${query.actor ?? ''}`;
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(
    ctx,
    ...[...citizens].map((citizenId) => ({ action: 'audit.read' as const, resource, citizenId })),
  );
  return { items, nextCursor: page.nextCursor };
}

/** A subject of the caller's team: a staff member, a citizen or a dispenser registered there. */
async function requireSubjectOfTeam(deps: Deps, caller: Actor, subject: string): Promise<void> {
  const device = /^dispenser:(dsp_[0-9A-HJKMNP-TV-Z]{26})$/.exec(subject);
  if (device?.[1]) {
    const dispenser = await getItem(deps.table, dispenserKeys.dispenser(device[1]));
    if (dispenser?.team === caller.team) return;
  } else if (/^cit_[0-9A-HJKMNP-TV-Z]{26}$/.test(subject)) {
    const citizen = await getItem(deps.table, citizenKeys.profile(subject));
    if (citizen?.team === caller.team) return;
  } else {
    const staff = await getStaffProfile(deps.table, subject);
    if (staff?.team === caller.team) return;
  }
  throw new NotFoundError('The subject');
}
