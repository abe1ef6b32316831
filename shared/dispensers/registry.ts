import { DateTime } from 'luxon';
import { auditLogOf } from '#shared/audit/audit.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import { requireVisibleCitizen, visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import { resolveAlertByDedupKey } from '#shared/alerts/alerts.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { citizenKeys } from '#shared/table/keys.ts';
import type { Item, Page, TransactItem } from '#shared/table/store.ts';
import { newCredential } from './credential.ts';
import {
  dispenserPeriodSchema,
  type AssignDispenser,
  type Dispenser,
  type DispenserPeriod,
  type DispenserStatus,
  type RegisterDispenser,
} from './model.ts';
import { localDate } from './schedule.ts';
import { KEPT_PERIODS, type AttributionPeriod, type CurrentAssignment, type DispenserItem } from './store.ts';
import { planRuleOf, type DosePlanItem } from './dose-plan.ts';
import { requireMedicationLineFor } from './grant-link.ts';
import {
  assignedIndex,
  CitizenHasDispenser,
  DispenserChanged,
  insertDispenser,
  loadDispenserItem,
  type NewDispenser,
  pageCitizenPeriods,
  pageDispenserPeriods,
  pageTeamDispensers,
  readAssignment,
  replaceCredential,
  SerialTaken,
  trialIndex,
  writeAssignment,
  writeTakeBack,
  writeUnassignedStatus,
} from './registry-store.ts';

/**
 * The dispenser registry: register (the credential is shown once), list, assign to one citizen at
 * a time, take back, and keep the history of who had which dispenser in which status and when.
 * The monthly report counts the history, so every status change closes one period and opens
 * the next in the same transaction.
 */

export function toDispenser(item: DispenserItem): Dispenser {
  return {
    dispenserId: item.dispenserId,
    team: item.team,
    vendor: item.vendor,
    model: item.model,
    serial: item.serial,
    status: item.status,
    ...(item.trialEndsOn ? { trialEndsOn: item.trialEndsOn } : {}),
    ...(item.assignment ? { citizenId: item.assignment.citizenId, assignedAt: item.assignment.assignedAt } : {}),
    ...(item.lastContactAt ? { lastContactAt: item.lastContactAt } : {}),
    registeredAt: item.registeredAt,
    credentialIssuedAt: item.credentialIssuedAt,
  };
}

export async function registerDispenser(
  deps: Deps,
  ctx: RequestContext,
  input: RegisterDispenser,
): Promise<{ dispenser: Dispenser; credential: string }> {
  const dispenserId = newId('dsp', ctx.now);
  const { credential, hash } = newCredential(dispenserId);
  const at = ctx.now.toISOString();
  const fields: NewDispenser = {
    dispenserId,
    team: ctx.actor.team,
    vendor: input.vendor,
    model: input.model,
    serial: input.serial,
    status: 'in_stock',
    registeredAt: at,
    registeredBy: ctx.actor.sub,
    credentialHash: hash,
    credentialIssuedAt: at,
    periods: [],
    version: 1,
  };
  let item: DispenserItem;
  try {
    item = await insertDispenser(deps.table, fields);
  } catch (error) {
    if (error instanceof SerialTaken)
      throw new ConflictError(
        `A dispenser from ${input.vendor} with serial ${input.serial} is already registered.`,
        'serial-taken',
      );
    throw error;
  }
  return { dispenser: toDispenser(item), credential };
}

/** A dispenser of the caller's team, or 404 (also for another team's). */
export async function loadDispenser(deps: Deps, team: string, dispenserId: string): Promise<DispenserItem> {
  return teamDispenser(await loadDispenserItem(deps.table, dispenserId), team, dispenserId);
}

function teamDispenser(item: DispenserItem | undefined, team: string, dispenserId: string): DispenserItem {
  if (!item || item.team !== team) throw new NotFoundError(`Dispenser ${dispenserId}`);
  return item;
}

/** Which citizen has a dispenser, and since when, is care data: each shown assignment is audited. */
async function auditShown(deps: Deps, ctx: RequestContext, dispensers: readonly Dispenser[]): Promise<void> {
  const reads = dispensers.flatMap((d) =>
    d.citizenId
      ? [{ action: 'dispenser.read' as const, resource: `dispensers/${d.dispenserId}`, citizenId: d.citizenId }]
      : [],
  );
  if (reads.length) await auditLogOf(deps).recordRead(ctx, ...reads);
}

export async function getDispenser(deps: Deps, ctx: RequestContext, dispenserId: string): Promise<Dispenser> {
  const dispenser = toDispenser(await loadDispenser(deps, ctx.actor.team, dispenserId));
  await auditShown(deps, ctx, [dispenser]);
  return dispenser;
}

export async function listDispensers(
  deps: Deps,
  ctx: RequestContext,
  query: { status?: DispenserStatus | undefined; limit: number; cursor?: string | undefined },
): Promise<Page<Dispenser>> {
  const page = await pageTeamDispensers(deps.table, ctx.actor.team, query);
  // A status filter narrows the page rather than refilling it: pages may be short, never wrong.
  const items = page.items.filter((i) => !query.status || i.status === query.status).map(toDispenser);
  await auditShown(deps, ctx, items);
  return { items, nextCursor: page.nextCursor };
}

/** Re-issues the credential; the old one stops working (only the new hash is kept, and the old one's issue time). */
export async function reissueCredential(
  deps: Deps,
  ctx: RequestContext,
  dispenserId: string,
): Promise<{ dispenserId: string; credential: string; issuedAt: string }> {
  const item = await loadDispenser(deps, ctx.actor.team, dispenserId);
  const { credential, hash } = newCredential(dispenserId);
  const issuedAt = ctx.now.toISOString();
  try {
    await replaceCredential(deps.table, item, { hash, issuedAt });
  } catch (error) {
    if (error instanceof DispenserChanged)
      throw new ConflictError('The dispenser changed meanwhile; try again.', 'dispenser-changed');
    throw error;
  }
  return { dispenserId, credential, issuedAt };
}

function checkTrial(input: AssignDispenser, today: string): void {
  if (input.status === 'trial') {
    if (!input.trialEndsOn)
      throw new ValidationError('A trial needs its last day.', [
        { field: 'body/trialEndsOn', message: 'required when status is trial' },
      ]);
    if (input.trialEndsOn < today)
      throw new ValidationError('The trial cannot end in the past.', [
        { field: 'body/trialEndsOn', message: `must be ${today} or later` },
      ]);
  } else if (input.trialEndsOn) {
    throw new ValidationError('Only a trial has an end date.', [
      { field: 'body/trialEndsOn', message: 'only allowed when status is trial' },
    ]);
  }
}

/** When a new assignment starts: now, or a past `from` that overlaps no earlier period (migrating a dispenser already in a home). */
function assignmentStart(item: DispenserItem, input: AssignDispenser, now: Date): string {
  if (!input.from) return now.toISOString();
  const field = 'body/from';
  if (item.assignment)
    throw new ValidationError('Only a new assignment can start in the past.', [
      { field, message: 'not allowed when changing the status for the same citizen' },
    ]);
  const from = new Date(input.from);
  if (from > now)
    throw new ValidationError('An assignment cannot start in the future.', [
      { field, message: 'must not be after now' },
    ]);
  if (DateTime.fromJSDate(now).diff(DateTime.fromJSDate(from)).as('days') > MAX_BACKDATE_DAYS)
    throw new ValidationError(`An assignment starts at most ${MAX_BACKDATE_DAYS} days back.`, [
      { field, message: `at most ${MAX_BACKDATE_DAYS} days ago` },
    ]);
  const lastEnd = item.periods.at(-1)?.to;
  if (lastEnd && from.toISOString() < lastEnd)
    throw new ValidationError('The dispenser was with another citizen then.', [
      { field, message: `must not be before ${lastEnd}` },
    ]);
  return from.toISOString();
}

export const MAX_BACKDATE_DAYS = 92;

const changedMeanwhile = (dispenserId: string) =>
  new ConflictError(`Dispenser ${dispenserId} changed meanwhile; reload it and try again.`, 'dispenser-changed');

/**
 * Whether the assignment asked for can be made: the dispenser is this team's, not returned and
 * not with someone else; the citizen is visible. `unchanged` when it is already so.
 */
export function checkAssignment(
  reads: { dispenser: DispenserItem | undefined; citizen: Item | undefined },
  dispenserId: string,
  input: AssignDispenser,
  by: { actor: RequestContext['actor']; today: string },
): { item: DispenserItem; unchanged: boolean } {
  const item = teamDispenser(reads.dispenser, by.actor.team, dispenserId);
  checkTrial(input, by.today);
  if (item.status === 'returned')
    throw new ConflictError(
      `Dispenser ${dispenserId} was returned to the vendor; put it back in stock first.`,
      'dispenser-returned',
    );
  const current = item.assignment;
  if (current && current.citizenId !== input.citizenId) {
    throw new ConflictError(
      `Dispenser ${dispenserId} is with another citizen; take it back first.`,
      'dispenser-assigned',
    );
  }
  visibleCitizenFrom(reads.citizen, by.actor);
  return { item, unchanged: !!current && current.status === input.status && item.trialEndsOn === input.trialEndsOn };
}

/** The assignment to write: the new status period, the dispenser's new fields, and (new assignments) the claim. */
export function planAssignment(
  item: DispenserItem,
  plan: DosePlanItem | undefined,
  input: AssignDispenser,
  by: { sub: string; now: Date; periodId: string },
): { period: DispenserPeriod; set: Record<string, unknown>; common: Record<string, unknown>; at: string } {
  const at = assignmentStart(item, input, by.now);
  const current = item.assignment;
  const period: DispenserPeriod = {
    periodId: by.periodId,
    dispenserId: item.dispenserId,
    citizenId: input.citizenId,
    team: item.team,
    vendor: item.vendor,
    model: item.model,
    status: input.status,
    ...(input.trialEndsOn ? { trialEndsOn: input.trialEndsOn } : {}),
    from: at,
    by: by.sub,
  };
  const assignment: CurrentAssignment = {
    citizenId: input.citizenId,
    assignedAt: current?.assignedAt ?? at,
    periodId: by.periodId,
    periodFrom: at,
    status: input.status,
    by: by.sub,
  };
  const common = {
    status: input.status,
    trialEndsOn: input.trialEndsOn,
    assignment,
    version: item.version + 1,
    ...trialIndex(input.status === 'trial' ? input.trialEndsOn : undefined, item.dispenserId),
  };
  if (current) return { period, set: common, common, at };
  const periods: AttributionPeriod[] = [...item.periods, { citizenId: input.citizenId, from: at }].slice(-KEPT_PERIODS);
  const set = {
    ...common,
    periods,
    dosePlan: plan ? planRuleOf(plan) : undefined,
    silentAlertKey: undefined,
    // Silence counts from now: a backdated start says nothing about when it was last heard from.
    ...assignedIndex(by.now.toISOString(), item.dispenserId),
  };
  return { period, set, common, at };
}

function assignmentRecords(deps: Deps, ctx: RequestContext, period: DispenserPeriod): TransactItem[] {
  const { dispenserId, citizenId } = period;
  return [
    auditLogOf(deps).item(ctx, {
      action: 'dispenser.assign',
      resource: `dispensers/${dispenserId}/assignment`,
      citizenId,
    }),
    outboxEvent(
      deps.table,
      domainEvent(
        'DispenserAssigned',
        {
          dispenserId,
          citizenId,
          team: period.team,
          vendor: period.vendor,
          model: period.model,
          status: period.status,
          from: period.from,
          ...(period.trialEndsOn ? { trialEndsOn: period.trialEndsOn } : {}),
        },
        ctx.now,
      ),
    ),
  ];
}

/**
 * PUT /dispensers/{id}/assignment. Gives the dispenser to a citizen (one citizen per dispenser,
 * one dispenser per citizen: both are conditions of one transaction, so a race ends in 409), or,
 * for the citizen who has it, changes its status (a trial decided: `active`; a trial extended).
 */
export async function assignDispenser(
  deps: Deps,
  ctx: RequestContext,
  dispenserId: string,
  input: AssignDispenser,
): Promise<Dispenser> {
  const citizenKey = citizenKeys.profile(input.citizenId);
  const reads = await readAssignment(deps.table, dispenserId, citizenKey, input.citizenId, ctx.now);
  const today = localDate(ctx.now, deps.config.TIME_ZONE);
  const { item, unchanged } = checkAssignment(reads, dispenserId, input, { actor: ctx.actor, today });
  if (unchanged) return toDispenser(item);
  if (!item.assignment) await requireMedicationLineFor(deps, input.citizenId, input.status);
  const plan = reads.plan as DosePlanItem | undefined;
  const by = { sub: ctx.actor.sub, now: ctx.now, periodId: newId('dpr', ctx.now) };
  const { period, set, common } = planAssignment(item, plan, input, by);
  const claim = item.assignment ? undefined : { citizenId: input.citizenId, planVersion: plan?.version };
  try {
    await writeAssignment(deps.table, { item, set, period, claim, with: assignmentRecords(deps, ctx, period) });
  } catch (error) {
    const hasOne = `Citizen ${input.citizenId} already has a dispenser; take that one back first.`;
    if (error instanceof CitizenHasDispenser) throw new ConflictError(hasOne, 'citizen-has-dispenser');
    if (error instanceof DispenserChanged) throw changedMeanwhile(dispenserId);
    throw error;
  }
  return toDispenser({ ...item, ...common, trialEndsOn: input.trialEndsOn } as DispenserItem);
}

/** DELETE /dispensers/{id}/assignment: back in stock (or returned to the vendor); the period closes. */
export async function takeBackDispenser(
  deps: Deps,
  ctx: RequestContext,
  dispenserId: string,
  then: 'in_stock' | 'returned',
): Promise<Dispenser> {
  const item = await loadDispenser(deps, ctx.actor.team, dispenserId);
  const current = item.assignment;
  if (!current) throw new ConflictError(`Dispenser ${dispenserId} is not with a citizen.`, 'not-assigned');
  const at = ctx.now.toISOString();
  const periods = item.periods.map((p, i) =>
    i === item.periods.length - 1 && p.citizenId === current.citizenId && !p.to ? { ...p, to: at } : p,
  );
  const cleared = { trialEndsOn: undefined, assignment: undefined, dosePlan: undefined, silentAlertKey: undefined };
  const set = { status: then, version: item.version + 1, periods, ...cleared };
  const records = [
    auditLogOf(deps).item(ctx, {
      action: 'dispenser.unassign',
      resource: `dispensers/${dispenserId}/assignment`,
      citizenId: current.citizenId,
    }),
    outboxEvent(
      deps.table,
      domainEvent(
        'DispenserUnassigned',
        { dispenserId, citizenId: current.citizenId, team: item.team, to: at, then },
        ctx.now,
      ),
    ),
  ];
  try {
    await writeTakeBack(deps.table, { item, set, at, with: records });
  } catch (error) {
    if (error instanceof DispenserChanged) throw changedMeanwhile(dispenserId);
    throw error;
  }
  if (item.silentAlertKey)
    await resolveAlertByDedupKey(deps, item.silentAlertKey, 'The dispenser was taken back.', ctx.actor.sub);
  const { assignment: _a, trialEndsOn: _t, ...rest } = item;
  return toDispenser({ ...rest, status: then, periods, version: item.version + 1 });
}

/** PATCH /dispensers/{id}: only for a dispenser no citizen has (in stock ↔ returned to the vendor). */
export async function changeDispenserStatus(
  deps: Deps,
  ctx: RequestContext,
  dispenserId: string,
  status: 'in_stock' | 'returned',
): Promise<Dispenser> {
  const item = await loadDispenser(deps, ctx.actor.team, dispenserId);
  if (item.assignment)
    throw new ConflictError(`Dispenser ${dispenserId} is with a citizen; take it back first.`, 'dispenser-assigned');
  if (item.status === status) return toDispenser(item);
  try {
    await writeUnassignedStatus(deps.table, item, status);
  } catch (error) {
    if (error instanceof DispenserChanged) throw changedMeanwhile(dispenserId);
    throw error;
  }
  return toDispenser({ ...item, status });
}

/** GET /dispensers/{id}/assignments: the dispenser's periods, newest first. */
export async function dispenserHistory(
  deps: Deps,
  ctx: RequestContext,
  dispenserId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<DispenserPeriod>> {
  await loadDispenser(deps, ctx.actor.team, dispenserId);
  const result = await pageDispenserPeriods(deps.table, dispenserId, page);
  const items = result.items.map((i) => dispenserPeriodSchema.parse(i));
  const reads = [...new Set(items.map((p) => p.citizenId))].map((citizenId) => ({
    action: 'dispenser.read' as const,
    resource: `dispensers/${dispenserId}/assignments`,
    citizenId,
  }));
  if (reads.length) await auditLogOf(deps).recordRead(ctx, ...reads);
  return { items, nextCursor: result.nextCursor };
}

/** GET /citizens/{id}/dispensers: which dispensers the citizen had, in which status, newest first. */
export async function citizenDispenserHistory(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<DispenserPeriod>> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const result = await pageCitizenPeriods(deps.table, citizenId, page);
  await auditLogOf(deps).recordRead(ctx, {
    action: 'dispenser.read',
    resource: `citizens/${citizenId}/dispensers`,
    citizenId,
  });
  return { items: result.items.map((i) => dispenserPeriodSchema.parse(i)), nextCursor: result.nextCursor };
}
