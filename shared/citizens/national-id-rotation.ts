import { auditLog, type SystemContext } from '#shared/audit/audit.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { citizenKeys } from '#shared/table/keys.ts';
import { getItem, putNew, transactWrite, TransactionConflict, type TransactItem } from '#shared/table/store.ts';
import { hashNationalId } from './national-id.ts';

/**
 * The national-id index under pepper rotation (docs/pepper-rotation.md). The claim of a national
 * id is keyed by HMAC(pepper, id). While the app secret holds both a new `nationalIdPepper` and the
 * `previousNationalIdPepper`, a lookup tries the new key and then the previous one, and a claim
 * found under the previous key is moved to the new one (claim and profile hash in one
 * transaction). The ids are not stored, so the claims nobody looks up are moved by
 * `npm run rekey:national-ids`, fed the ids from the municipality's register.
 */
export interface NationalIdKeys {
  readonly current: string;
  readonly previous?: string | undefined;
}

export async function nationalIdHashes(deps: Deps, digits: string): Promise<NationalIdKeys> {
  const secrets = await deps.secrets.get();
  return {
    current: hashNationalId(digits, secrets.nationalIdPepper),
    ...(secrets.previousNationalIdPepper ? { previous: hashNationalId(digits, secrets.previousNationalIdPepper) } : {}),
  };
}

/** During a rotation, the registration must also find the claim still under the previous pepper. */
export function notClaimedUnderPrevious(deps: Deps, keys: NationalIdKeys): TransactItem[] {
  if (!keys.previous) return [];
  return [
    {
      ConditionCheck: {
        TableName: deps.table.name,
        Key: citizenKeys.nationalId(keys.previous),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

export type RekeyOutcome = 'moved' | 'current' | 'unknown';

/**
 * The citizen a national id is claimed by, moving a claim found under the previous pepper to
 * the current one. `current`: it already was; `unknown`: no claim under either pepper.
 */
export async function findClaim(
  deps: Deps,
  ctx: RequestContext | SystemContext,
  keys: NationalIdKeys,
): Promise<{ citizenId?: string; outcome: RekeyOutcome }> {
  const claim = await getItem<{ citizenId: string }>(deps.table, citizenKeys.nationalId(keys.current), {
    consistent: true,
  });
  if (claim) return { citizenId: claim.citizenId, outcome: 'current' };
  if (!keys.previous) return { outcome: 'unknown' };
  const old = await getItem<{ citizenId: string; team: string }>(deps.table, citizenKeys.nationalId(keys.previous), {
    consistent: true,
  });
  if (!old) return { outcome: 'unknown' };
  try {
    await transactWrite(deps.table, [
      putNew(deps.table, {
        ...citizenKeys.nationalId(keys.current),
        entity: 'NationalIdClaim',
        citizenId: old.citizenId,
        team: old.team,
      }),
      {
        Delete: {
          TableName: deps.table.name,
          Key: citizenKeys.nationalId(keys.previous),
          ConditionExpression: 'citizenId = :citizenId',
          ExpressionAttributeValues: { ':citizenId': old.citizenId },
        },
      },
      {
        Update: {
          TableName: deps.table.name,
          Key: citizenKeys.profile(old.citizenId),
          UpdateExpression: 'SET nationalIdHash = :current',
          ConditionExpression: 'nationalIdHash = :previous',
          ExpressionAttributeValues: { ':current': keys.current, ':previous': keys.previous },
        },
      },
      // The system's maintenance, not the caller's act: the caller may be of another team than the citizen.
      auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(
        'system' in ctx ? ctx : { system: 'national-id-rotation', requestId: ctx.requestId, now: ctx.now },
        { action: 'citizen.rekey', resource: `citizens/${old.citizenId}`, citizenId: old.citizenId },
      ),
    ]);
  } catch (error) {
    // Another lookup moved it at the same moment: the claim is now under the current pepper.
    if (!(error instanceof TransactionConflict)) throw error;
  }
  return { citizenId: old.citizenId, outcome: 'moved' };
}

/** One national id of the register: moves its claim to the current pepper if it is still under the previous one. */
export async function rekeyNationalId(deps: Deps, ctx: SystemContext, digits: string): Promise<RekeyOutcome> {
  return (await findClaim(deps, ctx, await nationalIdHashes(deps, digits))).outcome;
}
