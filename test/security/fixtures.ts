import { raiseAlert } from '#shared/alerts/alerts.ts';
import { newId } from '#shared/platform/ids.ts';
import type { TestApp } from '../support/app.ts';
import { readyAnswers, supportConversationTwiceAWeek, uniqueNationalId } from '../care/care-helpers.ts';
import { bosWeek } from '../visits/visit-helpers.ts';

/**
 * One team set up through the API as it works: its people, a citizen with an assessment, a
 * screen-visit grant and a medication grant, an approved conversion of both, a booked visit, an
 * assigned dispenser and an alert.
 */
export interface TeamWorld {
  team: string;
  assessor: string;
  staff: string;
  lead: string;
  admin: string;
  /** The citizen's own sign-in (a Cognito citizen token). */
  citizen: string;
  /** The citizen's paired tablet: the API-signed tablet token, a credential of its own kind. */
  tablet: string;
  ids: {
    citizenId: string;
    staffId: string;
    visitId: string;
    dispenserId: string;
    alertId: string;
    conversionId: string;
    grantId: string;
    tabletId: string;
    guestId: string;
    subscriptionId: string;
  };
  credential: string;
}

async function ok<T = any>(
  res: Promise<{ status: number; body: any; text: string }>,
  expected: number,
  what: string,
): Promise<T> {
  const r = await res;
  if (r.status !== expected) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.body as T;
}

let serial = 0;

const medicationTwiceADay = {
  paragraph: 'SUL-138',
  service: 'medication_handling',
  frequency: { per: 'day', times: 2, timesOfDay: ['08:00', '20:00'] },
  minutesPerOccurrence: 10,
  startDate: '2026-01-01',
};

export async function seedTeam(t: TestApp, team: string): Promise<TeamWorld> {
  const assessor = await t.token('assessor', `asr-${team}`, team);
  const staff = await t.token('staff', `stf-${team}`, team);
  const lead = await t.token('lead', `lead-${team}`, team);
  const admin = await t.token('admin', `adm-${team}`, team);
  await ok(
    t.call('POST', `/teams/${team}/staff`, { as: admin, body: { staffId: `stf-${team}` } }),
    201,
    'register staff',
  );

  const { citizenId } = await ok(
    t.call('POST', '/citizens', {
      as: assessor,
      body: { nationalId: uniqueNationalId(), name: { given: 'Test', family: `Borger ${team}` } },
    }),
    201,
    'citizen',
  );
  await ok(
    t.call('POST', `/citizens/${citizenId}/assessments`, { as: assessor, body: { answers: readyAnswers } }),
    201,
    'assessment',
  );
  const { grantId } = await ok(
    t.call('POST', `/citizens/${citizenId}/grants`, { as: assessor, body: supportConversationTwiceAWeek }),
    201,
    'grant',
  );
  // Medication handling too: a dispenser is assigned active only for an approved medication line.
  const medication = await ok(
    t.call('POST', `/citizens/${citizenId}/grants`, { as: assessor, body: medicationTwiceADay }),
    201,
    'medication grant',
  );
  const { conversionId } = await ok(
    t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: staff,
      body: {
        reason: 'Screen visits and a dispenser',
        splits: [
          { grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 },
          { grantId: medication.grantId, physical: 0, screenVisit: 0, medicationTechnology: 2 },
        ],
      },
    }),
    201,
    'conversion',
  );
  await ok(t.call('POST', `/conversions/${conversionId}/approve`, { as: lead }), 201, 'approval');

  await ok(t.call('PUT', `/staff/stf-${team}/availability`, { as: staff, body: bosWeek }), 200, 'availability');
  const { visitId } = await ok(
    t.call('POST', '/visits', {
      as: staff,
      body: {
        citizenId,
        staffId: `stf-${team}`,
        start: '2026-10-20T13:00:00+02:00',
        durationMinutes: 20,
        purpose: { grantId, service: 'support_conversation' },
      },
    }),
    201,
    'visit',
  );

  // Guests are added only to a visit in progress, which this world's visit (tomorrow) is not; the
  // guest id rides on the visit's, and the visit is what makes a call name the other side.
  const guestId = newId('gst');
  const paired = await pairTablet(t, staff, citizenId);

  await ok(
    t.call('PUT', `/citizens/${citizenId}/dose-plan`, {
      as: staff,
      body: { times: ['08:00', '20:00'], validFrom: '2026-10-19' },
    }),
    200,
    'dose plan',
  );
  const registered = await ok(
    t.call('POST', '/dispensers', {
      as: staff,
      body: { vendor: 'Evondos', model: 'E300', serial: `SN-${team}-${++serial}` },
    }),
    201,
    'dispenser',
  );
  const dispenserId = registered.dispenser.dispenserId as string;
  await ok(
    t.call('PUT', `/dispensers/${dispenserId}/assignment`, { as: staff, body: { citizenId, status: 'active' } }),
    200,
    'assignment',
  );

  // Alerts are raised by the detection jobs, not by a route.
  const alert = await raiseAlert(t.deps, {
    kind: 'missed_dose',
    team,
    citizenId,
    dedupKey: `missed_dose#${citizenId}#2026-10-19T06:00:00.000Z`,
    summary: 'Dose at 08:00 not taken',
    occurredAt: t.clock.now(),
  });
  if (!alert.raised || !alert.alertId) throw new Error('alert not raised');

  // A staff member's phone on the team's alert routing.
  const { subscriptionId } = await ok(
    t.call('POST', '/me/push-subscriptions', {
      as: staff,
      body: { endpoint: `https://push.example.org/send/${team}`, keys: { p256dh: 'k', auth: 'a' }, locale: 'da' },
    }),
    201,
    'push subscription',
  );

  return {
    team,
    assessor,
    staff,
    lead,
    admin,
    citizen: await t.token('citizen', citizenId, team),
    tablet: paired.token,
    ids: {
      citizenId,
      staffId: `stf-${team}`,
      visitId,
      dispenserId,
      alertId: alert.alertId,
      conversionId,
      grantId,
      tabletId: paired.tabletId,
      guestId,
      subscriptionId: subscriptionId as string,
    },
    credential: registered.credential as string,
  };
}

/** Staff make a pairing code and the citizen's tablet redeems it: the tablet's own token. */
export async function pairTablet(
  t: TestApp,
  staff: string,
  citizenId: string,
): Promise<{ token: string; tabletId: string }> {
  const { code } = await ok<{ code: string }>(
    t.call('POST', `/citizens/${citizenId}/tablet-pairings`, { as: staff }),
    201,
    'pairing code',
  );
  return ok(t.call('POST', '/tablet-pairings/redeem', { body: { code, label: 'Tablet' } }), 201, 'tablet paired');
}
