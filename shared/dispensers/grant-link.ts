import { conversionSchema } from '#shared/conversion/conversions.ts';
import { getCurrentFinalGrant } from '#shared/conversion/final-grants.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError } from '#shared/platform/errors.ts';
import { conversionKeys } from '#shared/table/keys.ts';
import { queryPage } from '#shared/table/store.ts';

/** How a dispenser trial is tied to the citizen's grant (see ./trial.ts). */
type Line = { grantId: string; medicationTechnology: number };

/** The grant a dispenser trial serves: the approved medication line, else a proposed one (newest first). */
export function medicationLineFor(
  current: { lines: readonly Line[] } | undefined,
  proposed: readonly { lines: readonly Line[] }[],
): { grantId: string; approved: boolean } | undefined {
  const approved = current?.lines.find((l) => l.medicationTechnology > 0);
  if (approved) return { grantId: approved.grantId, approved: true };
  for (const conversion of proposed) {
    const line = conversion.lines.find((l) => l.medicationTechnology > 0);
    if (line) return { grantId: line.grantId, approved: false };
  }
  return undefined;
}

/** The citizen's medication line, approved or proposed (the few newest proposals). */
export async function findMedicationLine(deps: Deps, citizenId: string) {
  const [current, proposals] = await Promise.all([
    getCurrentFinalGrant(deps, citizenId),
    queryPage(deps.table, {
      index: 'gsi1',
      partition: ['gsi1pk', conversionKeys.conversionsOfCitizenPartition(citizenId)],
      newestFirst: true,
      limit: 20,
    }),
  ]);
  const proposed = proposals.items.map((i) => conversionSchema.parse(i)).filter((c) => c.status === 'proposed');
  return medicationLineFor(current, proposed);
}

/**
 * Called when a dispenser is given to a citizen, so no dispenser is in use without the grant
 * knowing: on trial it needs a proposed or approved medication-technology line, active an
 * approved one (409 `no-medication-line`).
 */
export async function requireMedicationLineFor(
  deps: Deps,
  citizenId: string,
  status: 'trial' | 'active',
): Promise<void> {
  const line = await findMedicationLine(deps, citizenId);
  if (status === 'trial' && !line) {
    throw new ConflictError(
      'A dispenser goes on trial for a medication-technology line of the citizen’s grant: propose a conversion with medication technology first.',
      'no-medication-line',
    );
  }
  if (status === 'active' && !line?.approved) {
    throw new ConflictError(
      'An active dispenser delivers an approved medication-technology line of the citizen’s final grant: approve the conversion first, or put the dispenser on trial for a proposed one.',
      'no-medication-line',
    );
  }
}
