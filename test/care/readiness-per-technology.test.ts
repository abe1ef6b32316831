import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from '#shared/assessment/decision.ts';
import { perTechnologyQuestionnaire } from '#shared/assessment/per-technology-questionnaire.ts';
import { checkDefinition } from '#shared/assessment/questionnaire.ts';
import { requireTechnologyReadiness } from '#shared/conversion/technology-readiness.ts';
import { assessmentKeys, citizenKeys } from '#shared/table/keys.ts';
import { put, transactWrite } from '#shared/table/store.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  assess,
  careActors,
  grant,
  medicationThreeTimesADay,
  readyAnswers,
  registerCitizen,
  supportConversationTwiceAWeek,
  type CareActors,
} from './care-helpers.ts';

const questions = perTechnologyQuestionnaire.questions;

describe('readiness per technology (questionnaire version 2)', () => {
  it('is a valid definition that asks what a dispenser needs', () => {
    expect(checkDefinition(perTechnologyQuestionnaire)).toEqual([]);
    expect(questions.map((q) => q.id)).toEqual(
      expect.arrayContaining([
        'can_take_dispensed_medication',
        'notices_dispenser_signal',
        'dispenser_handling_barriers',
        'medication_fits_dispenser',
      ]),
    );
  });

  it('a citizen who cannot see a screen is not ready for screen visits but ready for a dispenser', () => {
    const verdict = decide(questions, { ...readyAnswers, can_see_screen: false });
    expect(verdict.readiness.screen).toMatchObject({
      decision: 'not_ready',
      reasons: [{ questionId: 'can_see_screen', effect: 'blocks' }],
    });
    expect(verdict.readiness.medicationTechnology.decision).toBe('ready');
    expect(verdict.decision).toBe('ready');
  });

  it('medication that does not suit a dispenser rules out medication technology only', () => {
    const verdict = decide(questions, { ...readyAnswers, medication_fits_dispenser: 'unsuitable' });
    expect(verdict.readiness.medicationTechnology).toMatchObject({
      decision: 'not_ready',
      reasons: [{ questionId: 'medication_fits_dispenser', effect: 'blocks' }],
    });
    expect(verdict.readiness.screen.decision).toBe('ready');
  });

  it('an unwilling citizen is a motivation task with a follow-up, not a block', () => {
    const verdict = decide(questions, { ...readyAnswers, willing: false });
    expect(verdict.decision).toBe('ready');
    expect(verdict.readiness.screen.decision).toBe('ready');
    expect(verdict.readiness.medicationTechnology.decision).toBe('ready');
    expect(verdict.motivationNeeded).toBe(true);
    expect(verdict.followUps).toEqual([expect.objectContaining({ kind: 'motivate', questionId: 'willing' })]);
  });

  it('a helper for the screen does not overcome a barrier to the dispenser, and the reverse', () => {
    const screenHelp = decide(questions, {
      ...readyAnswers,
      cognitive_barriers: 3,
      relative_can_help: true,
      someone_present_at_dose_times: false,
    });
    expect(screenHelp.readiness.screen.decision).toBe('ready_with_support');
    expect(screenHelp.readiness.medicationTechnology.decision).toBe('not_ready');
    const doseHelp = decide(questions, {
      ...readyAnswers,
      cognitive_barriers: 3,
      relative_can_help: false,
      someone_present_at_dose_times: true,
    });
    expect(doseHelp.readiness.screen.decision).toBe('not_ready');
    expect(doseHelp.readiness.medicationTechnology.decision).toBe('ready_with_support');
  });

  it('no connection at home rules out both, so the citizen is not ready at all', () => {
    const verdict = decide(questions, { ...readyAnswers, internet_at_home: 'none' });
    expect([
      verdict.decision,
      verdict.readiness.screen.decision,
      verdict.readiness.medicationTechnology.decision,
    ]).toEqual(['not_ready', 'not_ready', 'not_ready']);
  });

  it('a conversion line for a technology needs readiness for that technology; physical lines need none', () => {
    const line = (screenVisit: number, medicationTechnology: number) => ({
      grantId: 'grt_x',
      service: 'medication_handling' as const,
      screenVisit,
      medicationTechnology,
    });
    expect(() =>
      requireTechnologyReadiness([line(0, 2)], { screen: 'not_ready', medicationTechnology: 'ready' }),
    ).not.toThrow();
    expect(() =>
      requireTechnologyReadiness([line(1, 0)], { screen: 'not_ready', medicationTechnology: 'ready' }),
    ).toThrow(/not ready for screen visits/);
    expect(() =>
      requireTechnologyReadiness([line(0, 1)], { screen: 'ready', medicationTechnology: 'not_ready' }),
    ).toThrow(/not ready for medication technology/);
    expect(() =>
      requireTechnologyReadiness([line(0, 0)], { screen: 'not_ready', medicationTechnology: 'not_ready' }),
    ).not.toThrow();
  });
});

describe('conversions under readiness per technology', () => {
  let t: TestApp;
  let east: CareActors;
  beforeAll(async () => {
    t = await createTestApp({ clock: new FixedClock(new Date('2026-03-02T08:00:00Z')) });
    east = await careActors(t, 'east');
  });

  it('staff convert medication to a dispenser for a citizen who cannot see a screen, but not a conversation to screen visits', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Svend', family: 'Blind' });
    const assessment = await assess(t, east.assessor, citizenId, { ...readyAnswers, can_see_screen: false });
    expect(assessment).toMatchObject({
      decision: 'ready',
      readinessRule: 'per-technology',
      readiness: { screen: { decision: 'not_ready' }, medicationTechnology: { decision: 'ready' } },
    });
    const medication = await grant(t, east.assessor, citizenId, medicationThreeTimesADay);
    const talk = await grant(t, east.assessor, citizenId, supportConversationTwiceAWeek);

    const byScreen = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'r',
        splits: [
          { grantId: medication.grantId, physical: 3, screenVisit: 0, medicationTechnology: 0 },
          { grantId: talk.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 },
        ],
      },
    });
    expect(byScreen.status).toBe(409);
    expect(byScreen.body.reason).toBe('not-ready-for-technology');

    const byDispenser = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'r',
        splits: [
          { grantId: medication.grantId, physical: 0, screenVisit: 0, medicationTechnology: 3 },
          { grantId: talk.grantId, physical: 2, screenVisit: 0, medicationTechnology: 0 },
        ],
      },
    });
    expect(byDispenser.status, byDispenser.text).toBe(201);
    expect(
      (await t.call('POST', `/conversions/${byDispenser.body.conversionId}/approve`, { as: east.lead, body: {} }))
        .status,
    ).toBe(201);
  });

  it('an unwilling citizen is assessed, gets a motivation follow-up and can still be converted', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Ulla', family: 'Nej' });
    const assessment = await assess(t, east.assessor, citizenId, { ...readyAnswers, willing: false });
    expect(assessment).toMatchObject({
      decision: 'ready',
      motivationNeeded: true,
      followUps: [{ kind: 'motivate', questionId: 'willing' }],
    });
    const talk = await grant(t, east.assessor, citizenId, supportConversationTwiceAWeek);
    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: { reason: 'r', splits: [{ grantId: talk.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 }] },
    });
    expect(proposal.status).toBe(201);
  });

  it('an assessment recorded before readiness per technology is read under its one-decision rule', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Olga', family: 'Gammel' });
    const assessmentId = 'asm_01JD0000000000000000000000';
    const reasons = [{ questionId: 'can_see_screen', effect: 'blocks', answer: false, why: 'old' }];
    // As the first release wrote them: no readiness on the assessment or on the profile's summary.
    await transactWrite(t.deps.table, [
      put(t.deps.table, {
        ...assessmentKeys.assessment(citizenId, assessmentId),
        entity: 'Assessment',
        assessmentId,
        citizenId,
        questionnaireVersion: 1,
        answers: { can_see_screen: false },
        decision: 'not_ready',
        reasons,
        assessedAt: '2026-01-05T10:00:00.000Z',
        assessedBy: 'asr-east',
      }),
    ]);
    await transactWrite(t.deps.table, [
      {
        Update: {
          TableName: t.deps.table.name,
          Key: citizenKeys.profile(citizenId),
          UpdateExpression: 'SET latestAssessment = :s',
          ExpressionAttributeValues: { ':s': { assessmentId, decision: 'not_ready' } },
        },
      },
    ]);

    const history = await t.call('GET', `/citizens/${citizenId}/assessments`, { as: east.staff });
    expect(history.body.items[0]).toMatchObject({
      readinessRule: 'single-decision',
      decision: 'not_ready',
      readiness: {
        screen: { decision: 'not_ready', reasons },
        medicationTechnology: { decision: 'not_ready', reasons },
      },
      motivationNeeded: false,
    });
    const medication = await grant(t, east.assessor, citizenId, medicationThreeTimesADay);
    const refused = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'r',
        splits: [{ grantId: medication.grantId, physical: 0, screenVisit: 0, medicationTechnology: 3 }],
      },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('not-ready');
  });
});
