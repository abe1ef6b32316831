import { z } from '@hono/zod-openapi';
import { auditLog } from '#shared/audit/audit.ts';
import { visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import { citizenKeys, conversionKeys } from '#shared/table/keys.ts';
import { getItem, getItems, queryAll, queryPage, type Page } from '#shared/table/store.ts';
import { conversionFigures, conversionFiguresSchema, type ConversionFigures } from './figures.ts';
import { localDate } from './grants.ts';
import { dosePlanSeedSchema, screenVisitPlanEntrySchema } from './plan.ts';
import { conversionLineSchema } from './split.ts';

/**
 * The final grant: per benefit, how it is delivered (physical, screen visit, medication
 * technology) and how much, as approved by a lead. Each approval makes a new final grant that
 * supersedes the previous one; all of them stay as the history. A pointer item per citizen
 * names the current one; it sits in two indexes (all citizens, and per team) so jobs and
 * figures can list current final grants without a Scan.
 */
export const finalGrantSchema = z
  .object({
    finalGrantId: z.string(),
    citizenId: z.string(),
    team: z.string(),
    conversionId: z.string(),
    status: z.enum(['current', 'superseded']),
    lines: z.array(conversionLineSchema),
    screenVisitPlan: z.array(screenVisitPlanEntrySchema),
    dosePlan: dosePlanSeedSchema.nullable(),
    /** Why: the justification given with the proposal, and the approver's note if any. */
    reason: z.string(),
    approvalNote: z.string().optional(),
    proposedBy: z.string(),
    proposedAt: z.string(),
    approvedBy: z.string(),
    approvedAt: z.string(),
    supersedes: z.string().optional(),
    supersededBy: z.string().optional(),
    supersededAt: z.string().optional(),
    /** Set on a version made by reverting a technology line to physical delivery (not by a conversion). */
    revision: z
      .object({
        kind: z.literal('reversion'),
        reversionId: z.string(),
        grantId: z.string(),
        technology: z.enum(['screen_visit', 'medication_technology']),
        reasonCode: z.string(),
        reasonText: z.string().optional(),
      })
      .optional(),
  })
  .openapi('FinalGrant');
export type FinalGrant = z.infer<typeof finalGrantSchema>;

/** The current final grant of one citizen, as the visit and dispenser capabilities need it. */
export const currentFinalGrantSchema = z.object({
  citizenId: z.string(),
  team: z.string(),
  finalGrantId: z.string(),
  conversionId: z.string(),
  approvedAt: z.string(),
  lines: z.array(conversionLineSchema),
  screenVisitPlan: z.array(screenVisitPlanEntrySchema),
  dosePlan: dosePlanSeedSchema.nullable(),
  /** Bumped on every approval; approvals condition on it. */
  version: z.number().int(),
});
export type CurrentFinalGrant = z.infer<typeof currentFinalGrantSchema>;

export type FinalGrantItem = Omit<FinalGrant, 'status'> & { pk: string; sk: string; entity: 'FinalGrant' };
export type CurrentFinalGrantItem = CurrentFinalGrant & { pk: string; sk: string; entity: 'CurrentFinalGrant' };

const toCurrent = (item: CurrentFinalGrantItem): CurrentFinalGrant => currentFinalGrantSchema.parse(item);
const toFinalGrant = (item: FinalGrantItem): FinalGrant =>
  finalGrantSchema.parse({ ...item, status: item.supersededBy ? 'superseded' : 'current' });

/** The citizen's current final grant, or undefined. No audit: for jobs and other domain functions, which audit their own reads. */
export async function getCurrentFinalGrant(deps: Deps, citizenId: string): Promise<CurrentFinalGrant | undefined> {
  const item = await getItem<CurrentFinalGrantItem>(deps.table, conversionKeys.currentFinalGrant(citizenId), {
    consistent: true,
  });
  return item ? toCurrent(item) : undefined;
}

/** Every citizen's current final grant, a page at a time (gsi2, by citizen id). */
export async function listCurrentFinalGrants(
  deps: Deps,
  cursor?: string,
  limit = 100,
): Promise<Page<CurrentFinalGrant>> {
  const page = await queryPage<CurrentFinalGrantItem>(deps.table, {
    index: 'gsi2',
    partition: ['gsi2pk', conversionKeys.allCurrentFinalGrantsPartition],
    limit,
    cursor,
  });
  return { items: page.items.map(toCurrent), nextCursor: page.nextCursor };
}

export const finalGrantViewSchema = z
  .object({
    current: finalGrantSchema,
    /** Per-week figures of the current final grant (see shared/conversion/figures.ts). */
    figures: conversionFiguresSchema,
    /** Every final grant the citizen has had, newest first, the current one included. */
    history: z.array(finalGrantSchema),
  })
  .openapi('FinalGrantView');
export type FinalGrantView = z.infer<typeof finalGrantViewSchema>;

/** Final grants kept in the response's history; a citizen's grant is revised a few times a year. */
const HISTORY_MAX = 200;

/**
 * GET /citizens/{id}/final-grant: the current final grant, its figures and the history. Three
 * requests: one consistent BatchGetItem of the profile and the pointer, the history Query (sent
 * at the same time; nothing is returned before the visibility check), the audit Put.
 */
export async function readFinalGrant(deps: Deps, ctx: RequestContext, citizenId: string): Promise<FinalGrantView> {
  const [[profile, pointerItem], items] = await Promise.all([
    getItems(deps.table, [citizenKeys.profile(citizenId), conversionKeys.currentFinalGrant(citizenId)], {
      consistent: true,
    }),
    queryAll<FinalGrantItem>(
      deps.table,
      {
        partition: ['pk', conversionKeys.citizenPartition(citizenId)],
        sort: { attribute: 'sk', beginsWith: conversionKeys.finalGrantPrefix },
        newestFirst: true,
        consistent: true,
      },
      HISTORY_MAX,
    ),
  ]);
  visibleCitizenFrom(profile, ctx.actor);
  if (!pointerItem) throw new NotFoundError('A final grant for this citizen');
  const pointer = toCurrent(pointerItem as CurrentFinalGrantItem);
  const history = items.slice(0, HISTORY_MAX).map(toFinalGrant);
  const current = history.find((g) => g.finalGrantId === pointer.finalGrantId);
  if (!current) throw new NotFoundError('A final grant for this citizen');
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, {
    action: 'final-grant.read',
    resource: `citizens/${citizenId}/final-grant`,
    citizenId,
  });
  return {
    current,
    figures: conversionFigures(
      current.lines,
      deps.config.TRAVEL_MINUTES_PER_VISIT,
      localDate(ctx.now, deps.config.TIME_ZONE),
    ),
    history,
  };
}

export const teamConversionFiguresSchema = conversionFiguresSchema
  .extend({
    team: z.string(),
    /** The day the figures are for (benefits in force that day). */
    on: z.string(),
    /** Citizens of the team with a current final grant. */
    citizens: z.number().int(),
  })
  .openapi('TeamConversionFigures');
export type TeamConversionFigures = z.infer<typeof teamConversionFiguresSchema>;

/**
 * The team's figures over every current final grant (gsi3): share of granted occurrences per
 * week delivered digitally and staff minutes saved per week. Aggregates only, so no audit.
 */
export async function teamConversionFigures(deps: Deps, team: string, on?: string): Promise<TeamConversionFigures> {
  const day = on ?? localDate(deps.clock.now(), deps.config.TIME_ZONE);
  const items = await queryAll<CurrentFinalGrantItem>(
    deps.table,
    { index: 'gsi3', partition: ['gsi3pk', conversionKeys.teamCurrentFinalGrantsPartition(team)] },
    100_000,
  );
  const figures: ConversionFigures = conversionFigures(
    items.flatMap((i) => toCurrent(i).lines),
    deps.config.TRAVEL_MINUTES_PER_VISIT,
    day,
  );
  return { team, on: day, citizens: items.length, ...figures };
}
