import { ConflictError } from '#shared/platform/errors.ts';
import { citizenKeys } from '#shared/table/keys.ts';
import {
  getItem,
  NamedTransactionConflict,
  putNew,
  queryPage,
  transactNamed,
  updateParts,
  type NamedAction,
  type Page,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import type { Citizen } from './citizens.ts';
import { normaliseName } from './names.ts';

/**
 * Citizens and national-id claims in the table. A citizen's profile is `CITIZEN#<id>/PROFILE`,
 * findable by team and normalised name (gsi1); a national id is claimed once, under its peppered
 * hash (`NATIONALID#<hash>`), so a second registration fails the claim's condition.
 */
export type CitizenItem = Citizen & { pk: string; sk: string; entity: 'Citizen'; nationalIdHash: string };

/** The citizen as the API shows it: only the fields of `Citizen`, whatever else the profile item holds. */
export function citizenOf(item: CitizenItem): Citizen {
  return {
    citizenId: item.citizenId,
    team: item.team,
    name: { given: item.name.given, family: item.name.family },
    nationalIdMasked: item.nationalIdMasked,
    preferredLanguage: item.preferredLanguage,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
  };
}

/** The national id is already claimed by a citizen (under the current pepper or, in a rotation, the previous one). */
export class NationalIdTaken extends ConflictError {
  constructor() {
    super('A citizen with this national id is already registered.', 'national-id-registered');
  }
}

export async function findCitizen(table: Table, citizenId: string): Promise<CitizenItem | undefined> {
  return getItem<CitizenItem>(table, citizenKeys.profile(citizenId));
}

/** A page of a team's citizens by normalised `family given`, optionally only those starting with `prefix`. */
export async function queryCitizensByName(
  table: Table,
  team: string,
  prefix: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<CitizenItem>> {
  return queryPage<CitizenItem>(table, {
    index: 'gsi1',
    partition: ['gsi1pk', citizenKeys.teamPartition(team)],
    ...(prefix ? { sort: { attribute: 'gsi1sk', beginsWith: prefix } } : {}),
    limit: page.limit,
    cursor: page.cursor,
  });
}

/**
 * One transaction: the claim of the national id, the profile, and the audit record; during a
 * pepper rotation also the check that no claim sits under the previous pepper.
 * `NationalIdTaken` when either claim exists.
 */
export async function insertCitizen(
  table: Table,
  registration: { citizen: Citizen; nationalIdHash: string; previousHash?: string | undefined },
  audit: TransactItem,
): Promise<void> {
  const { citizen, nationalIdHash, previousHash } = registration;
  const actions: NamedAction[] = [
    { name: 'claim', action: claimPut(table, nationalIdHash, citizen) },
    {
      name: 'profile',
      action: putNew(table, {
        ...citizenKeys.profile(citizen.citizenId),
        ...citizenKeys.byTeamName(citizen.team, normaliseName(citizen.name), citizen.citizenId),
        entity: 'Citizen',
        ...citizen,
        nationalIdHash,
      }),
    },
    { name: 'audit', action: audit },
    ...(previousHash ? [{ name: 'previousClaim', action: claimAbsent(table, previousHash) }] : []),
  ];
  try {
    await transactNamed(table, actions);
  } catch (error) {
    if (error instanceof NamedTransactionConflict && (error.failedOn('claim') || error.failedOn('previousClaim')))
      throw new NationalIdTaken();
    throw error;
  }
}

export type NationalIdClaim = {
  readonly citizenId: string;
  readonly team: string;
};

export async function getNationalIdClaim(table: Table, hash: string): Promise<NationalIdClaim | undefined> {
  return getItem<NationalIdClaim>(table, citizenKeys.nationalId(hash), {
    consistent: true,
  });
}

/**
 * Moves a claim from the previous pepper's hash to the current one, with the profile's hash, in
 * one transaction with its audit record. `raced`: another lookup moved it at the same moment.
 */
export async function moveNationalIdClaim(
  table: Table,
  move: NationalIdClaim & { from: string; to: string },
  audit: TransactItem,
): Promise<'moved' | 'raced'> {
  const profile = updateParts({ set: { nationalIdHash: move.to } });
  try {
    await transactNamed(table, [
      { name: 'newClaim', action: claimPut(table, move.to, move) },
      {
        name: 'oldClaim',
        action: {
          Delete: {
            TableName: table.name,
            Key: citizenKeys.nationalId(move.from),
            ConditionExpression: 'citizenId = :citizenId',
            ExpressionAttributeValues: { ':citizenId': move.citizenId },
          },
        },
      },
      {
        name: 'profile',
        action: {
          Update: {
            TableName: table.name,
            Key: citizenKeys.profile(move.citizenId),
            ...profile,
            ConditionExpression: '#hash = :previous',
            ExpressionAttributeNames: { ...profile.ExpressionAttributeNames, '#hash': 'nationalIdHash' },
            ExpressionAttributeValues: { ...profile.ExpressionAttributeValues, ':previous': move.from },
          },
        },
      },
      { name: 'audit', action: audit },
    ]);
    return 'moved';
  } catch (error) {
    if (error instanceof NamedTransactionConflict) return 'raced';
    throw error;
  }
}

function claimPut(table: Table, hash: string, claim: NationalIdClaim): TransactItem {
  return putNew(table, {
    ...citizenKeys.nationalId(hash),
    entity: 'NationalIdClaim',
    citizenId: claim.citizenId,
    team: claim.team,
  });
}

function claimAbsent(table: Table, hash: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: citizenKeys.nationalId(hash),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
