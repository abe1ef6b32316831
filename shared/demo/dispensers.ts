import { DateTime } from 'luxon';
import { currentPlan, writeDosePlan } from '#shared/dispensers/dose-plan.ts';
import { ingestDeviceEvents } from '#shared/dispensers/ingest.ts';
import { assignDispenser, registerDispenser } from '#shared/dispensers/registry.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { DemoData, DemoStep } from './seed.ts';

/**
 * Demo data of the dispenser capability: one dispenser in stock; one active with the demo citizen,
 * whose dose plan came from the approved final grant; one on trial (ending in five days) with the
 * citizen who is ready with support, with three days of events behind it — doses taken on time,
 * one late, one the dispenser reported missed — so adherence and alerts have something to show.
 */
async function postDemoDays(
  deps: Deps,
  device: { dispenserId: string; credential: string },
  times: readonly string[],
  start: DateTime,
  days: number,
) {
  const events: Record<string, unknown>[] = [];
  for (let d = 0; d < days; d++) {
    const day = start.plus({ days: d });
    for (let h = 0; h < 24; h += 2)
      events.push({ eventId: `demo-hb-${d}-${h}`, type: 'heartbeat', occurredAt: day.plus({ hours: h }).toISO() });
    times.forEach((time, i) => {
      const [hh, mm] = time.split(':').map(Number);
      const doseAt = day.set({ hour: hh ?? 0, minute: mm ?? 0 });
      const scheduledFor = doseAt.toISO();
      events.push({
        eventId: `demo-disp-${d}-${i}`,
        type: 'dose_dispensed',
        occurredAt: doseAt.plus({ seconds: 5 }).toISO(),
        scheduledFor,
      });
      if (d === 1 && i === 0)
        events.push({
          eventId: `demo-late-${d}-${i}`,
          type: 'dose_taken',
          occurredAt: doseAt.plus({ minutes: 95 }).toISO(),
          scheduledFor,
        });
      else if (d === days - 1 && i === times.length - 1)
        events.push({
          eventId: `demo-miss-${d}-${i}`,
          type: 'dose_missed',
          occurredAt: doseAt.plus({ minutes: 90 }).toISO(),
          scheduledFor,
        });
      else
        events.push({
          eventId: `demo-take-${d}-${i}`,
          type: 'dose_taken',
          occurredAt: doseAt.plus({ minutes: 12 }).toISO(),
          scheduledFor,
        });
    });
  }
  for (let i = 0; i < events.length; i += 100) {
    await ingestDeviceEvents(deps, { ...device, requestId: 'demo-seed' }, { events: events.slice(i, i + 100) });
  }
}

/** The dispensers step of the demo data. */
export const dispensersDemo: DemoStep = async (deps, demo: DemoData) => {
  const now = deps.clock.now();
  const staff: RequestContext = {
    actor: { kind: 'user', sub: 'stf-anna', roles: ['staff'], team: demo.team },
    requestId: 'demo-seed',
    now,
  };
  const today = DateTime.fromJSDate(now, { zone: deps.config.TIME_ZONE }).startOf('day');

  const stock = await registerDispenser(deps, staff, { vendor: 'Medido', model: 'Medido 2', serial: 'MD2-DEMO-0001' });
  demo.ids.dispenserInStock = stock.dispenser.dispenserId;

  const citizenId = demo.ids.citizen;
  if (citizenId) {
    if (!(await currentPlan(deps, citizenId)))
      await writeDosePlan(deps, staff, citizenId, { times: ['08:00', '20:00'], validFrom: today.toISODate() ?? '' });
    const active = await registerDispenser(deps, staff, {
      vendor: 'Evondos',
      model: 'E300',
      serial: 'EV300-DEMO-0042',
    });
    await assignDispenser(deps, staff, active.dispenser.dispenserId, { citizenId, status: 'active' });
    demo.ids.dispenserActive = active.dispenser.dispenserId;
  }

  const trialCitizen = demo.ids.citizenReadyWithSupport;
  if (trialCitizen) {
    const start = today.minus({ days: 3 });
    const times = ['09:00', '21:00'];
    await writeDosePlan(deps, staff, trialCitizen, { times, validFrom: start.toISODate() ?? '' });
    const trial = await registerDispenser(deps, staff, { vendor: 'Pilly', model: 'Pilly 1', serial: 'PL1-DEMO-0007' });
    await assignDispenser(deps, staff, trial.dispenser.dispenserId, {
      citizenId: trialCitizen,
      status: 'trial',
      trialEndsOn: today.plus({ days: 5 }).toISODate() ?? undefined,
      from: start.toUTC().toISO() ?? undefined,
    });
    await postDemoDays(
      deps,
      { dispenserId: trial.dispenser.dispenserId, credential: trial.credential },
      times,
      start,
      3,
    );
    demo.ids.dispenserOnTrial = trial.dispenser.dispenserId;
  }
};
