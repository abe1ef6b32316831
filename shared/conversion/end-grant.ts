import * as z from '#shared/platform/zod.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { TRANSACTION_CONFLICT_BACKOFF, withRetry } from '#shared/platform/retry.ts';
import { reviseCurrentActions } from './final-grant-store.ts';
import { GRANT_ENDED } from './event-names.ts';
import { grantEndedSchema } from './grant-ended.ts';
import {
  bumpGrantsVersion,
  commitGrantEnd,
  CONFLICT_RETRIES,
  endGrantAction,
  GrantEndRaced,
  readForGrantEnd,
} from './grant-store.ts';
import type { CurrentFinalGrant, Grant } from './model.ts';
import { isoDate } from './plan.ts';

/**
 * Ending a grant: the authority's decision changed, or the citizen moved or died. The only change
 * a grant allows: it gets an end date (or an earlier one); nothing else of it is edited, and it is
 * never extended (record a new grant instead), so a conversion's snapshot of it stays true up to
 * the new end. The citizen's current final grant follows in the same transaction: the benefit's
 * line, its screen-visit plan entry and its dose plan end on the same day, so the figures stop
 * counting it.
 */
export const endGrantSchema = z
  .strictObject({
    /** The last day the benefit is delivered (inclusive), in the municipality's time zone. */
    endDate: isoDate,
    reason: z.string().trim().min(1).max(500),
  })
  .openapi('EndGrant', {
    example: { endDate: '2026-03-31', reason: 'The citizen moves to a nursing home on 1 April.' },
  });
export type EndGrant = z.infer<typeof endGrantSchema>;

/** The rules of an end date, without I/O: not before the start (400), never later than an end already set (409). */
export function checkEndDate(grant: Pick<Grant, 'grantId' | 'startDate' | 'endDate'>, endDate: string): void {
  if (endDate < grant.startDate) {
    throw new ValidationError('The grant cannot end before it starts.', [
      { field: 'body/endDate', message: `must not be before the grant's startDate (${grant.startDate})` },
    ]);
  }
  if (grant.endDate !== undefined && endDate > grant.endDate) {
    throw new ConflictError(
      `Grant ${grant.grantId} already ends on ${grant.endDate}; a grant is not extended: record a new grant from the day after.`,
      'grant-ended',
    );
  }
}

/** The current final grant's lines and plans with the benefit ending on `endDate` (never later than it already did). */
export function endInFinalGrant(
  pointer: Pick<CurrentFinalGrant, 'lines' | 'screenVisitPlan' | 'dosePlan'>,
  grantId: string,
  endDate: string,
  recordedAt?: string,
) {
  const earlier = (end: string | undefined) => (end === undefined || endDate < end ? endDate : end);
  return {
    lines: pointer.lines.map((line) =>
      line.grantId === grantId
        ? {
            ...line,
            endDate: earlier(line.endDate),
            ...(recordedAt && earlier(line.endDate) !== line.endDate ? { endRecordedAt: recordedAt } : {}),
          }
        : line,
    ),
    screenVisitPlan: pointer.screenVisitPlan.map((entry) =>
      entry.grantId === grantId ? { ...entry, validTo: earlier(entry.validTo) } : entry,
    ),
    dosePlan:
      pointer.dosePlan && pointer.dosePlan.grantId === grantId
        ? { ...pointer.dosePlan, validTo: earlier(pointer.dosePlan.validTo) }
        : pointer.dosePlan,
  };
}

/**
 * PATCH /citizens/{id}/grants/{grantId} (assessor). Two requests: one consistent BatchGetItem of
 * the profile, the grant and the current-final-grant pointer; one transaction that sets the end
 * on the grant (conditioned on the end date read), bumps the profile's `grantsVersion` (so a
 * pending proposal's approval gets 409 `grants-changed`), rewrites the benefit in the current
 * final grant and its pointer (conditioned on the pointer's version read and on the final grant
 * not being superseded), audits and writes GrantEnded to the outbox. A transaction that loses a
 * race is decided again on fresh reads.
 */
export async function endGrant(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  grantId: string,
  input: EndGrant,
): Promise<Grant> {
  try {
    return await withRetry(() => endGrantOnce(deps, ctx, citizenId, grantId, input), {
      ...TRANSACTION_CONFLICT_BACKOFF,
      attempts: CONFLICT_RETRIES + 1,
      retryIf: (error) => error instanceof GrantEndRaced,
    });
  } catch (error) {
    if (error instanceof GrantEndRaced)
      throw new ConflictError(
        'The grant or the citizen’s final grant kept changing while the grant was being ended; try again.',
        'concurrent-change',
      );
    throw error;
  }
}

/** What ending a grant changes, decided on what was read: the grant, the current final grant's benefit, the event. */
export function decideEnd(facts: {
  grant: Grant;
  pointer: CurrentFinalGrant | undefined;
  input: EndGrant;
  team: string;
  by: string;
  at: string;
}) {
  const { grant, pointer, input, at } = facts;
  checkEndDate(grant, input.endDate);
  const ended: Grant = { ...grant, endDate: input.endDate, endedAt: at, endedBy: facts.by, endReason: input.reason };
  const inFinalGrant = pointer?.lines.some((line) => line.grantId === grant.grantId) ? pointer : undefined;
  const detail = grantEndedSchema.parse({
    citizenId: grant.citizenId,
    team: facts.team,
    grantId: grant.grantId,
    endDate: input.endDate,
    endedAt: at,
    endedBy: facts.by,
    ...(inFinalGrant ? { finalGrantId: inFinalGrant.finalGrantId } : {}),
  });
  const revised = inFinalGrant && {
    pointer: inFinalGrant,
    change: endInFinalGrant(inFinalGrant, grant.grantId, input.endDate, at),
  };
  return { ended, revised, detail };
}

/** Read, decide, write: one attempt at ending a grant. */
async function endGrantOnce(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  grantId: string,
  input: EndGrant,
): Promise<Grant> {
  const { profile, grant, pointer } = await readForGrantEnd(deps.table, citizenId, grantId, ctx.now);
  visibleCitizenFrom(profile, ctx.actor);
  if (!grant) throw new NotFoundError('The grant');
  const team = String(profile?.team ?? ctx.actor.team);
  const { ended, revised, detail } = decideEnd({
    grant,
    pointer,
    input,
    team,
    by: ctx.actor.sub,
    at: ctx.now.toISOString(),
  });
  const audit = auditLogOf(deps).item(ctx, {
    action: 'grant.end',
    resource: `citizens/${citizenId}/grants/${grantId}`,
    citizenId,
  });
  await commitGrantEnd(deps.table, [
    endGrantAction(deps.table, grant, ended),
    bumpGrantsVersion(deps.table, citizenId),
    { name: 'audit', action: audit },
    ...(revised ? reviseCurrentActions(deps.table, revised.pointer, revised.change) : []),
    // GrantEnded commits with the end (the outbox): its consumers cancel the visits after it.
    { name: 'event', action: outboxEvent(deps.table, domainEvent(GRANT_ENDED, detail, ctx.now)) },
  ]);
  return ended;
}
