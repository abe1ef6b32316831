import { auditLogOf, type SystemContext } from '#shared/audit/audit.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { AppSecrets } from '#shared/platform/secrets.ts';
import { getNationalIdClaim, moveNationalIdClaim, type NationalIdClaim } from './citizen-store.ts';
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

/** The keys a national id is claimed under: the current pepper's, and the previous one's while a rotation runs. */
export function nationalIdKeysOf(
  digits: string,
  secrets: Pick<AppSecrets, 'nationalIdPepper' | 'previousNationalIdPepper'>,
): NationalIdKeys {
  return {
    current: hashNationalId(digits, secrets.nationalIdPepper),
    ...(secrets.previousNationalIdPepper ? { previous: hashNationalId(digits, secrets.previousNationalIdPepper) } : {}),
  };
}

export async function nationalIdHashes(deps: Deps, digits: string): Promise<NationalIdKeys> {
  return nationalIdKeysOf(digits, await deps.secrets.get());
}

export type RekeyOutcome = 'moved' | 'current' | 'unknown';

export type ClaimDecision =
  | { outcome: 'current'; citizenId: string }
  | { outcome: 'unknown' }
  | { outcome: 'moved'; citizenId: string; move: NationalIdClaim & { from: string; to: string } };

/** Where a national id's claim stands, from the claims found under the current and the previous key. */
export function decideClaim(
  keys: NationalIdKeys,
  underCurrent: NationalIdClaim | undefined,
  underPrevious: NationalIdClaim | undefined,
): ClaimDecision {
  if (underCurrent) return { outcome: 'current', citizenId: underCurrent.citizenId };
  if (!keys.previous || !underPrevious) return { outcome: 'unknown' };
  const { citizenId, team } = underPrevious;
  return { outcome: 'moved', citizenId, move: { citizenId, team, from: keys.previous, to: keys.current } };
}

/**
 * The citizen a national id is claimed by, moving a claim found under the previous pepper to
 * the current one. `current`: it already was; `unknown`: no claim under either pepper.
 */
export async function findClaim(
  deps: Deps,
  ctx: RequestContext | SystemContext,
  keys: NationalIdKeys,
): Promise<{ citizenId?: string; outcome: RekeyOutcome }> {
  const underCurrent = await getNationalIdClaim(deps.table, keys.current);
  const underPrevious =
    !underCurrent && keys.previous ? await getNationalIdClaim(deps.table, keys.previous) : undefined;
  const decision = decideClaim(keys, underCurrent, underPrevious);
  if (decision.outcome === 'unknown') return { outcome: 'unknown' };
  if (decision.outcome === 'moved') {
    // The system's maintenance, not the caller's act: the caller may be of another team than the citizen.
    const by = 'system' in ctx ? ctx : { system: 'national-id-rotation', requestId: ctx.requestId, now: ctx.now };
    const audit = auditLogOf(deps).item(by, {
      action: 'citizen.rekey',
      resource: `citizens/${decision.citizenId}`,
      citizenId: decision.citizenId,
    });
    // 'raced': another lookup moved it at the same moment, and the claim is under the current pepper all the same.
    await moveNationalIdClaim(deps.table, decision.move, audit);
  }
  return { citizenId: decision.citizenId, outcome: decision.outcome };
}

/** One national id of the register: moves its claim to the current pepper if it is still under the previous one. */
export async function rekeyNationalId(deps: Deps, ctx: SystemContext, digits: string): Promise<RekeyOutcome> {
  return (await findClaim(deps, ctx, await nationalIdHashes(deps, digits))).outcome;
}
