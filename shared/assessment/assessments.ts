import * as z from '#shared/platform/zod.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import type { Page } from '#shared/table/store.ts';
import { assessmentsPage, insertAssessment } from './assessment-store.ts';
import {
  getQuestionnaireVersion,
  insertQuestionnaireVersion,
  latestQuestionnaireVersion,
  VersionTaken,
} from './questionnaire-store.ts';
import { checkAnswers, decide, type Answers } from './decision.ts';
import { answerValue, type Assessment } from './model.ts';
import { shippedQuestionnaires } from './per-technology-questionnaire.ts';
import { checkDefinition, type Questionnaire, type QuestionnaireDefinition } from './questionnaire.ts';

export {
  answerValue,
  assessmentSchema,
  technologyDecisionsOf,
  type Assessment,
  type AssessmentSummary,
  type TechnologyDecisions,
} from './model.ts';

// ── Questionnaire versions ──────────────────────────────────────────────────────────────────

export async function getQuestionnaire(deps: Deps, version: number): Promise<Questionnaire | undefined> {
  return getQuestionnaireVersion(deps.table, version);
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
  await insertQuestionnaireVersion(deps.table, questionnaire);
  return questionnaire;
}

/**
 * The current (highest) version. While only shipped versions are published (all by `system`),
 * the next shipped one is published first, so a municipality on the first shipped questionnaire
 * moves to the per-technology one by itself; one that published its own keeps it.
 */
export async function currentQuestionnaire(deps: Deps): Promise<Questionnaire> {
  let latest = await latestQuestionnaireVersion(deps.table);
  while (latest === undefined || (latest.publishedBy === 'system' && latest.version < shippedQuestionnaires.length)) {
    const version = (latest?.version ?? 0) + 1;
    const definition = shippedQuestionnaires[version - 1];
    if (!definition) break;
    try {
      latest = await publishVersion(deps, version, definition, deps.clock.now(), 'system');
    } catch (error) {
      // Someone published this version at the same moment: theirs stands.
      if (!(error instanceof VersionTaken)) throw error;
      const now = await latestQuestionnaireVersion(deps.table);
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
    if (error instanceof VersionTaken) {
      throw new ConflictError(
        `Version ${current.version + 1} was published by someone else just now; reload and try again.`,
        'version-taken',
      );
    }
    throw error;
  }
}

// ── Assessments ─────────────────────────────────────────────────────────────────────────────

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

/** The assessment, its audit and its summary on the profile, in one transaction (see `insertAssessment`). */
async function writeAssessment(deps: Deps, ctx: RequestContext, assessment: Assessment): Promise<void> {
  const { citizenId, assessmentId } = assessment;
  const audit = auditLogOf(deps).item(ctx, {
    action: 'assessment.create',
    resource: `citizens/${citizenId}/assessments/${assessmentId}`,
    citizenId,
  });
  await insertAssessment(deps.table, assessment, audit);
}

/** GET /citizens/{id}/assessments: the history, newest first (the first is the one that counts). */
export async function listAssessments(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Assessment>> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const result = await assessmentsPage(deps.table, citizenId, page);
  await auditLogOf(deps).recordRead(ctx, {
    action: 'assessment.read',
    resource: `citizens/${citizenId}/assessments`,
    citizenId,
  });
  return result;
}

export async function requireQuestionnaire(deps: Deps, version: number): Promise<Questionnaire> {
  const questionnaire = await getQuestionnaire(deps, version);
  if (!questionnaire) throw new NotFoundError(`Questionnaire version ${version}`);
  return questionnaire;
}
