import { ValidationError, type FieldError } from '#shared/platform/errors.ts';
import { addDays } from './schedule.ts';

/** How far back a citizen's first plan may start (a dispenser already in use when it is registered here). */
export const MAX_PLAN_BACKDATE_DAYS = 92;

/**
 * The one time rule of dose plans. A plan rules doses from the start of its `validFrom`, as given,
 * and never rewrites doses another version already ruled, because adherence and the missed-dose
 * alerts have counted those:
 * - a citizen's first plan is honoured from its `validFrom`, also in the past (at most
 *   MAX_PLAN_BACKDATE_DAYS back): no other plan ruled those days, so adherence and detection
 *   both read that date;
 * - a change may not start before today (400 at `validFrom`), except by keeping the current
 *   plan's `validFrom`, which continues that plan and changes it from now (`effectiveFrom`);
 * - a change may not end the plan before today (400 at `validTo`).
 * Returns every fault at once; the caller throws.
 */
export function planTimeFaults(
  change: { validFrom: string; validTo?: string | undefined },
  current: { validFrom: string; validTo?: string | undefined } | undefined,
  today: string,
): FieldError[] {
  const faults: FieldError[] = [];
  if (!current) {
    const earliest = addDays(today, -MAX_PLAN_BACKDATE_DAYS);
    if (change.validFrom < earliest)
      faults.push({
        field: 'body/validFrom',
        message: `a first plan starts at most ${MAX_PLAN_BACKDATE_DAYS} days back (not before ${earliest})`,
      });
    return faults;
  }
  if (change.validFrom < today && change.validFrom !== current.validFrom) {
    faults.push({
      field: 'body/validFrom',
      message: `doses before today were already counted under the plan in force then; start the change on ${today} or later, or keep validFrom ${current.validFrom} to change the current plan from now`,
    });
  }
  if (change.validTo !== undefined && change.validTo < today && change.validTo !== current.validTo) {
    faults.push({
      field: 'body/validTo',
      message: `doses up to today were already counted; the plan can end on ${today} at the earliest`,
    });
  }
  return faults;
}

export function requirePlanTimes(
  change: { validFrom: string; validTo?: string | undefined },
  current: { validFrom: string; validTo?: string | undefined } | undefined,
  today: string,
): void {
  const faults = planTimeFaults(change, current, today);
  if (faults.length > 0)
    throw new ValidationError('A dose plan cannot rewrite doses that were already counted; see errors.', faults);
}
