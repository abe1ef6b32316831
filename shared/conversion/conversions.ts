import { z } from '@hono/zod-openapi';
import {
  latestAssessmentOf,
  latestAssessmentUnchanged,
  technologyDecisionsOf,
} from '#shared/assessment/assessments.ts';
import { auditLog } from '#shared/audit/audit.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import { requireVisibleCitizen, visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { conversionKeys } from '#shared/table/keys.ts';
import {
  getItem,
  putNew,
  queryPage,
  transactWrite,
  TransactionConflict,
  type Page,
  type TransactItem,
} from '#shared/table/store.ts';
import type { CurrentFinalGrantItem, FinalGrant, FinalGrantItem } from './final-grants.ts';
import { GRANTS_VERSION, grantsAndProfileOf, grantsVersionOf, isActiveGrant, localDate } from './grants.ts';
import { FINAL_GRANT_APPROVED, finalGrantApprovedSchema, type FinalGrantApproved } from './plan.ts';
import { buildPlans, checkProposal, conversionLineSchema, splitSchema } from './split.ts';
import { requireTechnologyReadiness } from './technology-readiness.ts';

/**
 * A conversion (omlægning) is staff's proposal of how each of a citizen's benefits is
 * delivered. A lead approves it, which makes it the citizen's final grant. Proposals are only
 * for a citizen whose latest assessment is `ready` or `ready_with_support`; approval checks that
 * again, and that no grant was added since the proposal.
 */
export const proposeConversionSchema = z
  .strictObject({
    splits: z.array(splitSchema).min(1).max(50),
    /** Why the E-team proposes this split (recorded with the final grant). */
    reason: z.string().trim().min(1).max(2000),
  })
  .openapi('ProposeConversion');
export type ProposeConversion = z.infer<typeof proposeConversionSchema>;

export const approveConversionSchema = z
  .strictObject({ note: z.string().trim().min(1).max(2000).optional() })
  .openapi('ApproveConversion');
export type ApproveConversion = z.infer<typeof approveConversionSchema>;

export const conversionSchema = z
  .object({
    conversionId: z.string(),
    citizenId: z.string(),
    team: z.string(),
    status: z.enum(['proposed', 'approved']),
    lines: z.array(conversionLineSchema),
    reason: z.string(),
    /** The assessment the proposal relied on. */
    assessmentId: z.string(),
    /** The final grant current when this was proposed (none for a first conversion); approval requires it still is. */
    basedOnFinalGrantId: z.string().optional(),
    basedOnVersion: z.number().int(),
    /** The profile's `grantsVersion` when proposed; approval requires it unchanged (absent on proposals made before the counter). */
    basedOnGrantsVersion: z.number().int().optional(),
    proposedBy: z.string(),
    proposedAt: z.string(),
    approvedBy: z.string().optional(),
    approvedAt: z.string().optional(),
    approvalNote: z.string().optional(),
    finalGrantId: z.string().optional(),
  })
  .openapi('Conversion');
export type Conversion = z.infer<typeof conversionSchema>;

type ConversionItem = Conversion & { pk: string; sk: string; entity: 'Conversion' };
const toConversion = (item: ConversionItem): Conversion => conversionSchema.parse(item);

/** The latest assessment, from the profile item already read; 409 unless it is ready. */
async function requireReadyAssessment(deps: Deps, profile: Record<string, unknown>, citizenId: string) {
  const read = await latestAssessmentOf(deps, profile, citizenId);
  const assessment = read.latest;
  if (!assessment)
    throw new ConflictError(
      'The citizen has no readiness assessment yet; an assessor must assess first.',
      'no-assessment',
    );
  if (assessment.decision === 'not_ready') {
    throw new ConflictError(
      `The citizen’s latest assessment (${assessment.assessmentId}) is not_ready, so no benefit can be converted.`,
      'not-ready',
    );
  }
  return { assessment, read };
}

const grantsChanged = () =>
  new ConflictError(
    'The citizen’s grants were recorded or ended since this conversion was proposed; propose again from the current grants.',
    'grants-changed',
  );

/**
 * The approval's one check on the profile (a transaction names an item once): the latest
 * assessment is still the one read, and the grants version is still `grantsVersion` (a profile
 * without the counter counts as 0).
 */
function profileUnchanged(check: TransactItem, grantsVersion: number): TransactItem {
  const base = check.ConditionCheck;
  if (!base) throw new Error('expected a ConditionCheck on the profile');
  const sameGrants =
    grantsVersion === 0
      ? '(attribute_not_exists(#grantsVersion) OR #grantsVersion = :grantsVersion)'
      : '#grantsVersion = :grantsVersion';
  return {
    ConditionCheck: {
      ...base,
      ConditionExpression: `(${base.ConditionExpression}) AND ${sameGrants}`,
      ExpressionAttributeNames: { ...base.ExpressionAttributeNames, '#grantsVersion': GRANTS_VERSION },
      ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ':grantsVersion': grantsVersion },
    },
  };
}

const staleProposal = () =>
  new ConflictError(
    'The citizen’s final grant changed since this conversion was proposed (another approval); propose again from the current final grant.',
    'final-grant-changed',
  );

/** POST /citizens/{id}/conversions */
export async function proposeConversion(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: ProposeConversion,
): Promise<Conversion> {
  // Two reads at once: profile (with the readiness summary) and grants in one Query, and the pointer.
  const [{ profile, grants }, base] = await Promise.all([
    grantsAndProfileOf(deps, citizenId),
    getItem<CurrentFinalGrantItem>(deps.table, conversionKeys.currentFinalGrant(citizenId), { consistent: true }),
  ]);
  const citizen = visibleCitizenFrom(profile, ctx.actor);
  const { assessment } = await requireReadyAssessment(deps, profile ?? {}, citizenId);
  const lines = checkProposal(grants, input.splits, localDate(ctx.now, deps.config.TIME_ZONE));
  requireTechnologyReadiness(lines, technologyDecisionsOf(assessment));
  const conversionId = newId('cnv', ctx.now);
  const conversion: Conversion = {
    conversionId,
    citizenId,
    team: citizen.team,
    status: 'proposed',
    lines,
    reason: input.reason,
    assessmentId: assessment.assessmentId,
    ...(base ? { basedOnFinalGrantId: base.finalGrantId } : {}),
    basedOnVersion: base?.version ?? 0,
    basedOnGrantsVersion: grantsVersionOf(profile),
    proposedBy: ctx.actor.sub,
    proposedAt: ctx.now.toISOString(),
  };
  await transactWrite(deps.table, [
    putNew(deps.table, {
      ...conversionKeys.conversion(conversionId),
      ...conversionKeys.conversionsOfCitizen(citizenId, conversionId),
      entity: 'Conversion',
      ...conversion,
    }),
    auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, {
      action: 'conversion.create',
      resource: `conversions/${conversionId}`,
      citizenId,
    }),
  ]);
  return conversion;
}

/** GET /citizens/{id}/conversions: newest first, proposed and approved. */
export async function listConversions(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Conversion>> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const result = await queryPage<ConversionItem>(deps.table, {
    index: 'gsi1',
    partition: ['gsi1pk', conversionKeys.conversionsOfCitizenPartition(citizenId)],
    newestFirst: true,
    limit: page.limit,
    cursor: page.cursor,
  });
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, {
    action: 'conversion.read',
    resource: `citizens/${citizenId}/conversions`,
    citizenId,
  });
  return { items: result.items.map(toConversion), nextCursor: result.nextCursor };
}

/**
 * POST /conversions/{id}/approve (lead). One transaction: the conversion becomes approved (only
 * from `proposed`), the new final grant is written, the previous one is marked superseded, and
 * the citizen's current-final-grant pointer moves on, conditioned on its version being the one
 * the proposal was based on. So a proposal revises one known final grant: of two proposals made
 * from the same state, the first approved wins and the other gets 409 `final-grant-changed`,
 * whether the approvals race or come a day apart; nothing of the loser is written. The same
 * transaction checks on the profile that the latest assessment is still the ready one that was
 * read and that `grantsVersion` is still the one the proposal recorded; if either moved in
 * between, the approval is decided again on fresh reads (a reassessment gives `not-ready`, a
 * grant recorded or ended gives `grants-changed`). FinalGrantApproved is published after the commit.
 *
 * Three requests: GetItem conversion, one Query for the citizen's profile (with the readiness
 * summary) and grants, the transaction. The pointer is not read: the proposal recorded the
 * version and final grant it was based on, and the pointer's version condition proves they are
 * still current (each version is written once, by one approval).
 */
export async function approveConversion(
  deps: Deps,
  ctx: RequestContext,
  conversionId: string,
  input: ApproveConversion,
): Promise<FinalGrant> {
  for (let attempt = 1; ; attempt++) {
    const approved = await tryApproval(deps, ctx, conversionId, input);
    if (approved !== PROFILE_CHANGED) return approved;
    if (attempt >= 3)
      throw new ConflictError(
        'The citizen’s assessment or grants kept changing while this conversion was being approved; approve again.',
        'not-ready',
      );
  }
}

const PROFILE_CHANGED = Symbol('profile-changed');

async function tryApproval(
  deps: Deps,
  ctx: RequestContext,
  conversionId: string,
  input: ApproveConversion,
): Promise<FinalGrant | typeof PROFILE_CHANGED> {
  const item = await getItem<ConversionItem>(deps.table, conversionKeys.conversion(conversionId), { consistent: true });
  if (!item) throw new NotFoundError('The conversion');
  const conversion = toConversion(item);
  const { profile, grants } = await grantsAndProfileOf(deps, conversion.citizenId);
  const citizen = visibleCitizenFrom(profile, ctx.actor);
  if (conversion.status !== 'proposed') {
    throw new ConflictError(`The conversion is already ${conversion.status}.`, 'not-proposed');
  }
  const readiness = await requireReadyAssessment(deps, profile ?? {}, citizen.citizenId);
  requireTechnologyReadiness(conversion.lines, technologyDecisionsOf(readiness.assessment));
  const today = localDate(ctx.now, deps.config.TIME_ZONE);
  const covered = new Set(conversion.lines.map((l) => l.grantId));
  const uncovered = grants.filter((g) => isActiveGrant(g, today) && !covered.has(g.grantId));
  if (uncovered.length > 0) {
    throw new ConflictError(
      `Grants were recorded after this proposal (${uncovered.map((g) => g.grantId).join(', ')}); propose again.`,
      'grants-changed',
    );
  }
  // Any grant recorded or ended since the proposal, whether or not it shows in the lines; the
  // transaction's condition on the same counter closes the gap between this read and the write.
  const grantsVersion = grantsVersionOf(profile);
  if (conversion.basedOnGrantsVersion !== undefined && conversion.basedOnGrantsVersion !== grantsVersion) {
    throw grantsChanged();
  }

  // The final grant this proposal revises; the pointer's condition below proves it is still current.
  const previous =
    conversion.basedOnFinalGrantId !== undefined && conversion.basedOnVersion > 0
      ? { finalGrantId: conversion.basedOnFinalGrantId, version: conversion.basedOnVersion }
      : undefined;
  const finalGrantId = newId('fg', ctx.now);
  const approvedAt = ctx.now.toISOString();
  const { screenVisitPlan, dosePlan } = buildPlans(conversion.lines, today);
  const finalGrant: Omit<FinalGrant, 'status'> = {
    finalGrantId,
    citizenId: citizen.citizenId,
    team: citizen.team,
    conversionId,
    lines: conversion.lines,
    screenVisitPlan,
    dosePlan,
    reason: conversion.reason,
    ...(input.note ? { approvalNote: input.note } : {}),
    proposedBy: conversion.proposedBy,
    proposedAt: conversion.proposedAt,
    approvedBy: ctx.actor.sub,
    approvedAt,
    ...(previous ? { supersedes: previous.finalGrantId } : {}),
  };
  const version = conversion.basedOnVersion + 1;
  const pointer: CurrentFinalGrantItem = {
    ...conversionKeys.currentFinalGrant(citizen.citizenId),
    ...conversionKeys.allCurrentFinalGrants(citizen.citizenId),
    ...conversionKeys.teamCurrentFinalGrants(citizen.team, citizen.citizenId),
    entity: 'CurrentFinalGrant',
    citizenId: citizen.citizenId,
    team: citizen.team,
    finalGrantId,
    conversionId,
    approvedAt,
    lines: conversion.lines,
    screenVisitPlan,
    dosePlan,
    version,
  };

  const table = deps.table.name;
  const actions: TransactItem[] = [
    {
      Update: {
        TableName: table,
        Key: conversionKeys.conversion(conversionId),
        UpdateExpression:
          'SET #status = :approved, approvedBy = :by, approvedAt = :at, finalGrantId = :fg' +
          (input.note ? ', approvalNote = :note' : ''),
        ConditionExpression: '#status = :proposed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':approved': 'approved',
          ':proposed': 'proposed',
          ':by': ctx.actor.sub,
          ':at': approvedAt,
          ':fg': finalGrantId,
          ...(input.note ? { ':note': input.note } : {}),
        },
      },
    },
    {
      Put: {
        TableName: table,
        Item: pointer,
        ...(conversion.basedOnVersion > 0
          ? {
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': conversion.basedOnVersion },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
    putNew(deps.table, {
      ...conversionKeys.finalGrant(citizen.citizenId, finalGrantId),
      entity: 'FinalGrant',
      ...finalGrant,
    } satisfies FinalGrantItem),
    auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, {
      action: 'conversion.approve',
      resource: `conversions/${conversionId}`,
      citizenId: citizen.citizenId,
    }),
  ];
  const readinessCheck =
    actions.push(profileUnchanged(latestAssessmentUnchanged(deps, citizen.citizenId, readiness.read), grantsVersion)) -
    1;
  if (previous) {
    actions.push({
      Update: {
        TableName: table,
        Key: conversionKeys.finalGrant(citizen.citizenId, previous.finalGrantId),
        UpdateExpression: 'SET supersededBy = :fg, supersededAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(supersededBy)',
        ExpressionAttributeValues: { ':fg': finalGrantId, ':at': approvedAt },
      },
    });
  }
  const detail: FinalGrantApproved = finalGrantApprovedSchema.parse({
    citizenId: citizen.citizenId,
    team: citizen.team,
    finalGrantId,
    conversionId,
    approvedAt,
    approvedBy: ctx.actor.sub,
    ...(previous ? { supersedes: previous.finalGrantId } : {}),
    screenVisitPlan,
    dosePlan,
  });
  // The event commits with the grant: its consumers plan the visits and set the dose plan.
  actions.push(outboxEvent(deps.table, domainEvent(FINAL_GRANT_APPROVED, detail, ctx.now)));
  try {
    await transactWrite(deps.table, actions);
  } catch (error) {
    if (error instanceof TransactionConflict) {
      const failed = error.firstFailed();
      if (failed === 0) throw new ConflictError('The conversion is no longer proposed.', 'not-proposed');
      // -1: no condition failed, a concurrent transaction on one of the items (e.g. a grant recorded) cancelled it.
      if (failed === readinessCheck || failed === -1) return PROFILE_CHANGED;
      throw staleProposal();
    }
    throw error;
  }

  return { ...finalGrant, status: 'current' };
}
