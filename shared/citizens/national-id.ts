import { createHmac } from 'node:crypto';

/**
 * Danish national ids (CPR numbers): `DDMMYY-SSSS` or `DDMMYYSSSS`. We check the shape and that
 * the date part can be a date; the modulus-11 check was dropped by CPR in 2007, so we do not
 * apply it. The number itself is never stored, logged or put in a key: the table holds only
 * its peppered HMAC (for the uniqueness claim and the lookup) and a masked form for people.
 */
const SHAPE = /^(\d{2})(\d{2})(\d{2})-?(\d{4})$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export type NationalIdProblem = 'shape' | 'date';

/** The canonical 10-digit form, or why the input is not a national id. */
export function parseNationalId(
  input: string,
): { ok: true; digits: string } | { ok: false; problem: NationalIdProblem } {
  const match = SHAPE.exec(input.trim());
  if (!match) return { ok: false, problem: 'shape' };
  const [, dd, mm, yy, serial] = match as unknown as [string, string, string, string, string];
  const day = Number(dd);
  const month = Number(mm);
  // Two-digit years cannot tell 29 February's leap year apart without the century digit; 29 is allowed.
  if (month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] ?? 0))
    return { ok: false, problem: 'date' };
  return { ok: true, digits: `${dd}${mm}${yy}${serial}` };
}

/** Peppered HMAC-SHA256 (hex) of the canonical digits: the only form that reaches a key. */
export function hashNationalId(digits: string, pepper: string): string {
  return createHmac('sha256', pepper).update(digits, 'utf8').digest('hex');
}

/** `DDMMYY-XXXX`: enough for a person to recognise the citizen, not enough to identify them elsewhere. */
export function maskNationalId(digits: string): string {
  return `${digits.slice(0, 6)}-XXXX`;
}
