import * as z from '#shared/platform/zod.ts';
import { FINAL_GRANT_REVISED } from './event-names.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { idPattern, newId } from '#shared/platform/ids.ts';
import type { NamedAction, Table } from '#shared/table/store.ts';
import {
  commitRevision,
  FinalGrantChanged,
  getFinalGrant,
  profileAndPointer,
  putFinalGrantAction,
  putPointerAction,
  supersedeAction,
} from './final-grant-store.ts';
import { localDate } from './grants.ts';
import type { ConversionLine, CurrentFinalGrant, FinalGrant, FinalGrantRecord } from './model.ts';
import { finalGrantApprovedSchema, type FinalGrantApproved } from './plan.ts';
import { putReversionAction } from './reversion-store.ts';
import {
  reversionCodesSchema,
  revertedTechnologies,
  revertedTechnologySchema,
  textGivenForOther,
  type RevertedTechnology,
  type Reversion,
  type ReversionReasonCode,
} from './reversions.ts';
import { buildPlans } from './split.ts';

/**
 * Reverting a technology line to physical delivery: a screen-visit line back to physical visits,
 * or a dispenser trial that ended in a return. The reason comes from the fixed list
 * (./reversions.ts), so the trial report can count them. When the line is in the
 * current final grant, a new final-grant version is written in one transaction (the line's
 * technology occurrences become physical from today; the old version is superseded, the
 * pointer moves on), together with the reversion record and the audit; `FinalGrantRevised` is
 * published after the commit so visits and the dose plan follow, as after an approval.
 */
export const finalGrantRevisedSchema = finalGrantApprovedSchema.extend({
  reversion: z.object({
    reversionId: z.string(),
    grantId: z.string(),
    technology: revertedTechnologySchema,
    reasonCode: z.string(),
  }),
});
export type FinalGrantRevised = z.infer<typeof finalGrantRevisedSchema>;

export const technologies = revertedTechnologies;
export type { RevertedTechnology };

export const revertLineSchema = z
  .strictObject({
    grantId: z.string().max(30).regex(idPattern('grt'), 'must be a grant id'),
    technology: z.enum(['screen_visit']).openapi({
      description: 'Screen visits back to physical visits; a dispenser goes back through its trial decision',
    }),
    ...reversionCodesSchema.shape,
  })
  .refine(...textGivenForOther)
  .openapi('RevertLine');

/** The lines after moving one line's technology occurrences to physical, as a plain function. */
export function revertedLines(
  lines: readonly ConversionLine[],
  grantId: string,
  technology: RevertedTechnology,
): ConversionLine[] | undefined {
  const line = lines.find((l) => l.grantId === grantId);
  if (!line) return undefined;
  const moved = technology === 'screen_visit' ? line.screenVisit : line.medicationTechnology;
  if (moved === 0) return undefined;
  return lines.map((l) =>
    l.grantId !== grantId
      ? l
      : technology === 'screen_visit'
        ? { ...l, physical: l.physical + moved, screenVisit: 0, screenVisitTimes: [] }
        : { ...l, physical: l.physical + moved, medicationTechnology: 0, medicationTechnologyTimes: [] },
  );
}

export interface RevertInput {
  grantId: string;
  technology: RevertedTechnology;
  reasonCode: ReversionReasonCode;
  reasonText?: string | undefined;
  dispenserId?: string | undefined;
}

/**
 * Records a reversion; revises the current final grant when it delivers the line by that
 * technology. `requireLine`: 409 `nothing-to-revert` when it does not (the screen-visit route);
 * a returned dispenser trial whose line was only proposed records the reversion alone.
 */
export async function revertLine(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: RevertInput,
  requireLine: boolean,
): Promise<{ reversion: Reversion; finalGrant?: FinalGrant }> {
  const { profile, pointer } = await profileAndPointer(deps.table, citizenId, ctx.now);
  const citizen = visibleCitizenFrom(profile, ctx.actor);
  const lines = linesToRevert(pointer, input, requireLine);
  const previous = pointer && lines ? await getFinalGrant(deps.table, citizenId, pointer.finalGrantId) : undefined;
  if (lines && !previous) throw new NotFoundError('A final grant for this citizen');
  const reversionId = newId('rvs', ctx.now);
  const revising = pointer && lines && previous ? { pointer, lines, previous } : undefined;
  const { reversion, revised } = decideReversion({
    citizen,
    input,
    reversionId,
    revising: revising && { ...revising, finalGrantId: newId('fg', ctx.now) },
    today: localDate(ctx.now, deps.config.TIME_ZONE),
    by: ctx.actor.sub,
    at: ctx.now.toISOString(),
  });
  const audit = auditLogOf(deps).item(ctx, {
    action: 'final-grant.revert',
    resource: `citizens/${citizenId}/final-grant/reversions/${reversionId}`,
    citizenId,
  });
  await commitRevision(deps.table, [
    ...(revised && revising ? revisionActions(deps.table, revising.pointer, revised) : []),
    putReversionAction(deps.table, reversion),
    { name: 'audit', action: audit },
    // FinalGrantRevised commits with the revision (the outbox): its consumer replans the visits.
    ...(revised
      ? [{ name: 'event', action: outboxEvent(deps.table, domainEvent(FINAL_GRANT_REVISED, revised.detail, ctx.now)) }]
      : []),
  ]).catch((error: unknown) => {
    if (error instanceof FinalGrantChanged)
      throw new ConflictError(
        'The citizen’s final grant changed meanwhile; reload it and try again.',
        'final-grant-changed',
      );
    throw error;
  });
  return { reversion, ...(revised ? { finalGrant: revised.finalGrant } : {}) };
}

/** The current final grant's lines with the line reverted; 404 / 409 `nothing-to-revert` when `requireLine` and there is none. */
function linesToRevert(
  pointer: CurrentFinalGrant | undefined,
  input: Pick<RevertInput, 'grantId' | 'technology'>,
  requireLine: boolean,
): ConversionLine[] | undefined {
  const lines = pointer ? revertedLines(pointer.lines, input.grantId, input.technology) : undefined;
  if (!lines && requireLine) {
    if (!pointer) throw new NotFoundError('A final grant for this citizen');
    throw new ConflictError(
      `The current final grant does not deliver grant ${input.grantId} by ${input.technology.replace('_', ' ')}.`,
      'nothing-to-revert',
    );
  }
  return lines;
}

interface Revised {
  finalGrant: FinalGrant;
  record: FinalGrantRecord;
  detail: FinalGrantRevised;
}

/** The reversion record and, when the line is in the current final grant, the new version of it. */
export function decideReversion(facts: {
  citizen: { citizenId: string; team: string };
  input: RevertInput;
  reversionId: string;
  revising?: { previous: FinalGrant; lines: ConversionLine[]; finalGrantId: string } | undefined;
  today: string;
  by: string;
  at: string;
}): { reversion: Reversion; revised?: Revised } {
  const { citizen, input, reversionId, revising, at } = facts;
  const reversion: Reversion = {
    reversionId,
    citizenId: citizen.citizenId,
    team: citizen.team,
    grantId: input.grantId,
    technology: input.technology,
    reasonCode: input.reasonCode,
    ...(input.reasonText ? { reasonText: input.reasonText } : {}),
    ...(input.dispenserId ? { dispenserId: input.dispenserId } : {}),
    at,
    by: facts.by,
  };
  if (!revising) return { reversion };
  const revised = revisedFinalGrant({ ...facts, revising });
  reversion.finalGrantId = revising.finalGrantId;
  return { reversion, revised };
}

function revisedFinalGrant(facts: {
  citizen: { citizenId: string; team: string };
  input: RevertInput;
  reversionId: string;
  revising: { previous: FinalGrant; lines: ConversionLine[]; finalGrantId: string };
  today: string;
  by: string;
  at: string;
}): Revised {
  const { input, reversionId, at } = facts;
  const { previous, lines, finalGrantId } = facts.revising;
  const { screenVisitPlan, dosePlan } = buildPlans(lines, facts.today);
  const finalGrant: FinalGrant = {
    ...previous,
    finalGrantId,
    status: 'current',
    lines,
    screenVisitPlan,
    dosePlan,
    approvedBy: facts.by,
    approvedAt: at,
    supersedes: previous.finalGrantId,
    supersededBy: undefined,
    supersededAt: undefined,
    revision: {
      kind: 'reversion',
      reversionId,
      grantId: input.grantId,
      technology: input.technology,
      reasonCode: input.reasonCode,
      ...(input.reasonText ? { reasonText: input.reasonText } : {}),
    },
  };
  const { status: _s, supersededBy: _b, supersededAt: _a, ...record } = finalGrant;
  const detail = finalGrantRevisedSchema.parse({
    citizenId: facts.citizen.citizenId,
    team: facts.citizen.team,
    finalGrantId,
    conversionId: previous.conversionId,
    approvedAt: at,
    approvedBy: facts.by,
    supersedes: previous.finalGrantId,
    screenVisitPlan,
    dosePlan,
    reversion: { reversionId, grantId: input.grantId, technology: input.technology, reasonCode: input.reasonCode },
  });
  return { finalGrant, record, detail };
}

/** The pointer moves to the new version (conditioned on the version read), which is written; the old one is superseded. */
function revisionActions(table: Table, pointer: CurrentFinalGrant, revised: Revised): NamedAction[] {
  const { finalGrant } = revised;
  return [
    putPointerAction(
      table,
      {
        ...pointer,
        finalGrantId: finalGrant.finalGrantId,
        approvedAt: finalGrant.approvedAt,
        lines: finalGrant.lines,
        screenVisitPlan: finalGrant.screenVisitPlan,
        dosePlan: finalGrant.dosePlan,
        version: pointer.version + 1,
      },
      pointer.version,
    ),
    putFinalGrantAction(table, revised.record),
    supersedeAction(table, pointer.citizenId, pointer.finalGrantId, {
      finalGrantId: finalGrant.finalGrantId,
      at: finalGrant.approvedAt,
    }),
  ];
}

export type { FinalGrantApproved };
