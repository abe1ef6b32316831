import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '#shared/http/app.ts';
import { allRouters } from '#shared/app/routers.ts';
import { auditKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import { createTestApp, FixedClock, type TestApp, type TestResponse } from '../support/app.ts';
import { readyAnswers, supportConversationTwiceAWeek, uniqueNationalId } from '../care/care-helpers.ts';
import { bosWeek } from '../visits/visit-helpers.ts';
import { pairTablet, seedTeam, type TeamWorld } from './fixtures.ts';

/**
 * Every documented operation, read from the OpenAPI document, called by every kind of caller of
 * team east against team west's resources, by one citizen against another's and by one
 * dispenser against another's. A route added later is in the matrix the day it is added; a
 * route whose path parameter, required query or body has no fixture here fails the suite, naming
 * what to add, instead of being skipped.
 */
type Ids = TeamWorld['ids'];
type Operation = { method: string; path: string; op: any };

/** Which resource a path parameter names; `null`: it names nothing of a team (a questionnaire version). */
const PATH_FIXTURES: Record<string, ((ids: Ids, team: string) => string) | null> = {
  citizenId: (ids) => ids.citizenId,
  staffId: (ids) => ids.staffId,
  visitId: (ids) => ids.visitId,
  dispenserId: (ids) => ids.dispenserId,
  alertId: (ids) => ids.alertId,
  conversionId: (ids) => ids.conversionId,
  grantId: (ids) => ids.grantId,
  subscriptionId: (ids) => ids.subscriptionId,
  tabletId: (ids) => ids.tabletId,
  guestId: (ids) => ids.guestId,
  team: (_, team) => team,
  version: null,
};

/** Query parameters that name a resource of the other side: each gets a call of its own. */
const QUERY_FIXTURES: Record<string, (ids: Ids) => string> = {
  citizenId: (ids) => ids.citizenId,
  staffId: (ids) => ids.staffId,
  actor: (ids) => ids.staffId,
};

/** Values for required query parameters that name nothing. */
const REQUIRED_QUERY: Record<string, string> = { from: '2026-10-01', to: '2026-10-31', date: '2026-10-19' };

/** A valid body for every operation that takes one (else validation would answer before authorisation). */
const BODIES: Record<string, (ids: Ids) => unknown> = {
  'POST /citizens': () => ({ nationalId: uniqueNationalId(), name: { given: 'Ny', family: 'Borger' } }),
  'POST /questionnaires': () => ({}),
  'POST /citizens/{citizenId}/assessments': () => ({ answers: readyAnswers }),
  'POST /citizens/{citizenId}/grants': () => supportConversationTwiceAWeek,
  'PATCH /citizens/{citizenId}/grants/{grantId}': () => ({ endDate: '2026-12-01', reason: 'Moves away' }),
  'POST /citizens/{citizenId}/conversions': (ids) => ({
    reason: 'Screen visits',
    splits: [{ grantId: ids.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 }],
  }),
  'POST /conversions/{conversionId}/approve': () => ({ note: 'Agreed' }),
  'PUT /staff/{staffId}/availability': () => bosWeek,
  'POST /visits': (ids) => ({
    citizenId: ids.citizenId,
    staffId: ids.staffId,
    start: '2026-10-21T13:00:00+02:00',
    durationMinutes: 20,
    purpose: { grantId: ids.grantId, service: 'support_conversation' },
  }),
  'PATCH /visits/{visitId}': () => ({ start: '2026-10-21T14:00:00+02:00' }),
  'POST /visits/{visitId}/guests': () => ({ kind: 'relative' }),
  'POST /visits/{visitId}/complete': () => ({ result: 'delivered' }),
  'POST /alerts/{alertId}/ack': () => ({ note: 'Seen' }),
  'POST /alerts/{alertId}/resolve': () => ({ note: 'Called the citizen' }),
  'POST /dispensers': () => ({
    vendor: 'Evondos',
    model: 'E300',
    serial: `SN-M-${Math.random().toString(36).slice(2)}`,
  }),
  'PATCH /dispensers/{dispenserId}': () => ({ status: 'returned' }),
  'PUT /dispensers/{dispenserId}/assignment': (ids) => ({ citizenId: ids.citizenId, status: 'active' }),
  'PUT /citizens/{citizenId}/dose-plan': () => ({ times: ['09:00'], validFrom: '2026-10-20' }),
  'POST /dispensers/{dispenserId}/events': () => ({
    events: [
      { eventId: `m-${Math.random().toString(36).slice(2)}`, type: 'heartbeat', occurredAt: '2026-10-19T05:59:00Z' },
    ],
  }),
  'POST /teams/{team}/staff': () => ({ staffId: `stf-m-${Math.random().toString(36).slice(2, 8)}` }),
  'PUT /teams/{team}/duty-roster': (ids) => ({
    entries: [{ staffId: ids.staffId, duty: 'on-duty', weekly: [{ weekday: 1, start: '00:00', end: '24:00' }] }],
  }),
  'PUT /teams/{team}/escalation': () => ({
    leads: [],
    clinical: [{ to: 'on-duty', channels: ['push'], timeoutMinutes: 10 }],
    technical: [{ to: 'support', channels: ['push'], timeoutMinutes: 30 }],
  }),
  'PUT /teams/{team}/contacts/{staffId}': () => ({ phone: '+4522334455', smsConsent: true }),
  'POST /me/push-subscriptions': () => ({
    endpoint: `https://push.example.org/send/m-${Math.random().toString(36).slice(2)}`,
    keys: { p256dh: 'k', auth: 'a' },
    locale: 'da',
  }),
  'POST /alerts/{alertId}/ack-link': () => ({ token: 'eyJhIjoiYWxyXzAxIn0.c2lnbmF0dXJlLW9mLWFub3RoZXItbGluaw' }),
  'PUT /citizens/{citizenId}/alert-settings': () => ({ missedDoseDelayMinutes: 15 }),
  'POST /citizens/{citizenId}/alert-pauses': () => ({
    from: '2026-11-27T08:00:00+01:00',
    to: '2026-12-05T08:00:00+01:00',
    reason: 'hospital',
  }),
  'PUT /citizens/{citizenId}/relative-contact': () => ({
    phone: '+4522334466',
    consent: { given: true, givenBy: 'citizen', kinds: ['missed_dose'] },
  }),
  'POST /dispensers/{dispenserId}/trial-decision': () => ({ decision: 'return', reasonCode: 'citizen_declined' }),
  'POST /citizens/{citizenId}/final-grant/reversions': (ids) => ({
    grantId: ids.grantId,
    technology: 'screen_visit',
    reasonCode: 'cannot_handle_device',
  }),
  'PUT /reports/savings-model': () => ({
    physicalMinutesPerVisit: null,
    travelMinutesPerVisit: 15,
    screenVisitLengthPercent: 100,
    dispensedDoseMinutes: 0,
  }),
  'PUT /reports/municipality/targets': () => ({
    trialStartsOn: '2026-08-01',
    targets: [{ metric: 'activeDispensers', atLeast: 700, by: '2027-06-30' }],
  }),
  // A code nobody made: a code is the credential it pairs with, so it names no resource of a team.
  'POST /tablet-pairings/redeem': () => ({ code: 'ABCD-EFGH', label: 'Tablet' }),
  'POST /visits/{visitId}/guests/{guestId}/consent': () => ({ consent: true }),
};

const document = openApiDocument(allRouters()) as { paths: Record<string, Record<string, any>> };
const operations: Operation[] = Object.entries(document.paths).flatMap(([path, ops]) =>
  Object.entries(ops)
    .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

interface Call {
  label: string;
  method: string;
  url: string;
  body?: unknown;
  /** Does this call name a resource of the other side? Then only 401, 403 or 404 will do. */
  namesForeign: boolean;
}

/** The calls of one operation against `ids`; throws, naming the gap, when a fixture is missing. */
function callsFor({ method, path, op }: Operation, ids: Ids, team: string): Call[] {
  const key = `${method} ${path}`;
  let namesForeign = false;
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in PATH_FIXTURES))
      throw new Error(
        `${key}: the matrix has no fixture for path parameter {${name}}; add it to PATH_FIXTURES in test/security/cross-team-matrix.test.ts`,
      );
    const fixture = PATH_FIXTURES[name];
    if (!fixture) return '1';
    namesForeign = true;
    return encodeURIComponent(fixture(ids, team));
  });
  const query = new URLSearchParams();
  // Pages of one: a list that leaks shows it in its cursor even when the page is empty.
  if (((op.parameters ?? []) as { in: string; name: string }[]).some((p) => p.in === 'query' && p.name === 'limit'))
    query.set('limit', '1');
  for (const p of (op.parameters ?? []) as { in: string; name: string; required?: boolean }[]) {
    if (p.in !== 'query' || !p.required) continue;
    // A required parameter that names a resource (the citizen to book for) names the other side's.
    const names = QUERY_FIXTURES[p.name];
    if (names) namesForeign = true;
    const value = names ? names(ids) : REQUIRED_QUERY[p.name];
    if (value === undefined)
      throw new Error(
        `${key}: the matrix has no value for the required query parameter ${p.name}; add it to REQUIRED_QUERY`,
      );
    query.set(p.name, value);
  }
  let body: unknown;
  if (op.requestBody) {
    const make = BODIES[key];
    if (!make) throw new Error(`${key}: the matrix has no request body for this operation; add a valid one to BODIES`);
    body = make(ids);
    if (JSON.stringify(body).includes(ids.citizenId)) namesForeign = true;
  }
  const base = query.size ? `${url}?${query}` : url;
  const calls: Call[] = [{ label: key, method, url: base, ...(body !== undefined ? { body } : {}), namesForeign }];
  for (const p of (op.parameters ?? []) as { in: string; name: string }[]) {
    const fixture = p.in === 'query' ? QUERY_FIXTURES[p.name] : undefined;
    if (!fixture) continue;
    const variant = new URLSearchParams(query);
    variant.set(p.name, fixture(ids));
    calls.push({
      label: `${key}?${p.name}=<other>`,
      method,
      url: `${url}?${variant}`,
      ...(body !== undefined ? { body } : {}),
      namesForeign: true,
    });
  }
  return calls;
}

/** The response as a reader could see it: the body, cursors decoded, iCalendar lines unfolded, and the headers. */
function visibleText(res: TestResponse): string {
  const cursors: string[] = [];
  JSON.stringify(res.body ?? null, (k, v: unknown) => {
    if (k === 'nextCursor' && typeof v === 'string') cursors.push(Buffer.from(v, 'base64url').toString('latin1'));
    return v;
  });
  const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  return [res.text.replace(/\r?\n[ \t]/g, ''), ...cursors, headers].join('\n');
}

/** Ids of the other side in the response: none may appear, except an echo of what the caller sent in a refusal. */
function leaks(res: TestResponse, call: Call, foreign: string[]): string[] {
  const sent = `${call.url} ${JSON.stringify(call.body ?? '')}`;
  const text = visibleText(res);
  return foreign.filter((id) => text.includes(id) && (res.status < 400 || !sent.includes(id)));
}

let t: TestApp;
let east: TeamWorld;
let west: TeamWorld;
/** A second citizen of east (their own sign-in and their paired tablet) and a second dispenser of east. */
let otherCitizen: string;
let otherTablet: string;
let otherDevice: string;

beforeAll(async () => {
  // Monday 19 October 2026, 08:00 in Copenhagen.
  // A VAPID public key, as a deployed stage has one (without it the key route answers 503).
  t = await createTestApp({
    clock: new FixedClock(new Date('2026-10-19T06:00:00Z')),
    config: { VAPID_PUBLIC_KEY: 'BMatrixTestPublicKey' },
  });
  east = await seedTeam(t, 'east');
  west = await seedTeam(t, 'west');
  const second = await t.call('POST', '/citizens', {
    as: east.assessor,
    body: { nationalId: uniqueNationalId(), name: { given: 'Anden', family: 'Borger' } },
  });
  otherCitizen = await t.token('citizen', second.body.citizenId, 'east');
  otherTablet = (await pairTablet(t, east.staff, second.body.citizenId)).token;
  const device = await t.call('POST', '/dispensers', {
    as: east.staff,
    body: { vendor: 'Evondos', model: 'E300', serial: 'SN-OTHER-1' },
  });
  otherDevice = device.body.credential;
}, 60_000);

async function run(callers: Record<string, { authorization: string }>, ids: Ids, team: string, foreign: string[]) {
  const failures: string[] = [];
  for (const operation of operations) {
    if (operation.path === '/health') continue;
    for (const call of callsFor(operation, ids, team)) {
      for (const [who, headers] of Object.entries(callers)) {
        const res = await t.call(call.method, call.url, {
          headers,
          ...(call.body !== undefined ? { body: call.body } : {}),
        });
        if (res.status >= 500) failures.push(`${who} ${call.label}: ${res.status}`);
        else if (call.namesForeign && ![401, 403, 404].includes(res.status))
          failures.push(`${who} ${call.label}: ${res.status} (expected 401, 403 or 404) ${res.text.slice(0, 200)}`);
        const leaked = leaks(res, call, foreign);
        if (leaked.length) failures.push(`${who} ${call.label}: ${res.status} shows ${leaked.join(', ')}`);
      }
    }
  }
  return failures;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the cross-team matrix, generated from the OpenAPI document', () => {
  it('covers every documented operation (a missing fixture fails here, by name)', () => {
    expect(operations.length).toBeGreaterThan(40);
    for (const operation of operations) expect(() => callsFor(operation, west.ids, 'west')).not.toThrow();
  });

  // `dpo` and `reporting` are not callers here: both are municipality-wide by design (the audit log
  // of every team; the roll-up across teams), so another team's resources are theirs to see. What
  // they may see is held separately: dpo in findings.test.ts, reporting below.
  it('every role of team east, its citizen (signed in, and on the paired tablet) and its dispenser get 401/403/404 for team west’s resources, and see none of its ids', async () => {
    const callers = {
      assessor: bearer(east.assessor),
      staff: bearer(east.staff),
      lead: bearer(east.lead),
      admin: bearer(east.admin),
      citizen: bearer(east.citizen),
      tablet: bearer(east.tablet),
      device: bearer(east.credential),
    };
    const foreign = [...Object.values(west.ids), 'team-west', '"west"', 'TEAM#west'];
    expect(await run(callers, west.ids, 'west', foreign)).toEqual([]);
  }, 120_000);

  it('one citizen (signed in or on their tablet) and one dispenser get 401/403/404 for another citizen’s and dispenser’s resources in the same team', async () => {
    const callers = {
      'other citizen': bearer(otherCitizen),
      'other citizen’s tablet': bearer(otherTablet),
      'other device': bearer(otherDevice),
    };
    const { citizenId, visitId, dispenserId, alertId, conversionId, grantId, tabletId, guestId } = east.ids;
    expect(
      await run(callers, east.ids, 'east', [
        citizenId,
        visitId,
        dispenserId,
        alertId,
        conversionId,
        grantId,
        tabletId,
        guestId,
      ]),
    ).toEqual([]);
  }, 60_000);
});

/** GET routes that return no data about a citizen, and why; every other GET must leave an audit record. */
const NO_CITIZEN_DATA: Record<string, string> = {
  'GET /health': 'liveness',
  'GET /questionnaires/current': 'the questionnaire, no answers',
  'GET /questionnaires/{version}': 'the questionnaire, no answers',
  'GET /staff/{staffId}/availability': 'a staff member’s own working hours',
  'GET /teams/{team}/staff': 'the staff directory',
  'GET /teams/{team}/duty-roster': 'who is on duty when: staff ids and hours, no citizen',
  'GET /teams/{team}/on-duty': 'the staff member on duty now, no citizen',
  'GET /teams/{team}/escalation': 'the team’s escalation chain: roles, channels and timeouts',
  'GET /teams/{team}/contacts/{staffId}': 'a staff member’s own phone and SMS consent',
  'GET /me/push-subscriptions': 'the caller’s own devices (push endpoints)',
  'GET /notifications/vapid-public-key': 'the public key browsers subscribe with',
  'GET /staff/{staffId}/free-slots':
    'a staff member’s free time; with `citizenId` it is a read of that citizen’s visits, audited (test/visits/free-time.test.ts)',
  'GET /reports/savings-model': 'the municipality’s savings model, no citizen',
  'GET /reports/municipality/targets': 'the municipality’s targets, no citizen',
  'GET /reports/municipality': 'aggregates per team for the reporting role, no citizen named',
};

describe('every read of citizen data is audited', () => {
  it('each GET that shows team east’s citizen data to someone allowed to see it leaves an audit record for that citizen', async () => {
    const auditCount = async () =>
      (await queryAll(t.deps.table, { partition: ['pk', auditKeys.citizenPartition(east.ids.citizenId)] })).length;
    const readers = [east.lead, east.staff, east.assessor, east.admin, east.citizen, east.tablet];
    const unaudited: string[] = [];
    for (const operation of operations.filter((o) => o.method === 'GET')) {
      const [call] = callsFor(operation, east.ids, 'east');
      if (!call || NO_CITIZEN_DATA[call.label]) continue;
      // Whole pages (no limit of one), and for the lists that need it a query that shows the citizen.
      const url = new URL(call.url, 'http://matrix');
      url.searchParams.delete('limit');
      if (operation.path === '/audit') url.searchParams.set('citizenId', east.ids.citizenId);
      if (operation.path === '/visits') url.searchParams.set('from', '2026-10-19T00:00:00Z');
      if (operation.path.endsWith('/free-slots')) url.searchParams.set('date', '2026-10-20');
      let served = false;
      for (const reader of readers) {
        const before = await auditCount();
        const res = await t.call('GET', `${url.pathname}${url.search}`, { as: reader });
        if (res.status !== 200) continue;
        served = true;
        if ((await auditCount()) === before)
          unaudited.push(
            `${call.label} (read by a ${reader === east.citizen ? 'citizen' : reader === east.tablet ? 'tablet' : 'team member'})`,
          );
        break;
      }
      if (!served)
        unaudited.push(`${call.label}: nobody of team east could read it; give it a fixture that shows the citizen`);
    }
    expect(unaudited).toEqual([]);
  }, 60_000);
});

describe('the municipality roll-up', () => {
  const rollup = ['GET /reports/municipality?date=2026-10-19', 'GET /reports/municipality/targets'];

  it('is the reporting role’s: every role of a team, a citizen, a tablet and a dispenser get 401/403, in JSON and CSV, and see no team’s figures', async () => {
    const callers = {
      assessor: east.assessor,
      staff: east.staff,
      lead: east.lead,
      admin: east.admin,
      citizen: east.citizen,
      tablet: east.tablet,
      device: east.credential,
    };
    const refused: string[] = [];
    for (const [who, token] of Object.entries(callers)) {
      for (const call of rollup) {
        const [method, url] = call.split(' ') as [string, string];
        for (const accept of ['application/json', 'text/csv']) {
          const res = await t.call(method, url, { headers: { authorization: `Bearer ${token}`, accept } });
          if (![401, 403].includes(res.status) || /west|east|activeDispensers/.test(res.text))
            refused.push(`${who} ${call} (${accept}): ${res.status} ${res.text.slice(0, 120)}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  it('shows the reporting role each team’s aggregates and never a citizen, visit, dispenser, alert, conversion or grant id', async () => {
    const reporting = await t.token('reporting', 'rep-kommune', 'east');
    const json = await t.call('GET', '/reports/municipality?date=2026-10-19', { as: reporting });
    const csv = await t.call('GET', '/reports/municipality?date=2026-10-19', {
      as: reporting,
      headers: { accept: 'text/csv' },
    });
    expect([json.status, csv.status]).toEqual([200, 200]);
    expect(json.body.teams.map((x: { team: string }) => x.team)).toEqual(expect.arrayContaining(['east', 'west']));
    const ids = [...Object.values(east.ids), ...Object.values(west.ids)];
    expect(ids.filter((id) => json.text.includes(id) || csv.text.includes(id))).toEqual([]);
  });
});
