import type { TechnologyDecisions } from '#shared/assessment/model.ts';
import { ConflictError } from '#shared/platform/errors.ts';
import type { ConversionLine } from './split.ts';

/**
 * A line moves occurrences to a technology only when the citizen's latest assessment found them
 * ready (or ready with support) for that technology: screen visits need screen readiness, dispensed
 * doses need medication-technology readiness. Lines kept physical need neither. 409
 * `not-ready-for-technology`, naming each grant and technology at fault.
 */
export function requireTechnologyReadiness(
  lines: readonly Pick<ConversionLine, 'grantId' | 'service' | 'screenVisit' | 'medicationTechnology'>[],
  readiness: TechnologyDecisions,
): void {
  const faults: string[] = [];
  for (const line of lines) {
    if (line.screenVisit > 0 && readiness.screen === 'not_ready')
      faults.push(
        `grant ${line.grantId} (${line.service}) by screen visit: the citizen is not ready for screen visits`,
      );
    if (line.medicationTechnology > 0 && readiness.medicationTechnology === 'not_ready') {
      faults.push(
        `grant ${line.grantId} (${line.service}) by medication technology: the citizen is not ready for medication technology`,
      );
    }
  }
  if (faults.length > 0)
    throw new ConflictError(
      `The latest assessment does not allow this split: ${faults.join('; ')}.`,
      'not-ready-for-technology',
    );
}
