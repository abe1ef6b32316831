import { technologyDecisionsOf, type AssessmentSummary } from '#shared/assessment/model.ts';
import { ConflictError } from '#shared/platform/errors.ts';
import { isActiveGrant } from './grants.ts';
import type { Conversion, CurrentFinalGrant, FinalGrantRecord, Grant } from './model.ts';
import { finalGrantApprovedSchema, type FinalGrantApproved } from './plan.ts';
import { buildPlans, checkProposal, type Split } from './split.ts';
import { requireTechnologyReadiness } from './technology-readiness.ts';

/**
 * The rules of proposing and approving a conversion, as plain functions over what was read: they
 * decide, or throw the 409 the API answers, and never touch the table.
 */

/** The latest assessment, if it allows a conversion at all: 409 `no-assessment` / `not-ready` otherwise. */
export function requireReady(latest: AssessmentSummary | undefined): AssessmentSummary {
  if (!latest)
    throw new ConflictError(
      'The citizen has no readiness assessment yet; an assessor must assess first.',
      'no-assessment',
    );
  if (latest.decision === 'not_ready') {
    throw new ConflictError(
      `The citizen’s latest assessment (${latest.assessmentId}) is not_ready, so no benefit can be converted.`,
      'not-ready',
    );
  }
  return latest;
}

export const grantsChanged = () =>
  new ConflictError(
    'The citizen’s grants were recorded or ended since this conversion was proposed; propose again from the current grants.',
    'grants-changed',
  );

export interface ProposalFacts {
  conversionId: string;
  citizen: { citizenId: string; team: string };
  grants: readonly Grant[];
  grantsVersion: number;
  latest: AssessmentSummary | undefined;
  /** The current final grant the proposal revises, if any. */
  base: Pick<CurrentFinalGrant, 'finalGrantId' | 'version'> | undefined;
  splits: readonly Split[];
  reason: string;
  today: string;
  by: string;
  at: string;
}

/** A proposal from what was read: readiness, the split against the grants, readiness per technology. */
export function decideProposal(facts: ProposalFacts): Conversion {
  const assessment = requireReady(facts.latest);
  const lines = checkProposal(facts.grants, facts.splits, facts.today);
  requireTechnologyReadiness(lines, technologyDecisionsOf(assessment));
  return {
    conversionId: facts.conversionId,
    citizenId: facts.citizen.citizenId,
    team: facts.citizen.team,
    status: 'proposed',
    lines,
    reason: facts.reason,
    assessmentId: assessment.assessmentId,
    ...(facts.base ? { basedOnFinalGrantId: facts.base.finalGrantId } : {}),
    basedOnVersion: facts.base?.version ?? 0,
    basedOnGrantsVersion: facts.grantsVersion,
    proposedBy: facts.by,
    proposedAt: facts.at,
  };
}

/**
 * Whether a proposal can be approved on what was read: still proposed, the latest assessment
 * ready (also per technology), every grant in force covered, and no grant recorded or ended
 * since the proposal (the profile's grants version; the transaction's condition on the same
 * counter closes the gap between this read and the write).
 */
export function checkApproval(facts: {
  conversion: Conversion;
  grants: readonly Grant[];
  grantsVersion: number;
  latest: AssessmentSummary | undefined;
  today: string;
}): void {
  const { conversion } = facts;
  if (conversion.status !== 'proposed') {
    throw new ConflictError(`The conversion is already ${conversion.status}.`, 'not-proposed');
  }
  const assessment = requireReady(facts.latest);
  requireTechnologyReadiness(conversion.lines, technologyDecisionsOf(assessment));
  const covered = new Set(conversion.lines.map((l) => l.grantId));
  const uncovered = facts.grants.filter((g) => isActiveGrant(g, facts.today) && !covered.has(g.grantId));
  if (uncovered.length > 0) {
    throw new ConflictError(
      `Grants were recorded after this proposal (${uncovered.map((g) => g.grantId).join(', ')}); propose again.`,
      'grants-changed',
    );
  }
  if (conversion.basedOnGrantsVersion !== undefined && conversion.basedOnGrantsVersion !== facts.grantsVersion) {
    throw grantsChanged();
  }
}

export interface ApprovalFacts {
  conversion: Conversion;
  citizen: { citizenId: string; team: string };
  finalGrantId: string;
  note?: string | undefined;
  today: string;
  by: string;
  at: string;
}

/**
 * What an approval writes: the new final grant (revising the one the proposal was based on), the
 * pointer's next version, and the FinalGrantApproved event.
 */
export function buildApproval(facts: ApprovalFacts): {
  finalGrant: FinalGrantRecord;
  pointer: CurrentFinalGrant;
  detail: FinalGrantApproved;
} {
  const { conversion, citizen, finalGrantId, at } = facts;
  // The final grant this proposal revises; the pointer's condition proves it is still current.
  const supersedes =
    conversion.basedOnFinalGrantId !== undefined && conversion.basedOnVersion > 0
      ? conversion.basedOnFinalGrantId
      : undefined;
  const { screenVisitPlan, dosePlan } = buildPlans(conversion.lines, facts.today);
  const finalGrant: FinalGrantRecord = {
    finalGrantId,
    citizenId: citizen.citizenId,
    team: citizen.team,
    conversionId: conversion.conversionId,
    lines: conversion.lines,
    screenVisitPlan,
    dosePlan,
    reason: conversion.reason,
    ...(facts.note ? { approvalNote: facts.note } : {}),
    proposedBy: conversion.proposedBy,
    proposedAt: conversion.proposedAt,
    approvedBy: facts.by,
    approvedAt: at,
    ...(supersedes ? { supersedes } : {}),
  };
  const pointer: CurrentFinalGrant = {
    citizenId: citizen.citizenId,
    team: citizen.team,
    finalGrantId,
    conversionId: conversion.conversionId,
    approvedAt: at,
    lines: conversion.lines,
    screenVisitPlan,
    dosePlan,
    version: conversion.basedOnVersion + 1,
  };
  const detail = finalGrantApprovedSchema.parse({
    citizenId: citizen.citizenId,
    team: citizen.team,
    finalGrantId,
    conversionId: conversion.conversionId,
    approvedAt: at,
    approvedBy: facts.by,
    ...(supersedes ? { supersedes } : {}),
    screenVisitPlan,
    dosePlan,
  });
  return { finalGrant, pointer, detail };
}
