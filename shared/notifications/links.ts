/**
 * Where a push or SMS link opens the web clients. The pages are single files with views by hash
 * (the bucket and the local server serve `/console/` and `/tablet/`, nothing below them), so a
 * link names its view in the hash and carries the acknowledgement token as a query parameter.
 */
const trim = (base: string) => base.replace(/\/$/, '');

/** The console at one alert; with `ackToken`, the console acknowledges it from the link first. */
export function consoleAlertUrl(base: string, alertId: string, ackToken?: string): string {
  return `${trim(base)}/console/${ackToken ? `?ack=${ackToken}` : ''}#/alerts/${alertId}`;
}

/** The staff member's day in the console (where the visit is). */
export const consoleDayUrl = (base: string) => `${trim(base)}/console/#/day`;

/** The citizen's tablet home screen: it shows the next visit and the button to join it. */
export const tabletHomeUrl = (base: string) => `${trim(base)}/tablet/`;
