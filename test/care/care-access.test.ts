import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  assess,
  careActors,
  grant,
  practicalHelpWeekly,
  readyAnswers,
  registerCitizen,
  type CareActors,
} from './care-helpers.ts';

let t: TestApp;
let east: CareActors;
let citizenId: string;
let conversionId: string;
let citizenToken: string;

beforeAll(async () => {
  t = await createTestApp();
  east = await careActors(t, 'east');
  citizenId = await registerCitizen(t, east.assessor, { given: 'Grethe', family: 'Moos' });
  await assess(t, east.assessor, citizenId, readyAnswers);
  const help = await grant(t, east.assessor, citizenId, practicalHelpWeekly);
  const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
    as: east.staff,
    body: {
      reason: 'screen',
      splits: [{ grantId: help.grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 }],
    },
  });
  conversionId = proposal.body.conversionId;
  // The citizen's own tablet, in the same team: still no access to any of this.
  citizenToken = await t.token('citizen', citizenId, 'east');
});

const routes = () =>
  [
    ['POST', '/citizens', { nationalId: '010145-1111', name: { given: 'A', family: 'B' } }],
    ['GET', `/citizens/${citizenId}`],
    ['GET', '/citizens'],
    ['GET', '/questionnaires/current'],
    ['GET', '/questionnaires/1'],
    ['POST', '/questionnaires', { title: { da: 'x', en: 'x' }, questions: [] }],
    ['POST', `/citizens/${citizenId}/assessments`, { answers: readyAnswers }],
    ['GET', `/citizens/${citizenId}/assessments`],
    ['POST', `/citizens/${citizenId}/grants`, practicalHelpWeekly],
    ['GET', `/citizens/${citizenId}/grants`],
    ['POST', `/citizens/${citizenId}/conversions`, { reason: 'x', splits: [] }],
    ['GET', `/citizens/${citizenId}/conversions`],
    ['POST', `/conversions/${conversionId}/approve`],
    ['GET', `/citizens/${citizenId}/final-grant`],
  ] as const;

describe('who may call the care routes', () => {
  it('a citizen token gets 403 on every one of them, even for its own record', async () => {
    for (const [method, path, body] of routes()) {
      const res = await t.call(method, path, { as: citizenToken, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it('follows the outline: assessors assess and grant, staff propose, only a lead approves', async () => {
    const status = async (who: string, method: string, path: string, body?: unknown) =>
      (await t.call(method, path, { as: who, ...(body ? { body } : {}) })).status;
    expect(await status(east.staff, 'POST', `/citizens/${citizenId}/assessments`, { answers: readyAnswers })).toBe(403);
    expect(await status(east.lead, 'POST', `/citizens/${citizenId}/grants`, practicalHelpWeekly)).toBe(403);
    expect(await status(east.assessor, 'POST', `/citizens/${citizenId}/conversions`, { reason: 'x', splits: [] })).toBe(
      403,
    );
    expect(await status(east.assessor, 'POST', `/conversions/${conversionId}/approve`)).toBe(403);
    expect(await status(east.admin, 'GET', `/citizens/${citizenId}`)).toBe(403);
    expect(await status(east.admin, 'GET', '/questionnaires/current')).toBe(200);
    expect(await status(east.assessor, 'GET', `/citizens/${citizenId}/final-grant`)).toBe(404);
    expect(await status(east.lead, 'POST', `/conversions/${conversionId}/approve`)).toBe(201);
    expect(await status(east.assessor, 'GET', `/citizens/${citizenId}/final-grant`)).toBe(200);
  });
});
