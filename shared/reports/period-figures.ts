import * as z from '#shared/platform/zod.ts';
import { DateTime } from 'luxon';
import type { ConversionLine, FinalGrant } from '#shared/conversion/model.ts';
import type { SavingsModel } from './savings-model.ts';

/**
 * Period-true conversion figures, as plain functions. A period is counted day by day, each day
 * from the final grants as they stood at the end of that day: the version approved before the
 * day ended and not yet superseded then, with its benefits in force that day (an end date
 * recorded later is not known yet). So approvals, revisions and ends recorded today never change
 * the figures of a day that has passed.
 *
 * Occurrences of a day: a benefit counted per day happens `times` times on each of its weekdays;
 * one counted per week contributes `times / 7` on every day. Minutes per the savings model:
 *   before = granted × (physical minutes + travel)
 *   after  = physical × (physical minutes + travel) + screen × screen-visit minutes + dispensed × dose minutes
 */
export type FinalGrantVersion = Pick<
  FinalGrant,
  'finalGrantId' | 'citizenId' | 'team' | 'approvedAt' | 'supersededAt'
> & {
  lines: readonly ConversionLine[];
};

export function versionOnDay(versions: readonly FinalGrantVersion[], dayEndUtc: string): FinalGrantVersion | undefined {
  return versions
    .filter((v) => v.approvedAt < dayEndUtc && (v.supersededAt === undefined || v.supersededAt >= dayEndUtc))
    .sort((a, b) => a.approvedAt.localeCompare(b.approvedAt))
    .at(-1);
}

export function lineInForceOn(line: ConversionLine, day: string, dayEndUtc: string): boolean {
  if (line.startDate > day) return false;
  if (line.endDate === undefined || line.endDate >= day) return true;
  // The end was recorded after this day was over: as it stood then, the benefit went on.
  return line.endRecordedAt !== undefined && line.endRecordedAt >= dayEndUtc;
}

export const periodFiguresSchema = z
  .object({
    /** Local days counted: from `from` to the earlier of `to` and today (the future has no history yet). */
    daysCounted: z.number().int(),
    countedThrough: z.string().nullable(),
    grantedOccurrences: z.number(),
    physicalOccurrences: z.number(),
    screenVisitOccurrences: z.number(),
    medicationTechnologyOccurrences: z.number(),
    /** (screen + dispensed) ÷ granted over the counted days; 0 when nothing was granted. */
    digitalShare: z.number(),
    staffMinutesBefore: z.number(),
    staffMinutesAfter: z.number(),
    staffHoursSaved: z.number(),
    travelMinutesSaved: z.number(),
    /** Citizens with a benefit in force in a final grant on the last counted day. */
    citizensWithFinalGrantOnLastDay: z.number().int(),
    /** Set when nothing was in force on any counted day but a benefit starts later. */
    startsOn: z.string().optional(),
  })
  .openapi('PeriodConversionFigures');
export type PeriodFigures = z.infer<typeof periodFiguresSchema>;

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Totals {
  granted: number;
  physical: number;
  screen: number;
  dispensed: number;
  before: number;
  after: number;
  travel: number;
  /** The first start of a benefit after a counted day, among those not yet in force. */
  startsOn?: string | undefined;
}

/** How many of a line's `times` fall on a day: per day on its weekdays, per week a seventh every day. */
const dayFactor = (line: ConversionLine, weekday: number) =>
  line.frequency.per === 'day' ? ((line.frequency.weekdays ?? [1, 2, 3, 4, 5, 6, 7]).includes(weekday) ? 1 : 0) : 1 / 7;

function addLine(t: Totals, line: ConversionLine, factor: number, model: SavingsModel): void {
  const minutes = model.physicalMinutesPerVisit ?? line.minutesPerOccurrence;
  const screenMinutes = (minutes * model.screenVisitLengthPercent) / 100;
  t.granted += line.frequency.times * factor;
  t.physical += line.physical * factor;
  t.screen += line.screenVisit * factor;
  t.dispensed += line.medicationTechnology * factor;
  t.before += line.frequency.times * factor * (minutes + model.travelMinutesPerVisit);
  t.after +=
    line.physical * factor * (minutes + model.travelMinutesPerVisit) +
    line.screenVisit * factor * screenMinutes +
    line.medicationTechnology * factor * model.dispensedDoseMinutes;
  t.travel += (line.screenVisit + line.medicationTechnology) * factor * model.travelMinutesPerVisit;
}

/** Adds one local day to the totals; answers how many citizens had a benefit in force that day. */
function countDay(
  t: Totals,
  versionsByCitizen: ReadonlyMap<string, readonly FinalGrantVersion[]>,
  day: DateTime,
  model: SavingsModel,
): number {
  const date = day.toISODate() ?? '';
  const dayEnd = day.plus({ days: 1 }).startOf('day').toUTC().toISO() ?? '';
  let citizens = 0;
  for (const versions of versionsByCitizen.values()) {
    const version = versionOnDay(versions, dayEnd);
    if (!version) continue;
    let any = false;
    for (const line of version.lines) {
      if (!lineInForceOn(line, date, dayEnd)) {
        if (line.startDate > date && (t.startsOn === undefined || line.startDate < t.startsOn))
          t.startsOn = line.startDate;
        continue;
      }
      any = true;
      addLine(t, line, dayFactor(line, day.weekday), model);
    }
    if (any) citizens += 1;
  }
  return citizens;
}

export function periodFigures(
  versionsByCitizen: ReadonlyMap<string, readonly FinalGrantVersion[]>,
  from: string,
  through: string | null,
  zone: string,
  model: SavingsModel,
): PeriodFigures {
  const t: Totals = { granted: 0, physical: 0, screen: 0, dispensed: 0, before: 0, after: 0, travel: 0 };
  let days = 0;
  let lastDayCitizens = 0;
  for (
    let day = DateTime.fromISO(from, { zone });
    through !== null && (day.toISODate() ?? '') <= through;
    day = day.plus({ days: 1 })
  ) {
    days += 1;
    lastDayCitizens = countDay(t, versionsByCitizen, day, model);
  }
  const { granted, screen, dispensed, before, after, startsOn } = t;
  return {
    daysCounted: days,
    countedThrough: days > 0 ? through : null,
    grantedOccurrences: round(granted, 2),
    physicalOccurrences: round(t.physical, 2),
    screenVisitOccurrences: round(screen, 2),
    medicationTechnologyOccurrences: round(dispensed, 2),
    digitalShare: granted === 0 ? 0 : round((screen + dispensed) / granted, 4),
    staffMinutesBefore: round(before, 1),
    staffMinutesAfter: round(after, 1),
    staffHoursSaved: round((before - after) / 60, 1),
    travelMinutesSaved: round(t.travel, 1),
    citizensWithFinalGrantOnLastDay: lastDayCitizens,
    ...(granted === 0 && startsOn !== undefined ? { startsOn } : {}),
  };
}
