import { z } from '@hono/zod-openapi';
import { auditLog } from '#shared/audit/audit.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { citizenKeys } from '#shared/table/keys.ts';
import { rememberTeam } from './teams.ts';
import { getItem, putNew, queryPage, transactWrite, TransactionConflict, type Page } from '#shared/table/store.ts';
import { normaliseName, normaliseNameQuery } from './names.ts';
import { maskNationalId, parseNationalId } from './national-id.ts';
import { findClaim, nationalIdHashes, notClaimedUnderPrevious } from './national-id-rotation.ts';

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

type CitizenItem = Citizen & { pk: string; sk: string; entity: 'Citizen'; nationalIdHash: string };

const toCitizen = (item: CitizenItem): Citizen => ({
  citizenId: item.citizenId,
  team: item.team,
  name: { given: item.name.given, family: item.name.family },
  nationalIdMasked: item.nationalIdMasked,
  preferredLanguage: item.preferredLanguage,
  createdAt: item.createdAt,
  createdBy: item.createdBy,
});

function requireNationalId(input: string, field: string): string {
  const parsed = parseNationalId(input);
  if (parsed.ok) return parsed.digits;
  const message =
    parsed.problem === 'shape'
      ? 'must be 10 digits, optionally DDMMYY-SSSS'
      : 'the first six digits must be a date (DDMMYY)';
  throw new ValidationError('The national id is not valid.', [{ field, message }]);
}

/** Registers a citizen in the caller's team. A second registration of one national id is a 409. */
export async function registerCitizen(deps: Deps, ctx: RequestContext, input: RegisterCitizen): Promise<Citizen> {
  const digits = requireNationalId(input.nationalId, 'body/nationalId');
  const hashes = await nationalIdHashes(deps, digits);
  const nationalIdHash = hashes.current;
  const citizenId = newId('cit', ctx.now);
  const citizen: Citizen = {
    citizenId,
    team: ctx.actor.team,
    name: { given: input.name.given, family: input.name.family },
    nationalIdMasked: maskNationalId(digits),
    preferredLanguage: input.preferredLanguage,
    createdAt: ctx.now.toISOString(),
    createdBy: ctx.actor.sub,
  };
  const audit = auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS);
  try {
    await transactWrite(deps.table, [
      putNew(deps.table, {
        ...citizenKeys.nationalId(nationalIdHash),
        entity: 'NationalIdClaim',
        citizenId,
        team: citizen.team,
      }),
      putNew(deps.table, {
        ...citizenKeys.profile(citizenId),
        ...citizenKeys.byTeamName(citizen.team, normaliseName(citizen.name), citizenId),
        entity: 'Citizen',
        ...citizen,
        nationalIdHash,
      }),
      audit.item(ctx, { action: 'citizen.create', resource: `citizens/${citizenId}`, citizenId }),
      ...notClaimedUnderPrevious(deps, hashes),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict && (error.firstFailed() === 0 || error.firstFailed() === 3)) {
      throw new ConflictError('A citizen with this national id is already registered.', 'national-id-registered');
    }
    throw error;
  }
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
  const item = await getItem<CitizenItem>(deps.table, citizenKeys.profile(citizenId));
  if (!item || !canSee(actor, item)) throw new NotFoundError('The citizen');
  return toCitizen(item);
}

/**
 * The same check as `requireVisibleCitizen` on a citizen item the caller already loaded (e.g. in
 * one BatchGetItem with other items, key `citizenKeys.profile`): NotFoundError when absent or not visible.
 */
export function visibleCitizenFrom(item: Record<string, unknown> | undefined, actor: Actor): Citizen {
  const citizen = item as CitizenItem | undefined;
  if (!citizen || !canSee(actor, citizen)) throw new NotFoundError('The citizen');
  return toCitizen(citizen);
}

/** GET /citizens/{id}: the citizen, audited as a read. */
export async function readCitizen(deps: Deps, ctx: RequestContext, citizenId: string): Promise<Citizen> {
  const citizen = await requireVisibleCitizen(deps, ctx.actor, citizenId);
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, {
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

/**
 * Finds citizens of the caller's team: by national id (one GetItem on the hashed claim), by a
 * prefix of the normalised `family given` name (a Query on gsi1), or all of them by name.
 * Every citizen returned is audited as read.
 */
export async function searchCitizens(deps: Deps, ctx: RequestContext, search: CitizenSearch): Promise<Page<Citizen>> {
  let page: Page<Citizen>;
  if (search.nationalId !== undefined) {
    if (search.name !== undefined) {
      throw new ValidationError('Search by national id or by name, not both.', [
        { field: 'query/name', message: 'not allowed together with nationalId' },
      ]);
    }
    const digits = requireNationalId(search.nationalId, 'query/nationalId');
    const claim = await findClaim(deps, ctx, await nationalIdHashes(deps, digits));
    const item = claim.citizenId
      ? await getItem<CitizenItem>(deps.table, citizenKeys.profile(claim.citizenId))
      : undefined;
    // A citizen of another team is simply not found, as in every other read.
    page = { items: item && canSee(ctx.actor, item) ? [toCitizen(item)] : [] };
  } else {
    const prefix = search.name === undefined ? '' : normaliseNameQuery(search.name);
    if (search.name !== undefined && prefix === '') {
      throw new ValidationError('The name to search for has no letters.', [
        { field: 'query/name', message: 'must contain a letter or digit' },
      ]);
    }
    const result = await queryPage<CitizenItem>(deps.table, {
      index: 'gsi1',
      partition: ['gsi1pk', citizenKeys.teamPartition(ctx.actor.team)],
      ...(prefix ? { sort: { attribute: 'gsi1sk', beginsWith: prefix } } : {}),
      limit: search.limit,
      cursor: search.cursor,
    });
    page = { items: result.items.map(toCitizen), nextCursor: result.nextCursor };
  }
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(
    ctx,
    ...page.items.map((c) => ({
      action: 'citizen.search' as const,
      resource: `citizens/${c.citizenId}`,
      citizenId: c.citizenId,
    })),
  );
  return page;
}
