import * as z from '#shared/platform/zod.ts';
import type { FieldError } from '#shared/platform/errors.ts';

/**
 * A digital-readiness questionnaire: an ordered list of questions, each with its text in Danish
 * and English, an answer type and a role in the decision (see ./README.md for the rule).
 * A published version is never changed: assessments point to the version they answered.
 */
export const questionTypes = ['yes_no', 'choice', 'scale', 'free_text'] as const;
export const questionRoles = ['blocker', 'support', 'helper', 'motivation', 'informational'] as const;
/**
 * The technologies the trial judges readiness for. A question names the ones it concerns; a
 * question that names none concerns both (that is how versions written before per-technology
 * readiness are read: one decision for every technology).
 */
export const technologies = ['screen', 'medicationTechnology'] as const;
export type Technology = (typeof technologies)[number];

export const localisedText = z.strictObject({
  da: z.string().trim().min(1).max(500),
  en: z.string().trim().min(1).max(500),
});
export type LocalisedText = z.infer<typeof localisedText>;

/**
 * When an answer counts for a role: `anyOf` lists answers (booleans for yes/no, option values
 * for choice); `atLeast`/`atMost` bound a scale answer (inclusive).
 */
export const triggerSchema = z
  .strictObject({
    anyOf: z
      .array(z.union([z.boolean(), z.string().min(1).max(40)]))
      .min(1)
      .max(20)
      .optional(),
    atLeast: z.number().int().min(-100).max(100).optional(),
    atMost: z.number().int().min(-100).max(100).optional(),
  })
  .openapi('AnswerTrigger');
export type Trigger = z.infer<typeof triggerSchema>;

export const optionSchema = z.strictObject({
  /** A string for choice questions; an integer for scale questions (ordered low to high). */
  value: z.union([
    z
      .string()
      .max(40)
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case identifier'),
    z.number().int().min(-100).max(100),
  ]),
  text: localisedText,
});

export const questionSchema = z
  .strictObject({
    id: z
      .string()
      .max(40)
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case identifier (a-z, 0-9, _)'),
    type: z.enum(questionTypes),
    text: localisedText,
    help: localisedText.optional(),
    required: z.boolean(),
    /** Choice and scale questions only: the answers to pick from. */
    options: z.array(optionSchema).min(2).max(20).optional(),
    role: z.enum(questionRoles),
    /** Blocker: an answer that makes the citizen not ready. */
    blocksWhen: triggerSchema.optional(),
    /** Blocker or support: an answer that means the citizen needs support. */
    supportWhen: triggerSchema.optional(),
    /** Helper: an answer that means someone can help (e.g. a relative). */
    helpsWhen: triggerSchema.optional(),
    /** Motivation: an answer that means the E-team must motivate the citizen (a follow-up, never a block). */
    motivationWhen: triggerSchema.optional(),
    /** The technologies this question is about; absent: both. */
    technologies: z.array(z.enum(technologies)).min(1).max(2).optional(),
    /** Blocker only: a helper turns this blocking answer into a support need. */
    helperCanOvercome: z.boolean().optional(),
  })
  .openapi('Question');
export type Question = z.infer<typeof questionSchema>;

export const questionnaireDefinitionSchema = z
  .strictObject({
    title: localisedText,
    questions: z.array(questionSchema).min(1).max(60),
  })
  .openapi('QuestionnaireDefinition');
export type QuestionnaireDefinition = z.infer<typeof questionnaireDefinitionSchema>;

export const questionnaireSchema = z
  .object({
    version: z.number().int().positive(),
    title: localisedText,
    questions: z.array(questionSchema),
    publishedAt: z.string(),
    publishedBy: z.string(),
  })
  .openapi('Questionnaire');
export type Questionnaire = z.infer<typeof questionnaireSchema>;

/**
 * What zod cannot say about a definition: unique ids, options where (and only where) the type
 * needs them, triggers that fit the question's type and role. Returns every fault, by field.
 */
export function checkDefinition(definition: QuestionnaireDefinition, base = 'body'): FieldError[] {
  const faults: FieldError[] = [];
  const seen = new Set<string>();
  definition.questions.forEach((q, i) => {
    const at = (field?: string) => `${base}/questions/${i}${field ? `/${field}` : ''}`;
    const fault = (field: string | undefined, message: string) => faults.push({ field: at(field), message });
    if (seen.has(q.id)) fault('id', `duplicate question id "${q.id}"`);
    seen.add(q.id);

    for (const message of optionFaults(q)) fault('options', message);

    const triggers = {
      blocksWhen: q.blocksWhen,
      supportWhen: q.supportWhen,
      helpsWhen: q.helpsWhen,
      motivationWhen: q.motivationWhen,
    };
    const allowed: Record<Question['role'], (keyof typeof triggers)[]> = {
      blocker: ['blocksWhen', 'supportWhen'],
      support: ['supportWhen'],
      helper: ['helpsWhen'],
      motivation: ['motivationWhen'],
      informational: [],
    };
    for (const [name, trigger] of Object.entries(triggers) as [keyof typeof triggers, Trigger | undefined][]) {
      if (!trigger) continue;
      if (!allowed[q.role].includes(name)) {
        fault(name, `a ${q.role} question has no ${name}`);
        continue;
      }
      faults.push(...checkTrigger(q, trigger).map((message) => ({ field: at(name), message })));
    }
    if (q.role === 'blocker' && !q.blocksWhen) fault('blocksWhen', 'a blocker question needs blocksWhen');
    if (q.role === 'support' && !q.supportWhen) fault('supportWhen', 'a support question needs supportWhen');
    if (q.role === 'helper' && !q.helpsWhen) fault('helpsWhen', 'a helper question needs helpsWhen');
    if (q.role === 'motivation' && !q.motivationWhen)
      fault('motivationWhen', 'a motivation question needs motivationWhen');
    if (q.technologies && new Set(q.technologies).size !== q.technologies.length)
      fault('technologies', 'name each technology once');
    if (q.technologies && (q.role === 'informational' || q.role === 'motivation'))
      fault('technologies', `a ${q.role} question does not decide readiness for a technology`);
    if (q.helperCanOvercome !== undefined && q.role !== 'blocker')
      fault('helperCanOvercome', 'only a blocker can be overcome by a helper');
    if (q.type === 'free_text' && q.role !== 'informational')
      fault('role', 'a free-text answer cannot drive the decision; use informational');
  });
  return faults;
}

/** Options where (and only where) the type needs them: unique, identifiers for a choice, integers low to high for a scale. */
function optionFaults(q: Question): string[] {
  if (q.type !== 'choice' && q.type !== 'scale') return q.options ? [`a ${q.type} question has no options`] : [];
  if (!q.options) return [`a ${q.type} question needs options`];
  const faults: string[] = [];
  const values = q.options.map((o) => o.value);
  if (new Set(values).size !== values.length) faults.push('option values must be unique');
  if (q.type === 'choice' && values.some((v) => typeof v !== 'string'))
    faults.push('choice option values must be identifiers');
  if (q.type === 'scale') {
    if (values.some((v) => typeof v !== 'number')) faults.push('scale option values must be integers');
    else if (values.some((v, k) => k > 0 && (v as number) <= (values[k - 1] as number)))
      faults.push('scale options must go from low to high');
  }
  return faults;
}

function checkTrigger(q: Question, trigger: Trigger): string[] {
  const hasRange = trigger.atLeast !== undefined || trigger.atMost !== undefined;
  if (q.type === 'scale') {
    if (trigger.anyOf) return ['a scale question triggers by atLeast/atMost'];
    if (!hasRange) return ['give atLeast or atMost'];
    return [];
  }
  if (hasRange) return [`a ${q.type} question triggers by anyOf, not a range`];
  if (!trigger.anyOf) return ['give anyOf'];
  if (q.type === 'yes_no' && trigger.anyOf.some((v) => typeof v !== 'boolean'))
    return ['a yes/no question triggers on true or false'];
  if (q.type === 'choice') {
    const values = new Set((q.options ?? []).map((o) => o.value));
    const unknown = trigger.anyOf.filter((v) => !values.has(v as string));
    if (unknown.length > 0) return [`not an option of this question: ${unknown.join(', ')}`];
  }
  return [];
}

export function triggered(trigger: Trigger | undefined, answer: unknown): boolean {
  if (!trigger || answer === undefined) return false;
  if (trigger.anyOf) return trigger.anyOf.includes(answer as string | boolean);
  if (typeof answer !== 'number') return false;
  return (
    (trigger.atLeast === undefined || answer >= trigger.atLeast) &&
    (trigger.atMost === undefined || answer <= trigger.atMost)
  );
}
