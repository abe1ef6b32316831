import { finalGrantSchema } from '#shared/conversion/final-grants.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { conversionKeys, evaluationKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import type { FinalGrantVersion } from './period-figures.ts';
import { reversionSchema, type Reversion } from '#shared/conversion/reversions.ts';

/**
 * The history a period-true report reads, without a Scan: the citizens of a team with a final
 * grant come from the current-final-grant pointers (gsi3 per team, gsi2 for the municipality;
 * a citizen who ever had a final grant keeps a pointer), and each citizen's final-grant versions
 * from their own partition, ten citizens at a time.
 */
export async function finalGrantHistories(
  deps: Deps,
  pointers: { index: 'gsi2' | 'gsi3'; partition: string },
): Promise<Map<string, FinalGrantVersion[]>> {
  const attribute = pointers.index === 'gsi2' ? 'gsi2pk' : 'gsi3pk';
  const items = await queryAll(
    deps.table,
    { index: pointers.index, partition: [attribute, pointers.partition] },
    100_000,
  );
  const citizenIds = items.map((i) => String(i.citizenId));
  const result = new Map<string, FinalGrantVersion[]>();
  for (let i = 0; i < citizenIds.length; i += 10) {
    const batch = citizenIds.slice(i, i + 10);
    const histories = await Promise.all(
      batch.map((citizenId) =>
        queryAll(
          deps.table,
          {
            partition: ['pk', conversionKeys.citizenPartition(citizenId)],
            sort: { attribute: 'sk', beginsWith: conversionKeys.finalGrantPrefix },
          },
          10_000,
        ),
      ),
    );
    batch.forEach((citizenId, k) => {
      result.set(
        citizenId,
        (histories[k] ?? []).map((item) => {
          const g = finalGrantSchema.parse({ ...item, status: item.supersededBy ? 'superseded' : 'current' });
          return {
            finalGrantId: g.finalGrantId,
            citizenId: g.citizenId,
            team: g.team,
            approvedAt: g.approvedAt,
            supersededAt: g.supersededAt,
            lines: g.lines,
          };
        }),
      );
    });
  }
  return result;
}

/** A team's reversions recorded in [fromUtc, toUtc). */
export async function teamReversions(deps: Deps, team: string, fromUtc: string, toUtc: string): Promise<Reversion[]> {
  const items = await queryAll(
    deps.table,
    {
      index: 'gsi1',
      partition: ['gsi1pk', evaluationKeys.teamReversionsPartition(team)],
      sort: { attribute: 'gsi1sk', between: [fromUtc, toUtc] },
    },
    100_000,
  );
  return items.map((i) => reversionSchema.parse(i)).filter((r) => r.at < toUtc);
}
