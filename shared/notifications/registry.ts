import type { Deps } from '#shared/platform/deps.ts';
import { asFunction } from '#shared/table/table-access.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { CHIME_EVENT_TYPE, recordMeetingEvent } from './checkin.ts';
import {
  ESCALATION_STEP_JOB,
  runEscalationStep,
  startEscalation,
  startQuietPeriod,
  stopEscalation,
} from './escalation.ts';
import { onVisitReminderDue, runExtraReminder, scheduleExtraReminders, VISIT_EXTRA_REMINDER_JOB } from './reminders.ts';
import type { AlertKind } from '#shared/alerts/alerts.ts';

/**
 * What the notifier function consumes and runs. Kept apart from the shared consumer and job
 * registries on purpose: only the notifier function may send pushes and SMS, so these events and
 * jobs reach it alone (its own EventBridge rules and schedules, infra/notifications.ts), and the
 * other functions never bundle the senders. Locally `createLocalDeps` wires them in process.
 */
type Handler = (deps: Deps, event: DomainEvent) => Promise<void>;

const detailOf = (event: DomainEvent) =>
  event.detail as Record<string, unknown> & {
    alertId: string;
    kind: AlertKind;
    dispenserId?: string;
    citizenId?: string;
  };

export const notifierConsumers: Record<string, Handler> = {
  AlertRaised: async (deps, event) => {
    await startEscalation(deps, detailOf(event).alertId);
  },
  AlertAcknowledged: async (deps, event) => stopEscalation(deps, detailOf(event).alertId),
  AlertResolved: async (deps, event) => {
    const detail = detailOf(event);
    await stopEscalation(deps, detail.alertId);
    await startQuietPeriod(
      deps,
      detail,
      new Date(typeof detail.resolvedAt === 'string' ? detail.resolvedAt : event.occurredAt),
    );
  },
  VisitReminderDue: (deps, event) => onVisitReminderDue(deps, event.detail),
  VisitBooked: (deps, event) => scheduleExtraReminders(deps, event.detail),
  VisitChanged: (deps, event) => scheduleExtraReminders(deps, event.detail),
  [CHIME_EVENT_TYPE]: async (deps, event) => {
    await recordMeetingEvent(deps, event.detail, event.occurredAt);
  },
};

/** The domain event types among them (on the service's bus); Chime's come from the default bus. */
export const notifierDomainEventTypes = Object.keys(notifierConsumers).filter((t) => t !== CHIME_EVENT_TYPE);

export const notifierJobs: Record<string, (deps: Deps, payload: Record<string, unknown>) => Promise<unknown>> = {
  [ESCALATION_STEP_JOB]: runEscalationStep,
  [VISIT_EXTRA_REMINDER_JOB]: runExtraReminder,
};

export async function consumeForNotifier(deps: Deps, event: DomainEvent): Promise<void> {
  await asFunction('Notifier', async () => notifierConsumers[event.type]?.(deps, event));
}

export async function runNotifierJob(deps: Deps, job: string, payload: Record<string, unknown>): Promise<unknown> {
  const run = notifierJobs[job];
  if (!run) throw new Error(`Unknown notifier job "${job}"`);
  return asFunction('Notifier', () => run(deps, payload));
}
