import { z } from '@hono/zod-openapi';
import { DateTime } from 'luxon';
import type { ConversionLine } from '#shared/conversion/split.ts';
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
export interface FinalGrantVersion {
  finalGrantId: string;
  citizenId: string;
  team: string;
  approvedAt: string;
  supersededAt?: string | undefined;
  lines: readonly ConversionLine[];
}

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

export function periodFigures(
  versionsByCitizen: ReadonlyMap<string, readonly FinalGrantVersion[]>,
  from: string,
  through: string | null,
  zone: string,
  model: SavingsModel,
): PeriodFigures {
  let granted = 0;
  let physical = 0;
  let screen = 0;
  let dispensed = 0;
  let before = 0;
  let after = 0;
  let travel = 0;
  let days = 0;
  let lastDayCitizens = 0;
  let startsOn: string | undefined;
  for (
    let day = DateTime.fromISO(from, { zone });
    through !== null && (day.toISODate() ?? '') <= through;
    day = day.plus({ days: 1 })
  ) {
    const date = day.toISODate() ?? '';
    const dayEnd = day.plus({ days: 1 }).startOf('day').toUTC().toISO() ?? '';
    days += 1;
    let citizens = 0;
    for (const versions of versionsByCitizen.values()) {
      const version = versionOnDay(versions, dayEnd);
      if (!version) continue;
      let any = false;
      for (const line of version.lines) {
        if (!lineInForceOn(line, date, dayEnd)) {
          if (line.startDate > date && (startsOn === undefined || line.startDate < startsOn)) startsOn = line.startDate;
          continue;
        }
        any = true;
        const factor =
          line.frequency.per === 'day'
            ? (line.frequency.weekdays ?? [1, 2, 3, 4, 5, 6, 7]).includes(day.weekday)
              ? 1
              : 0
            : 1 / 7;
        const minutes = model.physicalMinutesPerVisit ?? line.minutesPerOccurrence;
        const screenMinutes = (minutes * model.screenVisitLengthPercent) / 100;
        granted += line.frequency.times * factor;
        physical += line.physical * factor;
        screen += line.screenVisit * factor;
        dispensed += line.medicationTechnology * factor;
        before += line.frequency.times * factor * (minutes + model.travelMinutesPerVisit);
        after +=
          line.physical * factor * (minutes + model.travelMinutesPerVisit) +
          line.screenVisit * factor * screenMinutes +
          line.medicationTechnology * factor * model.dispensedDoseMinutes;
        travel += (line.screenVisit + line.medicationTechnology) * factor * model.travelMinutesPerVisit;
      }
      if (any) citizens += 1;
    }
    lastDayCitizens = citizens;
  }
  return {
    daysCounted: days,
    countedThrough: days > 0 ? through : null,
    grantedOccurrences: round(granted, 2),
    physicalOccurrences: round(physical, 2),
    screenVisitOccurrences: round(screen, 2),
    medicationTechnologyOccurrences: round(dispensed, 2),
    digitalShare: granted === 0 ? 0 : round((screen + dispensed) / granted, 4),
    staffMinutesBefore: round(before, 1),
    staffMinutesAfter: round(after, 1),
    staffHoursSaved: round((before - after) / 60, 1),
    travelMinutesSaved: round(travel, 1),
    citizensWithFinalGrantOnLastDay: lastDayCitizens,
    ...(granted === 0 && startsOn !== undefined ? { startsOn } : {}),
  };
}
