import { outboxEvent } from '#shared/domain-events/outbox.ts';
import { z } from '@hono/zod-openapi';
import { auditLog } from '#shared/audit/audit.ts';
import { visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { citizenKeys, conversionKeys } from '#shared/table/keys.ts';
import { getItems, transactWrite, TransactionConflict, type TransactItem } from '#shared/table/store.ts';
import type { CurrentFinalGrantItem } from './final-grants.ts';
import { bumpGrantsVersion, CONFLICT_RETRIES, jitter, toGrant, type Grant, type GrantItem } from './grants.ts';
import { isoDate } from './plan.ts';
import { GRANT_ENDED, grantEndedSchema } from './grant-ended.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';

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
  pointer: Pick<CurrentFinalGrantItem, 'lines' | 'screenVisitPlan' | 'dosePlan'>,
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
 * not being superseded), and audits. A transaction that loses a race is decided again on fresh
 * reads.
 */
export async function endGrant(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  grantId: string,
  input: EndGrant,
): Promise<Grant> {
  for (let attempt = 0; ; attempt++) {
    const [profile, grantItem, pointerItem] = await getItems(
      deps.table,
      [
        citizenKeys.profile(citizenId),
        conversionKeys.grant(citizenId, grantId),
        conversionKeys.currentFinalGrant(citizenId),
      ],
      { consistent: true, now: ctx.now },
    );
    visibleCitizenFrom(profile, ctx.actor);
    if (!grantItem) throw new NotFoundError('The grant');
    const grant = toGrant(grantItem as GrantItem);
    checkEndDate(grant, input.endDate);

    const endedAt = ctx.now.toISOString();
    const ended: Grant = { ...grant, endDate: input.endDate, endedAt, endedBy: ctx.actor.sub, endReason: input.reason };
    const table = deps.table.name;
    const actions: TransactItem[] = [
      {
        Update: {
          TableName: table,
          Key: conversionKeys.grant(citizenId, grantId),
          UpdateExpression: 'SET endDate = :end, endedAt = :at, endedBy = :by, endReason = :reason',
          ConditionExpression:
            grant.endDate === undefined
              ? 'attribute_exists(pk) AND attribute_not_exists(endDate)'
              : 'endDate = :readEnd',
          ExpressionAttributeValues: {
            ':end': input.endDate,
            ':at': endedAt,
            ':by': ctx.actor.sub,
            ':reason': input.reason,
            ...(grant.endDate === undefined ? {} : { ':readEnd': grant.endDate }),
          },
        },
      },
      bumpGrantsVersion(deps, citizenId),
      auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, {
        action: 'grant.end',
        resource: `citizens/${citizenId}/grants/${grantId}`,
        citizenId,
      }),
    ];
    const pointer = pointerItem as CurrentFinalGrantItem | undefined;
    if (pointer?.lines.some((line) => line.grantId === grantId)) {
      const revised = endInFinalGrant(pointer, grantId, input.endDate, endedAt);
      const set = {
        UpdateExpression: 'SET #lines = :lines, screenVisitPlan = :plan, dosePlan = :dose',
        ExpressionAttributeNames: { '#lines': 'lines' },
      };
      const values = { ':lines': revised.lines, ':plan': revised.screenVisitPlan, ':dose': revised.dosePlan };
      actions.push(
        {
          // The version is not bumped: it counts approvals, which proposals condition on; grant changes have their own counter.
          Update: {
            TableName: table,
            Key: conversionKeys.currentFinalGrant(citizenId),
            ...set,
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { ...set.ExpressionAttributeNames, '#version': 'version' },
            ExpressionAttributeValues: { ...values, ':version': pointer.version },
          },
        },
        {
          Update: {
            TableName: table,
            Key: conversionKeys.finalGrant(citizenId, pointer.finalGrantId),
            ...set,
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(supersededBy)',
            ExpressionAttributeValues: values,
          },
        },
      );
    }
    const revised = pointer?.lines.some((line) => line.grantId === grantId) ? pointer.finalGrantId : undefined;
    const detail = grantEndedSchema.parse({
      citizenId,
      team: String(profile?.team ?? ctx.actor.team),
      grantId,
      endDate: input.endDate,
      endedAt,
      endedBy: ctx.actor.sub,
      ...(revised ? { finalGrantId: revised } : {}),
    });
    // GrantEnded commits with the end (the outbox): its consumers cancel the visits after it.
    actions.push(outboxEvent(deps.table, domainEvent(GRANT_ENDED, detail, ctx.now)));
    try {
      await transactWrite(deps.table, actions);
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
      if (attempt >= CONFLICT_RETRIES)
        throw new ConflictError(
          'The grant or the citizen’s final grant kept changing while the grant was being ended; try again.',
          'concurrent-change',
        );
      await jitter(attempt);
      continue;
    }
    return ended;
  }
}
