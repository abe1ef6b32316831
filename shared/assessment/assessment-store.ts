import { TRANSACTION_CONFLICT_BACKOFF, withRetry } from '#shared/platform/retry.ts';
import { assessmentKeys, citizenKeys } from '#shared/table/keys.ts';
import {
  NamedTransactionConflict,
  putNew,
  queryPage,
  transactNamed,
  updateParts,
  type Item,
  type NamedAction,
  type Page,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import { readinessOfSingleDecision } from './readiness.ts';
import {
  assessmentSchema,
  assessmentSummarySchema,
  summaryOf,
  type Assessment,
  type AssessmentSummary,
} from './model.ts';

/**
 * The assessment repository: a citizen's assessments (`ASSESSMENT#<ulid>` in the citizen's
 * partition, newest last) and the latest one's summary on the citizen's profile
 * (`latestAssessment`). Questionnaire versions have their own (questionnaire-store.ts).
 */

// ── Assessments ─────────────────────────────────────────────────────────────────────────────

/** As stored: `readinessRule` is derived when read; items from before readiness per technology lack the rest. */
export type AssessmentItem = Omit<Assessment, 'readiness' | 'readinessRule' | 'motivationNeeded' | 'followUps'> &
  Partial<Pick<Assessment, 'readiness' | 'motivationNeeded' | 'followUps'>> & {
    pk: string;
    sk: string;
    entity: 'Assessment';
  };

/** A stored assessment as read today: one recorded before readiness per technology keeps its one decision for both. */
const toAssessment = (stored: Item): Assessment => {
  const item = stored as AssessmentItem;
  return assessmentSchema.parse({
    ...item,
    readiness: item.readiness ?? readinessOfSingleDecision(item.decision, item.reasons),
    readinessRule: item.readiness ? 'per-technology' : 'single-decision',
    motivationNeeded: item.motivationNeeded ?? false,
    followUps: item.followUps ?? [],
  });
};

/** A citizen's assessments, newest first. */
export async function assessmentsPage(
  table: Table,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined; consistent?: boolean },
): Promise<Page<Assessment>> {
  const result = await queryPage(table, {
    partition: ['pk', assessmentKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', beginsWith: assessmentKeys.assessmentPrefix },
    newestFirst: true,
    limit: page.limit,
    cursor: page.cursor,
    ...(page.consistent ? { consistent: true } : {}),
  });
  return { items: result.items.map(toAssessment), nextCursor: result.nextCursor };
}

/** Retries of an assessment's transaction cancelled by a concurrent one on the profile. */
const CONFLICT_RETRIES = 4;

/**
 * One transaction: the assessment, its audit, and its summary on the citizen's profile (so a
 * conversion reads the readiness with the profile instead of a Query). The summary only moves
 * forward: if a later assessment (higher ULID) is already on the profile, this one is written
 * without it, exactly as the Query would still find the later one as the latest. A cancellation
 * by a concurrent transaction on the profile is retried with jitter.
 */
export async function insertAssessment(table: Table, assessment: Assessment, audit: TransactItem): Promise<void> {
  const { citizenId, assessmentId } = assessment;
  const { readinessRule: _rule, ...stored } = assessment;
  const record: NamedAction = {
    name: 'assessment',
    action: putNew(table, { ...assessmentKeys.assessment(citizenId, assessmentId), entity: 'Assessment', ...stored }),
  };
  const onProfile = summaryOnProfileAction(table, summaryOf(assessment), citizenId);
  let withSummary = true;
  await withRetry(
    () =>
      transactNamed(
        table,
        withSummary
          ? [record, onProfile, { name: 'audit', action: audit }]
          : [record, { name: 'audit', action: audit }],
      ),
    {
      ...TRANSACTION_CONFLICT_BACKOFF,
      attempts: CONFLICT_RETRIES + 1,
      retryIf: (error) => {
        if (!(error instanceof NamedTransactionConflict)) return false;
        if (withSummary && error.failedOn('profile')) withSummary = false;
        return true;
      },
    },
  );
}

/** The summary moves to this assessment unless a later one is already there. */
function summaryOnProfileAction(table: Table, summary: AssessmentSummary, citizenId: string): NamedAction {
  const set = updateParts({ set: { [LATEST_ASSESSMENT]: summary } });
  return {
    name: 'profile',
    action: {
      Update: {
        TableName: table.name,
        Key: citizenKeys.profile(citizenId),
        ...set,
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#latest) OR #latest.#id < :id)',
        ExpressionAttributeNames: {
          ...set.ExpressionAttributeNames,
          '#latest': LATEST_ASSESSMENT,
          '#id': 'assessmentId',
        },
        ExpressionAttributeValues: { ...set.ExpressionAttributeValues, ':id': summary.assessmentId },
      },
    },
  };
}

// ── The summary on the profile ──────────────────────────────────────────────────────────────

/** The profile attribute holding the latest assessment's summary. */
export const LATEST_ASSESSMENT = 'latestAssessment';

/** The summary on a profile item already read, or undefined (never assessed, or from before summaries). */
export function summaryOnProfile(profile: Record<string, unknown>): AssessmentSummary | undefined {
  const summary = profile[LATEST_ASSESSMENT];
  return summary === undefined ? undefined : assessmentSummarySchema.parse(summary);
}

/**
 * A ConditionCheck that the citizen's latest assessment is still the one read: put in a
 * transaction that relies on the readiness, it fails if the citizen was reassessed meanwhile.
 */
export function latestAssessmentUnchanged(
  table: Table,
  citizenId: string,
  read: { latest: AssessmentSummary | undefined; onProfile: boolean },
): TransactItem {
  const stillThere = read.onProfile && read.latest;
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: citizenKeys.profile(citizenId),
      ConditionExpression: stillThere ? '#latest.#id = :id' : 'attribute_not_exists(#latest)',
      ExpressionAttributeNames: stillThere
        ? { '#latest': LATEST_ASSESSMENT, '#id': 'assessmentId' }
        : { '#latest': LATEST_ASSESSMENT },
      ...(stillThere ? { ExpressionAttributeValues: { ':id': stillThere.assessmentId } } : {}),
    },
  };
}
