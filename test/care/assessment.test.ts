import { beforeAll, describe, expect, it } from 'vitest';
import { defaultQuestionnaire } from '#shared/assessment/default-questionnaire.ts';
import { perTechnologyQuestionnaire } from '#shared/assessment/per-technology-questionnaire.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { assess, careActors, readyAnswers, registerCitizen, type CareActors } from './care-helpers.ts';

let t: TestApp;
let east: CareActors;

beforeAll(async () => {
  t = await createTestApp();
  east = await careActors(t, 'east');
});

describe('the readiness questionnaire', () => {
  it('ships the first questionnaire as version 1 and the per-technology one, in Danish and English, as the current version 2', async () => {
    const res = await t.call('GET', '/questionnaires/current', { as: east.assessor });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    expect(res.body.questions.map((q: any) => q.id)).toEqual(perTechnologyQuestionnaire.questions.map((q) => q.id));
    const first = await t.call('GET', '/questionnaires/1', { as: east.assessor });
    expect(first.body.questions.map((q: any) => q.id)).toEqual(defaultQuestionnaire.questions.map((q) => q.id));
    for (const q of res.body.questions) {
      expect(q.text.da.length).toBeGreaterThan(0);
      expect(q.text.en.length).toBeGreaterThan(0);
    }
    expect(new Set(res.body.questions.map((q: any) => q.type))).toEqual(
      new Set(['yes_no', 'choice', 'scale', 'free_text']),
    );
  });

  it('an admin publishes version N+1; old assessments keep the version they answered', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Inge', family: 'Friis' });
    const before = await t.call('GET', '/questionnaires/current', { as: east.assessor });
    const old = await assess(t, east.assessor, citizenId, readyAnswers);
    expect(old.questionnaireVersion).toBe(before.body.version);

    const definition = {
      title: { da: 'Parathed, kort', en: 'Readiness, short' },
      questions: [
        {
          id: 'willing',
          type: 'yes_no',
          text: { da: 'Ønsker borgeren det?', en: 'Is the citizen willing?' },
          required: true,
          role: 'blocker',
          blocksWhen: { anyOf: [false] },
        },
        {
          id: 'has_tablet',
          type: 'yes_no',
          text: { da: 'Har borgeren en tablet?', en: 'Does the citizen have a tablet?' },
          required: true,
          role: 'support',
          supportWhen: { anyOf: [false] },
        },
      ],
    };
    expect((await t.call('POST', '/questionnaires', { as: east.assessor, body: definition })).status).toBe(403);
    const published = await t.call('POST', '/questionnaires', { as: east.admin, body: definition });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ version: before.body.version + 1, publishedBy: 'adm-east' });

    const current = await t.call('GET', '/questionnaires/current', { as: east.staff });
    expect(current.body.version).toBe(before.body.version + 1);
    const fresh = await assess(t, east.assessor, citizenId, { willing: true, has_tablet: false });
    expect(fresh).toMatchObject({ questionnaireVersion: before.body.version + 1, decision: 'ready_with_support' });

    // The older version still answers, and its text is still there to read old answers against.
    const againOld = await t.call('POST', `/citizens/${citizenId}/assessments`, {
      as: east.assessor,
      body: { questionnaireVersion: before.body.version, answers: readyAnswers },
    });
    expect(againOld.status).toBe(201);
    const oldVersion = await t.call('GET', `/questionnaires/${before.body.version}`, { as: east.lead });
    expect(oldVersion.body.questions.map((q: any) => q.id)).toEqual(before.body.questions.map((q: any) => q.id));

    const history = await t.call('GET', `/citizens/${citizenId}/assessments`, { as: east.staff });
    expect(history.body.items.map((a: any) => [a.assessmentId, a.questionnaireVersion])).toEqual([
      [againOld.body.assessmentId, before.body.version],
      [fresh.assessmentId, before.body.version + 1],
      [old.assessmentId, before.body.version],
    ]);
  });

  it('refuses a definition with duplicate ids, a choice without options, or a trigger that does not fit', async () => {
    const res = await t.call('POST', '/questionnaires', {
      as: east.admin,
      body: {
        title: { da: 'x', en: 'x' },
        questions: [
          { id: 'a', type: 'yes_no', text: { da: 'a', en: 'a' }, required: true, role: 'informational' },
          { id: 'a', type: 'yes_no', text: { da: 'b', en: 'b' }, required: true, role: 'informational' },
          {
            id: 'net',
            type: 'choice',
            text: { da: 'c', en: 'c' },
            required: true,
            role: 'blocker',
            blocksWhen: { anyOf: ['none'] },
          },
          {
            id: 'scale',
            type: 'scale',
            text: { da: 'd', en: 'd' },
            required: true,
            options: [
              { value: 0, text: { da: '0', en: '0' } },
              { value: 1, text: { da: '1', en: '1' } },
            ],
            role: 'support',
            supportWhen: { anyOf: [true] },
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: any) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body/questions/1/id', 'body/questions/2/options', 'body/questions/3/supportWhen']),
    );
    expect((await t.call('GET', '/questionnaires/99', { as: east.assessor })).status).toBe(404);
  });
});

describe('answering the questionnaire', () => {
  it('returns 201 with the decision and the answers that drove it', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Tove', family: 'Lind' });
    const current = (await t.call('GET', '/questionnaires/current', { as: east.assessor })).body;
    const res = await t.call('POST', `/citizens/${citizenId}/assessments`, {
      as: east.assessor,
      body: { questionnaireVersion: 2, answers: { ...readyAnswers, cognitive_barriers: 3, relative_can_help: true } },
    });
    expect(current.version).toBeGreaterThanOrEqual(1);
    expect(res.status).toBe(201);
    expect(res.body.decision).toBe('ready_with_support');
    expect(res.body.reasons.map((r: any) => [r.questionId, r.effect])).toEqual([
      ['cognitive_barriers', 'overcome_by_helper'],
      ['relative_can_help', 'helper_available'],
    ]);
  });

  it('names every answer at fault: unknown question, missing required answer, wrong type', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Knud', family: 'Mark' });
    const { can_hear_screen: _left, ...answers } = readyAnswers;
    const res = await t.call('POST', `/citizens/${citizenId}/assessments`, {
      as: east.assessor,
      body: {
        questionnaireVersion: 2,
        answers: { ...answers, willing: 'yes', internet_at_home: 'fibre', shoe_size: 42 },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(
      [
        'body/answers/can_hear_screen',
        'body/answers/internet_at_home',
        'body/answers/shoe_size',
        'body/answers/willing',
      ].sort(),
    );
  });

  it('refuses an unknown questionnaire version and a citizen of another team', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Jytte', family: 'Kjær' });
    const unknown = await t.call('POST', `/citizens/${citizenId}/assessments`, {
      as: east.assessor,
      body: { questionnaireVersion: 42, answers: readyAnswers },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('body/questionnaireVersion');
    const westAssessor = await t.token('assessor', 'asr-west', 'west');
    expect(
      (
        await t.call('POST', `/citizens/${citizenId}/assessments`, {
          as: westAssessor,
          body: { answers: readyAnswers },
        })
      ).status,
    ).toBe(404);
  });
});

describe('granted benefits', () => {
  it('refuses a service under a paragraph that does not carry it, and inconsistent times', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Erik', family: 'Skov' });
    const res = await t.call('POST', `/citizens/${citizenId}/grants`, {
      as: east.assessor,
      body: {
        paragraph: 'SEL-83',
        service: 'medication_handling',
        frequency: { per: 'day', times: 2, timesOfDay: ['08:00'] },
        minutesPerOccurrence: 10,
        startDate: '2026-03-01',
        endDate: '2026-02-01',
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.field)).toEqual([
      'body/service',
      'body/frequency/timesOfDay',
      'body/endDate',
    ]);

    const ok = await t.call('POST', `/citizens/${citizenId}/grants`, {
      as: east.assessor,
      body: {
        paragraph: 'SUL-138',
        service: 'medication_handling',
        frequency: { per: 'day', times: 2, timesOfDay: ['08:00', '20:00'] },
        minutesPerOccurrence: 10,
        startDate: '2026-03-01',
      },
    });
    expect(ok.status).toBe(201);
    const list = await t.call('GET', `/citizens/${citizenId}/grants`, { as: east.staff });
    expect(list.body.items.map((g: any) => g.grantId)).toEqual([ok.body.grantId]);
  });
});
