import * as z from '#shared/platform/zod.ts';

/**
 * Date and time inputs with messages that say which form is expected: a newcomer's first failed
 * request is usually a time without an offset, or a `+` that a query string turned into a space.
 */
export const DATE_TIME_MESSAGE =
  'must be an ISO 8601 date-time with an offset, e.g. 2026-11-24T09:00:00+01:00 or 2026-11-24T08:00:00Z (in a query, encode + as %2B)';
export const DATE_MESSAGE = 'must be a date YYYY-MM-DD, e.g. 2026-11-24';
export const TIME_MESSAGE = 'must be a wall-clock time HH:mm (24-hour), e.g. 08:30';

/** The longest accepted form: `2026-11-24T09:00:00.123456789+01:00`. */
const DATE_TIME_MAX = 35;

/** An instant: ISO 8601 with `Z` or an offset. */
export function isoDateTime() {
  return z.iso
    .datetime({ offset: true, error: DATE_TIME_MESSAGE })
    .max(DATE_TIME_MAX, DATE_TIME_MESSAGE)
    .openapi({ example: '2026-11-24T09:00:00+01:00' });
}

/** A calendar date `YYYY-MM-DD`. */
export const isoDateInput = z.iso.date({ error: DATE_MESSAGE }).max(10, DATE_MESSAGE);

/** A wall-clock time `HH:mm` in the municipality's time zone. */
export const wallClockTimeInput = z
  .string()
  .max(5, TIME_MESSAGE)
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, TIME_MESSAGE);
