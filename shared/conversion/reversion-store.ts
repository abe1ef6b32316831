import { evaluationKeys } from '#shared/table/keys.ts';
import { putNew, queryAll, type NamedAction, type Table } from '#shared/table/store.ts';
import { reversionSchema, type Reversion } from './reversions.ts';

/**
 * The reversions repository: a reversion is kept with its citizen (`REVERSION#<at>#<id>`) and in
 * gsi1 per team by time, which the trial report's learning loop reads.
 */
export function putReversionAction(table: Table, reversion: Reversion): NamedAction {
  const { citizenId, team, at, reversionId } = reversion;
  return {
    name: 'reversion',
    action: putNew(table, {
      ...evaluationKeys.reversion(citizenId, at, reversionId),
      ...evaluationKeys.teamReversions(team, at, reversionId),
      entity: 'Reversion',
      ...reversion,
    }),
  };
}

/** A team's reversions recorded in [fromUtc, toUtc). */
export async function teamReversions(table: Table, team: string, fromUtc: string, toUtc: string): Promise<Reversion[]> {
  const items = await queryAll(
    table,
    {
      index: 'gsi1',
      partition: ['gsi1pk', evaluationKeys.teamReversionsPartition(team)],
      sort: { attribute: 'gsi1sk', between: [fromUtc, toUtc] },
    },
    100_000,
  );
  return items.map((i) => reversionSchema.parse(i)).filter((r) => r.at < toUtc);
}
