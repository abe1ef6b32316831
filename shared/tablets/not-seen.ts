import { DateTime, Duration } from 'luxon';
import { alertSchema, raiseAlert, resolveAlertByDedupKey, type Alert } from '#shared/alerts/alerts.ts';
import { listTeams } from '#shared/citizens/teams.ts';
import { queryAlertsOfKinds } from '#shared/notifications/technical-alert-store.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { alertKeys } from '#shared/table/keys.ts';
import { getTablet, tabletsNotSeenSince, type TabletItem } from './tablet-store.ts';

/**
 * "A tablet that has not been seen": a paired tablet whose last request (its heartbeat, see
 * ./tokens.ts) is older than TABLET_NOT_SEEN_HOURS raises one technical `tablet_not_seen` alert
 * per episode (the dedup key names the last-seen time, so a tablet that comes back and goes
 * silent again is a new episode). It is raised in the daytime only (08:00–20:00 in TIME_ZONE):
 * support is not paged at 03:00 for a tablet, and one silent since yesterday afternoon is
 * reported in the morning. It is resolved by the same job once the tablet is seen again (or
 * revoked), at any hour.
 */
export const NOT_SEEN_KIND = 'tablet_not_seen' as const;
export const RAISE_FROM_HOUR = 8;
export const RAISE_UNTIL_HOUR = 20;
const SYSTEM = 'tablet-heartbeat';

export const notSeenDedupKey = (tablet: Pick<TabletItem, 'tabletId' | 'lastSeenAt' | 'pairedAt'>) =>
  `${NOT_SEEN_KIND}#${tablet.tabletId}#${tablet.lastSeenAt ?? tablet.pairedAt}`;

/** Whether a new alert may be raised at `now`: in the team's daytime. */
export function raisesAt(now: Date, timeZone: string): boolean {
  const hour = DateTime.fromJSDate(now, { zone: timeZone }).hour;
  return hour >= RAISE_FROM_HOUR && hour < RAISE_UNTIL_HOUR;
}

/** The instant before which a tablet's last request makes it "not seen". */
export function notSeenCutoff(now: Date, hours: number): string {
  return DateTime.fromJSDate(now).minus(Duration.fromObject({ hours })).toJSDate().toISOString();
}

/** Whether the episode an alert reports is over: the tablet was seen after it, or is no longer paired. */
export function episodeOver(alert: Alert, tablet: TabletItem | undefined): boolean {
  if (!tablet || tablet.revokedAt) return true;
  const reported = String(alert.details?.lastSeenAt ?? '');
  return (tablet.lastSeenAt ?? tablet.pairedAt) > reported;
}

export interface NotSeenRun {
  raised: string[];
  resolved: string[];
}

/** The `tablets-not-seen` job: raise for silent tablets (daytime), resolve for tablets seen again. */
export async function checkTabletsNotSeen(deps: Deps): Promise<NotSeenRun> {
  const now = deps.clock.now();
  const run: NotSeenRun = { raised: [], resolved: [] };
  for (const team of await listTeams(deps)) {
    if (raisesAt(now, deps.config.TIME_ZONE)) run.raised.push(...(await raiseForTeam(deps, team, now)));
    run.resolved.push(...(await resolveForTeam(deps, team)));
  }
  return run;
}

async function raiseForTeam(deps: Deps, team: string, now: Date): Promise<string[]> {
  const cutoff = notSeenCutoff(now, deps.config.TABLET_NOT_SEEN_HOURS);
  const raised: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await tabletsNotSeenSince(deps.table, team, cutoff, cursor);
    for (const tablet of page.items) {
      const lastSeenAt = tablet.lastSeenAt ?? tablet.pairedAt;
      const result = await raiseAlert(deps, {
        kind: NOT_SEEN_KIND,
        team,
        citizenId: tablet.citizenId,
        dedupKey: notSeenDedupKey(tablet),
        summary: `Tablet ${tablet.tabletId} not seen since ${lastSeenAt}`,
        occurredAt: new Date(lastSeenAt),
        details: { tabletId: tablet.tabletId, lastSeenAt },
      });
      if (result.alertId) raised.push(result.alertId);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return raised;
}

async function resolveForTeam(deps: Deps, team: string): Promise<string[]> {
  const resolved: string[] = [];
  for (const status of ['open', 'acknowledged'] as const) {
    let cursor: string | undefined;
    do {
      const page = await queryAlertsOfKinds(deps.table, {
        index: 'gsi1',
        partition: ['gsi1pk', alertKeys.teamStatusPartition(team, status)],
        kinds: [NOT_SEEN_KIND],
        limit: 100,
        cursor,
      });
      for (const alert of page.items.map((item) => alertSchema.parse(item))) {
        const tabletId = String(alert.details?.tabletId ?? '');
        const tablet = alert.citizenId ? await getTablet(deps.table, alert.citizenId, tabletId) : undefined;
        if (!episodeOver(alert, tablet)) continue;
        const note = tablet && !tablet.revokedAt ? 'The tablet was seen again' : 'The tablet was disconnected';
        if (await resolveAlertByDedupKey(deps, alert.dedupKey, note, SYSTEM)) resolved.push(alert.alertId);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return resolved;
}
