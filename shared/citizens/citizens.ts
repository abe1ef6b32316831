import * as z from '#shared/platform/zod.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import type { Page } from '#shared/table/store.ts';
import { citizenOf, findCitizen, insertCitizen, queryCitizensByName, type CitizenItem } from './citizen-store.ts';
import { normaliseNameQuery } from './names.ts';
import { maskNationalId, parseNationalId } from './national-id.ts';
import { findClaim, nationalIdHashes } from './national-id-rotation.ts';
import { rememberTeam } from './teams.ts';

/**
 * A citizen of the E-team: only what the workflow needs. The national id is kept as a peppered
 * hash (uniqueness and lookup) and a masked form for people; it is never stored in clear.
 */
export const personNameSchema = z.strictObject({
  given: z.string().trim().min(1).max(100),
  family: z.string().trim().min(1).max(100),
});

export const languageSchema = z.enum(['da', 'en']);
export type Language = z.infer<typeof languageSchema>;

export const citizenSchema = z.object({
  citizenId: z.string(),
  team: z.string(),
  name: z.object({ given: z.string(), family: z.string() }),
  /** `DDMMYY-XXXX`: the birth-date part only. */
  nationalIdMasked: z.string(),
  /** The language the citizen is spoken to in (questionnaire, tablet). */
  preferredLanguage: languageSchema,
  createdAt: z.string(),
  createdBy: z.string(),
});
export type Citizen = z.infer<typeof citizenSchema>;

export const registerCitizenSchema = z.strictObject({
  nationalId: z.string().max(20),
  name: personNameSchema,
  preferredLanguage: languageSchema.default('da'),
});
export type RegisterCitizen = z.infer<typeof registerCitizenSchema>;

function requireNationalId(input: string, field: string): string {
  const parsed = parseNationalId(input);
  if (parsed.ok) return parsed.digits;
  const message =
    parsed.problem === 'shape'
      ? 'must be 10 digits, optionally DDMMYY-SSSS'
      : 'the first six digits must be a date (DDMMYY)';
  throw new ValidationError('The national id is not valid.', [{ field, message }]);
}

/** The citizen a registration creates: in the caller's team, the national id only masked. */
export function newCitizen(
  input: RegisterCitizen,
  digits: string,
  made: { citizenId: string; team: string; by: string; at: Date },
): Citizen {
  return {
    citizenId: made.citizenId,
    team: made.team,
    name: { given: input.name.given, family: input.name.family },
    nationalIdMasked: maskNationalId(digits),
    preferredLanguage: input.preferredLanguage,
    createdAt: made.at.toISOString(),
    createdBy: made.by,
  };
}

/** Registers a citizen in the caller's team. A second registration of one national id is a 409. */
export async function registerCitizen(deps: Deps, ctx: RequestContext, input: RegisterCitizen): Promise<Citizen> {
  const digits = requireNationalId(input.nationalId, 'body/nationalId');
  const hashes = await nationalIdHashes(deps, digits);
  const citizenId = newId('cit', ctx.now);
  const citizen = newCitizen(input, digits, { citizenId, team: ctx.actor.team, by: ctx.actor.sub, at: ctx.now });
  const audit = auditLogOf(deps).item(ctx, { action: 'citizen.create', resource: `citizens/${citizenId}`, citizenId });
  await insertCitizen(deps.table, { citizen, nationalIdHash: hashes.current, previousHash: hashes.previous }, audit);
  await rememberTeam(deps, citizen.team);
  return citizen;
}

/** May this caller see this citizen? Same team for care roles; a citizen's token only itself. */
export function canSee(actor: Actor, citizen: Pick<Citizen, 'citizenId' | 'team'>): boolean {
  if (hasRole(actor, 'citizen') && actor.sub === citizen.citizenId) return true;
  return hasRole(actor, 'assessor', 'staff', 'lead', 'admin') && actor.team === citizen.team;
}

/**
 * Loads a citizen the caller may see (same team; a citizen token only itself); NotFoundError
 * otherwise, exactly as for an unknown id. Does not audit: the caller audits what it reads.
 */
export async function requireVisibleCitizen(deps: Deps, actor: Actor, citizenId: string): Promise<Citizen> {
  const item = await findCitizen(deps.table, citizenId);
  if (!item || !canSee(actor, item)) throw new NotFoundError('The citizen');
  return citizenOf(item);
}

/**
 * The same check as `requireVisibleCitizen` on a citizen item the caller already loaded (e.g. in
 * one BatchGetItem with other items, key `citizenKeys.profile`): NotFoundError when absent or not visible.
 */
export function visibleCitizenFrom(item: Record<string, unknown> | undefined, actor: Actor): Citizen {
  const citizen = item as CitizenItem | undefined;
  if (!citizen || !canSee(actor, citizen)) throw new NotFoundError('The citizen');
  return citizenOf(citizen);
}

/** GET /citizens/{id}: the citizen, audited as a read. */
export async function readCitizen(deps: Deps, ctx: RequestContext, citizenId: string): Promise<Citizen> {
  const citizen = await requireVisibleCitizen(deps, ctx.actor, citizenId);
  await auditLogOf(deps).recordRead(ctx, {
    action: 'citizen.read',
    resource: `citizens/${citizenId}`,
    citizenId,
  });
  return citizen;
}

export interface CitizenSearch {
  nationalId?: string | undefined;
  name?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export type SearchPlan = { by: 'nationalId'; digits: string } | { by: 'name'; prefix: string };

/** How a search is answered: by the national id's claim, or by a name prefix ('' lists the team). */
export function searchPlanOf(search: Pick<CitizenSearch, 'nationalId' | 'name'>): SearchPlan {
  if (search.nationalId !== undefined) {
    if (search.name !== undefined) {
      throw new ValidationError('Search by national id or by name, not both.', [
        { field: 'query/name', message: 'not allowed together with nationalId' },
      ]);
    }
    return { by: 'nationalId', digits: requireNationalId(search.nationalId, 'query/nationalId') };
  }
  const prefix = search.name === undefined ? '' : normaliseNameQuery(search.name);
  if (search.name !== undefined && prefix === '') {
    throw new ValidationError('The name to search for has no letters.', [
      { field: 'query/name', message: 'must contain a letter or digit' },
    ]);
  }
  return { by: 'name', prefix };
}

/**
 * Finds citizens of the caller's team: by national id (one GetItem on the hashed claim), by a
 * prefix of the normalised `family given` name (a Query on gsi1), or all of them by name.
 * Every citizen returned is audited as read.
 */
export async function searchCitizens(deps: Deps, ctx: RequestContext, search: CitizenSearch): Promise<Page<Citizen>> {
  const plan = searchPlanOf(search);
  const page =
    plan.by === 'nationalId'
      ? await byNationalId(deps, ctx, plan.digits)
      : await byName(deps, ctx, plan.prefix, search);
  await auditLogOf(deps).recordRead(
    ctx,
    ...page.items.map((c) => ({
      action: 'citizen.search' as const,
      resource: `citizens/${c.citizenId}`,
      citizenId: c.citizenId,
    })),
  );
  return page;
}

async function byNationalId(deps: Deps, ctx: RequestContext, digits: string): Promise<Page<Citizen>> {
  const claim = await findClaim(deps, ctx, await nationalIdHashes(deps, digits));
  const item = claim.citizenId ? await findCitizen(deps.table, claim.citizenId) : undefined;
  // A citizen of another team is simply not found, as in every other read.
  return { items: item && canSee(ctx.actor, item) ? [citizenOf(item)] : [] };
}

async function byName(
  deps: Deps,
  ctx: RequestContext,
  prefix: string,
  page: Pick<CitizenSearch, 'limit' | 'cursor'>,
): Promise<Page<Citizen>> {
  const result = await queryCitizensByName(deps.table, ctx.actor.team, prefix, page);
  return { items: result.items.map(citizenOf), nextCursor: result.nextCursor };
}
