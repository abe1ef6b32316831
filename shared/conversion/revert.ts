import { outboxEvent } from '#shared/domain-events/outbox.ts';
import { z } from '@hono/zod-openapi';
import { auditLog } from '#shared/audit/audit.ts';
import { visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { reversionReasonCodes, type Reversion, type ReversionReasonCode } from './reversions.ts';
import { citizenKeys, conversionKeys, evaluationKeys } from '#shared/table/keys.ts';
import { getItems, putNew, transactWrite, TransactionConflict, type TransactItem } from '#shared/table/store.ts';
import { finalGrantSchema, type CurrentFinalGrantItem, type FinalGrant, type FinalGrantItem } from './final-grants.ts';
import { localDate } from './grants.ts';
import { finalGrantApprovedSchema, type FinalGrantApproved } from './plan.ts';
import { buildPlans, type ConversionLine } from './split.ts';

/**
 * Reverting a technology line to physical delivery: a screen-visit line back to physical visits,
 * or a dispenser trial that ended in a return. The reason comes from the fixed list
 * (./reversions.ts), so the trial report can count them. When the line is in the
 * current final grant, a new final-grant version is written in one transaction (the line's
 * technology occurrences become physical from today; the old version is superseded, the
 * pointer moves on), together with the reversion record and the audit; `FinalGrantRevised` is
 * published after the commit so visits and the dose plan follow, as after an approval.
 */
export const FINAL_GRANT_REVISED = 'FinalGrantRevised';
export const finalGrantRevisedSchema = finalGrantApprovedSchema.extend({
  reversion: z.object({
    reversionId: z.string(),
    grantId: z.string(),
    technology: z.enum(['screen_visit', 'medication_technology']),
    reasonCode: z.string(),
  }),
});
export type FinalGrantRevised = z.infer<typeof finalGrantRevisedSchema>;

export const technologies = ['screen_visit', 'medication_technology'] as const;
export type RevertedTechnology = (typeof technologies)[number];

export const revertLineSchema = z
  .strictObject({
    grantId: z
      .string()
      .max(30)
      .regex(/^grt_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a grant id'),
    technology: z.enum(['screen_visit']).openapi({
      description: 'Screen visits back to physical visits; a dispenser goes back through its trial decision',
    }),
    reasonCode: z.enum(reversionReasonCodes),
    reasonText: z.string().trim().min(1).max(500).optional(),
  })
  .refine((r) => r.reasonCode !== 'other' || r.reasonText !== undefined, {
    message: 'reasonText is required when reasonCode is other',
    path: ['reasonText'],
  })
  .openapi('RevertLine');

/** The lines after moving one line's technology occurrences to physical, as a plain function. */
export function revertedLines(
  lines: readonly ConversionLine[],
  grantId: string,
  technology: RevertedTechnology,
): ConversionLine[] | undefined {
  const line = lines.find((l) => l.grantId === grantId);
  if (!line) return undefined;
  const moved = technology === 'screen_visit' ? line.screenVisit : line.medicationTechnology;
  if (moved === 0) return undefined;
  return lines.map((l) =>
    l.grantId !== grantId
      ? l
      : technology === 'screen_visit'
        ? { ...l, physical: l.physical + moved, screenVisit: 0, screenVisitTimes: [] }
        : { ...l, physical: l.physical + moved, medicationTechnology: 0, medicationTechnologyTimes: [] },
  );
}

export interface RevertInput {
  grantId: string;
  technology: RevertedTechnology;
  reasonCode: ReversionReasonCode;
  reasonText?: string | undefined;
  dispenserId?: string | undefined;
}

/**
 * Records a reversion; revises the current final grant when it delivers the line by that
 * technology. `requireLine`: 409 `nothing-to-revert` when it does not (the screen-visit route);
 * a returned dispenser trial whose line was only proposed records the reversion alone.
 */
export async function revertLine(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: RevertInput,
  requireLine: boolean,
): Promise<{ reversion: Reversion; finalGrant?: FinalGrant }> {
  const [profile, pointerItem] = await getItems(
    deps.table,
    [citizenKeys.profile(citizenId), conversionKeys.currentFinalGrant(citizenId)],
    { consistent: true, now: ctx.now },
  );
  const citizen = visibleCitizenFrom(profile, ctx.actor);
  const pointer = pointerItem as CurrentFinalGrantItem | undefined;
  const lines = pointer ? revertedLines(pointer.lines, input.grantId, input.technology) : undefined;
  if (!lines && requireLine) {
    if (!pointer) throw new NotFoundError('A final grant for this citizen');
    throw new ConflictError(
      `The current final grant does not deliver grant ${input.grantId} by ${input.technology.replace('_', ' ')}.`,
      'nothing-to-revert',
    );
  }
  const at = ctx.now.toISOString();
  const reversionId = newId('rvs', ctx.now);
  const reversion: Reversion = {
    reversionId,
    citizenId,
    team: citizen.team,
    grantId: input.grantId,
    technology: input.technology,
    reasonCode: input.reasonCode,
    ...(input.reasonText ? { reasonText: input.reasonText } : {}),
    ...(input.dispenserId ? { dispenserId: input.dispenserId } : {}),
    at,
    by: ctx.actor.sub,
  };
  const actions: TransactItem[] = [];
  let revised: FinalGrant | undefined;
  let detail: FinalGrantRevised | undefined;
  if (pointer && lines) {
    const [previousItem] = await getItems(deps.table, [conversionKeys.finalGrant(citizenId, pointer.finalGrantId)], {
      consistent: true,
    });
    if (!previousItem) throw new NotFoundError('A final grant for this citizen');
    const previous = finalGrantSchema.parse({ ...previousItem, status: 'current' });
    const finalGrantId = newId('fg', ctx.now);
    const { screenVisitPlan, dosePlan } = buildPlans(lines, localDate(ctx.now, deps.config.TIME_ZONE));
    revised = {
      ...previous,
      finalGrantId,
      status: 'current',
      lines,
      screenVisitPlan,
      dosePlan,
      approvedBy: ctx.actor.sub,
      approvedAt: at,
      supersedes: previous.finalGrantId,
      supersededBy: undefined,
      supersededAt: undefined,
      revision: {
        kind: 'reversion',
        reversionId,
        grantId: input.grantId,
        technology: input.technology,
        reasonCode: input.reasonCode,
        ...(input.reasonText ? { reasonText: input.reasonText } : {}),
      },
    };
    const { status: _s, supersededBy: _b, supersededAt: _a, ...stored } = revised;
    reversion.finalGrantId = finalGrantId;
    actions.push(
      {
        Put: {
          TableName: deps.table.name,
          Item: {
            ...pointer,
            finalGrantId,
            approvedAt: at,
            lines,
            screenVisitPlan,
            dosePlan,
            version: pointer.version + 1,
          },
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': pointer.version },
        },
      },
      putNew(deps.table, {
        ...conversionKeys.finalGrant(citizenId, finalGrantId),
        entity: 'FinalGrant',
        ...stored,
      } satisfies FinalGrantItem),
      {
        Update: {
          TableName: deps.table.name,
          Key: conversionKeys.finalGrant(citizenId, previous.finalGrantId),
          UpdateExpression: 'SET supersededBy = :fg, supersededAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(supersededBy)',
          ExpressionAttributeValues: { ':fg': finalGrantId, ':at': at },
        },
      },
    );
    detail = finalGrantRevisedSchema.parse({
      citizenId,
      team: citizen.team,
      finalGrantId,
      conversionId: previous.conversionId,
      approvedAt: at,
      approvedBy: ctx.actor.sub,
      supersedes: previous.finalGrantId,
      screenVisitPlan,
      dosePlan,
      reversion: { reversionId, grantId: input.grantId, technology: input.technology, reasonCode: input.reasonCode },
    });
  }
  actions.push(
    putNew(deps.table, {
      ...evaluationKeys.reversion(citizenId, at, reversionId),
      ...evaluationKeys.teamReversions(citizen.team, at, reversionId),
      entity: 'Reversion',
      ...reversion,
    }),
    auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, {
      action: 'final-grant.revert',
      resource: `citizens/${citizenId}/final-grant/reversions/${reversionId}`,
      citizenId,
    }),
  );
  // FinalGrantRevised commits with the revision (the outbox): its consumer replans the visits.
  if (detail) actions.push(outboxEvent(deps.table, domainEvent(FINAL_GRANT_REVISED, detail, ctx.now)));
  try {
    await transactWrite(deps.table, actions);
  } catch (error) {
    if (error instanceof TransactionConflict)
      throw new ConflictError(
        'The citizen’s final grant changed meanwhile; reload it and try again.',
        'final-grant-changed',
      );
    throw error;
  }
  return { reversion, ...(revised ? { finalGrant: revised } : {}) };
}

export type { FinalGrantApproved };
