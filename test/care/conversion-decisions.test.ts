import { describe, expect, it } from 'vitest';
import type { AssessmentSummary } from '#shared/assessment/model.ts';
import { buildApproval, checkApproval, decideProposal } from '#shared/conversion/conversion-rules.ts';
import { decideEnd } from '#shared/conversion/end-grant.ts';
import type { Conversion, FinalGrant, Grant } from '#shared/conversion/model.ts';
import { decideReversion, revertedLines } from '#shared/conversion/revert.ts';
import { ConflictError, ValidationError } from '#shared/platform/errors.ts';

// The rules of proposing, approving, ending a grant and reverting a line, decided on what was
// read: plain functions, so these tests need no table.

const citizen = { citizenId: 'cit_01JD0000000000000000000000', team: 'east' };
const today = '2026-03-02';
const at = '2026-03-02T09:00:00.000Z';

const medication: Grant = {
  grantId: 'grt_01JD0000000000000000000001',
  citizenId: citizen.citizenId,
  paragraph: 'SUL-138',
  service: 'medication_handling',
  frequency: { per: 'day', times: 2, timesOfDay: ['08:00', '20:00'] },
  minutesPerOccurrence: 10,
  startDate: '2026-01-01',
  recordedAt: '2026-01-01T00:00:00.000Z',
  recordedBy: 'asr',
};
const talk: Grant = {
  ...medication,
  grantId: 'grt_01JD0000000000000000000002',
  paragraph: 'SEL-85',
  service: 'support_conversation',
  frequency: { per: 'week', times: 1, weekdays: [2], timesOfDay: ['10:00'] },
  minutesPerOccurrence: 30,
};
const ready: AssessmentSummary = {
  assessmentId: 'asm_01JD0000000000000000000000',
  decision: 'ready',
  readiness: { screen: 'ready', medicationTechnology: 'ready' },
};

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConflictError) return error.reason;
    throw error;
  }
  throw new Error('expected a ConflictError');
};

const propose = (overrides: Partial<Parameters<typeof decideProposal>[0]> = {}) =>
  decideProposal({
    conversionId: 'cnv_01JD0000000000000000000000',
    citizen,
    grants: [medication, talk],
    grantsVersion: 2,
    latest: ready,
    base: undefined,
    splits: [
      { grantId: medication.grantId, physical: 0, screenVisit: 0, medicationTechnology: 2 },
      { grantId: talk.grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 },
    ],
    reason: 'The citizen uses a tablet daily.',
    today,
    by: 'staff-east',
    at,
    ...overrides,
  });

describe('deciding a proposal', () => {
  it('records the lines, the assessment relied on, the grants version and the final grant it revises', () => {
    const conversion = propose({ base: { finalGrantId: 'fg_01JD0000000000000000000000', version: 3 } });
    expect(conversion).toMatchObject({
      status: 'proposed',
      assessmentId: ready.assessmentId,
      basedOnFinalGrantId: 'fg_01JD0000000000000000000000',
      basedOnVersion: 3,
      basedOnGrantsVersion: 2,
      proposedBy: 'staff-east',
    });
    expect(conversion.lines.map((l) => [l.grantId, l.medicationTechnologyTimes, l.screenVisitTimes])).toEqual([
      [medication.grantId, ['08:00', '20:00'], []],
      [talk.grantId, [], ['10:00']],
    ]);
  });

  it('refuses a citizen never assessed, or assessed not ready, or not ready for a technology', () => {
    expect(reasonOf(() => propose({ latest: undefined }))).toBe('no-assessment');
    expect(reasonOf(() => propose({ latest: { ...ready, decision: 'not_ready', readiness: undefined } }))).toBe(
      'not-ready',
    );
    const noScreen = { ...ready, readiness: { screen: 'not_ready' as const, medicationTechnology: 'ready' as const } };
    expect(reasonOf(() => propose({ latest: noScreen }))).toBe('not-ready-for-technology');
  });

  it('checks the split against the grants (400 naming the split)', () => {
    expect(() =>
      propose({ splits: [{ grantId: medication.grantId, physical: 2, screenVisit: 0, medicationTechnology: 0 }] }),
    ).toThrow(ValidationError);
  });
});

describe('deciding an approval', () => {
  const conversion: Conversion = propose();
  const facts = { conversion, grants: [medication, talk], grantsVersion: 2, latest: ready, today };

  it('passes a proposal made on the grants and assessment still in force', () => {
    expect(() => checkApproval(facts)).not.toThrow();
  });

  it('answers not-proposed, grants-changed and not-ready from what was read', () => {
    expect(reasonOf(() => checkApproval({ ...facts, conversion: { ...conversion, status: 'approved' } }))).toBe(
      'not-proposed',
    );
    expect(reasonOf(() => checkApproval({ ...facts, grantsVersion: 3 }))).toBe('grants-changed');
    const recordedSince = { ...talk, grantId: 'grt_01JD0000000000000000000003' };
    expect(reasonOf(() => checkApproval({ ...facts, grants: [...facts.grants, recordedSince] }))).toBe(
      'grants-changed',
    );
    expect(reasonOf(() => checkApproval({ ...facts, latest: { ...ready, decision: 'not_ready' } }))).toBe('not-ready');
  });

  it('builds the next final grant, the pointer one version on and the event, superseding the base', () => {
    const revising: Conversion = {
      ...conversion,
      basedOnFinalGrantId: 'fg_01JD0000000000000000000009',
      basedOnVersion: 4,
    };
    const { finalGrant, pointer, detail } = buildApproval({
      conversion: revising,
      citizen,
      finalGrantId: 'fg_01JD0000000000000000000010',
      note: 'Agreed with the citizen.',
      today,
      by: 'lead-east',
      at,
    });
    expect(finalGrant).toMatchObject({
      supersedes: 'fg_01JD0000000000000000000009',
      approvalNote: 'Agreed with the citizen.',
      approvedBy: 'lead-east',
      approvedAt: at,
    });
    expect(pointer.version).toBe(5);
    expect(pointer.finalGrantId).toBe(finalGrant.finalGrantId);
    expect(finalGrant.dosePlan).toEqual({ grantId: medication.grantId, times: ['08:00', '20:00'], validFrom: today });
    expect(detail.supersedes).toBe('fg_01JD0000000000000000000009');
    expect(detail.screenVisitPlan).toEqual(finalGrant.screenVisitPlan);
  });

  it('supersedes nothing for a first conversion', () => {
    const { finalGrant, pointer } = buildApproval({ conversion, citizen, finalGrantId: 'fg_1', today, by: 'l', at });
    expect(finalGrant.supersedes).toBeUndefined();
    expect(pointer.version).toBe(1);
  });
});

describe('deciding the end of a grant', () => {
  const pointer = {
    ...citizen,
    finalGrantId: 'fg_01JD0000000000000000000010',
    conversionId: 'cnv_01JD0000000000000000000000',
    approvedAt: at,
    lines: propose().lines,
    screenVisitPlan: [],
    dosePlan: { grantId: medication.grantId, times: ['08:00', '20:00'], validFrom: today },
    version: 1,
  };
  const input = { endDate: '2026-03-31', reason: 'The citizen moves.' };

  it('ends the grant and the benefit in the current final grant, and names that final grant in the event', () => {
    const { ended, revised, detail } = decideEnd({ grant: medication, pointer, input, team: 'east', by: 'asr', at });
    expect(ended).toMatchObject({
      endDate: '2026-03-31',
      endedAt: at,
      endedBy: 'asr',
      endReason: 'The citizen moves.',
    });
    expect(revised?.change.dosePlan?.validTo).toBe('2026-03-31');
    expect(revised?.change.lines.find((l) => l.grantId === medication.grantId)?.endRecordedAt).toBe(at);
    expect(detail.finalGrantId).toBe(pointer.finalGrantId);
  });

  it('touches no final grant that does not deliver the benefit, and never extends an end', () => {
    const { revised, detail } = decideEnd({ grant: medication, pointer: undefined, input, team: 'east', by: 'a', at });
    expect(revised).toBeUndefined();
    expect(detail.finalGrantId).toBeUndefined();
    const endedEarlier = { ...medication, endDate: '2026-03-15' };
    expect(reasonOf(() => decideEnd({ grant: endedEarlier, pointer, input, team: 'east', by: 'a', at }))).toBe(
      'grant-ended',
    );
  });
});

describe('deciding a reversion', () => {
  const input = {
    grantId: talk.grantId,
    technology: 'screen_visit' as const,
    reasonCode: 'citizen_declined' as const,
  };
  const lines = propose().lines;
  const previous: FinalGrant = {
    ...citizen,
    finalGrantId: 'fg_01JD0000000000000000000010',
    conversionId: 'cnv_01JD0000000000000000000000',
    status: 'current',
    lines,
    screenVisitPlan: [],
    dosePlan: null,
    reason: 'r',
    proposedBy: 's',
    proposedAt: at,
    approvedBy: 'l',
    approvedAt: at,
  };

  it('records the reversion alone when the line is not in a final grant', () => {
    const { reversion, revised } = decideReversion({ citizen, input, reversionId: 'rvs_1', today, by: 'staff', at });
    expect(revised).toBeUndefined();
    expect(reversion).toMatchObject({ reversionId: 'rvs_1', team: 'east', technology: 'screen_visit' });
    expect(reversion.finalGrantId).toBeUndefined();
  });

  it('writes a new version with the line physical, superseding the current one', () => {
    const reverted = revertedLines(lines, talk.grantId, 'screen_visit') ?? [];
    const { reversion, revised } = decideReversion({
      citizen,
      input,
      reversionId: 'rvs_1',
      revising: { previous, lines: reverted, finalGrantId: 'fg_01JD0000000000000000000011' },
      today,
      by: 'staff',
      at,
    });
    expect(reversion.finalGrantId).toBe('fg_01JD0000000000000000000011');
    expect(revised?.finalGrant).toMatchObject({ supersedes: previous.finalGrantId, status: 'current' });
    expect(revised?.finalGrant.lines.find((l) => l.grantId === talk.grantId)).toMatchObject({
      physical: 1,
      screenVisit: 0,
    });
    expect(revised?.record).not.toHaveProperty('status');
    expect(revised?.detail.reversion).toEqual({
      reversionId: 'rvs_1',
      grantId: talk.grantId,
      technology: 'screen_visit',
      reasonCode: 'citizen_declined',
    });
  });
});
