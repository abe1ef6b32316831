import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkEndDate, endInFinalGrant } from '#shared/conversion/end-grant.ts';
import { getCurrentFinalGrant } from '#shared/conversion/index.ts';
import { ConflictError, ValidationError } from '#shared/platform/errors.ts';
import { citizenKeys } from '#shared/table/keys.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  assess,
  careActors,
  grant,
  medicationThreeTimesADay,
  practicalHelpWeekly,
  readyAnswers,
  registerCitizen,
  supportConversationTwiceAWeek,
  type CareActors,
} from './care-helpers.ts';

describe('the rules of an end date', () => {
  const open = { grantId: 'grt_1', startDate: '2026-01-01' };
  const ending = { ...open, endDate: '2026-06-30' };

  it('accepts the start day or later for an open grant', () => {
    expect(() => checkEndDate(open, '2026-01-01')).not.toThrow();
    expect(() => checkEndDate(open, '2027-01-01')).not.toThrow();
  });

  it('refuses a day before the start as a 400 at body/endDate', () => {
    const fault = (() => {
      try {
        checkEndDate(open, '2025-12-31');
      } catch (error) {
        return error;
      }
    })();
    expect(fault).toBeInstanceOf(ValidationError);
    expect((fault as ValidationError).fields.map((f) => f.field)).toEqual(['body/endDate']);
  });

  it('shortens a grant that already ends, never extends it', () => {
    expect(() => checkEndDate(ending, '2026-03-31')).not.toThrow();
    expect(() => checkEndDate(ending, '2026-06-30')).not.toThrow();
    expect(() => checkEndDate(ending, '2026-07-01')).toThrow(ConflictError);
  });

  it('ends the benefit in the current final grant without touching the others', () => {
    const line = (grantId: string, endDate?: string) => ({
      grantId,
      paragraph: 'SEL-85' as const,
      service: 'support_conversation' as const,
      frequency: { per: 'week' as const, times: 1 },
      minutesPerOccurrence: 30,
      startDate: '2026-01-01',
      ...(endDate ? { endDate } : {}),
      physical: 0,
      screenVisit: 1,
      medicationTechnology: 0,
      screenVisitTimes: [],
      medicationTechnologyTimes: [],
    });
    const entry = (grantId: string, validTo?: string) => ({
      grantId,
      paragraph: 'SEL-85',
      service: 'support_conversation',
      minutes: 30,
      weekdays: [1],
      times: [],
      validFrom: '2026-03-02',
      ...(validTo ? { validTo } : {}),
    });
    const revised = endInFinalGrant(
      {
        lines: [line('grt_a'), line('grt_b', '2026-03-10')],
        screenVisitPlan: [entry('grt_a'), entry('grt_b', '2026-03-10')],
        dosePlan: { grantId: 'grt_b', times: ['08:00'], validFrom: '2026-03-02', validTo: '2026-03-10' },
      },
      'grt_b',
      '2026-03-05',
    );
    expect(revised.lines.map((l) => l.endDate)).toEqual([undefined, '2026-03-05']);
    expect(revised.screenVisitPlan.map((e) => e.validTo)).toEqual([undefined, '2026-03-05']);
    expect(revised.dosePlan?.validTo).toBe('2026-03-05');
  });
});

let t: TestApp;
let east: CareActors;

beforeAll(async () => {
  // A Monday morning in Copenhagen.
  t = await createTestApp({ clock: new FixedClock(new Date('2026-03-02T08:00:00Z')) });
  east = await careActors(t, 'east');
});

async function readyCitizenWith(...grants: Record<string, unknown>[]) {
  const citizenId = await registerCitizen(t, east.assessor);
  await assess(t, east.assessor, citizenId, readyAnswers);
  const recorded = [];
  for (const body of grants) recorded.push(await grant(t, east.assessor, citizenId, body));
  return { citizenId, grants: recorded };
}

async function propose(citizenId: string, splits: Record<string, unknown>[]) {
  const res = await t.call('POST', `/citizens/${citizenId}/conversions`, {
    as: east.staff,
    body: { reason: 'by screen where it works', splits },
  });
  if (res.status !== 201) throw new Error(`proposal failed: ${res.status} ${res.text}`);
  return res.body.conversionId as string;
}

const end = (citizenId: string, grantId: string, body: unknown, as = east.assessor) =>
  t.call('PATCH', `/citizens/${citizenId}/grants/${grantId}`, { as, body });

describe('an assessor ends a granted benefit', () => {
  it('the grant list and the final grant’s figures and plans stop at the end date', async () => {
    const { citizenId, grants } = await readyCitizenWith(practicalHelpWeekly, supportConversationTwiceAWeek);
    const [help, conversation] = grants;
    const conversionId = await propose(citizenId, [
      { grantId: help.grantId, physical: 1, screenVisit: 0, medicationTechnology: 0 },
      { grantId: conversation.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 },
    ]);
    const approved = await t.call('POST', `/conversions/${conversionId}/approve`, { as: east.lead });
    expect(approved.status).toBe(201);
    const before = (await t.call('GET', `/citizens/${citizenId}/final-grant`, { as: east.lead })).body;
    expect(before.figures.screenVisitOccurrencesPerWeek).toBe(2);

    // The conversations ended yesterday (Sunday 1 March): the authority's decision changed.
    const ended = await end(citizenId, conversation.grantId, {
      endDate: '2026-03-01',
      reason: 'The authority withdrew § 85 support.',
    });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({
      grantId: conversation.grantId,
      endDate: '2026-03-01',
      endedBy: 'asr-east',
      endReason: 'The authority withdrew § 85 support.',
      startDate: '2026-01-01',
    });

    const list = await t.call('GET', `/citizens/${citizenId}/grants`, { as: east.staff });
    expect(list.body.items.find((g: any) => g.grantId === conversation.grantId)).toMatchObject({
      endDate: '2026-03-01',
      endReason: 'The authority withdrew § 85 support.',
    });
    expect(list.body.items.find((g: any) => g.grantId === help.grantId).endDate).toBeUndefined();

    const after = (await t.call('GET', `/citizens/${citizenId}/final-grant`, { as: east.lead })).body;
    expect(after.current.finalGrantId).toBe(before.current.finalGrantId);
    expect(after.figures).toMatchObject({
      screenVisitOccurrencesPerWeek: 0,
      grantedOccurrencesPerWeek: before.figures.grantedOccurrencesPerWeek - 2,
      digitalShare: 0,
    });
    expect(after.current.screenVisitPlan.find((e: any) => e.grantId === conversation.grantId).validTo).toBe(
      '2026-03-01',
    );
    const pointer = await getCurrentFinalGrant(t.deps, citizenId);
    expect(pointer?.lines.find((l) => l.grantId === conversation.grantId)?.endDate).toBe('2026-03-01');
    expect(pointer?.version).toBe(1);

    const admin = await t.token('admin', 'adm-1');
    const audit = await t.call('GET', `/audit?citizenId=${citizenId}&limit=200`, { as: admin });
    expect(audit.body.items.filter((r: any) => r.action === 'grant.end').map((r: any) => r.resource)).toEqual([
      `citizens/${citizenId}/grants/${conversation.grantId}`,
    ]);
  });

  it('a later end than the one set is 409 grant-ended; the same or an earlier one is accepted', async () => {
    const { citizenId, grants } = await readyCitizenWith(practicalHelpWeekly);
    const [help] = grants;
    expect((await end(citizenId, help.grantId, { endDate: '2026-06-30', reason: 'Moves away in July.' })).status).toBe(
      200,
    );
    const extended = await end(citizenId, help.grantId, { endDate: '2026-07-31', reason: 'Move postponed.' });
    expect(extended.status).toBe(409);
    expect(extended.body.reason).toBe('grant-ended');
    const earlier = await end(citizenId, help.grantId, { endDate: '2026-04-30', reason: 'Moves in May after all.' });
    expect(earlier.status).toBe(200);
    expect(earlier.body).toMatchObject({ endDate: '2026-04-30', endReason: 'Moves in May after all.' });
    expect(
      (await end(citizenId, help.grantId, { endDate: '2026-04-30', reason: 'Confirmed by the municipality.' })).status,
    ).toBe(200);
  });

  it('an end before the start, a bad date or an unknown field is a 400 naming the field', async () => {
    const { citizenId, grants } = await readyCitizenWith(practicalHelpWeekly);
    const [help] = grants;
    const early = await end(citizenId, help.grantId, { endDate: '2025-12-31', reason: 'typo' });
    expect(early.status).toBe(400);
    expect(early.body.errors.map((e: any) => e.field)).toContain('body/endDate');
    const malformed = await end(citizenId, help.grantId, { endDate: '31-12-2026', reason: 'typo' });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body.errors)).toContain('endDate');
    expect((await end(citizenId, help.grantId, { endDate: '2026-12-31', reason: '' })).status).toBe(400);
    expect(
      (await end(citizenId, help.grantId, { endDate: '2026-12-31', reason: 'x', minutesPerOccurrence: 5 })).status,
    ).toBe(400);
    const list = await t.call('GET', `/citizens/${citizenId}/grants`, { as: east.assessor });
    expect(list.body.items[0].endDate).toBeUndefined();
  });

  it('only an assessor of the citizen’s team may end a grant', async () => {
    const { citizenId, grants } = await readyCitizenWith(practicalHelpWeekly);
    const [help] = grants;
    const body = { endDate: '2026-12-31', reason: 'The citizen moved.' };
    const citizen = await t.token('citizen', citizenId);
    expect((await end(citizenId, help.grantId, body, citizen)).status).toBe(403);
    expect((await end(citizenId, help.grantId, body, east.staff)).status).toBe(403);
    const westAssessor = await t.token('assessor', 'asr-west', 'west');
    expect((await end(citizenId, help.grantId, body, westAssessor)).status).toBe(404);
    expect((await end(citizenId, 'grt_01JD0000000000000000000000', body)).status).toBe(404);
    const list = await t.call('GET', `/citizens/${citizenId}/grants`, { as: east.assessor });
    expect(list.body.items[0].endDate).toBeUndefined();
  });
});

describe('approval and grants that change after the proposal', () => {
  it('a grant ended after the proposal makes the approval 409 grants-changed', async () => {
    const { citizenId, grants } = await readyCitizenWith(practicalHelpWeekly);
    const [help] = grants;
    const conversionId = await propose(citizenId, [
      { grantId: help.grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 },
    ]);
    expect((await end(citizenId, help.grantId, { endDate: '2026-03-31', reason: 'The citizen moves.' })).status).toBe(
      200,
    );
    const res = await t.call('POST', `/conversions/${conversionId}/approve`, { as: east.lead });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('grants-changed');
  });

  it('a grant recorded after the proposal makes the approval 409 grants-changed, even one already ended', async () => {
    const { citizenId, grants } = await readyCitizenWith(practicalHelpWeekly);
    const conversionId = await propose(citizenId, [
      { grantId: grants[0].grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 },
    ]);
    // Not in force any more, so only the grants version tells the approval about it.
    await grant(t, east.assessor, citizenId, { ...supportConversationTwiceAWeek, endDate: '2026-02-28' });
    const res = await t.call('POST', `/conversions/${conversionId}/approve`, { as: east.lead });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('grants-changed');
    expect((await t.call('GET', `/citizens/${citizenId}/final-grant`, { as: east.lead })).status).toBe(404);
  });

  describe('a grant recorded between the approval’s reads and its transaction', () => {
    const hook = 'record-grant-before-approval-commits';
    afterEach(() => {
      t.deps.table.db.middlewareStack.remove(hook);
    });

    it('is caught by the transaction’s condition on the profile: 409 grants-changed and nothing approved', async () => {
      const { citizenId, grants } = await readyCitizenWith(medicationThreeTimesADay);
      const conversionId = await propose(citizenId, [
        { grantId: grants[0].grantId, physical: 0, screenVisit: 0, medicationTechnology: 3 },
      ]);
      // The approval has read the profile and grants; just before its transaction goes out, an
      // assessor records a grant (on the real table). Deterministic: the hook fires once.
      let armed = true;
      let recorded: any;
      t.deps.table.db.middlewareStack.add(
        (next, context) => async (args) => {
          if (
            armed &&
            String(context.commandName).startsWith('TransactWrite') &&
            JSON.stringify(args.input).includes('conversion.approve')
          ) {
            armed = false;
            recorded = await grant(t, east.assessor, citizenId, practicalHelpWeekly);
          }
          return next(args);
        },
        { step: 'initialize', name: hook },
      );
      const res = await t.call('POST', `/conversions/${conversionId}/approve`, { as: east.lead });
      expect(recorded?.grantId).toMatch(/^grt_/);
      expect(res.status).toBe(409);
      expect(res.body.reason).toBe('grants-changed');
      expect(await getCurrentFinalGrant(t.deps, citizenId)).toBeUndefined();
      const conversions = await t.call('GET', `/citizens/${citizenId}/conversions`, { as: east.lead });
      expect(conversions.body.items.map((c: any) => c.status)).toEqual(['proposed']);
    });
  });

  it('a profile from before the grants counter counts as version 0, and a fresh proposal on it is approved', async () => {
    const { citizenId, grants } = await readyCitizenWith(practicalHelpWeekly);
    await t.deps.table.db.send(
      new UpdateCommand({
        TableName: t.deps.table.name,
        Key: citizenKeys.profile(citizenId),
        UpdateExpression: 'REMOVE grantsVersion',
      }),
    );
    const conversionId = await propose(citizenId, [
      { grantId: grants[0].grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 },
    ]);
    const proposals = await t.call('GET', `/citizens/${citizenId}/conversions`, { as: east.lead });
    expect(proposals.body.items[0].basedOnGrantsVersion).toBe(0);
    const res = await t.call('POST', `/conversions/${conversionId}/approve`, { as: east.lead });
    expect(res.status).toBe(201);
  });
});
