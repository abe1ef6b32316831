import { auditLog } from '#shared/audit/audit.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import { requireVisibleCitizen, visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import { resolveAlertByDedupKey } from '#shared/alerts/alerts.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { citizenKeys, dispenserKeys } from '#shared/table/keys.ts';
import {
  getItem,
  getItems,
  putNew,
  queryPage,
  transactWrite,
  TransactionConflict,
  type Page,
  type TransactItem,
} from '#shared/table/store.ts';
import { newCredential } from './credential.ts';
import {
  dispenserPeriodSchema,
  type AssignDispenser,
  type AssignedStatus,
  type Dispenser,
  type DispenserPeriod,
  type DispenserStatus,
  type RegisterDispenser,
} from './model.ts';
import { localDate } from './schedule.ts';
import {
  KEPT_PERIODS,
  updateItem,
  type AttributionPeriod,
  type CurrentAssignment,
  type DispenserItem,
} from './store.ts';
import { planRuleOf, type DosePlanItem } from './dose-plan.ts';
import { requireMedicationLineFor } from './grant-link.ts';

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

/** Vendors and serials are compared without case and surrounding space: `Evondos`/`EVONDOS` are one vendor. */
const vendorKey = (vendor: string) => vendor.trim().toLowerCase().replace(/\s+/g, '-');
const serialKey = (serial: string) => serial.trim().toUpperCase();

export async function registerDispenser(
  deps: Deps,
  ctx: RequestContext,
  input: RegisterDispenser,
): Promise<{ dispenser: Dispenser; credential: string }> {
  const dispenserId = newId('dsp', ctx.now);
  const { credential, hash } = newCredential(dispenserId);
  const at = ctx.now.toISOString();
  const item: DispenserItem = {
    ...dispenserKeys.dispenser(dispenserId),
    entity: 'Dispenser',
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
  try {
    await transactWrite(deps.table, [
      putNew(deps.table, {
        ...dispenserKeys.serial(vendorKey(input.vendor), serialKey(input.serial)),
        entity: 'DispenserSerial',
        dispenserId,
      }),
      putNew(deps.table, { ...item, ...dispenserKeys.byTeam(ctx.actor.team, dispenserId) }),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict)
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
  return teamDispenser(
    await getItem<DispenserItem & Record<string, unknown>>(deps.table, dispenserKeys.dispenser(dispenserId), {
      consistent: true,
    }),
    team,
    dispenserId,
  );
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
  if (reads.length) await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, ...reads);
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
  const page = await queryPage<DispenserItem & Record<string, unknown>>(deps.table, {
    index: 'gsi1',
    partition: ['gsi1pk', dispenserKeys.teamPartition(ctx.actor.team)],
    limit: query.limit,
    cursor: query.cursor,
  });
  // A status filter narrows the page rather than refilling it: pages may be short, never wrong.
  const items = page.items.filter((i) => !query.status || i.status === query.status).map(toDispenser);
  await auditShown(deps, ctx, items);
  return { items, nextCursor: page.nextCursor };
}

/** Re-issues the credential; the old one stops working at once (only the new hash is kept). */
export async function reissueCredential(
  deps: Deps,
  ctx: RequestContext,
  dispenserId: string,
): Promise<{ dispenserId: string; credential: string; issuedAt: string }> {
  const item = await loadDispenser(deps, ctx.actor.team, dispenserId);
  const { credential, hash } = newCredential(dispenserId);
  const issuedAt = ctx.now.toISOString();
  try {
    await transactWrite(deps.table, [
      updateItem(deps.table, dispenserKeys.dispenser(dispenserId), {
        set: { credentialHash: hash, credentialIssuedAt: issuedAt, version: item.version + 1 },
        condition: 'version = :v',
        values: { ':v': item.version },
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict)
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

function periodItem(p: DispenserPeriod) {
  return {
    ...dispenserKeys.period(p.dispenserId, p.from, p.periodId),
    ...dispenserKeys.teamPeriods(p.team, p.from, p.periodId),
    ...dispenserKeys.citizenPeriods(p.citizenId, p.from, p.periodId),
    entity: 'DispenserPeriod',
    ...p,
  };
}

/** Closes the current status period (its `to`), in the transaction that ends it. */
function closePeriod(deps: Deps, dispenserId: string, assignment: CurrentAssignment, at: string): TransactItem {
  return updateItem(deps.table, dispenserKeys.period(dispenserId, assignment.periodFrom, assignment.periodId), {
    set: { to: at },
    condition: 'attribute_exists(pk) AND attribute_not_exists(#to)',
    names: { '#to': 'to' },
  });
}

const trialIndex = (status: AssignedStatus, trialEndsOn: string | undefined, dispenserId: string) =>
  status === 'trial' && trialEndsOn
    ? dispenserKeys.onTrial(trialEndsOn, dispenserId)
    : { gsi3pk: undefined, gsi3sk: undefined };

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
  if (now.getTime() - from.getTime() > MAX_BACKDATE_DAYS * 86_400_000)
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
  // One consistent BatchGetItem: the dispenser, the citizen (visibility) and the plan a new assignment copies.
  const [dispenserItem, citizenItem, planItem] = (await getItems(
    deps.table,
    [
      dispenserKeys.dispenser(dispenserId),
      citizenKeys.profile(input.citizenId),
      dispenserKeys.dosePlan(input.citizenId),
    ],
    { consistent: true, now: ctx.now },
  )) as [
    (DispenserItem & Record<string, unknown>) | undefined,
    Record<string, unknown> | undefined,
    (DosePlanItem & Record<string, unknown>) | undefined,
  ];
  const item = teamDispenser(dispenserItem, ctx.actor.team, dispenserId);
  checkTrial(input, localDate(ctx.now, deps.config.TIME_ZONE));
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
  visibleCitizenFrom(citizenItem, ctx.actor);
  if (current && current.status === input.status && item.trialEndsOn === input.trialEndsOn) return toDispenser(item);
  if (!current) await requireMedicationLineFor(deps, input.citizenId, input.status);

  const at = assignmentStart(item, input, ctx.now);
  const periodId = newId('dpr', ctx.now);
  const period: DispenserPeriod = {
    periodId,
    dispenserId,
    citizenId: input.citizenId,
    team: item.team,
    vendor: item.vendor,
    model: item.model,
    status: input.status,
    ...(input.trialEndsOn ? { trialEndsOn: input.trialEndsOn } : {}),
    from: at,
    by: ctx.actor.sub,
  };
  const assignment: CurrentAssignment = {
    citizenId: input.citizenId,
    assignedAt: current?.assignedAt ?? at,
    periodId,
    periodFrom: at,
    status: input.status,
    by: ctx.actor.sub,
  };
  const audit = auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS);
  const items: TransactItem[] = [];
  const common = {
    status: input.status,
    trialEndsOn: input.trialEndsOn,
    assignment,
    version: item.version + 1,
    ...trialIndex(input.status, input.trialEndsOn, dispenserId),
  };
  if (current) {
    items.push(
      updateItem(deps.table, dispenserKeys.dispenser(dispenserId), {
        set: common,
        condition: 'version = :v',
        values: { ':v': item.version },
      }),
      closePeriod(deps, dispenserId, current, at),
    );
  } else {
    const periods: AttributionPeriod[] = [...item.periods, { citizenId: input.citizenId, from: at }].slice(
      -KEPT_PERIODS,
    );
    items.push(
      updateItem(deps.table, dispenserKeys.dispenser(dispenserId), {
        set: {
          ...common,
          periods,
          dosePlan: planItem ? planRuleOf(planItem) : undefined,
          silentAlertKey: undefined,
          // Silence counts from now: a backdated start says nothing about when it was last heard from.
          ...dispenserKeys.assigned(ctx.now.toISOString(), dispenserId),
        },
        condition: 'version = :v AND attribute_not_exists(assignment)',
        values: { ':v': item.version },
      }),
      putNew(deps.table, {
        ...dispenserKeys.citizenDispenser(input.citizenId),
        entity: 'CitizenDispenser',
        citizenId: input.citizenId,
        dispenserId,
      }),
      // The plan copy is only right if the plan did not change in between.
      planItem
        ? {
            ConditionCheck: {
              TableName: deps.table.name,
              Key: dispenserKeys.dosePlan(input.citizenId),
              ConditionExpression: 'version = :pv',
              ExpressionAttributeValues: { ':pv': planItem.version },
            },
          }
        : {
            ConditionCheck: {
              TableName: deps.table.name,
              Key: dispenserKeys.dosePlan(input.citizenId),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
    );
  }
  items.push(
    putNew(deps.table, periodItem(period)),
    audit.item(ctx, {
      action: 'dispenser.assign',
      resource: `dispensers/${dispenserId}/assignment`,
      citizenId: input.citizenId,
    }),
    outboxEvent(
      deps.table,
      domainEvent(
        'DispenserAssigned',
        {
          dispenserId,
          citizenId: input.citizenId,
          team: item.team,
          vendor: item.vendor,
          model: item.model,
          status: input.status,
          from: at,
          ...(input.trialEndsOn ? { trialEndsOn: input.trialEndsOn } : {}),
        },
        ctx.now,
      ),
    ),
  );
  try {
    await transactWrite(deps.table, items);
  } catch (error) {
    if (error instanceof TransactionConflict) {
      if (!current && error.reasons[1] === 'ConditionalCheckFailed') {
        throw new ConflictError(
          `Citizen ${input.citizenId} already has a dispenser; take that one back first.`,
          'citizen-has-dispenser',
        );
      }
      throw new ConflictError(
        `Dispenser ${dispenserId} changed meanwhile; reload it and try again.`,
        'dispenser-changed',
      );
    }
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
  const audit = auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS);
  try {
    await transactWrite(deps.table, [
      updateItem(deps.table, dispenserKeys.dispenser(dispenserId), {
        set: {
          status: then,
          version: item.version + 1,
          periods,
          trialEndsOn: undefined,
          assignment: undefined,
          dosePlan: undefined,
          silentAlertKey: undefined,
        },
        remove: ['gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'],
        condition: 'version = :v',
        values: { ':v': item.version },
      }),
      closePeriod(deps, dispenserId, current, at),
      {
        Delete: {
          TableName: deps.table.name,
          Key: dispenserKeys.citizenDispenser(current.citizenId),
          ConditionExpression: 'dispenserId = :d',
          ExpressionAttributeValues: { ':d': dispenserId },
        },
      },
      audit.item(ctx, {
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
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict)
      throw new ConflictError(
        `Dispenser ${dispenserId} changed meanwhile; reload it and try again.`,
        'dispenser-changed',
      );
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
    await transactWrite(deps.table, [
      updateItem(deps.table, dispenserKeys.dispenser(dispenserId), {
        set: { status, version: item.version + 1 },
        condition: 'version = :v AND attribute_not_exists(assignment)',
        values: { ':v': item.version },
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict)
      throw new ConflictError(
        `Dispenser ${dispenserId} changed meanwhile; reload it and try again.`,
        'dispenser-changed',
      );
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
  const result = await queryPage(deps.table, {
    partition: ['pk', dispenserKeys.dispenser(dispenserId).pk],
    sort: { attribute: 'sk', beginsWith: dispenserKeys.periodPrefix },
    limit: page.limit,
    cursor: page.cursor,
    newestFirst: true,
  });
  const items = result.items.map((i) => dispenserPeriodSchema.parse(i));
  const reads = [...new Set(items.map((p) => p.citizenId))].map((citizenId) => ({
    action: 'dispenser.read' as const,
    resource: `dispensers/${dispenserId}/assignments`,
    citizenId,
  }));
  if (reads.length) await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, ...reads);
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
  const result = await queryPage(deps.table, {
    index: 'gsi2',
    partition: ['gsi2pk', dispenserKeys.citizenPeriodsPartition(citizenId)],
    limit: page.limit,
    cursor: page.cursor,
    newestFirst: true,
  });
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, {
    action: 'dispenser.read',
    resource: `citizens/${citizenId}/dispensers`,
    citizenId,
  });
  return { items: result.items.map((i) => dispenserPeriodSchema.parse(i)), nextCursor: result.nextCursor };
}
