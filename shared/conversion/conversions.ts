import * as z from '#shared/platform/zod.ts';
import { latestAssessmentOf, latestAssessmentUnchanged } from '#shared/assessment/latest-assessment.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { requireVisibleCitizen, visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { TRANSACTION_CONFLICT_BACKOFF, withRetry } from '#shared/platform/retry.ts';
import type { Page } from '#shared/table/store.ts';
import {
  commitApproval,
  ConversionNotProposed,
  conversionsPage,
  getConversion,
  insertConversion,
  ProfileChanged,
} from './conversion-store.ts';
import { buildApproval, checkApproval, decideProposal } from './conversion-rules.ts';
import { FinalGrantChanged, getPointer } from './final-grant-store.ts';
import { andGrantsVersionIs, grantsAndProfile, grantsVersionOf } from './grant-store.ts';
import { localDate } from './grants.ts';
import type { Conversion, FinalGrant } from './model.ts';
import { FINAL_GRANT_APPROVED } from './event-names.ts';
import { splitSchema } from './split.ts';

export { conversionSchema, type Conversion } from './model.ts';

/**
 * A conversion (omlægning) is staff's proposal of how each of a citizen's benefits is
 * delivered. A lead approves it, which makes it the citizen's final grant. Proposals are only
 * for a citizen whose latest assessment is `ready` or `ready_with_support`; approval checks that
 * again, and that no grant was added since the proposal. The rules are in ./conversion-rules.ts.
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

/** POST /citizens/{id}/conversions */
export async function proposeConversion(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: ProposeConversion,
): Promise<Conversion> {
  // Two reads at once: profile (with the readiness summary) and grants in one Query, and the pointer.
  const [{ profile, grants }, base] = await Promise.all([
    grantsAndProfile(deps.table, citizenId),
    getPointer(deps.table, citizenId),
  ]);
  const citizen = visibleCitizenFrom(profile, ctx.actor);
  const { latest } = await latestAssessmentOf(deps, profile ?? {}, citizenId);
  const conversion = decideProposal({
    conversionId: newId('cnv', ctx.now),
    citizen,
    grants,
    grantsVersion: grantsVersionOf(profile),
    latest,
    base,
    splits: input.splits,
    reason: input.reason,
    today: localDate(ctx.now, deps.config.TIME_ZONE),
    by: ctx.actor.sub,
    at: ctx.now.toISOString(),
  });
  await insertConversion(
    deps.table,
    conversion,
    auditLogOf(deps).item(ctx, {
      action: 'conversion.create',
      resource: `conversions/${conversion.conversionId}`,
      citizenId,
    }),
  );
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
  const result = await conversionsPage(deps.table, citizenId, page);
  await auditLogOf(deps).recordRead(ctx, {
    action: 'conversion.read',
    resource: `citizens/${citizenId}/conversions`,
    citizenId,
  });
  return result;
}

/** Attempts of an approval whose profile moved between its reads and its transaction. */
const APPROVAL_ATTEMPTS = 3;

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
 * grant recorded or ended gives `grants-changed`). FinalGrantApproved commits with it (outbox).
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
  try {
    return await withRetry(() => approveOnce(deps, ctx, conversionId, input), {
      ...TRANSACTION_CONFLICT_BACKOFF,
      attempts: APPROVAL_ATTEMPTS,
      retryIf: (error) => error instanceof ProfileChanged,
    });
  } catch (error) {
    if (error instanceof ConversionNotProposed)
      throw new ConflictError('The conversion is no longer proposed.', 'not-proposed');
    if (error instanceof ProfileChanged)
      throw new ConflictError(
        'The citizen’s assessment or grants kept changing while this conversion was being approved; approve again.',
        'not-ready',
      );
    if (error instanceof FinalGrantChanged)
      throw new ConflictError(
        'The citizen’s final grant changed since this conversion was proposed (another approval); propose again from the current final grant.',
        'final-grant-changed',
      );
    throw error;
  }
}

/** Read, decide, write: one attempt at an approval. */
async function approveOnce(
  deps: Deps,
  ctx: RequestContext,
  conversionId: string,
  input: ApproveConversion,
): Promise<FinalGrant> {
  const conversion = await getConversion(deps.table, conversionId);
  if (!conversion) throw new NotFoundError('The conversion');
  const { profile, grants } = await grantsAndProfile(deps.table, conversion.citizenId);
  const citizen = visibleCitizenFrom(profile, ctx.actor);
  const read = await latestAssessmentOf(deps, profile ?? {}, citizen.citizenId);
  const today = localDate(ctx.now, deps.config.TIME_ZONE);
  const grantsVersion = grantsVersionOf(profile);
  checkApproval({ conversion, grants, grantsVersion, latest: read.latest, today });
  const at = ctx.now.toISOString();
  const facts = { conversion, citizen, note: input.note, today, by: ctx.actor.sub, at };
  const { finalGrant, pointer, detail } = buildApproval({ ...facts, finalGrantId: newId('fg', ctx.now) });
  await commitApproval(deps.table, {
    conversion,
    approvedBy: ctx.actor.sub,
    approvedAt: at,
    note: input.note,
    finalGrant,
    pointer,
    profileCheck: andGrantsVersionIs(latestAssessmentUnchanged(deps.table, citizen.citizenId, read), grantsVersion),
    audit: auditLogOf(deps).item(ctx, {
      action: 'conversion.approve',
      resource: `conversions/${conversionId}`,
      citizenId: citizen.citizenId,
    }),
    // The event commits with the grant: its consumers plan the visits and set the dose plan.
    event: outboxEvent(deps.table, domainEvent(FINAL_GRANT_APPROVED, detail, ctx.now)),
  });
  return { ...finalGrant, status: 'current' };
}
