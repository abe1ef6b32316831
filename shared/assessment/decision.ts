import type { FieldError } from '#shared/platform/errors.ts';
import { FREE_TEXT_MAX } from './model.ts';
import { technologies, triggered, type Question, type Technology } from './questionnaire.ts';
import type { Decision, FollowUp, Readiness, Reason } from './readiness.ts';

/**
 * The digital-readiness rule, as plain functions: validate answers against a questionnaire
 * version, then decide. Deterministic: the same questions and answers give the same decision
 * and the same reasons in the same (questionnaire) order. The rule is described with examples
 * in ./README.md.
 */
export type Answer = boolean | string | number;
export type Answers = Record<string, Answer>;

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
      if (typeof answer !== expected || !values.includes(answer as string | number))
        return `must be one of: ${values.join(', ')}`;
      return undefined;
    }
  }
}

/** What one answer does: blocks, needs support (perhaps a block a helper overcomes), clears a blocker, or nothing. */
function reasonOf(q: Question, answer: Answer, helperAvailable: boolean): Reason | undefined {
  if (q.role === 'blocker') {
    if (triggered(q.blocksWhen, answer)) {
      return q.helperCanOvercome && helperAvailable
        ? {
            questionId: q.id,
            effect: 'overcome_by_helper',
            answer,
            why: `${q.text.en} — blocking answer, overcome because someone can help`,
          }
        : { questionId: q.id, effect: 'blocks', answer, why: `${q.text.en} — this answer rules out digital delivery` };
    }
    if (triggered(q.supportWhen, answer))
      return { questionId: q.id, effect: 'needs_support', answer, why: `${q.text.en} — this answer needs support` };
    return { questionId: q.id, effect: 'clears', answer, why: `${q.text.en} — no barrier` };
  }
  if (q.role === 'support' && triggered(q.supportWhen, answer))
    return { questionId: q.id, effect: 'needs_support', answer, why: `${q.text.en} — this answer needs support` };
  return undefined;
}

/**
 * 1. A blocking answer makes the citizen `not_ready`, unless the question lets a helper overcome
 *    it and a helper question was answered as helping: then it is a support need instead.
 * 2. Otherwise any support need makes the citizen `ready_with_support`.
 * 3. Otherwise the citizen is `ready`; the reasons are the blocker answers that cleared.
 * Unanswered optional questions never count. Informational questions never count.
 */
function decideOver(questions: readonly Question[], answers: Answers): { decision: Decision; reasons: Reason[] } {
  const helpers = questions.filter((q) => q.role === 'helper' && triggered(q.helpsWhen, answers[q.id]));
  const blocks: Reason[] = [];
  const support: Reason[] = [];
  const clears: Reason[] = [];
  for (const q of questions) {
    const answer = answers[q.id];
    if (answer === undefined) continue;
    const reason = reasonOf(q, answer, helpers.length > 0);
    if (!reason) continue;
    if (reason.effect === 'blocks') blocks.push(reason);
    else if (reason.effect === 'clears') clears.push(reason);
    else support.push(reason);
  }
  if (blocks.length > 0) return { decision: 'not_ready', reasons: blocks };
  if (support.length > 0) {
    const helperReasons = support.some((r) => r.effect === 'overcome_by_helper')
      ? helpers.map((q) => ({
          questionId: q.id,
          effect: 'helper_available' as const,
          answer: answers[q.id] as Answer,
          why: `${q.text.en} — someone can help`,
        }))
      : [];
    const order = new Map(questions.map((q, i) => [q.id, i]));
    const reasons = [...support, ...helperReasons].sort(
      (a, b) => (order.get(a.questionId) ?? 0) - (order.get(b.questionId) ?? 0),
    );
    return { decision: 'ready_with_support', reasons };
  }
  return { decision: 'ready', reasons: clears };
}

export interface Verdict {
  /** The best of the technologies: `not_ready` only when the citizen can use neither. */
  decision: Decision;
  /** The reasons of the technology that gives `decision` (screen first when both do). */
  reasons: Reason[];
  readiness: Readiness;
  motivationNeeded: boolean;
  followUps: FollowUp[];
}

const rank: Record<Decision, number> = { ready: 2, ready_with_support: 1, not_ready: 0 };

const concerns = (q: Question, technology: Technology) => !q.technologies || q.technologies.includes(technology);

/**
 * Readiness per technology: the rule above, once per technology, over the questions that concern
 * it (a question naming no technology concerns both). Motivation questions never decide: a
 * matching answer adds a follow-up and `motivationNeeded`. A version whose questions name no
 * technology therefore gives the same decision for both, which is exactly the one-decision rule
 * it was written for.
 */
export function decide(questions: readonly Question[], answers: Answers): Verdict {
  const per = Object.fromEntries(
    technologies.map((technology) => [
      technology,
      decideOver(
        questions.filter((q) => q.role !== 'motivation' && concerns(q, technology)),
        answers,
      ),
    ]),
  ) as Readiness;
  const best =
    rank[per.medicationTechnology.decision] > rank[per.screen.decision] ? per.medicationTechnology : per.screen;
  const followUps: FollowUp[] = questions
    .filter((q) => q.role === 'motivation' && triggered(q.motivationWhen, answers[q.id]))
    .map((q) => ({
      kind: 'motivate' as const,
      questionId: q.id,
      why: `${q.text.en} — the E-team motivates the citizen; this does not block the assessment`,
    }));
  return {
    decision: best.decision,
    reasons: best.reasons,
    readiness: per,
    motivationNeeded: followUps.length > 0,
    followUps,
  };
}
