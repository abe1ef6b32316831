import { z } from '@hono/zod-openapi';
import type { FieldError } from '../platform/errors.ts';
import { triggered, type Question } from './questionnaire.ts';

/**
 * The digital-readiness rule, as plain functions: validate answers against a questionnaire
 * version, then decide. Deterministic: the same questions and answers give the same decision
 * and the same reasons in the same (questionnaire) order. The rule is described with examples
 * in ./README.md.
 */
export type Answer = boolean | string | number;
export type Answers = Record<string, Answer>;

export const decisions = ['ready', 'ready_with_support', 'not_ready'] as const;
export type Decision = (typeof decisions)[number];

export const reasonEffects = ['blocks', 'needs_support', 'overcome_by_helper', 'helper_available', 'clears'] as const;

export const reasonSchema = z
  .object({
    questionId: z.string(),
    effect: z.enum(reasonEffects),
    answer: z.union([z.boolean(), z.string(), z.number()]),
    why: z.string(),
  })
  .openapi('DecisionReason');
export type Reason = z.infer<typeof reasonSchema>;

export const FREE_TEXT_MAX = 2000;

/** Every answer that is unknown, missing while required, or of the wrong type, as a field error. */
export function checkAnswers(questions: readonly Question[], answers: Answers, base = 'body/answers'): FieldError[] {
  const faults: FieldError[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const id of Object.keys(answers)) {
    if (!byId.has(id)) faults.push({ field: `${base}/${id}`, message: 'not a question of this questionnaire version' });
  }
  for (const q of questions) {
    const answer = answers[q.id];
    const field = `${base}/${q.id}`;
    if (answer === undefined) {
      if (q.required) faults.push({ field, message: 'this question must be answered' });
      continue;
    }
    const problem = answerProblem(q, answer);
    if (problem) faults.push({ field, message: problem });
  }
  return faults;
}

function answerProblem(q: Question, answer: Answer): string | undefined {
  switch (q.type) {
    case 'yes_no':
      return typeof answer === 'boolean' ? undefined : 'must be true or false';
    case 'free_text':
      if (typeof answer !== 'string') return 'must be text';
      return answer.length > FREE_TEXT_MAX ? `must be at most ${FREE_TEXT_MAX} characters` : undefined;
    case 'choice':
    case 'scale': {
      const values = (q.options ?? []).map((o) => o.value);
      const expected = q.type === 'choice' ? 'string' : 'number';
      if (typeof answer !== expected || !values.includes(answer as string | number)) return `must be one of: ${values.join(', ')}`;
      return undefined;
    }
  }
}

/**
 * 1. A blocking answer makes the citizen `not_ready`, unless the question lets a helper overcome
 *    it and a helper question was answered as helping: then it is a support need instead.
 * 2. Otherwise any support need makes the citizen `ready_with_support`.
 * 3. Otherwise the citizen is `ready`; the reasons are the blocker answers that cleared.
 * Unanswered optional questions never count. Informational questions never count.
 */
export function decide(questions: readonly Question[], answers: Answers): { decision: Decision; reasons: Reason[] } {
  const helpers = questions.filter((q) => q.role === 'helper' && triggered(q.helpsWhen, answers[q.id]));
  const blocks: Reason[] = [];
  const support: Reason[] = [];
  const clears: Reason[] = [];
  for (const q of questions) {
    const answer = answers[q.id];
    if (answer === undefined) continue;
    if (q.role === 'blocker') {
      if (triggered(q.blocksWhen, answer)) {
        if (q.helperCanOvercome && helpers.length > 0) {
          support.push({ questionId: q.id, effect: 'overcome_by_helper', answer, why: `${q.text.en} — blocking answer, overcome because someone can help` });
        } else {
          blocks.push({ questionId: q.id, effect: 'blocks', answer, why: `${q.text.en} — this answer rules out digital delivery` });
        }
      } else if (triggered(q.supportWhen, answer)) {
        support.push({ questionId: q.id, effect: 'needs_support', answer, why: `${q.text.en} — this answer needs support` });
      } else {
        clears.push({ questionId: q.id, effect: 'clears', answer, why: `${q.text.en} — no barrier` });
      }
    } else if (q.role === 'support' && triggered(q.supportWhen, answer)) {
      support.push({ questionId: q.id, effect: 'needs_support', answer, why: `${q.text.en} — this answer needs support` });
    }
  }
  if (blocks.length > 0) return { decision: 'not_ready', reasons: blocks };
  if (support.length > 0) {
    const helperReasons = support.some((r) => r.effect === 'overcome_by_helper')
      ? helpers.map((q) => ({ questionId: q.id, effect: 'helper_available' as const, answer: answers[q.id] as Answer, why: `${q.text.en} — someone can help` }))
      : [];
    const order = new Map(questions.map((q, i) => [q.id, i]));
    const reasons = [...support, ...helperReasons].sort((a, b) => (order.get(a.questionId) ?? 0) - (order.get(b.questionId) ?? 0));
    return { decision: 'ready_with_support', reasons };
  }
  return { decision: 'ready', reasons: clears };
}
