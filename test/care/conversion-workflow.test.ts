import { beforeAll, describe, expect, it } from 'vitest';
import { getCurrentFinalGrant, listCurrentFinalGrants, teamConversionFigures } from '#shared/conversion/index.ts';
import { finalGrantApprovedSchema } from '#shared/conversion/plan.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  assess,
  careActors,
  grant,
  medicationThreeTimesADay,
  notReadyAnswers,
  practicalHelpWeekly,
  readyAnswers,
  registerCitizen,
  supportConversationTwiceAWeek,
  type CareActors,
} from './care-helpers.ts';

let t: TestApp;
let east: CareActors;

beforeAll(async () => {
  // A Monday morning in Copenhagen.
  t = await createTestApp({ clock: new FixedClock(new Date('2026-03-02T08:00:00Z')) });
  east = await careActors(t, 'east');
});

const travel = () => t.config.TRAVEL_MINUTES_PER_VISIT;

describe('from assessment to final grant', () => {
  it('an assessor registers and assesses a citizen, records three grants; staff propose, a lead approves, and a revision supersedes it', async () => {
    const citizenId = await registerCitizen(t, east.assessor);

    const questionnaire = await t.call('GET', '/questionnaires/current', { as: east.assessor });
    expect(questionnaire.status).toBe(200);
    const assessment = await assess(t, east.assessor, citizenId, readyAnswers);
    expect(assessment).toMatchObject({ decision: 'ready', questionnaireVersion: questionnaire.body.version });

    const medication = await grant(t, east.assessor, citizenId, medicationThreeTimesADay);
    const practical = await grant(t, east.assessor, citizenId, practicalHelpWeekly);
    const conversation = await grant(t, east.assessor, citizenId, supportConversationTwiceAWeek);
    expect(new Set([medication.paragraph, practical.paragraph, conversation.paragraph]).size).toBe(3);

    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'Morning and evening medication by dispenser; conversations by screen.',
        splits: [
          {
            grantId: medication.grantId,
            physical: 1,
            screenVisit: 0,
            medicationTechnology: 2,
            medicationTechnologyTimes: ['08:00', '20:00'],
          },
          { grantId: practical.grantId, physical: 1, screenVisit: 0, medicationTechnology: 0 },
          { grantId: conversation.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 },
        ],
      },
    });
    expect(proposal.status).toBe(201);
    expect(proposal.body).toMatchObject({
      status: 'proposed',
      proposedBy: 'stf-east',
      assessmentId: assessment.assessmentId,
    });

    const approval = await t.call('POST', `/conversions/${proposal.body.conversionId}/approve`, {
      as: east.lead,
      body: { note: 'Agreed with the citizen and daughter.' },
    });
    expect(approval.status).toBe(201);
    const first = approval.body;
    expect(first).toMatchObject({
      status: 'current',
      conversionId: proposal.body.conversionId,
      approvedBy: 'lead-east',
      approvalNote: 'Agreed with the citizen and daughter.',
    });
    expect(first.supersedes).toBeUndefined();
    expect(first.screenVisitPlan).toEqual([
      {
        grantId: conversation.grantId,
        paragraph: 'SEL-85',
        service: 'support_conversation',
        minutes: 30,
        weekdays: [2, 4],
        times: ['10:00'],
        perWeek: 2,
        validFrom: '2026-03-02',
        validTo: '2026-12-31',
      },
    ]);
    expect(first.dosePlan).toEqual({ grantId: medication.grantId, times: ['08:00', '20:00'], validFrom: '2026-03-02' });

    const events = t.deps.events.ofType('FinalGrantApproved');
    const event = events.find((e) => e.detail.finalGrantId === first.finalGrantId);
    expect(finalGrantApprovedSchema.parse(event?.detail)).toMatchObject({
      citizenId,
      team: 'east',
      screenVisitPlan: first.screenVisitPlan,
      dosePlan: first.dosePlan,
    });

    const view = await t.call('GET', `/citizens/${citizenId}/final-grant`, { as: east.assessor });
    expect(view.status).toBe(200);
    expect(view.body.current.finalGrantId).toBe(first.finalGrantId);
    expect(view.body.history.map((g: any) => g.finalGrantId)).toEqual([first.finalGrantId]);
    // Per week: medication 3×7 (1×7 physical, 2×7 dispensed), practical help 1 physical, conversations 2 by screen.
    const granted = 21 + 1 + 2;
    const digital = 14 + 2;
    const before = 21 * (10 + travel()) + 1 * (60 + travel()) + 2 * (30 + travel());
    const after = 7 * (10 + travel()) + 1 * (60 + travel()) + 2 * 30;
    expect(view.body.figures).toMatchObject({
      grantedOccurrencesPerWeek: granted,
      digitalOccurrencesPerWeek: digital,
      digitalShare: Math.round((digital / granted) * 10_000) / 10_000,
      staffMinutesSavedPerWeek: before - after,
    });

    // Revision: all medication by dispenser now.
    const revision = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.lead,
      body: {
        reason: 'Lunch dose works by dispenser too after the trial period.',
        splits: [
          { grantId: medication.grantId, physical: 0, screenVisit: 0, medicationTechnology: 3 },
          { grantId: practical.grantId, physical: 1, screenVisit: 0, medicationTechnology: 0 },
          { grantId: conversation.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 },
        ],
      },
    });
    expect(revision.status).toBe(201);
    const second = await t.call('POST', `/conversions/${revision.body.conversionId}/approve`, { as: east.lead });
    expect(second.status).toBe(201);
    expect(second.body.supersedes).toBe(first.finalGrantId);
    expect(second.body.dosePlan.times).toEqual(['08:00', '14:00', '20:00']);
    const secondEvent = t.deps.events
      .ofType('FinalGrantApproved')
      .find((e) => e.detail.finalGrantId === second.body.finalGrantId);
    expect(secondEvent?.detail.supersedes).toBe(first.finalGrantId);

    const after2 = await t.call('GET', `/citizens/${citizenId}/final-grant`, { as: east.staff });
    expect(after2.body.current.finalGrantId).toBe(second.body.finalGrantId);
    expect(after2.body.history).toHaveLength(2);
    const [newest, oldest] = after2.body.history;
    expect(newest).toMatchObject({
      finalGrantId: second.body.finalGrantId,
      status: 'current',
      reason: 'Lunch dose works by dispenser too after the trial period.',
    });
    expect(oldest).toMatchObject({
      finalGrantId: first.finalGrantId,
      status: 'superseded',
      supersededBy: second.body.finalGrantId,
      approvedBy: 'lead-east',
      proposedBy: 'stf-east',
    });

    // The pointer other capabilities read follows the newest approval.
    const current = await getCurrentFinalGrant(t.deps, citizenId);
    expect(current).toMatchObject({ finalGrantId: second.body.finalGrantId, team: 'east', version: 2 });

    // Both conversions stay, now approved.
    const conversions = await t.call('GET', `/citizens/${citizenId}/conversions`, { as: east.lead });
    expect(conversions.body.items.map((c: any) => [c.conversionId, c.status])).toEqual([
      [revision.body.conversionId, 'approved'],
      [proposal.body.conversionId, 'approved'],
    ]);

    // Every step was audited against the citizen.
    const admin = await t.token('admin', 'adm-1');
    const audit = await t.call('GET', `/audit?citizenId=${citizenId}&limit=200`, { as: admin });
    const actions = new Set(audit.body.items.map((r: any) => r.action));
    for (const action of [
      'citizen.create',
      'assessment.create',
      'grant.create',
      'conversion.create',
      'conversion.approve',
      'final-grant.read',
      'conversion.read',
    ]) {
      expect(actions).toContain(action);
    }
  });

  it('a not_ready citizen cannot be converted, nor one who was never assessed', async () => {
    const unassessed = await registerCitizen(t, east.assessor, { given: 'Ib', family: 'Holm' });
    const g1 = await grant(t, east.assessor, unassessed, practicalHelpWeekly);
    const body = (grantId: string) => ({
      reason: 'try',
      splits: [{ grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 }],
    });
    const none = await t.call('POST', `/citizens/${unassessed}/conversions`, {
      as: east.staff,
      body: body(g1.grantId),
    });
    expect(none.status).toBe(409);
    expect(none.body.reason).toBe('no-assessment');

    const unwilling = await registerCitizen(t, east.assessor, { given: 'Bent', family: 'Lund' });
    const g2 = await grant(t, east.assessor, unwilling, practicalHelpWeekly);
    expect((await assess(t, east.assessor, unwilling, notReadyAnswers)).decision).toBe('not_ready');
    const refused = await t.call('POST', `/citizens/${unwilling}/conversions`, {
      as: east.staff,
      body: body(g2.grantId),
    });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('not-ready');
  });

  it('a split that exceeds the grant is a 400 naming the grant', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Ole', family: 'Berg' });
    await assess(t, east.assessor, citizenId, readyAnswers);
    const medication = await grant(t, east.assessor, citizenId, medicationThreeTimesADay);
    const res = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'too much',
        splits: [{ grantId: medication.grantId, physical: 2, screenVisit: 0, medicationTechnology: 3 }],
      },
    });
    expect(res.status).toBe(400);
    const fault = res.body.errors.find((e: any) => e.field === 'body/splits/0');
    expect(fault.message).toContain(medication.grantId);
  });

  it('of two concurrent approvals of different conversions for one citizen, exactly one becomes the current final grant', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Ruth', family: 'Dahl' });
    await assess(t, east.assessor, citizenId, readyAnswers);
    const help = await grant(t, east.assessor, citizenId, practicalHelpWeekly);
    const propose = async (screenVisit: number) =>
      (
        await t.call('POST', `/citizens/${citizenId}/conversions`, {
          as: east.staff,
          body: {
            reason: `option ${screenVisit}`,
            splits: [{ grantId: help.grantId, physical: 1 - screenVisit, screenVisit, medicationTechnology: 0 }],
          },
        })
      ).body.conversionId as string;
    const [a, b] = [await propose(0), await propose(1)];

    const results = await Promise.all(
      [a, b].map((id) => t.call('POST', `/conversions/${id}/approve`, { as: east.lead })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = results.find((r) => r.status === 201)?.body;
    expect(results.find((r) => r.status === 409)?.body.reason).toBe('final-grant-changed');

    const view = await t.call('GET', `/citizens/${citizenId}/final-grant`, { as: east.lead });
    expect(view.body.current.finalGrantId).toBe(winner.finalGrantId);
    expect(view.body.history).toHaveLength(1);
    const conversions = await t.call('GET', `/citizens/${citizenId}/conversions`, { as: east.lead });
    expect(conversions.body.items.filter((c: any) => c.status === 'approved')).toHaveLength(1);
  });

  it('approval is for a lead, once, of a proposed conversion of their own team', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Aase', family: 'Krog' });
    await assess(t, east.assessor, citizenId, readyAnswers);
    const help = await grant(t, east.assessor, citizenId, practicalHelpWeekly);
    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'keep physical for now',
        splits: [{ grantId: help.grantId, physical: 1, screenVisit: 0, medicationTechnology: 0 }],
      },
    });
    const path = `/conversions/${proposal.body.conversionId}/approve`;
    expect((await t.call('POST', path, { as: east.staff })).status).toBe(403);
    const westLead = await t.token('lead', 'lead-west', 'west');
    expect((await t.call('POST', path, { as: westLead })).status).toBe(404);
    expect((await t.call('POST', path, { as: east.lead })).status).toBe(201);
    const again = await t.call('POST', path, { as: east.lead });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('not-proposed');
  });

  it('approval refuses a proposal that no longer covers every grant', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Jens', family: 'Vang' });
    await assess(t, east.assessor, citizenId, readyAnswers);
    const help = await grant(t, east.assessor, citizenId, practicalHelpWeekly);
    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'screen',
        splits: [{ grantId: help.grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 }],
      },
    });
    await grant(t, east.assessor, citizenId, supportConversationTwiceAWeek);
    const res = await t.call('POST', `/conversions/${proposal.body.conversionId}/approve`, { as: east.lead });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('grants-changed');
  });

  it('approval refuses a proposal once the citizen is reassessed as not_ready, and accepts it after a ready reassessment', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Inge', family: 'Skov' });
    await assess(t, east.assessor, citizenId, readyAnswers);
    const help = await grant(t, east.assessor, citizenId, practicalHelpWeekly);
    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: east.staff,
      body: {
        reason: 'screen',
        splits: [{ grantId: help.grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 }],
      },
    });
    expect(proposal.status).toBe(201);
    const path = `/conversions/${proposal.body.conversionId}/approve`;

    expect((await assess(t, east.assessor, citizenId, notReadyAnswers)).decision).toBe('not_ready');
    const refused = await t.call('POST', path, { as: east.lead });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('not-ready');

    expect((await assess(t, east.assessor, citizenId, readyAnswers)).decision).toBe('ready');
    const approved = await t.call('POST', path, { as: east.lead });
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({ status: 'current', conversionId: proposal.body.conversionId });
  });

  it('lists every current final grant page by page and sums the team’s figures', async () => {
    const seen: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await listCurrentFinalGrants(t.deps, cursor, 2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen.map((g) => g.citizenId)).size).toBe(seen.length);

    const team = await teamConversionFigures(t.deps, 'east', '2026-03-02');
    const perCitizen = await Promise.all(
      seen
        .filter((g) => g.team === 'east')
        .map((g) => t.call('GET', `/citizens/${g.citizenId}/final-grant`, { as: east.lead })),
    );
    const sum = (field: string) => perCitizen.reduce((acc, r) => acc + r.body.figures[field], 0);
    expect(team.citizens).toBe(perCitizen.length);
    expect(team.grantedOccurrencesPerWeek).toBe(sum('grantedOccurrencesPerWeek'));
    expect(team.staffMinutesSavedPerWeek).toBe(sum('staffMinutesSavedPerWeek'));
    expect(team.digitalShare).toBe(
      Math.round((sum('digitalOccurrencesPerWeek') / sum('grantedOccurrencesPerWeek')) * 10_000) / 10_000,
    );
    expect((await teamConversionFigures(t.deps, 'west', '2026-03-02')).citizens).toBe(0);
  });
});
