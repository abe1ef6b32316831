import { z } from '@hono/zod-openapi';
import { auditLog } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { TRANSACTION_CONFLICT_BACKOFF, waitBeforeRetry } from '#shared/platform/retry.ts';
import { assessmentKeys, citizenKeys } from '#shared/table/keys.ts';
import {
  getItem,
  putNew,
  queryPage,
  transactWrite,
  TransactionConflict,
  type Page,
  type TransactItem,
} from '#shared/table/store.ts';
import {
  checkAnswers,
  decide,
  decisions,
  followUpSchema,
  FREE_TEXT_MAX,
  readinessOfSingleDecision,
  readinessSchema,
  reasonSchema,
  type Answers,
  type Decision,
} from './decision.ts';
import { shippedQuestionnaires } from './per-technology-questionnaire.ts';
import {
  checkDefinition,
  questionnaireSchema,
  type Questionnaire,
  type QuestionnaireDefinition,
} from './questionnaire.ts';

// ── Questionnaire versions ──────────────────────────────────────────────────────────────────

type QuestionnaireItem = Questionnaire & { pk: string; sk: string; entity: 'Questionnaire' };

const toQuestionnaire = (item: QuestionnaireItem): Questionnaire => questionnaireSchema.parse(item);

export async function getQuestionnaire(deps: Deps, version: number): Promise<Questionnaire | undefined> {
  const item = await getItem<QuestionnaireItem>(deps.table, assessmentKeys.questionnaire(version), {
    consistent: true,
  });
  return item ? toQuestionnaire(item) : undefined;
}

async function latestPublished(deps: Deps): Promise<Questionnaire | undefined> {
  const page = await queryPage<QuestionnaireItem>(deps.table, {
    partition: ['pk', assessmentKeys.questionnairePartition],
    sort: { attribute: 'sk', beginsWith: assessmentKeys.questionnaireVersionPrefix },
    newestFirst: true,
    limit: 1,
    consistent: true,
  });
  return page.items[0] ? toQuestionnaire(page.items[0]) : undefined;
}

/** Writes a version with a condition that it is new: versions are immutable once published. */
async function publishVersion(
  deps: Deps,
  version: number,
  definition: QuestionnaireDefinition,
  at: Date,
  by: string,
): Promise<Questionnaire> {
  const questionnaire: Questionnaire = {
    version,
    title: definition.title,
    questions: definition.questions,
    publishedAt: at.toISOString(),
    publishedBy: by,
  };
  await transactWrite(deps.table, [
    putNew(deps.table, { ...assessmentKeys.questionnaire(version), entity: 'Questionnaire', ...questionnaire }),
  ]);
  return questionnaire;
}

/**
 * The current (highest) version. While only shipped versions are published (all by `system`),
 * the next shipped one is published first, so a municipality on the first shipped questionnaire
 * moves to the per-technology one by itself; one that published its own keeps it.
 */
export async function currentQuestionnaire(deps: Deps): Promise<Questionnaire> {
  let latest = await latestPublished(deps);
  while (latest === undefined || (latest.publishedBy === 'system' && latest.version < shippedQuestionnaires.length)) {
    const version = (latest?.version ?? 0) + 1;
    const definition = shippedQuestionnaires[version - 1];
    if (!definition) break;
    try {
      latest = await publishVersion(deps, version, definition, deps.clock.now(), 'system');
    } catch (error) {
      // Someone published this version at the same moment: theirs stands.
      if (!(error instanceof TransactionConflict)) throw error;
      const now = await latestPublished(deps);
      if (!now) throw error;
      latest = now;
    }
  }
  if (!latest) throw new Error('no questionnaire could be published');
  return latest;
}

/** POST /questionnaires (admin): publishes the definition as version N+1. */
export async function publishQuestionnaire(
  deps: Deps,
  ctx: RequestContext,
  definition: QuestionnaireDefinition,
): Promise<Questionnaire> {
  const faults = checkDefinition(definition);
  if (faults.length > 0) throw new ValidationError('The questionnaire definition is not valid; see errors.', faults);
  const current = await currentQuestionnaire(deps);
  try {
    return await publishVersion(deps, current.version + 1, definition, ctx.now, ctx.actor.sub);
  } catch (error) {
    if (error instanceof TransactionConflict) {
      throw new ConflictError(
        `Version ${current.version + 1} was published by someone else just now; reload and try again.`,
        'version-taken',
      );
    }
    throw error;
  }
}

// ── Assessments ─────────────────────────────────────────────────────────────────────────────

export const answerValue = z.union([z.boolean(), z.number(), z.string().max(FREE_TEXT_MAX)]);

export const recordAssessmentSchema = z
  .strictObject({
    /** The version answered; the current one when left out. */
    questionnaireVersion: z.number().int().min(1).max(999_999).optional(),
    answers: z.record(z.string().max(40), answerValue).openapi({
      description: 'By question id; every required question of the version answered needs an answer',
      // Every required question of the shipped questionnaire, so the example can be sent as it is.
      example: {
        willing: true,
        uses_device: true,
        can_see_screen: true,
        can_hear_screen: true,
        internet_at_home: 'broadband',
        cognitive_barriers: 0,
        physical_barriers: 1,
        relative_can_help: true,
        can_take_dispensed_medication: true,
        notices_dispenser_signal: true,
        dispenser_handling_barriers: 0,
        medication_fits_dispenser: 'multidose',
        someone_present_at_dose_times: false,
      },
    }),
  })
  .openapi('RecordAssessment');
export type RecordAssessment = z.infer<typeof recordAssessmentSchema>;

export const assessmentSchema = z
  .object({
    assessmentId: z.string(),
    citizenId: z.string(),
    questionnaireVersion: z.number().int(),
    answers: z.record(z.string(), answerValue),
    /** The best of the technologies' decisions: `not_ready` only when the citizen can use neither. */
    decision: z.enum(decisions),
    reasons: z.array(reasonSchema),
    /** Readiness per technology; a conversion line for a technology needs that technology's readiness. */
    readiness: readinessSchema,
    /**
     * `per-technology`: decided per technology when recorded. `single-decision`: recorded before
     * readiness per technology, read under the rule of its time: its one decision holds for both.
     */
    readinessRule: z.enum(['per-technology', 'single-decision']),
    /** The citizen said no to digital care: the E-team motivates (a follow-up, never a block). */
    motivationNeeded: z.boolean(),
    followUps: z.array(followUpSchema),
    assessedAt: z.string(),
    assessedBy: z.string(),
  })
  .openapi('Assessment');
export type Assessment = z.infer<typeof assessmentSchema>;

type AssessmentItem = Omit<Assessment, 'readiness' | 'readinessRule' | 'motivationNeeded' | 'followUps'> &
  Partial<Pick<Assessment, 'readiness' | 'motivationNeeded' | 'followUps'>> & {
    pk: string;
    sk: string;
    entity: 'Assessment';
  };

/** A stored assessment as read today: one recorded before readiness per technology keeps its one decision for both. */
const toAssessment = (item: AssessmentItem): Assessment =>
  assessmentSchema.parse({
    ...item,
    readiness: item.readiness ?? readinessOfSingleDecision(item.decision, item.reasons),
    readinessRule: item.readiness ? 'per-technology' : 'single-decision',
    motivationNeeded: item.motivationNeeded ?? false,
    followUps: item.followUps ?? [],
  });

/** POST /citizens/{id}/assessments: validates the answers against their version and decides. */
export async function recordAssessment(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: RecordAssessment,
): Promise<Assessment> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const questionnaire =
    input.questionnaireVersion === undefined
      ? await currentQuestionnaire(deps)
      : await getQuestionnaire(deps, input.questionnaireVersion);
  if (!questionnaire) {
    throw new ValidationError('There is no such questionnaire version.', [
      { field: 'body/questionnaireVersion', message: 'not a published version' },
    ]);
  }
  const answers: Answers = input.answers;
  const faults = checkAnswers(questionnaire.questions, answers);
  if (faults.length > 0) throw new ValidationError('Some answers do not fit the questionnaire; see errors.', faults);

  const { decision, reasons, readiness, motivationNeeded, followUps } = decide(questionnaire.questions, answers);
  const assessmentId = newId('asm', ctx.now);
  const assessment: Assessment = {
    assessmentId,
    citizenId,
    questionnaireVersion: questionnaire.version,
    answers,
    decision,
    reasons,
    readiness,
    readinessRule: 'per-technology',
    motivationNeeded,
    followUps,
    assessedAt: ctx.now.toISOString(),
    assessedBy: ctx.actor.sub,
  };
  await writeAssessment(deps, ctx, assessment);
  return assessment;
}

const CONFLICT_RETRIES = 4;

/**
 * One transaction: the assessment, its audit, and its summary on the citizen's profile (so a
 * conversion reads the readiness with the profile instead of a Query). The summary only moves
 * forward: if a later assessment (higher ULID) is already on the profile, this one is written
 * without it, exactly as the Query would still find the later one as the latest. A cancellation
 * by a concurrent transaction on the profile is retried with jitter.
 */
async function writeAssessment(deps: Deps, ctx: RequestContext, assessment: Assessment): Promise<void> {
  const { citizenId, assessmentId } = assessment;
  const summary: AssessmentSummary = {
    assessmentId,
    decision: assessment.decision,
    readiness: {
      screen: assessment.readiness.screen.decision,
      medicationTechnology: assessment.readiness.medicationTechnology.decision,
    },
  };
  const { readinessRule: _rule, ...stored } = assessment;
  const record = putNew(deps.table, {
    ...assessmentKeys.assessment(citizenId, assessmentId),
    entity: 'Assessment',
    ...stored,
  });
  const audit = auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, {
    action: 'assessment.create',
    resource: `citizens/${citizenId}/assessments/${assessmentId}`,
    citizenId,
  });
  const onProfile: TransactItem = {
    Update: {
      TableName: deps.table.name,
      Key: citizenKeys.profile(citizenId),
      UpdateExpression: 'SET #latest = :summary',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#latest) OR #latest.#id < :id)',
      ExpressionAttributeNames: { '#latest': LATEST_ASSESSMENT, '#id': 'assessmentId' },
      ExpressionAttributeValues: { ':summary': summary, ':id': assessmentId },
    },
  };
  let withSummary = true;
  for (let attempt = 0; ; attempt++) {
    try {
      await transactWrite(deps.table, withSummary ? [record, onProfile, audit] : [record, audit]);
      return;
    } catch (error) {
      if (!(error instanceof TransactionConflict) || attempt >= CONFLICT_RETRIES) throw error;
      if (withSummary && error.reasons[1] === 'ConditionalCheckFailed') withSummary = false;
      else await waitBeforeRetry(attempt + 1, TRANSACTION_CONFLICT_BACKOFF);
    }
  }
}

/** GET /citizens/{id}/assessments: the history, newest first (the first is the one that counts). */
export async function listAssessments(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Assessment>> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const result = await queryPage<AssessmentItem>(deps.table, {
    partition: ['pk', assessmentKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', beginsWith: assessmentKeys.assessmentPrefix },
    newestFirst: true,
    limit: page.limit,
    cursor: page.cursor,
  });
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, {
    action: 'assessment.read',
    resource: `citizens/${citizenId}/assessments`,
    citizenId,
  });
  return { items: result.items.map(toAssessment), nextCursor: result.nextCursor };
}

/** The assessment that counts: the latest. For other domain functions, which audit their own reads. */
export async function latestAssessment(deps: Deps, citizenId: string): Promise<Assessment | undefined> {
  const page = await queryPage<AssessmentItem>(deps.table, {
    partition: ['pk', assessmentKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', beginsWith: assessmentKeys.assessmentPrefix },
    newestFirst: true,
    limit: 1,
    consistent: true,
  });
  return page.items[0] ? toAssessment(page.items[0]) : undefined;
}

/** The latest assessment's id and decision, kept on the citizen's profile by `recordAssessment`. */
export const LATEST_ASSESSMENT = 'latestAssessment';
export interface AssessmentSummary {
  assessmentId: string;
  decision: Assessment['decision'];
  /** Per technology; absent on summaries written before readiness per technology (read as `decision` for both). */
  readiness?: TechnologyDecisions | undefined;
}
export interface TechnologyDecisions {
  screen: Decision;
  medicationTechnology: Decision;
}
const assessmentSummarySchema = z.object({
  assessmentId: z.string(),
  decision: z.enum(decisions),
  readiness: z.object({ screen: z.enum(decisions), medicationTechnology: z.enum(decisions) }).optional(),
});

/** The decision per technology of a summary; an old summary's one decision holds for both. */
export function technologyDecisionsOf(summary: AssessmentSummary): TechnologyDecisions {
  return summary.readiness ?? { screen: summary.decision, medicationTechnology: summary.decision };
}

/**
 * The latest assessment of a citizen whose profile item the caller already read, and whether the
 * answer came from the profile (`onProfile`: a transaction can then condition on it). A profile
 * without a summary (never assessed, or written before summaries existed) falls back to the
 * Query, which costs one more request only on that path.
 */
export async function latestAssessmentOf(
  deps: Deps,
  profile: Record<string, unknown>,
  citizenId: string,
): Promise<{ latest: AssessmentSummary | undefined; onProfile: boolean }> {
  const summary = profile[LATEST_ASSESSMENT];
  if (summary !== undefined) return { latest: assessmentSummarySchema.parse(summary), onProfile: true };
  const latest = await latestAssessment(deps, citizenId);
  return {
    latest: latest && {
      assessmentId: latest.assessmentId,
      decision: latest.decision,
      readiness: {
        screen: latest.readiness.screen.decision,
        medicationTechnology: latest.readiness.medicationTechnology.decision,
      },
    },
    onProfile: false,
  };
}

/**
 * A ConditionCheck that the citizen's latest assessment is still the one read: put in a
 * transaction that relies on the readiness, it fails if the citizen was reassessed meanwhile.
 */
export function latestAssessmentUnchanged(
  deps: Deps,
  citizenId: string,
  read: { latest: AssessmentSummary | undefined; onProfile: boolean },
): TransactItem {
  const stillThere = read.onProfile && read.latest;
  return {
    ConditionCheck: {
      TableName: deps.table.name,
      Key: citizenKeys.profile(citizenId),
      ConditionExpression: stillThere ? '#latest.#id = :id' : 'attribute_not_exists(#latest)',
      ExpressionAttributeNames: stillThere
        ? { '#latest': LATEST_ASSESSMENT, '#id': 'assessmentId' }
        : { '#latest': LATEST_ASSESSMENT },
      ...(stillThere ? { ExpressionAttributeValues: { ':id': stillThere.assessmentId } } : {}),
    },
  };
}

export async function requireQuestionnaire(deps: Deps, version: number): Promise<Questionnaire> {
  const questionnaire = await getQuestionnaire(deps, version);
  if (!questionnaire) throw new NotFoundError(`Questionnaire version ${version}`);
  return questionnaire;
}
