import { z } from '@hono/zod-openapi';
import { auditLog } from '../audit/audit.ts';
import { requireVisibleCitizen } from '../citizens/citizens.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Deps } from '../platform/deps.ts';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { assessmentKeys } from '../table/keys.ts';
import { getItem, putNew, queryPage, transactWrite, TransactionConflict, type Page } from '../table/store.ts';
import { checkAnswers, decide, decisions, FREE_TEXT_MAX, reasonSchema, type Answers } from './decision.ts';
import { defaultQuestionnaire } from './default-questionnaire.ts';
import { checkDefinition, questionnaireSchema, type Questionnaire, type QuestionnaireDefinition } from './questionnaire.ts';

// ── Questionnaire versions ──────────────────────────────────────────────────────────────────

type QuestionnaireItem = Questionnaire & { pk: string; sk: string; entity: 'Questionnaire' };

const toQuestionnaire = (item: QuestionnaireItem): Questionnaire => questionnaireSchema.parse(item);

export async function getQuestionnaire(deps: Deps, version: number): Promise<Questionnaire | undefined> {
  const item = await getItem<QuestionnaireItem>(deps.table, assessmentKeys.questionnaire(version), { consistent: true });
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
async function publishVersion(deps: Deps, version: number, definition: QuestionnaireDefinition, at: Date, by: string): Promise<Questionnaire> {
  const questionnaire: Questionnaire = { version, title: definition.title, questions: definition.questions, publishedAt: at.toISOString(), publishedBy: by };
  await transactWrite(deps.table, [putNew(deps.table, { ...assessmentKeys.questionnaire(version), entity: 'Questionnaire', ...questionnaire })]);
  return questionnaire;
}

/** The current (highest) version; the shipped default becomes version 1 the first time one is needed. */
export async function currentQuestionnaire(deps: Deps): Promise<Questionnaire> {
  const latest = await latestPublished(deps);
  if (latest) return latest;
  try {
    return await publishVersion(deps, 1, defaultQuestionnaire, deps.clock.now(), 'system');
  } catch (error) {
    // Someone published version 1 at the same moment: theirs stands.
    if (!(error instanceof TransactionConflict)) throw error;
    const now = await latestPublished(deps);
    if (!now) throw error;
    return now;
  }
}

/** POST /questionnaires (admin): publishes the definition as version N+1. */
export async function publishQuestionnaire(deps: Deps, ctx: RequestContext, definition: QuestionnaireDefinition): Promise<Questionnaire> {
  const faults = checkDefinition(definition);
  if (faults.length > 0) throw new ValidationError('The questionnaire definition is not valid; see errors.', faults);
  const current = await currentQuestionnaire(deps);
  try {
    return await publishVersion(deps, current.version + 1, definition, ctx.now, ctx.actor.sub);
  } catch (error) {
    if (error instanceof TransactionConflict) {
      throw new ConflictError(`Version ${current.version + 1} was published by someone else just now; reload and try again.`, 'version-taken');
    }
    throw error;
  }
}

// ── Assessments ─────────────────────────────────────────────────────────────────────────────

export const answerValue = z.union([z.boolean(), z.number(), z.string().max(FREE_TEXT_MAX)]);

export const recordAssessmentSchema = z
  .strictObject({
    /** The version answered; the current one when left out. */
    questionnaireVersion: z.number().int().positive().optional(),
    answers: z.record(z.string().max(40), answerValue).openapi({ example: { willing: true, uses_device: true, internet_at_home: 'broadband', cognitive_barriers: 0 } }),
  })
  .openapi('RecordAssessment');
export type RecordAssessment = z.infer<typeof recordAssessmentSchema>;

export const assessmentSchema = z
  .object({
    assessmentId: z.string(),
    citizenId: z.string(),
    questionnaireVersion: z.number().int(),
    answers: z.record(z.string(), answerValue),
    decision: z.enum(decisions),
    reasons: z.array(reasonSchema),
    assessedAt: z.string(),
    assessedBy: z.string(),
  })
  .openapi('Assessment');
export type Assessment = z.infer<typeof assessmentSchema>;

type AssessmentItem = Assessment & { pk: string; sk: string; entity: 'Assessment' };

const toAssessment = (item: AssessmentItem): Assessment => assessmentSchema.parse(item);

/** POST /citizens/{id}/assessments: validates the answers against their version and decides. */
export async function recordAssessment(deps: Deps, ctx: RequestContext, citizenId: string, input: RecordAssessment): Promise<Assessment> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const questionnaire = input.questionnaireVersion === undefined ? await currentQuestionnaire(deps) : await getQuestionnaire(deps, input.questionnaireVersion);
  if (!questionnaire) {
    throw new ValidationError('There is no such questionnaire version.', [{ field: 'body/questionnaireVersion', message: 'not a published version' }]);
  }
  const answers: Answers = input.answers;
  const faults = checkAnswers(questionnaire.questions, answers);
  if (faults.length > 0) throw new ValidationError('Some answers do not fit the questionnaire; see errors.', faults);

  const { decision, reasons } = decide(questionnaire.questions, answers);
  const assessmentId = newId('asm', ctx.now);
  const assessment: Assessment = {
    assessmentId,
    citizenId,
    questionnaireVersion: questionnaire.version,
    answers,
    decision,
    reasons,
    assessedAt: ctx.now.toISOString(),
    assessedBy: ctx.actor.sub,
  };
  await transactWrite(deps.table, [
    putNew(deps.table, { ...assessmentKeys.assessment(citizenId, assessmentId), entity: 'Assessment', ...assessment }),
    auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, { action: 'assessment.create', resource: `citizens/${citizenId}/assessments/${assessmentId}`, citizenId }),
  ]);
  return assessment;
}

/** GET /citizens/{id}/assessments: the history, newest first (the first is the one that counts). */
export async function listAssessments(deps: Deps, ctx: RequestContext, citizenId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<Assessment>> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const result = await queryPage<AssessmentItem>(deps.table, {
    partition: ['pk', assessmentKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', beginsWith: assessmentKeys.assessmentPrefix },
    newestFirst: true,
    limit: page.limit,
    cursor: page.cursor,
  });
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, { action: 'assessment.read', resource: `citizens/${citizenId}/assessments`, citizenId });
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

export async function requireQuestionnaire(deps: Deps, version: number): Promise<Questionnaire> {
  const questionnaire = await getQuestionnaire(deps, version);
  if (!questionnaire) throw new NotFoundError(`Questionnaire version ${version}`);
  return questionnaire;
}
