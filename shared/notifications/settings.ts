import * as z from '#shared/platform/zod.ts';
import { DateTime } from 'luxon';
import { auditLogOf } from '#shared/audit/audit.ts';
import { alertKinds, type AlertKind } from '#shared/alerts/alerts.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { notificationKeys } from '#shared/table/keys.ts';
import { getItem, getItems, queryAll, transactWrite, type Item } from '#shared/table/store.ts';
import { availabilityExceptionSchema, isAvailable, weeklyWindowSchema } from '#shared/visits/availability-rules.ts';
import { staffIdSchema } from '#shared/visits/availability.ts';
import { deleteItem, putItem } from './store.ts';

/**
 * Who is told about an alert, and how: the team's duty roster and escalation chain, staff
 * contact points, push subscriptions per device, and per-citizen alert settings and pauses.
 * The roster's shifts are the same weekly windows and dated exceptions as staff availability
 * (shared/visits/availability-rules.ts), so evenings, weekends and DST behave the same.
 */
export const dutyKinds = ['on-duty', 'second', 'support'] as const;
export type DutyKind = (typeof dutyKinds)[number];

export const teamParam = z
  .string()
  .max(32)
  .regex(/^[a-z0-9-]{1,32}$/, 'must be a team id')
  .openapi({ example: 'east' });

export const rosterEntrySchema = z
  .strictObject({
    staffId: staffIdSchema,
    duty: z.enum(dutyKinds).openapi({
      description: '`on-duty` answers clinical alerts first, `second` backs them up, `support` takes technical alerts',
    }),
    weekly: z.array(weeklyWindowSchema).max(70),
    exceptions: z.array(availabilityExceptionSchema).max(366).default([]),
  })
  .openapi('DutyRosterEntry');
export const rosterInputSchema = z
  .strictObject({ entries: z.array(rosterEntrySchema).max(100) })
  .openapi('DutyRosterInput');
export type RosterEntry = z.infer<typeof rosterEntrySchema>;

export const rosterSchema = z
  .object({
    team: z.string(),
    timeZone: z.string(),
    entries: z.array(rosterEntrySchema),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .openapi('DutyRoster');
export type Roster = z.infer<typeof rosterSchema>;

export const onDutySchema = z
  .object({
    team: z.string(),
    at: z.string(),
    onDuty: z.array(z.string()),
    second: z.array(z.string()),
    support: z.array(z.string()),
    leads: z.array(z.string()),
  })
  .openapi('OnDuty');
export type OnDuty = z.infer<typeof onDutySchema>;

export const escalationTargets = ['on-duty', 'second', 'lead', 'support'] as const;
export const channels = ['push', 'sms'] as const;
export type Channel = (typeof channels)[number];

export const escalationStepSchema = z
  .strictObject({
    to: z.enum(escalationTargets),
    channels: z.array(z.enum(channels)).min(1).max(2),
    timeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(240)
      .openapi({ description: 'Wait this long for an acknowledgement before the next step' }),
  })
  .openapi('EscalationStep');
export type EscalationStep = z.infer<typeof escalationStepSchema>;

export const escalationInputSchema = z
  .strictObject({
    leads: z.array(staffIdSchema).max(5).openapi({ description: 'Who `lead` steps and the team alarm page' }),
    clinical: z
      .array(escalationStepSchema)
      .min(1)
      .max(6)
      .openapi({ description: 'Missed doses, missed visits, trials ending' }),
    technical: z.array(escalationStepSchema).min(1).max(6).openapi({ description: 'Device faults and silent devices' }),
    reminderLeadMinutes: z
      .array(
        z
          .number()
          .int()
          .min(5)
          .max(24 * 60),
      )
      .max(3)
      .default([])
      .openapi({ description: 'Extra visit reminders this long before the start' }),
  })
  .openapi('EscalationChainInput');
export type EscalationChain = z.infer<typeof escalationInputSchema>;
// Its own object, not an extension of the strict input: the document would render that as allOf
// with the input's additionalProperties: false, which refuses team and updatedAt.
export const escalationSchema = z
  .object({
    ...escalationInputSchema.shape,
    team: z.string(),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .openapi('EscalationChain');

/** Ten minutes for a missed dose at each step, as the peers do; technical problems can wait longer. */
export const DEFAULT_ESCALATION: EscalationChain = {
  leads: [],
  clinical: [
    { to: 'on-duty', channels: ['push'], timeoutMinutes: 10 },
    { to: 'second', channels: ['sms'], timeoutMinutes: 10 },
    { to: 'lead', channels: ['push', 'sms'], timeoutMinutes: 10 },
  ],
  technical: [
    { to: 'support', channels: ['push'], timeoutMinutes: 30 },
    { to: 'lead', channels: ['push'], timeoutMinutes: 30 },
  ],
  reminderLeadMinutes: [],
};

export const technicalKinds: readonly AlertKind[] = ['device_fault', 'device_silent', 'tablet_not_seen'];
export const isTechnical = (kind: AlertKind) => technicalKinds.includes(kind);

function requireOwnTeam(actor: Actor, team: string): void {
  if (actor.team !== team) throw new NotFoundError(`Team ${team}`);
}

// ── Roster ──────────────────────────────────────────────────────────────────────────────────

export async function loadRoster(deps: Deps, team: string): Promise<Roster> {
  const item = await getItem(deps.table, notificationKeys.roster(team), { consistent: true });
  return {
    team,
    timeZone: deps.config.TIME_ZONE,
    entries: (item?.entries ?? []) as RosterEntry[],
    ...(item ? { updatedAt: String(item.updatedAt), updatedBy: String(item.updatedBy) } : {}),
  };
}

export async function readRoster(deps: Deps, ctx: RequestContext, team: string): Promise<Roster> {
  requireOwnTeam(ctx.actor, team);
  return loadRoster(deps, team);
}

export async function setRoster(
  deps: Deps,
  ctx: RequestContext,
  team: string,
  input: { entries: RosterEntry[] },
): Promise<Roster> {
  requireOwnTeam(ctx.actor, team);
  const seen = new Set<string>();
  const fields = input.entries.flatMap((e, i) => {
    const key = `${e.staffId}#${e.duty}`;
    if (seen.has(key))
      return [
        { field: `body/entries/${i}`, message: `${e.staffId} has two ${e.duty} entries; put all their windows in one` },
      ];
    seen.add(key);
    return [];
  });
  if (fields.length) throw new ValidationError('The roster repeats a person in one duty.', fields);
  const roster: Roster = {
    team,
    timeZone: deps.config.TIME_ZONE,
    entries: input.entries,
    updatedAt: ctx.now.toISOString(),
    updatedBy: ctx.actor.sub,
  };
  await putItem(deps.table, { ...notificationKeys.roster(team), entity: 'DutyRoster', ...roster });
  return roster;
}

/** Who is on duty at `at`, per duty kind; the leads come from the escalation chain. */
export function onDutyAt(roster: Roster, chain: EscalationChain, at: Date, zone: string): OnDuty {
  const end = DateTime.fromJSDate(at).plus({ minutes: 1 }).toJSDate();
  const who = (duty: DutyKind) =>
    roster.entries.filter((e) => e.duty === duty && isAvailable(e, at, end, zone)).map((e) => e.staffId);
  return {
    team: roster.team,
    at: at.toISOString(),
    onDuty: who('on-duty'),
    second: who('second'),
    support: who('support'),
    leads: [...chain.leads],
  };
}

/** GET /teams/{team}/on-duty: the roster and the chain in one BatchGetItem. */
export async function whoIsOnDuty(deps: Deps, team: string, at: Date): Promise<OnDuty> {
  const [rosterItem, chainItem] = await getItems(
    deps.table,
    [notificationKeys.roster(team), notificationKeys.escalation(team)],
    { consistent: true, now: at },
  );
  const roster: Roster = {
    team,
    timeZone: deps.config.TIME_ZONE,
    entries: (rosterItem?.entries ?? []) as RosterEntry[],
  };
  return onDutyAt(roster, chainFrom(chainItem), at, deps.config.TIME_ZONE);
}

export async function readOnDuty(deps: Deps, ctx: RequestContext, team: string): Promise<OnDuty> {
  requireOwnTeam(ctx.actor, team);
  return whoIsOnDuty(deps, team, ctx.now);
}

// ── Escalation chain ────────────────────────────────────────────────────────────────────────

function chainFrom(item: Item | undefined): EscalationChain {
  if (!item) return DEFAULT_ESCALATION;
  return escalationInputSchema.parse({
    leads: item.leads,
    clinical: item.clinical,
    technical: item.technical,
    reminderLeadMinutes: item.reminderLeadMinutes ?? [],
  });
}

export async function loadEscalation(deps: Deps, team: string): Promise<EscalationChain> {
  return chainFrom(await getItem(deps.table, notificationKeys.escalation(team), { consistent: true }));
}

export async function readEscalation(
  deps: Deps,
  ctx: RequestContext,
  team: string,
): Promise<z.infer<typeof escalationSchema>> {
  requireOwnTeam(ctx.actor, team);
  const item = await getItem(deps.table, notificationKeys.escalation(team), { consistent: true });
  return {
    team,
    ...chainFrom(item),
    ...(item ? { updatedAt: String(item.updatedAt), updatedBy: String(item.updatedBy) } : {}),
  };
}

export async function setEscalation(
  deps: Deps,
  ctx: RequestContext,
  team: string,
  input: EscalationChain,
): Promise<z.infer<typeof escalationSchema>> {
  requireOwnTeam(ctx.actor, team);
  const view = { team, ...input, updatedAt: ctx.now.toISOString(), updatedBy: ctx.actor.sub };
  await putItem(deps.table, { ...notificationKeys.escalation(team), entity: 'EscalationChain', ...view });
  return view;
}

// ── Staff contact points ────────────────────────────────────────────────────────────────────

export const phoneSchema = z
  .string()
  .max(16)
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number, e.g. +4512345678')
  .openapi({ example: '+4512345678' });

export const contactInputSchema = z
  .strictObject({
    phone: phoneSchema.optional(),
    smsConsent: z.boolean().openapi({ description: 'The staff member agreed to be paged by SMS on this number' }),
    displayName: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .optional()
      .openapi({ description: 'How a citizen’s reminder names them ("Anna calls you at 10:30")' }),
  })
  .openapi('StaffContactInput');
// Its own object for the same reason as EscalationChain.
export const contactSchema = z
  .object({
    ...contactInputSchema.shape,
    staffId: z.string(),
    team: z.string(),
    consentRecordedAt: z.string().optional(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('StaffContact');
export type StaffContact = z.infer<typeof contactSchema>;

function assertMayManageContact(actor: Actor, staffId: string): void {
  if (actor.sub !== staffId && !hasRole(actor, 'lead'))
    throw new ForbiddenError('Staff set their own contact points; a lead sets anyone’s in the team.');
}

export async function setContact(
  deps: Deps,
  ctx: RequestContext,
  team: string,
  staffId: string,
  input: z.infer<typeof contactInputSchema>,
): Promise<StaffContact> {
  requireOwnTeam(ctx.actor, team);
  assertMayManageContact(ctx.actor, staffId);
  const current = await getItem(deps.table, notificationKeys.staffContact(staffId), { consistent: true });
  if (current && current.team !== team) throw new NotFoundError('The staff member');
  if (input.smsConsent && !input.phone)
    throw new ValidationError('SMS consent needs a phone number.', [
      { field: 'body/phone', message: 'required with smsConsent: true' },
    ]);
  const at = ctx.now.toISOString();
  const contact: StaffContact = {
    staffId,
    team,
    ...input,
    ...(input.smsConsent
      ? {
          consentRecordedAt:
            current?.smsConsent === true && current.phone === input.phone ? String(current.consentRecordedAt) : at,
        }
      : {}),
    updatedAt: at,
    updatedBy: ctx.actor.sub,
  };
  await putItem(deps.table, { ...notificationKeys.staffContact(staffId), entity: 'StaffContact', ...contact });
  return contact;
}

export async function readContact(
  deps: Deps,
  ctx: RequestContext,
  team: string,
  staffId: string,
): Promise<StaffContact> {
  requireOwnTeam(ctx.actor, team);
  assertMayManageContact(ctx.actor, staffId);
  const item = await getItem(deps.table, notificationKeys.staffContact(staffId), { consistent: true });
  if (!item || item.team !== team) throw new NotFoundError('The staff member’s contact points');
  return contactSchema.parse(item);
}

// ── Push subscriptions ──────────────────────────────────────────────────────────────────────

export const locales = ['da', 'en'] as const;
export type Locale = (typeof locales)[number];

export const pushSubscriptionInputSchema = z
  .strictObject({
    endpoint: z
      .url({ protocol: /^https$/ })
      .max(2048)
      .openapi({ description: 'PushSubscription.endpoint from the browser' }),
    keys: z.strictObject({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
    locale: z.enum(locales).default('da').openapi({ description: 'Language of the messages to this device' }),
    device: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .optional()
      .openapi({ description: 'A label for the person, e.g. "console, office PC"' }),
  })
  .openapi('PushSubscriptionInput');

export const pushSubscriptionSchema = z
  .object({
    subscriptionId: z.string(),
    endpoint: z.string(),
    locale: z.enum(locales),
    device: z.string().optional(),
    createdAt: z.string(),
  })
  .openapi('PushSubscription');

export interface StoredSubscription {
  readonly subscriptionId: string;
  readonly subscriber: string;
  readonly endpoint: string;
  readonly keys: { p256dh: string; auth: string };
  readonly locale: Locale;
  readonly device?: string | undefined;
  readonly createdAt: string;
}

const subscriptionView = (s: StoredSubscription) => ({
  subscriptionId: s.subscriptionId,
  endpoint: s.endpoint,
  locale: s.locale,
  ...(s.device ? { device: s.device } : {}),
  createdAt: s.createdAt,
});

export async function subscriptionsOf(deps: Deps, subscriber: string): Promise<StoredSubscription[]> {
  return queryAll<StoredSubscription & Item>(
    deps.table,
    { partition: ['pk', notificationKeys.pushPartition(subscriber)] },
    50,
  );
}

/** One subscription per browser: the same endpoint again replaces its keys and keeps its id. */
export async function addPushSubscription(
  deps: Deps,
  ctx: RequestContext,
  input: z.infer<typeof pushSubscriptionInputSchema>,
): Promise<{ created: boolean; subscription: z.infer<typeof pushSubscriptionSchema> }> {
  const subscriber = ctx.actor.sub;
  const existing = (await subscriptionsOf(deps, subscriber)).find((s) => s.endpoint === input.endpoint);
  const subscription: StoredSubscription = {
    subscriptionId: existing?.subscriptionId ?? newId('psh', ctx.now),
    subscriber,
    endpoint: input.endpoint,
    keys: input.keys,
    locale: input.locale,
    ...(input.device ? { device: input.device } : {}),
    createdAt: existing?.createdAt ?? ctx.now.toISOString(),
  };
  await putItem(deps.table, {
    ...notificationKeys.pushSubscription(subscriber, subscription.subscriptionId),
    entity: 'PushSubscription',
    ...subscription,
  });
  return { created: !existing, subscription: subscriptionView(subscription) };
}

export async function listPushSubscriptions(
  deps: Deps,
  ctx: RequestContext,
): Promise<z.infer<typeof pushSubscriptionSchema>[]> {
  return (await subscriptionsOf(deps, ctx.actor.sub)).map(subscriptionView);
}

export async function removePushSubscription(deps: Deps, subscriber: string, subscriptionId: string): Promise<boolean> {
  return deleteItem(deps.table, notificationKeys.pushSubscription(subscriber, subscriptionId));
}

export async function deleteOwnPushSubscription(
  deps: Deps,
  ctx: RequestContext,
  subscriptionId: string,
): Promise<void> {
  if (!(await removePushSubscription(deps, ctx.actor.sub, subscriptionId)))
    throw new NotFoundError('The push subscription');
}

// ── A relative's SMS contact, with consent ──────────────────────────────────────────────────

export const relativeContactInputSchema = z
  .strictObject({
    phone: phoneSchema,
    consent: z.strictObject({
      given: z
        .literal(true)
        .openapi({ description: 'The citizen (or their guardian) agreed that this relative is told' }),
      givenBy: z.enum(['citizen', 'guardian']),
      kinds: z.array(z.enum(alertKinds)).min(1).max(alertKinds.length).openapi({
        description: 'Which alerts the relative hears about (only that something needs attention, never what)',
      }),
    }),
  })
  .openapi('RelativeContactInput');
export type RelativeContact = z.infer<typeof relativeContactInputSchema> & {
  consentRecordedAt: string;
  consentRecordedBy: string;
};

export async function setRelativeContact(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: z.infer<typeof relativeContactInputSchema>,
): Promise<RelativeContact> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const contact: RelativeContact = {
    ...input,
    consentRecordedAt: ctx.now.toISOString(),
    consentRecordedBy: ctx.actor.sub,
  };
  await transactWrite(deps.table, [
    {
      Put: {
        TableName: deps.table.name,
        Item: { ...notificationKeys.relativeContact(citizenId), entity: 'RelativeContact', citizenId, ...contact },
      },
    },
    auditLogOf(deps).item(ctx, {
      action: 'relative-contact.update',
      resource: `citizens/${citizenId}/relative-contact`,
      citizenId,
    }),
  ]);
  return contact;
}

export async function loadRelativeContact(deps: Deps, citizenId: string): Promise<RelativeContact | undefined> {
  const item = await getItem(deps.table, notificationKeys.relativeContact(citizenId), { consistent: true });
  return item ? (item as unknown as RelativeContact) : undefined;
}
