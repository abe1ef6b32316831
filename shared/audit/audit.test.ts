import { describe, expect, it } from 'vitest';
import { auditRecordOf, mergeByCitizen } from './audit.ts';

const now = new Date('2026-11-23T09:00:00.000Z');
const citizenId = 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8';

describe('an audit record', () => {
  it('names a user by subject, primary role and team, and the system by its job', () => {
    const byUser = auditRecordOf(
      { actor: { kind: 'user', sub: 'stf-anna', roles: ['staff'], team: 'east' }, requestId: 'req-1', now },
      { action: 'citizen.read', resource: `citizens/${citizenId}`, citizenId },
      'aud_01KAQ3Z4B6N8P0R2T4V6X8Z0B2',
    );
    expect(byUser).toEqual({
      auditId: 'aud_01KAQ3Z4B6N8P0R2T4V6X8Z0B2',
      at: '2026-11-23T09:00:00.000Z',
      citizenId,
      action: 'citizen.read',
      resource: `citizens/${citizenId}`,
      actor: { sub: 'stf-anna', role: 'staff', kind: 'user', team: 'east' },
      requestId: 'req-1',
    });
    const bySystem = auditRecordOf(
      { system: 'alert-detection', requestId: 'job-1', now },
      { action: 'alert.update', resource: 'alerts/alr_1', citizenId },
    );
    expect(bySystem.actor).toEqual({ sub: 'alert-detection', role: 'system', kind: 'system' });
    expect(bySystem.auditId).toMatch(/^aud_/);
  });
});

describe('reads audited in one request', () => {
  it('merge into one record per citizen and action, naming each resource once', () => {
    const other = 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R9';
    expect(
      mergeByCitizen([
        { action: 'visit.read', resource: 'visits/vis_1', citizenId },
        { action: 'visit.read', resource: 'visits/vis_2', citizenId },
        { action: 'visit.read', resource: 'visits/vis_1', citizenId },
        { action: 'visit.read', resource: 'visits/vis_3', citizenId: other },
        { action: 'citizen.read', resource: `citizens/${citizenId}`, citizenId },
      ]),
    ).toEqual([
      { action: 'visit.read', resource: 'visits/vis_1 visits/vis_2', citizenId },
      { action: 'visit.read', resource: 'visits/vis_3', citizenId: other },
      { action: 'citizen.read', resource: `citizens/${citizenId}`, citizenId },
    ]);
  });
});
