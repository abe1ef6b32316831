import * as z from '#shared/platform/zod.ts';
import type { ConversionLine } from './split.ts';

/**
 * Trial figures of a final grant, per week. A benefit counted per day happens `times` times on
 * each of its weekdays (every day when none are named); one counted per week `times` times.
 *
 *   digitalShare    = (screen-visit + medication-technology occurrences) / granted occurrences
 *   minutes before  = granted occurrences × (minutes per occurrence + travel minutes per visit)
 *   minutes after   = physical occurrences × (minutes + travel) + screen visits × minutes
 *   minutes saved   = before − after
 *                   = per moved occurrence (minutes + travel), minus the screen-visit minutes
 *
 * A screen visit is assumed to take as long as the physical visit it replaces, and a dispensed
 * dose to take no staff time (refills and alerts are counted by the dispenser capability).
 * Travel is `TRAVEL_MINUTES_PER_VISIT` (config) per physical visit. Only benefits in force on
 * the given day count.
 */
export const conversionFiguresSchema = z
  .object({
    grantedOccurrencesPerWeek: z.number(),
    physicalOccurrencesPerWeek: z.number(),
    screenVisitOccurrencesPerWeek: z.number(),
    medicationTechnologyOccurrencesPerWeek: z.number(),
    digitalOccurrencesPerWeek: z.number(),
    /** 0…1; 0 when nothing is granted. */
    digitalShare: z.number(),
    staffMinutesPerWeekBefore: z.number(),
    staffMinutesPerWeekAfter: z.number(),
    staffMinutesSavedPerWeek: z.number(),
    travelMinutesPerVisit: z.number(),
    /**
     * Present when nothing is in force on the day but a benefit starts later: the figures are zero
     * because nothing has started yet, and this is the first day something does.
     */
    startsOn: z.string().optional(),
  })
  .openapi('ConversionFigures');
export type ConversionFigures = z.infer<typeof conversionFiguresSchema>;

export function occurrencesPerWeekFactor(frequency: ConversionLine['frequency']): number {
  return frequency.per === 'day' ? (frequency.weekdays?.length ?? 7) : 1;
}

export function inForce(line: Pick<ConversionLine, 'startDate' | 'endDate'>, on: string): boolean {
  return line.startDate <= on && (!line.endDate || line.endDate >= on);
}

/** Figures of a set of benefits (one citizen's final grant, or a whole team's) on a day. */
export function conversionFigures(
  lines: readonly ConversionLine[],
  travelMinutesPerVisit: number,
  on: string,
): ConversionFigures {
  let granted = 0;
  let physical = 0;
  let screen = 0;
  let dispensed = 0;
  let before = 0;
  let after = 0;
  for (const line of lines) {
    if (!inForce(line, on)) continue;
    const factor = occurrencesPerWeekFactor(line.frequency);
    const minutes = line.minutesPerOccurrence;
    granted += line.frequency.times * factor;
    physical += line.physical * factor;
    screen += line.screenVisit * factor;
    dispensed += line.medicationTechnology * factor;
    before += line.frequency.times * factor * (minutes + travelMinutesPerVisit);
    after += line.physical * factor * (minutes + travelMinutesPerVisit) + line.screenVisit * factor * minutes;
  }
  const digital = screen + dispensed;
  const later = lines
    .filter((line) => line.startDate > on)
    .map((line) => line.startDate)
    .sort()[0];
  return {
    grantedOccurrencesPerWeek: granted,
    physicalOccurrencesPerWeek: physical,
    screenVisitOccurrencesPerWeek: screen,
    medicationTechnologyOccurrencesPerWeek: dispensed,
    digitalOccurrencesPerWeek: digital,
    digitalShare: granted === 0 ? 0 : Math.round((digital / granted) * 10_000) / 10_000,
    staffMinutesPerWeekBefore: before,
    staffMinutesPerWeekAfter: after,
    staffMinutesSavedPerWeek: before - after,
    travelMinutesPerVisit,
    ...(granted === 0 && later !== undefined ? { startsOn: later } : {}),
  };
}
