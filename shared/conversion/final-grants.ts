import * as z from '#shared/platform/zod.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import type { Page } from '#shared/table/store.ts';
import { conversionFigures, conversionFiguresSchema, type ConversionFigures } from './figures.ts';
import { finalGrantHistory, getPointer, pointersOf, pointersPage, profileAndPointer } from './final-grant-store.ts';
import { localDate } from './grants.ts';
import { finalGrantSchema, type CurrentFinalGrant } from './model.ts';

export {
  currentFinalGrantSchema,
  finalGrantSchema,
  type CurrentFinalGrant,
  type FinalGrant,
  type FinalGrantRecord,
} from './model.ts';
export type { CurrentFinalGrantItem, FinalGrantItem } from './final-grant-store.ts';

/**
 * The final grant: per benefit, how it is delivered (physical, screen visit, medication
 * technology) and how much, as approved by a lead. Each approval makes a new final grant that
 * supersedes the previous one; all of them stay as the history (./final-grant-store.ts).
 */

/** The citizen's current final grant, or undefined. No audit: for jobs and other domain functions, which audit their own reads. */
export async function getCurrentFinalGrant(deps: Deps, citizenId: string): Promise<CurrentFinalGrant | undefined> {
  return getPointer(deps.table, citizenId);
}

/** Every citizen's current final grant, a page at a time (gsi2, by citizen id). */
export async function listCurrentFinalGrants(
  deps: Deps,
  cursor?: string,
  limit = 100,
): Promise<Page<CurrentFinalGrant>> {
  return pointersPage(deps.table, cursor, limit);
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
  const [{ profile, pointer }, history] = await Promise.all([
    profileAndPointer(deps.table, citizenId),
    finalGrantHistory(deps.table, citizenId, { newestFirst: true, consistent: true, max: HISTORY_MAX }),
  ]);
  visibleCitizenFrom(profile, ctx.actor);
  if (!pointer) throw new NotFoundError('A final grant for this citizen');
  const current = history.find((g) => g.finalGrantId === pointer.finalGrantId);
  if (!current) throw new NotFoundError('A final grant for this citizen');
  await auditLogOf(deps).recordRead(ctx, {
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
  const pointers = await pointersOf(deps.table, team);
  const figures: ConversionFigures = conversionFigures(
    pointers.flatMap((p) => p.lines),
    deps.config.TRAVEL_MINUTES_PER_VISIT,
    day,
  );
  return { team, on: day, citizens: pointers.length, ...figures };
}
