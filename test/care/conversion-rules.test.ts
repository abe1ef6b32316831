import { describe, expect, it } from 'vitest';
import { conversionFigures, occurrencesPerWeekFactor } from '#shared/conversion/figures.ts';
import { checkGrant, type Grant, type RecordGrant } from '#shared/conversion/grants.ts';
import { buildPlans, checkProposal, type ConversionLine, type Split } from '#shared/conversion/split.ts';
import { ValidationError } from '#shared/platform/errors.ts';

const today = '2026-03-02';
let n = 0;
const grantOf = (input: Partial<RecordGrant> & Pick<RecordGrant, 'paragraph' | 'service' | 'frequency'>): Grant => ({
  grantId: `grt_01JD00000000000000000000${String(++n).padStart(2, '0')}`,
  citizenId: 'cit_01JD0000000000000000000000',
  minutesPerOccurrence: 10,
  startDate: '2026-01-01',
  recordedAt: '2026-01-01T00:00:00.000Z',
  recordedBy: 'asr',
  ...input,
});

const medication = grantOf({
  paragraph: 'SUL-138',
  service: 'medication_handling',
  frequency: { per: 'day', times: 3, timesOfDay: ['08:00', '14:00', '20:00'] },
});
const help = grantOf({
  paragraph: 'SEL-83',
  service: 'practical_help',
  frequency: { per: 'week', times: 2, weekdays: [1, 4] },
  minutesPerOccurrence: 45,
});
const ended = grantOf({
  paragraph: 'SEL-83a',
  service: 'rehabilitation_training',
  frequency: { per: 'week', times: 1 },
  endDate: '2026-02-28',
});
const grants = [medication, help, ended];

const split = (
  grant: Grant,
  physical: number,
  screenVisit: number,
  medicationTechnology: number,
  extra: Partial<Split> = {},
): Split => ({
  grantId: grant.grantId,
  physical,
  screenVisit,
  medicationTechnology,
  ...extra,
});

const faultsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('checking a proposed split', () => {
  it('accepts a split of every grant in force that sums to its extent, resolving times from the grant', () => {
    const lines = checkProposal(
      grants,
      [split(medication, 1, 0, 2, { medicationTechnologyTimes: ['20:00', '08:00'] }), split(help, 1, 1, 0)],
      today,
    );
    expect(
      lines.map((l) => [l.grantId, l.physical, l.screenVisit, l.medicationTechnology, l.medicationTechnologyTimes]),
    ).toEqual([
      [medication.grantId, 1, 0, 2, ['08:00', '20:00']],
      [help.grantId, 1, 1, 0, []],
    ]);
  });

  it('names the grant when the split exceeds or falls short of it', () => {
    const faults = faultsOf(() =>
      checkProposal(grants, [split(medication, 3, 1, 0, { screenVisitTimes: ['08:00'] }), split(help, 0, 1, 0)], today),
    );
    expect(faults).toEqual([
      expect.objectContaining({ field: 'body/splits/0', message: expect.stringContaining(medication.grantId) }),
      expect.objectContaining({ field: 'body/splits/1', message: expect.stringContaining(help.grantId) }),
    ]);
  });

  it('keeps medication technology to medication handling', () => {
    const faults = faultsOf(() => checkProposal(grants, [split(medication, 3, 0, 0), split(help, 1, 0, 1)], today));
    expect(faults.map((f) => f.field)).toContain('body/splits/1/medicationTechnology');
  });

  it('requires every grant in force to be listed, and refuses ended, unknown or repeated grants', () => {
    const faults = faultsOf(() =>
      checkProposal(
        grants,
        [
          split(medication, 3, 0, 0),
          split(ended, 0, 1, 0),
          split(medication, 3, 0, 0),
          { ...split(help, 2, 0, 0), grantId: 'grt_01JD0000000000000000000099' },
        ],
        today,
      ),
    );
    expect(faults.map((f) => f.field)).toEqual([
      'body/splits/1/grantId',
      'body/splits/2/grantId',
      'body/splits/3/grantId',
      'body/splits',
    ]);
    expect(faults[3]?.message).toContain(help.grantId);
  });

  it('asks which of the grant’s times move when only part of a daily grant moves', () => {
    const faults = faultsOf(() =>
      checkProposal(grants, [split(medication, 1, 1, 1, { screenVisitTimes: ['09:00'] }), split(help, 2, 0, 0)], today),
    );
    expect(faults.map((f) => f.field)).toEqual([
      'body/splits/0/screenVisitTimes',
      'body/splits/0/medicationTechnologyTimes',
    ]);
  });

  it('refuses one time for both a screen visit and a dispensed dose', () => {
    const faults = faultsOf(() =>
      checkProposal(
        grants,
        [
          split(medication, 1, 1, 1, { screenVisitTimes: ['08:00'], medicationTechnologyTimes: ['08:00'] }),
          split(help, 2, 0, 0),
        ],
        today,
      ),
    );
    expect(faults.map((f) => f.field)).toEqual(['body/splits/0/screenVisitTimes']);
  });
});

describe('what an approved split produces', () => {
  it('a screen-visit entry per benefit delivered by screen and a dose plan from medication technology', () => {
    const lines = checkProposal(
      grants,
      [
        split(medication, 0, 1, 2, { screenVisitTimes: ['14:00'], medicationTechnologyTimes: ['08:00', '20:00'] }),
        split(help, 1, 1, 0),
      ],
      today,
    );
    const { screenVisitPlan, dosePlan } = buildPlans(lines, today);
    expect(screenVisitPlan).toEqual([
      {
        grantId: medication.grantId,
        paragraph: 'SUL-138',
        service: 'medication_handling',
        minutes: 10,
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        times: ['14:00'],
        validFrom: today,
      },
      {
        grantId: help.grantId,
        paragraph: 'SEL-83',
        service: 'practical_help',
        minutes: 45,
        weekdays: [1, 4],
        times: [],
        perWeek: 1,
        validFrom: today,
      },
    ]);
    expect(dosePlan).toEqual({ grantId: medication.grantId, times: ['08:00', '20:00'], validFrom: today });
  });

  it('no dose plan when nothing is dispensed; a grant starting later is planned from its start', () => {
    const later = grantOf({
      paragraph: 'SEL-85',
      service: 'support_conversation',
      frequency: { per: 'week', times: 1 },
      startDate: '2026-04-01',
      endDate: '2026-06-30',
    });
    const lines = checkProposal([later], [split(later, 0, 1, 0)], today);
    expect(buildPlans(lines, today)).toEqual({
      screenVisitPlan: [
        expect.objectContaining({ grantId: later.grantId, validFrom: '2026-04-01', validTo: '2026-06-30', perWeek: 1 }),
      ],
      dosePlan: null,
    });
  });
});

describe('conversion figures', () => {
  const line = (over: Partial<ConversionLine>): ConversionLine => ({
    grantId: 'grt_x',
    paragraph: 'SUL-138',
    service: 'medication_handling',
    frequency: { per: 'day', times: 2 },
    minutesPerOccurrence: 10,
    startDate: '2026-01-01',
    physical: 2,
    screenVisit: 0,
    medicationTechnology: 0,
    screenVisitTimes: [],
    medicationTechnologyTimes: [],
    ...over,
  });

  it('counts daily benefits on their weekdays and weekly ones once', () => {
    expect(occurrencesPerWeekFactor({ per: 'day', times: 2 })).toBe(7);
    expect(occurrencesPerWeekFactor({ per: 'day', times: 2, weekdays: [1, 2, 3, 4, 5] })).toBe(5);
    expect(occurrencesPerWeekFactor({ per: 'week', times: 2 })).toBe(1);
  });

  it('saves physical minutes plus travel for each moved occurrence, minus the screen-visit minutes', () => {
    const travel = 15;
    const lines = [
      line({ physical: 0, medicationTechnology: 2 }), // 14 doses a week dispensed
      line({
        service: 'practical_help',
        paragraph: 'SEL-83',
        frequency: { per: 'week', times: 2 },
        minutesPerOccurrence: 30,
        physical: 1,
        screenVisit: 1,
      }),
    ];
    const figures = conversionFigures(lines, travel, '2026-03-02');
    expect(figures).toEqual({
      grantedOccurrencesPerWeek: 14 + 2,
      physicalOccurrencesPerWeek: 1,
      screenVisitOccurrencesPerWeek: 1,
      medicationTechnologyOccurrencesPerWeek: 14,
      digitalOccurrencesPerWeek: 15,
      digitalShare: Math.round((15 / 16) * 10_000) / 10_000,
      staffMinutesPerWeekBefore: 14 * (10 + travel) + 2 * (30 + travel),
      staffMinutesPerWeekAfter: 1 * (30 + travel) + 1 * 30,
      staffMinutesSavedPerWeek: 14 * (10 + travel) + (30 + travel) - 30,
      travelMinutesPerVisit: travel,
    });
  });

  it('counts only benefits in force on the day, and gives a zero share when nothing is granted', () => {
    expect(conversionFigures([line({ endDate: '2026-02-01' })], 15, '2026-03-02').grantedOccurrencesPerWeek).toBe(0);
    expect(conversionFigures([], 15, '2026-03-02').digitalShare).toBe(0);
  });
});

describe('checking a grant', () => {
  const base: RecordGrant = {
    paragraph: 'SUL-138',
    service: 'medication_handling',
    frequency: { per: 'day', times: 2, timesOfDay: ['08:00', '20:00'] },
    minutesPerOccurrence: 10,
    startDate: '2026-01-01',
  };

  it('accepts medication handling under SUL § 138 and refuses it under Serviceloven', () => {
    expect(checkGrant(base)).toEqual([]);
    for (const paragraph of ['SEL-82', 'SEL-83', 'SEL-83a', 'SEL-85'] as const) {
      expect(checkGrant({ ...base, paragraph }).map((f) => f.field)).toEqual(['body/service']);
    }
  });

  it('refuses rehabilitation outside § 83a and repeated weekdays', () => {
    expect(
      checkGrant({ ...base, paragraph: 'SEL-83', service: 'rehabilitation_training' }).map((f) => f.field),
    ).toEqual(['body/service']);
    expect(checkGrant({ ...base, frequency: { ...base.frequency, weekdays: [1, 1] } }).map((f) => f.field)).toEqual([
      'body/frequency/weekdays',
    ]);
  });
});
