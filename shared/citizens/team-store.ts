import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { teamKeys } from '#shared/table/keys.ts';
import { queryAll, type Table } from '#shared/table/store.ts';

/** The teams that have citizens: one small partition, `TEAMS`, one item per team. */
export async function putTeam(table: Table, team: string): Promise<void> {
  await table.db.send(
    new PutCommand({ TableName: table.name, Item: { ...teamKeys.team(team), entity: 'Team', team } }),
  );
}

export async function queryTeams(table: Table): Promise<string[]> {
  return (await queryAll(table, { partition: ['pk', teamKeys.partition], consistent: true })).map((item) =>
    String(item.team),
  );
}
