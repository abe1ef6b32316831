import { doseEventTypes } from './model.ts';
import { doseMatcher } from './schedule.ts';
import type { DispenserItem } from './store.ts';

/**
 * Where a device event belongs, from the dispenser item alone (pure): the request that stores an
 * event places it, and the stream's derivation places again what was accepted on a cached item.
 */

/** The citizen a dispenser was with at `at`, from the periods on the dispenser item. */
export function citizenAt(device: Pick<DispenserItem, 'periods'>, at: Date): string | undefined {
  const t = at.toISOString();
  return device.periods.find((p) => p.from <= t && (!p.to || t < p.to))?.citizenId;
}

/** Where an event belongs: the citizen the dispenser was with at its time, and its planned dose. */
export interface Placement {
  readonly citizenId: string;
  readonly doseAt: string | undefined;
}

/**
 * Places events on a dispenser as stored: the citizen of the attribution period that holds the
 * event's time (none: not placeable), and for a dose event its planned dose. One matcher per plan
 * and call, so the planned doses of each date are computed once.
 */
export function eventPlacer(
  device: Pick<DispenserItem, 'periods' | 'dosePlan' | 'assignment'>,
  zone: string,
): (event: { type: string; occurredAt: Date; scheduledFor?: string | undefined }) => Placement | undefined {
  const currentPlan = doseMatcher(device.dosePlan, zone);
  const scheduledForOnly = doseMatcher(undefined, zone);
  return (event) => {
    const citizenId = citizenAt(device, event.occurredAt);
    if (!citizenId) return undefined;
    if (!(doseEventTypes as readonly string[]).includes(event.type)) return { citizenId, doseAt: undefined };
    // The plan copy is the current citizen's; an event of an earlier citizen is matched by its scheduledFor only.
    const match = citizenId === device.assignment?.citizenId ? currentPlan : scheduledForOnly;
    return {
      citizenId,
      doseAt: match(event.occurredAt, event.scheduledFor ? new Date(event.scheduledFor) : undefined),
    };
  };
}
