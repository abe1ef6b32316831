import * as z from '#shared/platform/zod.ts';
import { ValidationError, type FieldError } from '#shared/platform/errors.ts';
import { idPattern } from '#shared/platform/ids.ts';
import { isActiveGrant } from './grants.ts';
import type { ConversionLine, Grant } from './model.ts';
import { wallClockTime, type DosePlanSeed, type ScreenVisitPlanEntry } from './plan.ts';

export { conversionLineSchema, type ConversionLine } from './model.ts';

/**
 * The rules of a conversion proposal, as plain functions: how each granted benefit's
 * occurrences are split between physical visits, screen visits and medication technology, and
 * what an approved split produces (the screen-visit plan and the dose plan).
 */
export const deliveryModes = ['physical', 'screen_visit', 'medication_technology'] as const;

export const splitSchema = z
  .strictObject({
    grantId: z.string().max(30, 'must be a grant id').regex(idPattern('grt'), 'must be a grant id'),
    /** Occurrences per the grant's period (day or week) by each delivery mode; they sum to the grant's `times`. */
    physical: z.number().int().min(0).max(24),
    screenVisit: z.number().int().min(0).max(24),
    medicationTechnology: z.number().int().min(0).max(24),
    /** Which times of day go to screen visits (needed when the grant is per day and not all of it moves). */
    screenVisitTimes: z.array(wallClockTime).max(24).optional(),
    /** The dose times the dispenser releases (needed when the grant names no times or only part of it moves). */
    medicationTechnologyTimes: z.array(wallClockTime).max(24).optional(),
  })
  .openapi('GrantSplit', {
    example: {
      grantId: 'grt_01JD0000000000000000000000',
      physical: 1,
      screenVisit: 1,
      medicationTechnology: 0,
      screenVisitTimes: ['20:00'],
    },
  });
export type Split = z.infer<typeof splitSchema>;

const describe = (g: Grant) => `grant ${g.grantId} (${g.service}, ${g.paragraph})`;

/** Resolves one mode's times, or says why they cannot be resolved. */
function resolveTimes(
  grant: Grant,
  count: number,
  given: string[] | undefined,
  what: string,
  needsTimes: boolean,
): { times: string[] } | { problem: string } {
  const known = grant.frequency.timesOfDay;
  if (grant.frequency.per === 'week') {
    if (given) return { problem: `a per-week grant takes its times from the grant; leave ${what} times out` };
    return { times: count > 0 ? [...(known ?? [])] : [] };
  }
  if (count === 0)
    return given && given.length > 0 ? { problem: `no occurrences by ${what}, so no times` } : { times: [] };
  if (given) {
    if (given.length !== count) return { problem: `give ${count} time(s), one per occurrence by ${what}` };
    if (new Set(given).size !== given.length) return { problem: 'times must be unique' };
    const strange = known ? given.filter((t) => !known.includes(t)) : [];
    if (strange.length > 0)
      return { problem: `not among the grant's times (${(known ?? []).join(', ')}): ${strange.join(', ')}` };
    return { times: [...given].sort() };
  }
  if (known && count === known.length) return { times: [...known].sort() };
  if (known) return { problem: `say which of the grant's times (${known.join(', ')}) go to ${what}` };
  return needsTimes ? { problem: `the grant names no times: give the ${what} times` } : { times: [] };
}

/**
 * Checks a proposal against the citizen's grants and returns its lines. Rules:
 * - each split names a grant of this citizen that has not ended, at most once;
 * - physical + screenVisit + medicationTechnology equals the grant's `times` exactly;
 * - medication technology only for medication handling counted per day, and for at most one
 *   grant (a citizen has one dispenser, so one dose plan);
 * - a daily grant needs the times of its screen visits and doses (from the grant or the split);
 * - every grant that has not ended is listed: one to stay physical is listed with all its
 *   occurrences physical, so the final grant states the delivery of every benefit.
 * Every fault is reported at once, naming the grant.
 */
export function checkProposal(grants: readonly Grant[], splits: readonly Split[], today: string): ConversionLine[] {
  const faults: FieldError[] = [];
  const byId = new Map(grants.map((g) => [g.grantId, g]));
  const covered = new Set<string>();
  const lines: ConversionLine[] = [];
  const dispenser: { grantId?: string } = {};
  splits.forEach((split, i) => {
    const at = (field?: string) => `body/splits/${i}${field ? `/${field}` : ''}`;
    const grant = byId.get(split.grantId);
    if (!grant)
      return void faults.push({ field: at('grantId'), message: `${split.grantId} is not a grant of this citizen` });
    if (covered.has(grant.grantId))
      return void faults.push({ field: at('grantId'), message: `${describe(grant)} is split twice` });
    covered.add(grant.grantId);
    if (!isActiveGrant(grant, today))
      return void faults.push({ field: at('grantId'), message: `${describe(grant)} ended on ${grant.endDate}` });
    const line = checkSplit(grant, split, at, dispenser, faults);
    if (line) lines.push(line);
  });
  for (const grant of grants) {
    if (isActiveGrant(grant, today) && !covered.has(grant.grantId)) {
      faults.push({
        field: 'body/splits',
        message: `${describe(grant)} is not covered; list it with all occurrences physical to keep it physical`,
      });
    }
  }
  if (faults.length > 0) throw new ValidationError('The split does not fit the citizen’s grants; see errors.', faults);
  return lines;
}

/** One split against its grant: the sum, medication technology, the times. Faults go to `faults`; the line when the times resolve. */
function checkSplit(
  grant: Grant,
  split: Split,
  at: (field?: string) => string,
  dispenser: { grantId?: string },
  faults: FieldError[],
): ConversionLine | undefined {
  const { times, per } = grant.frequency;
  const sum = split.physical + split.screenVisit + split.medicationTechnology;
  if (sum !== times) {
    faults.push({
      field: at(),
      message: `${describe(grant)} is granted ${times} time(s) per ${per}; the split covers ${sum}`,
    });
  }
  if (split.medicationTechnology > 0) {
    const problem = dispenserProblem(grant, dispenser.grantId);
    if (problem) faults.push({ field: at('medicationTechnology'), message: `${describe(grant)}: ${problem}` });
    else dispenser.grantId = grant.grantId;
  }
  const screen = resolveTimes(grant, split.screenVisit, split.screenVisitTimes, 'screen visit', true);
  const doses = resolveTimes(
    grant,
    split.medicationTechnology,
    split.medicationTechnologyTimes,
    'medication technology',
    true,
  );
  if ('problem' in screen)
    faults.push({ field: at('screenVisitTimes'), message: `${describe(grant)}: ${screen.problem}` });
  if ('problem' in doses)
    faults.push({ field: at('medicationTechnologyTimes'), message: `${describe(grant)}: ${doses.problem}` });
  if (!('times' in screen && 'times' in doses)) return undefined;
  if (per === 'day' && screen.times.some((t) => doses.times.includes(t))) {
    faults.push({
      field: at('screenVisitTimes'),
      message: `${describe(grant)}: one occurrence cannot be both a screen visit and a dispensed dose`,
    });
  }
  return {
    grantId: grant.grantId,
    paragraph: grant.paragraph,
    service: grant.service,
    frequency: grant.frequency,
    minutesPerOccurrence: grant.minutesPerOccurrence,
    startDate: grant.startDate,
    ...(grant.endDate ? { endDate: grant.endDate } : {}),
    physical: split.physical,
    screenVisit: split.screenVisit,
    medicationTechnology: split.medicationTechnology,
    screenVisitTimes: screen.times,
    medicationTechnologyTimes: doses.times,
  };
}

/** Why this grant cannot use the citizen's dispenser, if it cannot. */
function dispenserProblem(grant: Grant, alreadyUsedBy: string | undefined): string | undefined {
  if (grant.service !== 'medication_handling') return 'medication technology only delivers medication handling';
  if (grant.frequency.per !== 'day') return 'a dispenser doses daily; the grant must be counted per day';
  if (alreadyUsedBy) return `only one grant can use the citizen's dispenser (already ${alreadyUsedBy})`;
  return undefined;
}

const ALL_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** What an approved conversion produces, valid from the approval day (or the grant's later start). */
export function buildPlans(
  lines: readonly ConversionLine[],
  effectiveFrom: string,
): { screenVisitPlan: ScreenVisitPlanEntry[]; dosePlan: DosePlanSeed | null } {
  const from = (line: ConversionLine) => (line.startDate > effectiveFrom ? line.startDate : effectiveFrom);
  const screenVisitPlan: ScreenVisitPlanEntry[] = lines
    .filter((line) => line.screenVisit > 0)
    .map((line) => ({
      grantId: line.grantId,
      paragraph: line.paragraph,
      service: line.service,
      minutes: line.minutesPerOccurrence,
      weekdays: [...(line.frequency.weekdays ?? ALL_WEEKDAYS)].sort((a, b) => a - b),
      times: line.screenVisitTimes,
      ...(line.frequency.per === 'week' ? { perWeek: line.screenVisit } : {}),
      validFrom: from(line),
      ...(line.endDate ? { validTo: line.endDate } : {}),
    }));
  const dispensed = lines.find((line) => line.medicationTechnology > 0);
  const dosePlan: DosePlanSeed | null = dispensed
    ? {
        grantId: dispensed.grantId,
        times: dispensed.medicationTechnologyTimes,
        validFrom: from(dispensed),
        ...(dispensed.endDate ? { validTo: dispensed.endDate } : {}),
      }
    : null;
  return { screenVisitPlan, dosePlan };
}
