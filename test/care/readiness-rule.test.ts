import { describe, expect, it } from 'vitest';
import { checkAnswers, decide } from '#shared/assessment/decision.ts';
import { defaultQuestionnaire } from '#shared/assessment/default-questionnaire.ts';
import { checkDefinition } from '#shared/assessment/questionnaire.ts';
import { readyAnswers as currentReadyAnswers } from './care-helpers.ts';

// Version 1: one decision for every technology (its questions name no technology).
const questions = defaultQuestionnaire.questions;
const readyAnswers = Object.fromEntries(
  Object.entries(currentReadyAnswers).filter(([id]) => questions.some((q) => q.id === id)),
);

describe('the default questionnaire', () => {
  it('is a valid definition: unique ids, options where needed, triggers that fit', () => {
    expect(checkDefinition(defaultQuestionnaire)).toEqual([]);
  });

  it('asks what the domain brief lists', () => {
    expect(questions.map((q) => q.id)).toEqual(
      expect.arrayContaining([
        'uses_device',
        'can_see_screen',
        'can_hear_screen',
        'internet_at_home',
        'willing',
        'relative_can_help',
        'cognitive_barriers',
        'physical_barriers',
      ]),
    );
  });
});

describe('the readiness decision', () => {
  it('is ready when no answer blocks or needs support, citing the blocker questions that cleared', () => {
    const { decision, reasons } = decide(questions, readyAnswers);
    expect(decision).toBe('ready');
    expect(reasons.every((r) => r.effect === 'clears')).toBe(true);
    expect(reasons.map((r) => r.questionId)).toEqual(questions.filter((q) => q.role === 'blocker').map((q) => q.id));
  });

  it('is not ready when the citizen is unwilling, citing only the blocking answers', () => {
    const { decision, reasons } = decide(questions, {
      ...readyAnswers,
      willing: false,
      internet_at_home: 'none',
      uses_device: false,
    });
    expect(decision).toBe('not_ready');
    expect(reasons.map((r) => [r.questionId, r.effect])).toEqual([
      ['willing', 'blocks'],
      ['internet_at_home', 'blocks'],
    ]);
  });

  it('is ready with support when the citizen does not use a tablet yet or has weak coverage', () => {
    const { decision, reasons } = decide(questions, {
      ...readyAnswers,
      uses_device: false,
      internet_at_home: 'mobile_poor',
    });
    expect(decision).toBe('ready_with_support');
    expect(reasons.map((r) => [r.questionId, r.effect])).toEqual([
      ['uses_device', 'needs_support'],
      ['internet_at_home', 'needs_support'],
    ]);
  });

  it('lets a relative overcome severe cognitive barriers, but not blindness', () => {
    const helped = decide(questions, { ...readyAnswers, cognitive_barriers: 3, relative_can_help: true });
    expect(helped.decision).toBe('ready_with_support');
    expect(helped.reasons.map((r) => r.effect)).toEqual(['overcome_by_helper', 'helper_available']);

    const alone = decide(questions, { ...readyAnswers, cognitive_barriers: 3, relative_can_help: false });
    expect(alone).toMatchObject({
      decision: 'not_ready',
      reasons: [{ questionId: 'cognitive_barriers', effect: 'blocks' }],
    });

    const blind = decide(questions, { ...readyAnswers, can_see_screen: false, relative_can_help: true });
    expect(blind.decision).toBe('not_ready');
  });

  it('gives the same decision and reasons for the same answers in any order', () => {
    const answers = { ...readyAnswers, physical_barriers: 2, uses_device: false };
    const shuffled = Object.fromEntries(Object.entries(answers).reverse());
    expect(decide(questions, shuffled)).toEqual(decide(questions, answers));
  });

  it('ignores informational answers', () => {
    const { decision } = decide(questions, {
      ...readyAnswers,
      can_take_dispensed_medication: false,
      notes: 'Prefers mornings.',
    });
    expect(decision).toBe('ready');
  });
});

describe('checking answers against a version', () => {
  it('names each unknown, missing or mistyped answer by its question id', () => {
    const { willing: _w, ...rest } = readyAnswers;
    const faults = checkAnswers(questions, {
      ...rest,
      cognitive_barriers: 7,
      uses_device: 'no',
      notes: 5,
      favourite_colour: 'blue',
    });
    expect(faults.map((f) => f.field).sort()).toEqual(
      [
        'body/answers/cognitive_barriers',
        'body/answers/favourite_colour',
        'body/answers/notes',
        'body/answers/uses_device',
        'body/answers/willing',
      ].sort(),
    );
  });

  it('accepts leaving optional questions out', () => {
    expect(checkAnswers(questions, readyAnswers)).toEqual([]);
  });
});

describe('checking a questionnaire definition', () => {
  it('wants options on scale questions in rising order and triggers on the role they belong to', () => {
    const faults = checkDefinition({
      title: { da: 't', en: 't' },
      questions: [
        {
          id: 's',
          type: 'scale',
          text: { da: 's', en: 's' },
          required: true,
          role: 'support',
          supportWhen: { atLeast: 1 },
          options: [
            { value: 2, text: { da: 'b', en: 'b' } },
            { value: 1, text: { da: 'a', en: 'a' } },
          ],
        },
        {
          id: 'h',
          type: 'yes_no',
          text: { da: 'h', en: 'h' },
          required: true,
          role: 'helper',
          helpsWhen: { anyOf: [true] },
          blocksWhen: { anyOf: [false] },
        },
        {
          id: 'f',
          type: 'free_text',
          text: { da: 'f', en: 'f' },
          required: false,
          role: 'support',
          supportWhen: { anyOf: ['x'] },
        },
      ],
    });
    expect(faults.map((f) => f.field)).toEqual([
      'body/questions/0/options',
      'body/questions/1/blocksWhen',
      'body/questions/2/role',
    ]);
  });
});
