import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from '#shared/platform/zod.ts';
import { DateTime, Duration } from 'luxon';
import { acknowledgeAlert, alertSchema, readVisibleAlert, type Alert } from '#shared/alerts/alerts.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, ValidationError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { logger } from '#shared/platform/logger.ts';
import { alertKeys, notificationKeys } from '#shared/table/keys.ts';
import { expiresAfterDays, getItem, getItems, putNew, queryAll, type Item } from '#shared/table/store.ts';
import { consoleAlertUrl } from './links.ts';
import type { OutgoingMessage } from './local-notifier.ts';
import { isPausedAt, loadAlertSettings } from './alert-settings.ts';
import {
  isTechnical,
  loadEscalation,
  loadRelativeContact,
  removePushSubscription,
  subscriptionsOf,
  whoIsOnDuty,
  type Channel,
  type EscalationStep,
  type StaffContact,
} from './settings.ts';
import { claimItem, putItem } from './store.ts';
import { requireAlertVisibleTo } from './technical-alerts.ts';

/**
 * The escalation chain of an alert: step 0 pages the first target of the team's chain (on duty
 * for clinical alerts, support for technical ones); each step schedules the next one after its
 * timeout as a one-time schedule (`alert-<alertId>-s<step>`). A step claims
 * `ALERT#<id>/STEP#<nn>` before it sends anything, so however often a schedule fires, a step
 * pages once. An acknowledgement removes the pending schedule, and a step that fires anyway
 * finds the alert no longer open. After the last step: the team alarm, to the leads and the
 * CloudWatch alarm topic. Messages carry a reference and a link, never what happened to whom.
 */
export const ESCALATION_STEP_JOB = 'alert-escalation-step';
/** The step number of the team alarm claim, past any chain (at most 6 steps). */
const TEAM_ALARM_STEP = 90;
const RELATIVE_STEP = 91;
/** A used link's claim outlives the link by a day (DynamoDB's TTL is lazy), so it can never be reused. */
const KEEP_USED_LINK = Duration.fromObject({ days: 1 });
const after = (at: Date, minutes: number) => DateTime.fromJSDate(at).plus({ minutes }).toJSDate();
const MAX_STEPS = 6;

export const escalationScheduleName = (alertId: string, step: number) => `alert-${alertId}-s${step}`;

export const deliveryAttemptSchema = z
  .object({
    at: z.string(),
    step: z.number().int(),
    channel: z.enum(['push', 'sms', 'alarm-topic', 'none']),
    recipient: z.string(),
    to: z.string().optional().openapi({ description: 'Which device (subscription id) or a masked phone number' }),
    outcome: z.enum(['sent', 'gone', 'failed', 'no-address', 'suppressed']),
    detail: z.string().optional(),
  })
  .openapi('DeliveryAttempt');
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;

const maskPhone = (phone: string) => `${phone.slice(0, 3)}…${phone.slice(-2)}`;
/** The reference people read out on the phone: the end of the alert id. */
export const alertReference = (alertId: string) => alertId.slice(-6);

async function recordAttempt(deps: Deps, alertId: string, attempt: DeliveryAttempt): Promise<void> {
  await putItem(deps.table, {
    ...notificationKeys.deliveryAttempt(alertId, attempt.at, newId('dlv', new Date(attempt.at))),
    entity: 'DeliveryAttempt',
    alertId,
    ...attempt,
  });
}

export async function deliveryAttempts(deps: Deps, alertId: string): Promise<DeliveryAttempt[]> {
  const items = await queryAll(
    deps.table,
    {
      partition: ['pk', notificationKeys.alertPartition(alertId)],
      sort: { attribute: 'sk', beginsWith: notificationKeys.deliveryPrefix },
      consistent: true,
    },
    1000,
  );
  return items.map((i) => deliveryAttemptSchema.parse(i));
}

// ── Acknowledgement links ───────────────────────────────────────────────────────────────────

const linkPayload = z.object({ a: z.string(), r: z.string(), n: z.string(), e: z.number() });

/**
 * The link key is derived from the app secret's cursor key (read at run time, never from an
 * environment), under a label of its own so a link signature can never pass for a cursor's.
 * Rotating the cursor key invalidates links already sent; they then say "acknowledge in the console".
 */
async function linkKey(deps: Deps): Promise<Buffer> {
  const { cursorKey } = await deps.secrets.get();
  return createHmac('sha256', cursorKey).update('e-team ack-link key v1').digest();
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

/** A signed, single-use link that opens the console at the alert; the console posts its token to acknowledge. */
export async function ackLink(deps: Deps, alertId: string, recipient: string, now: Date): Promise<string> {
  const body = Buffer.from(
    JSON.stringify({
      a: alertId,
      r: recipient,
      n: randomBytes(12).toString('base64url'),
      e: Math.floor(DateTime.fromJSDate(now).plus({ hours: deps.config.ACK_LINK_VALID_HOURS }).toSeconds()),
    }),
  ).toString('base64url');
  const token = `${body}.${sign(await linkKey(deps), body)}`;
  return consoleAlertUrl(deps.config.CONSOLE_BASE_URL, alertId, token);
}

export const ackLinkBodySchema = z
  .strictObject({
    token: z.string().min(20).max(600).openapi({ description: 'The `ack` parameter of the link in the push or SMS' }),
  })
  .openapi('AckLinkInput');

/** POST /alerts/{alertId}/ack-link: acknowledges once per link, in the same transaction that uses the link up. */
export async function acknowledgeFromLink(
  deps: Deps,
  ctx: RequestContext,
  alertId: string,
  token: string,
): Promise<Alert> {
  const invalid = () =>
    new ValidationError('The acknowledgement link is not valid.', [
      { field: 'body/token', message: 'not a link of this alert, or tampered with' },
    ]);
  // Another team's alert is the 404 of an unknown one, whatever the token says; so is a clinical
  // alert for support (its links are for technical alerts).
  requireAlertVisibleTo(ctx.actor, await readVisibleAlert(deps, ctx.actor, alertId));
  const [body, signature] = token.split('.');
  if (!body || !signature) throw invalid();
  const expected = Buffer.from(sign(await linkKey(deps), body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  const parsed = linkPayload.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  if (!parsed.success || parsed.data.a !== alertId) throw invalid();
  if (parsed.data.e * 1000 < ctx.now.getTime())
    throw new ConflictError('The acknowledgement link has expired; acknowledge in the console.', 'ack-link-expired');
  const claim = notificationKeys.ackLinkUse(parsed.data.n);
  if (await getItem(deps.table, claim, { consistent: true }))
    throw new ConflictError('The acknowledgement link was already used.', 'ack-link-used');
  const use = putNew(deps.table, {
    ...claim,
    entity: 'AckLinkUse',
    alertId,
    usedBy: ctx.actor.sub,
    usedAt: ctx.now.toISOString(),
    expiresAt: parsed.data.e + KEEP_USED_LINK.as('seconds'),
  });
  return acknowledgeAlert(deps, ctx, alertId, `Acknowledged from the link sent to ${parsed.data.r}`, [use]);
}

// ── The chain ───────────────────────────────────────────────────────────────────────────────

async function loadAlert(deps: Deps, alertId: string): Promise<Alert | undefined> {
  const item = await getItem(deps.table, alertKeys.alert(alertId), { consistent: true });
  return item ? alertSchema.parse(item) : undefined;
}

/** AlertRaised: decide whether anyone is paged (pause, quiet period, delay) and start the chain. */
export async function startEscalation(deps: Deps, alertId: string): Promise<{ started: boolean; reason?: string }> {
  const alert = await loadAlert(deps, alertId);
  if (!alert || alert.status !== 'open') return { started: false, reason: 'not-open' };
  const now = deps.clock.now();
  const settings = alert.citizenId ? await loadAlertSettings(deps, alert.citizenId) : undefined;
  const suppressed = async (reason: string) => {
    await recordAttempt(deps, alertId, {
      at: now.toISOString(),
      step: 0,
      channel: 'none',
      recipient: alert.team,
      outcome: 'suppressed',
      detail: reason,
    });
    return { started: false, reason };
  };
  const subjectAt =
    alert.kind === 'missed_dose' && typeof alert.details?.doseAt === 'string' ? alert.details.doseAt : alert.occurredAt;
  if (settings && isPausedAt(settings.pauses, subjectAt)) return suppressed('alerts paused for the citizen');
  if (isTechnical(alert.kind) && alert.dispenserId) {
    const quiet = await getItem(deps.table, notificationKeys.quietPeriod(alert.dispenserId, alert.kind), {
      consistent: true,
    });
    if (quiet && typeof quiet.until === 'string' && quiet.until > now.toISOString())
      return suppressed(`quiet period after a resolved fault, until ${quiet.until}`);
  }
  if (alert.citizenId) await notifyRelative(deps, alert, now);
  const delay =
    alert.kind === 'missed_dose'
      ? (settings?.missedDoseDelayMinutes ?? deps.config.MISSED_DOSE_ALERT_DELAY_MINUTES)
      : 0;
  if (delay > 0) {
    await deps.scheduler.scheduleOnce({
      name: escalationScheduleName(alertId, 0),
      at: after(now, delay),
      job: ESCALATION_STEP_JOB,
      payload: { alertId, step: 0 },
    });
    return { started: true, reason: `first page in ${delay} minutes` };
  }
  await runEscalationStep(deps, { alertId, step: 0 });
  return { started: true };
}

/** Claims the step; false when it already ran (a repeated schedule, a redelivered event). */
async function claimStep(deps: Deps, alertId: string, step: number, now: Date): Promise<boolean> {
  return claimItem(deps.table, {
    ...notificationKeys.escalationStep(alertId, step),
    entity: 'EscalationStep',
    alertId,
    step,
    firedAt: now.toISOString(),
  });
}

const stepPayload = z.object({ alertId: z.string(), step: z.coerce.number().int().min(0).max(MAX_STEPS) });

export async function runEscalationStep(
  deps: Deps,
  payload: Record<string, unknown>,
): Promise<{ fired: boolean; step: number; reason?: string; sent?: number }> {
  const { alertId, step } = stepPayload.parse(payload);
  const now = deps.clock.now();
  const alert = await loadAlert(deps, alertId);
  if (!alert || alert.status !== 'open') return { fired: false, step, reason: 'not-open' };
  const chain = await loadEscalation(deps, alert.team);
  const steps = isTechnical(alert.kind) ? chain.technical : chain.clinical;
  if (step >= steps.length) return teamAlarm(deps, alert, chain.leads, step, now);
  if (!(await claimStep(deps, alertId, step, now))) return { fired: false, step, reason: 'already-fired' };
  const current = steps[step] as EscalationStep;
  const duty = await whoIsOnDuty(deps, alert.team, now);
  const recipients = { 'on-duty': duty.onDuty, second: duty.second, support: duty.support, lead: duty.leads }[
    current.to
  ];
  if (recipients.length === 0) {
    await recordAttempt(deps, alertId, {
      at: now.toISOString(),
      step,
      channel: 'none',
      recipient: current.to,
      outcome: 'no-address',
      detail: `nobody is ${current.to} now`,
    });
  }
  const sent = await page(deps, alert, step, recipients, current.channels, now, 'alert');
  // Nobody reached: go on to the next step at once rather than let the alert sit unseen.
  if (sent === 0) {
    const next = await runEscalationStep(deps, { alertId, step: step + 1 });
    return {
      fired: true,
      step,
      sent,
      reason: `nobody reached; step ${next.step} ${next.fired ? 'fired' : 'did not fire'}`,
    };
  }
  await deps.scheduler.scheduleOnce({
    name: escalationScheduleName(alertId, step + 1),
    at: after(now, current.timeoutMinutes),
    job: ESCALATION_STEP_JOB,
    payload: { alertId, step: step + 1 },
  });
  return { fired: true, step, sent };
}

/** The whole chain went unacknowledged: the leads by every channel, and the CloudWatch alarm topic. */
async function teamAlarm(
  deps: Deps,
  alert: Alert,
  leads: readonly string[],
  step: number,
  now: Date,
): Promise<{ fired: boolean; step: number; reason?: string; sent?: number }> {
  if (!(await claimStep(deps, alert.alertId, TEAM_ALARM_STEP, now)))
    return { fired: false, step, reason: 'already-fired' };
  const sent = await page(deps, alert, step, leads, ['push', 'sms'], now, 'team-alarm');
  const ref = alertReference(alert.alertId);
  try {
    await deps.alarms.publish(
      `E-team ${alert.team}: alert ${ref} unacknowledged`,
      `Alert ${alert.alertId} (team ${alert.team}, ${isTechnical(alert.kind) ? 'technical' : 'clinical'}) was not acknowledged by anyone in the escalation chain. Open ${consoleAlertUrl(deps.config.CONSOLE_BASE_URL, alert.alertId)}`,
    );
    await recordAttempt(deps, alert.alertId, {
      at: now.toISOString(),
      step,
      channel: 'alarm-topic',
      recipient: 'cloudwatch-alarms',
      outcome: 'sent',
    });
  } catch (error) {
    logger.error('team alarm not published', { alertId: alert.alertId, errorName: (error as Error).name });
    await recordAttempt(deps, alert.alertId, {
      at: now.toISOString(),
      step,
      channel: 'alarm-topic',
      recipient: 'cloudwatch-alarms',
      outcome: 'failed',
      detail: (error as Error).name,
    });
  }
  return { fired: true, step, sent, reason: 'team-alarm' };
}

/** What one page sends, for every recipient and channel of a step. */
interface Paging {
  deps: Deps;
  alert: Alert;
  step: number;
  now: Date;
  what: 'alert' | 'team-alarm';
  ref: string;
  category: { da: string; en: string };
}

/** Pages each recipient on each channel; every attempt is recorded. Returns how many were sent. */
async function page(
  deps: Deps,
  alert: Alert,
  step: number,
  recipients: readonly string[],
  channels: readonly Channel[],
  now: Date,
  what: 'alert' | 'team-alarm',
): Promise<number> {
  if (recipients.length === 0) return 0;
  const contacts = channels.includes('sms')
    ? await getItems(
        deps.table,
        recipients.map((r) => notificationKeys.staffContact(r)),
        { consistent: true, now },
      )
    : [];
  const category = isTechnical(alert.kind) ? { da: 'teknisk', en: 'technical' } : { da: 'klinisk', en: 'clinical' };
  const paging: Paging = { deps, alert, step, now, what, ref: alertReference(alert.alertId), category };
  let sent = 0;
  for (const [i, recipient] of recipients.entries()) {
    const link = await ackLink(deps, alert.alertId, recipient, now);
    for (const channel of channels) {
      sent +=
        channel === 'push'
          ? await pushTo(paging, recipient, link)
          : await smsTo(paging, recipient, contacts[i] as (StaffContact & Item) | undefined, link);
    }
  }
  return sent;
}

const attemptOf = (p: Paging, channel: Channel, recipient: string) => ({
  at: p.now.toISOString(),
  step: p.step,
  channel,
  recipient,
});

function pushText(p: Paging, locale: 'da' | 'en'): { title: string; body: string } {
  const title =
    p.what === 'team-alarm'
      ? locale === 'da'
        ? `Teamalarm ${p.ref}`
        : `Team alarm ${p.ref}`
      : locale === 'da'
        ? `E-team alarm ${p.ref}`
        : `E-team alert ${p.ref}`;
  const body =
    locale === 'da'
      ? `En ${p.category.da} alarm venter på kvittering. Åbn konsollen.`
      : `A ${p.category.en} alert is waiting to be acknowledged. Open the console.`;
  return { title, body };
}

/** Every push subscription of the recipient; a gone one is removed. Returns how many were sent. */
async function pushTo(p: Paging, recipient: string, link: string): Promise<number> {
  const { deps, alert } = p;
  const subscriptions = await subscriptionsOf(deps, recipient);
  if (subscriptions.length === 0) {
    await recordAttempt(deps, alert.alertId, {
      ...attemptOf(p, 'push', recipient),
      outcome: 'no-address',
      detail: 'no push subscription',
    });
    return 0;
  }
  let sent = 0;
  for (const s of subscriptions) {
    const message: OutgoingMessage = {
      channel: 'push',
      recipient,
      subscriptionId: s.subscriptionId,
      subscription: { endpoint: s.endpoint, keys: s.keys },
      ...pushText(p, s.locale),
      url: link,
      tag: `alert-${alert.alertId}`,
    };
    const result = await deps.notifier.send(message);
    if (result.outcome === 'gone') await removePushSubscription(deps, recipient, s.subscriptionId);
    if (result.outcome === 'sent') sent++;
    await recordAttempt(deps, alert.alertId, {
      ...attemptOf(p, 'push', recipient),
      to: s.subscriptionId,
      outcome: result.outcome,
      ...(result.detail ? { detail: result.detail } : {}),
    });
  }
  return sent;
}

/** An SMS to the recipient's phone, when they consented to paging by SMS. Returns 1 when sent. */
async function smsTo(p: Paging, recipient: string, contact: StaffContact | undefined, link: string): Promise<number> {
  const { deps, alert } = p;
  if (!contact?.phone || contact.smsConsent !== true) {
    await recordAttempt(deps, alert.alertId, {
      ...attemptOf(p, 'sms', recipient),
      outcome: 'no-address',
      detail: 'no phone with SMS consent',
    });
    return 0;
  }
  const body = `E-team: ${p.what === 'team-alarm' ? 'TEAMALARM' : 'alarm'} ${p.ref} (${p.category.da}) venter på kvittering / awaits acknowledgement: ${link}`;
  const result = await deps.notifier.send({ channel: 'sms', recipient, phone: contact.phone, body });
  await recordAttempt(deps, alert.alertId, {
    ...attemptOf(p, 'sms', recipient),
    to: maskPhone(contact.phone),
    outcome: result.outcome,
    ...(result.detail ? { detail: result.detail } : {}),
  });
  return result.outcome === 'sent' ? 1 : 0;
}

/** A relative with recorded consent for this kind hears that the team is on it — no link, no details. */
async function notifyRelative(deps: Deps, alert: Alert, now: Date): Promise<void> {
  if (!alert.citizenId) return;
  const relative = await loadRelativeContact(deps, alert.citizenId);
  if (!relative?.consent.given || !relative.consent.kinds.includes(alert.kind)) return;
  if (!(await claimStep(deps, alert.alertId, RELATIVE_STEP, now))) return;
  const ref = alertReference(alert.alertId);
  const result = await deps.notifier.send({
    channel: 'sms',
    recipient: `relative-of-${alert.citizenId}`,
    phone: relative.phone,
    body: `E-team: hjemmeplejen har fået en besked om din pårørende og følger op (ref ${ref}). / The home-care team was alerted about your relative and follows up (ref ${ref}).`,
  });
  await recordAttempt(deps, alert.alertId, {
    at: now.toISOString(),
    step: 0,
    channel: 'sms',
    recipient: 'relative',
    to: maskPhone(relative.phone),
    outcome: result.outcome,
    ...(result.detail ? { detail: result.detail } : {}),
  });
}

/** AlertAcknowledged / AlertResolved: removes whatever step is still pending. */
export async function stopEscalation(deps: Deps, alertId: string): Promise<void> {
  await Promise.all(
    Array.from({ length: MAX_STEPS + 1 }, (_, step) => deps.scheduler.cancel(escalationScheduleName(alertId, step))),
  );
}

/** AlertResolved of a device fault or silence: a quiet period in which the same problem pages nobody. */
export async function startQuietPeriod(
  deps: Deps,
  detail: { alertId: string; kind: Alert['kind']; dispenserId?: string | undefined; citizenId?: string | undefined },
  resolvedAt: Date,
): Promise<void> {
  if (!isTechnical(detail.kind) || !detail.dispenserId) return;
  const minutes = detail.citizenId
    ? (await loadAlertSettings(deps, detail.citizenId)).faultQuietMinutes
    : deps.config.FAULT_QUIET_MINUTES;
  if (minutes <= 0) return;
  const until = after(resolvedAt, minutes);
  await putItem(deps.table, {
    ...notificationKeys.quietPeriod(detail.dispenserId, detail.kind),
    entity: 'QuietPeriod',
    until: until.toISOString(),
    afterAlertId: detail.alertId,
    expiresAt: expiresAfterDays(1, until),
  });
}

/** GET /alerts/{alertId}: the alert with every delivery attempt. */
export async function readAlertWithDeliveries(
  deps: Deps,
  ctx: RequestContext,
  alertId: string,
): Promise<Alert & { deliveries: DeliveryAttempt[] }> {
  const alert = requireAlertVisibleTo(ctx.actor, await readVisibleAlert(deps, ctx.actor, alertId));
  const deliveries = await deliveryAttempts(deps, alertId);
  if (alert.citizenId)
    await auditLogOf(deps).recordRead(ctx, {
      action: 'alert.read',
      resource: `alerts/${alertId}`,
      citizenId: alert.citizenId,
    });
  return { ...alert, deliveries };
}
