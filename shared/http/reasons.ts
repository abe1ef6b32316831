/**
 * Every `reason` a 409 problem can carry, kebab-case, so a client can switch on them. The
 * Problem schema lists them; a test checks that every `ConflictError` in the code uses one.
 */
export const REASON_CODES = [
  'alert-changed',
  'alert-not-open',
  'alert-resolved',
  'availability-changed',
  'citizen-double-booked',
  'citizen-has-dispenser',
  'concurrent-change',
  'conflict',
  'contended',
  'dispenser-assigned',
  'dispenser-changed',
  'dispenser-returned',
  'dose-plan-changed',
  'final-grant-changed',
  'grant-ended',
  'grants-changed',
  'national-id-registered',
  'no-assessment',
  'not-assigned',
  'not-in-progress',
  'not-open',
  'not-proposed',
  'not-ready',
  'not-scheduled',
  'purpose-not-granted',
  'serial-taken',
  'staff-double-booked',
  'staff-registered',
  'staff-unavailable',
  'too-early',
  'too-many-guests',
  'version-mismatch',
  'version-taken',
  'window-over',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];
