import { finalGrantHistory, pointersOf } from '#shared/conversion/final-grant-store.ts';
import { teamReversions as reversionsOfTeam } from '#shared/conversion/reversion-store.ts';
import type { Reversion } from '#shared/conversion/reversions.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { FinalGrantVersion } from './period-figures.ts';

/**
 * The history a period-true report reads, without a Scan: the citizens with a final grant come
 * from the current-final-grant pointers of a team, or of the whole municipality when `team` is
 * undefined (a citizen who ever had a final grant keeps a pointer), and each citizen's
 * final-grant versions from their own partition, ten citizens at a time.
 */
export async function finalGrantHistories(
  deps: Deps,
  team: string | undefined,
): Promise<Map<string, FinalGrantVersion[]>> {
  const citizenIds = (await pointersOf(deps.table, team)).map((p) => p.citizenId);
  const result = new Map<string, FinalGrantVersion[]>();
  for (let i = 0; i < citizenIds.length; i += 10) {
    const batch = citizenIds.slice(i, i + 10);
    const histories = await Promise.all(
      batch.map((citizenId) => finalGrantHistory(deps.table, citizenId, { max: 10_000 })),
    );
    batch.forEach((citizenId, k) => {
      result.set(
        citizenId,
        (histories[k] ?? []).map((g) => ({
          finalGrantId: g.finalGrantId,
          citizenId: g.citizenId,
          team: g.team,
          approvedAt: g.approvedAt,
          supersededAt: g.supersededAt,
          lines: g.lines,
        })),
      );
    });
  }
  return result;
}

/** A team's reversions recorded in [fromUtc, toUtc). */
export async function teamReversions(deps: Deps, team: string, fromUtc: string, toUtc: string): Promise<Reversion[]> {
  return reversionsOfTeam(deps.table, team, fromUtc, toUtc);
}
