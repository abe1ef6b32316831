import { describe, expect, it } from 'vitest';
import { decidePlan } from '#shared/dispensers/dose-plan.ts';
import { checkAssignment, planAssignment } from '#shared/dispensers/registry.ts';
import type { DispenserItem } from '#shared/dispensers/store.ts';
import type { Actor } from '#shared/platform/actor.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';

/** Assignment and dose-plan rules decide on what was read, in memory, before anything is written. */
const now = new Date('2026-11-23T09:00:00Z');
const lead: Actor = { kind: 'user', sub: 'lead-lis', roles: ['lead'], team: 'east' };
const citizenId = 'cit_01JD0000000000000000000001';
const citizen = { citizenId, team: 'east', name: { given: 'K', family: 'S' } };
const inStock: DispenserItem = {
  pk: 'DISPENSER#dsp_1',
  sk: 'DISPENSER',
  entity: 'Dispenser',
  dispenserId: 'dsp_1',
  team: 'east',
  vendor: 'Evondos',
  model: 'E300',
  serial: 'S-1',
  status: 'in_stock',
  registeredAt: '2026-01-01T00:00:00.000Z',
  registeredBy: 'lead-lis',
  credentialHash: 'h',
  credentialIssuedAt: '2026-01-01T00:00:00.000Z',
  periods: [],
  version: 4,
};
const by = { actor: lead, today: '2026-11-23' };

describe('deciding an assignment', () => {
  it('gives a dispenser in stock to a visible citizen: a new period, the claim fields, silence counted from now', () => {
    const input = { citizenId, status: 'trial' as const, trialEndsOn: '2026-12-20' };
    const { item, unchanged } = checkAssignment({ dispenser: inStock, citizen }, 'dsp_1', input, by);
    expect(unchanged).toBe(false);
    const plan = planAssignment(item, undefined, input, { sub: 'lead-lis', now, periodId: 'dpr_1' });
    expect(plan.period).toMatchObject({ periodId: 'dpr_1', citizenId, status: 'trial', from: now.toISOString() });
    expect(plan.set).toMatchObject({
      status: 'trial',
      version: 5,
      periods: [{ citizenId, from: now.toISOString() }],
      gsi3sk: expect.stringContaining('2026-12-20'),
    });
    expect(plan.set.gsi2sk).toEqual(expect.stringContaining(now.toISOString()));
  });

  it('refuses another team’s dispenser as unknown, one that is returned or with someone else, and a trial without an end', () => {
    const input = { citizenId, status: 'active' as const };
    const west = { ...by, actor: { ...lead, team: 'west' } };
    expect(() => checkAssignment({ dispenser: inStock, citizen }, 'dsp_1', input, west)).toThrow(NotFoundError);
    const returned = { ...inStock, status: 'returned' as const };
    expect(() => checkAssignment({ dispenser: returned, citizen }, 'dsp_1', input, by)).toThrow(
      expect.objectContaining({ reason: 'dispenser-returned' }),
    );
    const assignment = {
      citizenId: 'cit_other',
      assignedAt: '',
      periodId: 'p',
      periodFrom: '',
      status: 'active' as const,
      by: '',
    };
    const elsewhere = { ...inStock, status: 'active' as const, assignment };
    expect(() => checkAssignment({ dispenser: elsewhere, citizen }, 'dsp_1', input, by)).toThrow(ConflictError);
    expect(() => checkAssignment({ dispenser: inStock, citizen }, 'dsp_1', { citizenId, status: 'trial' }, by)).toThrow(
      ValidationError,
    );
  });

  it('answers unchanged when the citizen already has it in that status', () => {
    const assignment = { citizenId, assignedAt: '', periodId: 'p', periodFrom: '', status: 'active' as const, by: '' };
    const active = { ...inStock, status: 'active' as const, assignment };
    const input = { citizenId, status: 'active' as const };
    expect(checkAssignment({ dispenser: active, citizen }, 'dsp_1', input, by).unchanged).toBe(true);
  });
});

describe('deciding a dose plan', () => {
  const settings = { who: 'lead-lis', now, zone: 'Europe/Copenhagen', defaultOnTimeMinutes: 60 };

  it('makes the first plan rule from the start of its first day, with the default tolerance', () => {
    const { plan, kept, dropped } = decidePlan(
      { current: undefined, versions: [] },
      citizenId,
      { times: ['20:00', '08:00'], validFrom: '2026-11-23' },
      settings,
    );
    expect(plan).toMatchObject({ times: ['08:00', '20:00'], onTimeMinutes: 60, version: 1 });
    expect(plan.effectiveFrom).toBe('2026-11-22T23:00:00.000Z');
    expect(kept).toHaveLength(1);
    expect(dropped).toEqual([]);
  });

  it('makes a change rule from now and drops versions that were to start later', () => {
    const first = decidePlan(
      { current: undefined, versions: [] },
      citizenId,
      { times: ['08:00'], validFrom: '2026-11-01' },
      settings,
    );
    const later = { ...first.version, effectiveFrom: '2026-12-01T00:00:00.000Z' };
    const current = { ...first.plan, pk: 'p', sk: 's', entity: 'DosePlan' as const };
    const change = decidePlan(
      { current, versions: [first.version, later] },
      citizenId,
      { times: ['09:00'], validFrom: '2026-11-01' },
      settings,
    );
    expect(change.plan).toMatchObject({ version: 2, effectiveFrom: now.toISOString() });
    expect(change.kept.map((v) => v.effectiveFrom)).toEqual([first.version.effectiveFrom, now.toISOString()]);
    expect(change.dropped).toEqual([later]);
  });
});
