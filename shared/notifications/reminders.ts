import * as z from '#shared/platform/zod.ts';
import { DateTime } from 'luxon';
import type { Deps } from '#shared/platform/deps.ts';
import { notificationKeys } from '#shared/table/keys.ts';
import { getItem } from '#shared/table/store.ts';
import { loadVisit } from '#shared/visits/visit-store.ts';
import { consoleDayUrl, tabletHomeUrl } from './links.ts';
import { loadEscalation, removePushSubscription, subscriptionsOf, type Locale } from './settings.ts';

/**
 * Visit reminders reach people: the citizen's tablet ("Anna calls you at 10:30", in the tablet's
 * language) and the staff member's devices. VisitReminderDue brings the standard one
 * (VISIT_REMINDER_MINUTES before); a team may add earlier ones (`reminderLeadMinutes` of its
 * escalation settings), scheduled when a visit is booked or moved. No health details: who calls
 * and when, nothing about why.
 */
export const VISIT_EXTRA_REMINDER_JOB = 'visit-extra-reminder';
export const extraReminderName = (visitId: string, lead: number) => `visit-notify-${visitId}-${lead}`;

const visitDetail = z.object({ visitId: z.string(), team: z.string(), start: z.string() });

export function reminderText(
  locale: Locale,
  caller: string | undefined,
  time: string,
): { title: string; body: string } {
  return locale === 'da'
    ? { title: 'Skærmbesøg', body: `${caller ?? 'Hjemmeplejen'} ringer til dig kl. ${time}` }
    : { title: 'Screen visit', body: `${caller ?? 'Home care'} calls you at ${time}` };
}

/** Sends the reminder for a visit that is still scheduled at `expectedStart`. Returns how many messages went out. */
export async function sendVisitReminder(deps: Deps, visitId: string, expectedStart: string): Promise<{ sent: number }> {
  const visit = await loadVisit(deps.table, visitId);
  if (!visit || visit.status !== 'scheduled' || visit.start !== new Date(expectedStart).toISOString())
    return { sent: 0 };
  const time = DateTime.fromISO(visit.start, { zone: deps.config.TIME_ZONE }).toFormat('HH:mm');
  const contact = visit.staffId
    ? await getItem(deps.table, notificationKeys.staffContact(visit.staffId), { consistent: true })
    : undefined;
  const caller = typeof contact?.displayName === 'string' ? contact.displayName : undefined;
  const base = deps.config.CONSOLE_BASE_URL.replace(/\/$/, '');
  let sent = 0;
  const pushTo = async (recipient: string, text: (locale: Locale) => { title: string; body: string }, url: string) => {
    for (const s of await subscriptionsOf(deps, recipient)) {
      const { title, body } = text(s.locale);
      const result = await deps.notifier.send({
        channel: 'push',
        recipient,
        subscriptionId: s.subscriptionId,
        subscription: { endpoint: s.endpoint, keys: s.keys },
        title,
        body,
        url,
        tag: `visit-${visit.visitId}`,
      });
      if (result.outcome === 'gone') await removePushSubscription(deps, recipient, s.subscriptionId);
      if (result.outcome === 'sent') sent++;
    }
  };
  await pushTo(visit.citizenId, (locale) => reminderText(locale, caller, time), tabletHomeUrl(base));
  if (visit.staffId) {
    await pushTo(
      visit.staffId,
      (locale) =>
        locale === 'da'
          ? { title: 'Skærmbesøg', body: `Skærmbesøg kl. ${time}` }
          : { title: 'Screen visit', body: `Screen visit at ${time}` },
      consoleDayUrl(base),
    );
  }
  return { sent };
}

/** VisitReminderDue: the standard reminder. */
export async function onVisitReminderDue(deps: Deps, detail: Record<string, unknown>): Promise<void> {
  const { visitId, start } = visitDetail.parse(detail);
  await sendVisitReminder(deps, visitId, start);
}

/** VisitBooked / VisitChanged: the team's extra reminders, one schedule per lead time (a move replaces them). */
export async function scheduleExtraReminders(deps: Deps, detail: Record<string, unknown>): Promise<void> {
  const { visitId, team, start } = visitDetail.parse(detail);
  const { reminderLeadMinutes } = await loadEscalation(deps, team);
  const now = deps.clock.now().getTime();
  for (const lead of reminderLeadMinutes) {
    const at = DateTime.fromISO(start).minus({ minutes: lead }).toJSDate();
    if (at.getTime() <= now) continue;
    await deps.scheduler.scheduleOnce({
      name: extraReminderName(visitId, lead),
      at,
      job: VISIT_EXTRA_REMINDER_JOB,
      payload: { visitId, start },
    });
  }
}

export async function runExtraReminder(deps: Deps, payload: Record<string, unknown>): Promise<{ sent: number }> {
  const { visitId, start } = z.object({ visitId: z.string(), start: z.string() }).parse(payload);
  return sendVisitReminder(deps, visitId, start);
}
