import { describe, expect, it } from 'vitest';
import { historiesByTeam, midwayStatus, totalDispensers } from '#shared/reports/municipality.ts';
import type { FinalGrantVersion } from '#shared/reports/period-figures.ts';
import type { Targets } from '#shared/reports/settings.ts';

// The municipality roll-up's arithmetic, as plain functions: no table.

const version = (citizenId: string, team: string, approvedAt: string): FinalGrantVersion => ({
  finalGrantId: `fg_${citizenId}_${approvedAt}`,
  citizenId,
  team,
  approvedAt,
  lines: [],
});

const targets: Targets = {
  trialStartsOn: '2026-08-01',
  midwayOn: null,
  targets: [
    { metric: 'activeDispensers', atLeast: 10, by: '2026-12-01' },
    { metric: 'citizensWithFinalGrant', team: 'north', atLeast: 4, by: '2026-12-01' },
  ],
  setBy: 'admin',
  setAt: '2026-08-01T00:00:00.000Z',
};

const dispensers = (total: number, vendor: string) => ({
  total,
  active: total - 1,
  trial: 1,
  byVendorModel: [{ vendor, model: 'M1', total, active: total - 1, trial: 1 }],
});

describe('the municipality roll-up', () => {
  it('counts a citizen under the team of their latest final grant, and lists teams named only by a target', () => {
    const histories = new Map([
      [
        'cit_a',
        [version('cit_a', 'east', '2026-08-02T00:00:00.000Z'), version('cit_a', 'west', '2026-09-01T00:00:00.000Z')],
      ],
      ['cit_b', [version('cit_b', 'east', '2026-08-03T00:00:00.000Z')]],
    ]);
    const byTeam = historiesByTeam(histories, targets);
    expect([...byTeam.keys()].sort()).toEqual(['east', 'north', 'west']);
    expect([...(byTeam.get('west')?.keys() ?? [])]).toEqual(['cit_a']);
    expect(byTeam.get('north')?.size).toBe(0);
  });

  it('sums the teams’ dispensers, by vendor and model too', () => {
    const total = totalDispensers([
      { team: 'east', activeDispensers: dispensers(3, 'Evondos'), citizensWithFinalGrant: 0, digitalShare: 0 },
      { team: 'west', activeDispensers: dispensers(5, 'Evondos'), citizensWithFinalGrant: 0, digitalShare: 0 },
      { team: 'north', activeDispensers: dispensers(2, 'Careousel'), citizensWithFinalGrant: 0, digitalShare: 0 },
    ]);
    expect(total).toEqual({
      total: 10,
      active: 7,
      trial: 3,
      byVendorModel: [
        { vendor: 'Careousel', model: 'M1', total: 2, active: 1, trial: 1 },
        { vendor: 'Evondos', model: 'M1', total: 8, active: 6, trial: 2 },
      ],
    });
  });

  it('judges each target against the municipality’s or its team’s value on the date', () => {
    const teams = [
      { team: 'north', activeDispensers: dispensers(2, 'Evondos'), citizensWithFinalGrant: 1, digitalShare: 0.5 },
    ];
    const total = { activeDispensers: dispensers(10, 'Evondos'), citizensWithFinalGrant: 1, digitalShare: 0.5 };
    const status = midwayStatus(targets, teams, total, '2026-10-01');
    expect(status.targets.map((t) => [t.team, t.actual, t.status])).toEqual([
      [null, 10, 'met'],
      ['north', 1, 'behind'],
    ]);
  });
});
