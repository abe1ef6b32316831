import { availableBetween, type AvailabilityRules, type Interval } from './availability-rules.ts';
import { minutesMs, SLOT_MINUTES } from './time.ts';

/**
 * Free time as advice for booking: the staff member's available time minus the visits already
 * booked (theirs and, when booking for a citizen, the citizen's), each widened by a buffer so a
 * worker gets minutes between calls. Pure: the caller reads the rules and the visits.
 *
 * The buffer is advice only — booking itself never enforces it — and the answer can be stale a
 * moment later: the booking transaction's slot locks decide who gets a slot.
 */
export interface FreeSlotInput {
  readonly rules: AvailabilityRules;
  /** Booked intervals that block this staff member (their own visits and the citizen's). */
  readonly busy: readonly Interval[];
  readonly from: Date;
  readonly to: Date;
  /** Slots start no earlier than this (the next grid step after now). */
  readonly notBefore: Date;
  readonly durationMinutes: number;
  readonly bufferMinutes: number;
  /** Slot starts are multiples of this (minutes past the hour; offsets are whole hours). */
  readonly stepMinutes: number;
  readonly zone: string;
}

const MINUTE = minutesMs(1);

function subtract(intervals: readonly Interval[], holes: readonly Interval[]): Interval[] {
  let result: Interval[] = [...intervals];
  for (const [hf, ht] of holes) {
    result = result.flatMap(([f, t]): Interval[] => {
      if (ht <= f || hf >= t) return [[f, t]];
      const parts: Interval[] = [];
      if (hf > f) parts.push([f, hf]);
      if (ht < t) parts.push([ht, t]);
      return parts;
    });
  }
  return result;
}

/** The free intervals within [from, to): available time minus busy time widened by the buffer. */
export function freeIntervals(input: Omit<FreeSlotInput, 'durationMinutes' | 'stepMinutes'>): Interval[] {
  const buffer = input.bufferMinutes * MINUTE;
  const from = Math.max(input.from.getTime(), input.notBefore.getTime());
  const to = input.to.getTime();
  if (from >= to) return [];
  const available = availableBetween(input.rules, new Date(from), new Date(to), input.zone).map(([f, t]): Interval => [
    Math.max(f, from),
    Math.min(t, to),
  ]);
  const widened = input.busy.map(([f, t]): Interval => [f - buffer, t + buffer]);
  return subtract(available, widened).filter(([f, t]) => t > f);
}

/**
 * Bookable starts: every step-aligned start in a free interval where a visit of the duration
 * fits. Available windows are cut at [from, to) before fitting, so a visit that would run past
 * the end of the asked day is offered only if its window continues (then it fits the next day).
 */
export function freeSlots(input: FreeSlotInput): Interval[] {
  if (input.stepMinutes % SLOT_MINUTES !== 0) throw new RangeError('step must be on the 5-minute grid');
  const step = input.stepMinutes * MINUTE;
  const length = input.durationMinutes * MINUTE;
  const buffer = input.bufferMinutes * MINUTE;
  const from = Math.max(input.from.getTime(), input.notBefore.getTime());
  const to = input.to.getTime();
  if (from >= to) return [];
  // Available time is looked at up to a visit's length past `to`, so a slot starting before `to` may end after it.
  const available = availableBetween(input.rules, new Date(from), new Date(to + length), input.zone).map(
    ([f, t]): Interval => [Math.max(f, from), t],
  );
  const widened = input.busy.map(([f, t]): Interval => [f - buffer, t + buffer]);
  const slots: Interval[] = [];
  for (const [f, t] of subtract(available, widened)) {
    for (let start = Math.ceil(f / step) * step; start + length <= t && start < to; start += step)
      slots.push([start, start + length]);
  }
  return slots.sort((a, b) => a[0] - b[0]);
}
