import { DateTime } from 'luxon';
import type { CurrentFinalGrant } from '#shared/conversion/final-grants.ts';
import { ValidationError } from '#shared/platform/errors.ts';

/**
 * A visit delivers a granted benefit, so it falls inside the benefit's dates: not before the
 * grant starts, not after it ends (local dates, inclusive). A citizen without a final grant yet
 * (an introduction visit) has no dates to keep to. 400 at `body/start`, naming the dates.
 */
export function requireWithinGrantDates(
  current: Pick<CurrentFinalGrant, 'lines'> | undefined,
  grantId: string,
  start: Date,
  zone: string,
): void {
  const line = current?.lines.find((l) => l.grantId === grantId);
  if (!line) return;
  const day = DateTime.fromJSDate(start, { zone }).toISODate() ?? '';
  if (day < line.startDate) {
    throw new ValidationError(`The benefit starts on ${line.startDate}; a visit cannot deliver it before.`, [
      { field: 'body/start', message: `must be on or after ${line.startDate} (the grant's start)` },
    ]);
  }
  if (line.endDate !== undefined && day > line.endDate) {
    throw new ValidationError(`The benefit ended on ${line.endDate}; a visit cannot deliver it after.`, [
      { field: 'body/start', message: `must be on or before ${line.endDate} (the grant's end)` },
    ]);
  }
}
