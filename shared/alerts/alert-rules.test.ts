import { describe, expect, it } from 'vitest';
import { ConflictError } from '#shared/platform/errors.ts';
import { acknowledged, dueForEscalation, newAlert, releasesCause, resolved, shownInList } from './alert-rules.ts';

const raisedAt = new Date('2026-11-23T09:00:00.000Z');
const open = newAlert(
  {
    kind: 'missed_dose',
    team: 'east',
    citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
    dispenserId: undefined,
    dedupKey: 'missed_dose#cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8#2026-11-23T08:00:00.000Z',
    summary: 'Dose of 08:00 not taken',
    occurredAt: new Date('2026-11-23T08:00:00.000Z'),
  },
  'alr_01KAQ3Z4B6N8P0R2T4V6X8Z0B2',
  raisedAt,
);
const later = new Date('2026-11-23T09:04:00.000Z');

describe('an alert is raised', () => {
  it('open, not escalated, with only the ids it was given', () => {
    expect(open).toEqual({
      alertId: 'alr_01KAQ3Z4B6N8P0R2T4V6X8Z0B2',
      kind: 'missed_dose',
      status: 'open',
      team: 'east',
      citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
      dedupKey: 'missed_dose#cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8#2026-11-23T08:00:00.000Z',
      summary: 'Dose of 08:00 not taken',
      occurredAt: '2026-11-23T08:00:00.000Z',
      raisedAt: '2026-11-23T09:00:00.000Z',
      escalated: false,
    });
  });
});

describe('acknowledging', () => {
  it('records who and when, and the note when there is one', () => {
    expect(acknowledged(open, 'stf-anna', later, 'On my way')).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: '2026-11-23T09:04:00.000Z',
      acknowledgedBy: 'stf-anna',
      acknowledgementNote: 'On my way',
    });
    expect(acknowledged(open, 'stf-anna', later)).not.toHaveProperty('acknowledgementNote');
  });
  it('refuses an alert that is no longer open', () => {
    const seen = acknowledged(open, 'stf-anna', later);
    expect(() => acknowledged(seen, 'stf-bo', later)).toThrow(ConflictError);
    expect(() => acknowledged(seen, 'stf-bo', later)).toThrow(expect.objectContaining({ reason: 'alert-not-open' }));
  });
});

describe('resolving', () => {
  it('resolves an open or acknowledged alert once', () => {
    const done = resolved(acknowledged(open, 'stf-anna', later), 'stf-anna', later, 'Dose given');
    expect(done).toMatchObject({ status: 'resolved', resolvedBy: 'stf-anna', resolution: 'Dose given' });
    expect(() => resolved(done, 'stf-bo', later, 'Again')).toThrow(
      expect.objectContaining({ reason: 'alert-resolved' }),
    );
  });
  it('releases the cause only of an episode, and only the claim of this alert', () => {
    expect(releasesCause({ alertId: open.alertId, reraiseAfterResolve: true }, open)).toBe(true);
    expect(releasesCause({ alertId: open.alertId, reraiseAfterResolve: false }, open)).toBe(false);
    expect(releasesCause({ alertId: 'alr_01KAQ3Z4B6N8P0R2T4V6X8Z0B3', reraiseAfterResolve: true }, open)).toBe(false);
    expect(releasesCause(undefined, open)).toBe(false);
  });
});

describe('escalation and the on-duty list', () => {
  it('escalates an open, unescalated alert raised at or before the cutoff', () => {
    expect(dueForEscalation(open, '2026-11-23T09:00:00.000Z')).toBe(true);
    expect(dueForEscalation(open, '2026-11-23T08:59:59.999Z')).toBe(false);
    expect(dueForEscalation({ ...open, escalated: true }, '2026-11-23T10:00:00.000Z')).toBe(false);
    expect(dueForEscalation(acknowledged(open, 'stf-anna', later), '2026-11-23T10:00:00.000Z')).toBe(false);
  });
  it('shows only the team’s alerts, in the asked status for a citizen’s list, and the asked escalation', () => {
    expect(shownInList(open, 'east', { status: 'open' })).toBe(true);
    expect(shownInList(open, 'west', { status: 'open' })).toBe(false);
    expect(shownInList(open, 'east', { status: 'resolved', citizenId: open.citizenId })).toBe(false);
    expect(shownInList(open, 'east', { status: 'open', escalated: true })).toBe(false);
    expect(shownInList(open, 'east', { status: 'open', escalated: false })).toBe(true);
  });
});
