import { getStaffProfile } from '#shared/visits/availability.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import { findCitizen } from '#shared/citizens/citizen-store.ts';
import { idPattern } from '#shared/platform/ids.ts';
import { dispenserKeys } from '#shared/table/keys.ts';
import { getItem, type Page } from '#shared/table/store.ts';
import { auditLogOf, listAudit, type AuditQuery, type AuditRecord } from './audit.ts';

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
  await auditLogOf(deps).recordRead(
    ctx,
    ...[...citizens].map((citizenId) => ({ action: 'audit.read' as const, resource, citizenId })),
  );
  return { items, nextCursor: page.nextCursor };
}

/** A dispenser acts on citizen data as `dispenser:<dispenserId>`. */
const DEVICE_SUBJECT = 'dispenser:';

/** A subject of the caller's team: a staff member, a citizen or a dispenser registered there. */
async function requireSubjectOfTeam(deps: Deps, caller: Actor, subject: string): Promise<void> {
  const dispenserId = subject.startsWith(DEVICE_SUBJECT) ? subject.slice(DEVICE_SUBJECT.length) : undefined;
  if (dispenserId !== undefined && idPattern('dsp').test(dispenserId)) {
    const dispenser = await getItem(deps.table, dispenserKeys.dispenser(dispenserId));
    if (dispenser?.team === caller.team) return;
  } else if (idPattern('cit').test(subject)) {
    const citizen = await findCitizen(deps.table, subject);
    if (citizen?.team === caller.team) return;
  } else {
    const staff = await getStaffProfile(deps.table, subject);
    if (staff?.team === caller.team) return;
  }
  throw new NotFoundError('The subject');
}
