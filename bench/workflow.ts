import { DateTime } from 'luxon';
import { jobs } from '#shared/app/job-registry.ts';
import { RouteMissing, servedOperations, Workflow, type WorkflowRow } from './api.ts';
import { deviceBatch } from './device-events.ts';
import type { BenchStack } from './stack.ts';
import { DOSE_TIMES, localDate, nextNationalId, registerCitizen, STAFF_ID, type Tokens } from './world.ts';

/**
 * Figure 3: the scripted workflow of one citizen through the API — assessment → grants →
 * conversion → approval → screen visits → dispenser and device events → alerts → reports and
 * audit — one call at a time, each metered for its DynamoDB requests and consumed capacity.
 * Then every recurring job once, and the domain-event consumers that ran on the way. A step
 * whose route is missing is recorded as such, and the steps that need its answer are skipped.
 */
export interface WorkflowResult {
  rows: WorkflowRow[];
  /** Operations in the app's OpenAPI document that no step called. */
  notCalled: string[];
}

/** Runs `work`; a missing route or a failed step has been recorded already, so later independent steps go on. */
async function attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof RouteMissing))
      console.warn(`  workflow step failed: ${(error as Error).message.slice(0, 300)}`);
    return undefined;
  }
}

export async function runWorkflow(stack: BenchStack, tokens: Tokens): Promise<WorkflowResult> {
  const operations = await servedOperations(stack);
  const wf = new Workflow(stack, operations);
  const zone = stack.config.TIME_ZONE;
  const staff = tokens.staff;
  const ids: Record<string, string> = {};
  const skip = (step: string, route: string, needs: string) => wf.skipped(step, route, `skipped: needs ${needs}`);

  // ── Assessment ──
  const questionnaire = await attempt(() =>
    wf.step('read the questionnaire', 'GET', '/questionnaires/current', 200, { token: tokens.assessor }),
  );
  await attempt(() =>
    wf.step('read a questionnaire version', 'GET', '/questionnaires/{version}', 200, {
      token: tokens.assessor,
      params: { version: String(questionnaire?.body.version ?? 1) },
    }),
  );
  if (questionnaire) {
    const { title, questions } = questionnaire.body as { title: unknown; questions: unknown };
    await attempt(() =>
      wf.step('publish a new questionnaire version', 'POST', '/questionnaires', 201, {
        token: tokens.admin,
        body: { title, questions },
      }),
    );
  }
  const citizen = await attempt(() =>
    wf.step('register a citizen', 'POST', '/citizens', 201, {
      token: tokens.assessor,
      body: { nationalId: nextNationalId(), name: { given: 'Karen', family: 'Workflow' } },
    }),
  );
  const citizenId = citizen?.body.citizenId as string | undefined;
  if (citizenId) {
    ids.citizenId = citizenId;
    await attempt(() =>
      wf.step('read the citizen', 'GET', '/citizens/{citizenId}', 200, { token: staff, params: { citizenId } }),
    );
    await attempt(() =>
      wf.step('find citizens by name', 'GET', '/citizens', 200, { token: staff, query: { name: 'workflow' } }),
    );
    await attempt(() =>
      wf.step('answer the readiness questionnaire', 'POST', '/citizens/{citizenId}/assessments', 201, {
        token: tokens.assessor,
        params: { citizenId },
        body: {
          answers: {
            willing: true,
            uses_device: true,
            can_see_screen: true,
            can_hear_screen: true,
            internet_at_home: 'broadband',
            cognitive_barriers: 0,
            physical_barriers: 0,
            relative_can_help: true,
            can_take_dispensed_medication: true,
          },
        },
      }),
    );
    await attempt(() =>
      wf.step('list assessments', 'GET', '/citizens/{citizenId}/assessments', 200, {
        token: staff,
        params: { citizenId },
      }),
    );
  } else skip('assessment steps', 'POST /citizens/{citizenId}/assessments', 'a citizen');

  // ── Grants, conversion, final grant ──
  const startDate = localDate(0, zone);
  const care = citizenId
    ? await attempt(() =>
        wf.step('grant personal care (§ 83)', 'POST', '/citizens/{citizenId}/grants', 201, {
          token: tokens.assessor,
          params: { citizenId },
          body: {
            paragraph: 'SEL-83',
            service: 'personal_care',
            frequency: { per: 'day', times: 2, timesOfDay: ['08:00', '20:00'] },
            minutesPerOccurrence: 15,
            startDate,
          },
        }),
      )
    : undefined;
  const medication = citizenId
    ? await attempt(() =>
        wf.step('grant medication handling (§ 138)', 'POST', '/citizens/{citizenId}/grants', 201, {
          token: tokens.assessor,
          params: { citizenId },
          body: {
            paragraph: 'SUL-138',
            service: 'medication_handling',
            frequency: { per: 'day', times: 4, timesOfDay: DOSE_TIMES },
            minutesPerOccurrence: 10,
            startDate,
          },
        }),
      )
    : undefined;
  if (citizenId)
    await attempt(() =>
      wf.step('list grants', 'GET', '/citizens/{citizenId}/grants', 200, { token: staff, params: { citizenId } }),
    );
  const careGrantId = care?.body.grantId as string | undefined;
  const medicationGrantId = medication?.body.grantId as string | undefined;
  let conversionId: string | undefined;
  if (citizenId && careGrantId && medicationGrantId) {
    const conversion = await attempt(() =>
      wf.step('propose the digital split', 'POST', '/citizens/{citizenId}/conversions', 201, {
        token: staff,
        params: { citizenId },
        body: {
          reason: 'Ready for digital delivery; evening care by screen, medication by dispenser.',
          splits: [
            { grantId: careGrantId, physical: 1, screenVisit: 1, medicationTechnology: 0, screenVisitTimes: ['20:00'] },
            { grantId: medicationGrantId, physical: 0, screenVisit: 0, medicationTechnology: 4 },
          ],
        },
      }),
    );
    conversionId = conversion?.body.conversionId as string | undefined;
    await attempt(() =>
      wf.step('list conversions', 'GET', '/citizens/{citizenId}/conversions', 200, {
        token: staff,
        params: { citizenId },
      }),
    );
  } else skip('propose the digital split', 'POST /citizens/{citizenId}/conversions', 'a citizen with grants');
  if (conversionId) {
    await attempt(() =>
      wf.step('approve: the final grant', 'POST', '/conversions/{conversionId}/approve', [200, 201], {
        token: tokens.lead,
        params: { conversionId },
        body: { note: 'Approved for the trial.' },
      }),
    );
  } else skip('approve: the final grant', 'POST /conversions/{conversionId}/approve', 'a conversion');
  if (citizenId)
    await attempt(() =>
      wf.step('read the final grant', 'GET', '/citizens/{citizenId}/final-grant', 200, {
        token: staff,
        params: { citizenId },
      }),
    );

  // ── Screen visits ──
  await attempt(() =>
    wf.step('set own availability', 'PUT', '/staff/{staffId}/availability', 200, {
      token: staff,
      params: { staffId: STAFF_ID },
      body: {
        weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
        exceptions: [],
      },
    }),
  );
  await attempt(() =>
    wf.step('read availability', 'GET', '/staff/{staffId}/availability', 200, {
      token: staff,
      params: { staffId: STAFF_ID },
    }),
  );
  let visitId: string | undefined;
  // The visit lifecycle runs with a citizen of its own: the approved final grant has already booked
  // this citizen's daily screen visits, and one may overlap "now" (a 409 that says nothing about cost).
  const visitCitizenId = citizenId ? await attempt(() => registerCitizen(stack, tokens, 'Visit')) : undefined;
  if (visitCitizenId) {
    // Starts on the next 5-minute mark, so the citizen may join it now (joining opens a little early).
    const start = DateTime.now()
      .setZone(zone)
      .plus({ minutes: 5 - (DateTime.now().minute % 5) })
      .startOf('minute');
    const visit = await attempt(() =>
      wf.step('book a screen visit', 'POST', '/visits', 201, {
        token: staff,
        body: {
          citizenId: visitCitizenId,
          staffId: STAFF_ID,
          start: start.toISO({ suppressMilliseconds: true }),
          durationMinutes: 20,
          purpose: { grantId: careGrantId ?? 'grt_manual', service: 'personal care' },
        },
      }),
    );
    visitId = visit?.body.visitId as string | undefined;
  } else skip('book a screen visit', 'POST /visits', 'a citizen');
  const weekFrom = DateTime.now().setZone(zone).startOf('day');
  await attempt(() =>
    wf.step('list my visits this week', 'GET', '/visits', 200, {
      token: staff,
      query: { staffId: STAFF_ID, from: weekFrom.toISO() ?? '', to: weekFrom.plus({ days: 7 }).toISO() ?? '' },
    }),
  );
  if (visitId) {
    const params = { visitId };
    await attempt(() => wf.step('read a visit', 'GET', '/visits/{visitId}', 200, { token: staff, params }));
    await attempt(() =>
      wf.step('start the visit (video)', 'POST', '/visits/{visitId}/start', [200, 201], { token: staff, params }),
    );
    const citizenToken = await tokens.citizen(visitCitizenId ?? '');
    await attempt(() =>
      wf.step('citizen joins from the tablet', 'POST', '/visits/{visitId}/join', [200, 201], {
        token: citizenToken,
        params,
      }),
    );
    await attempt(() =>
      wf.step('add a relative', 'POST', '/visits/{visitId}/guests', [200, 201], {
        token: staff,
        params,
        body: { kind: 'relative' },
      }),
    );
    await attempt(() =>
      wf.step('complete with outcome', 'POST', '/visits/{visitId}/complete', 200, {
        token: staff,
        params,
        body: { result: 'delivered', notes: 'All well.' },
      }),
    );
    await attempt(() => wf.step('citizen lists own visits', 'GET', '/me/visits', 200, { token: citizenToken }));
  } else skip('visit lifecycle', 'POST /visits/{visitId}/start', 'a booked visit');
  if (visitCitizenId) {
    // A second visit to reschedule and then cancel (PATCH).
    const later = DateTime.now()
      .setZone(zone)
      .plus({ days: 2 })
      .set({ hour: 14, minute: 0, second: 0, millisecond: 0 });
    const second = await attempt(() =>
      wf.step('book another visit', 'POST', '/visits', 201, {
        token: staff,
        body: {
          citizenId: visitCitizenId,
          staffId: STAFF_ID,
          start: later.toISO({ suppressMilliseconds: true }),
          durationMinutes: 20,
          purpose: { grantId: careGrantId ?? 'grt_manual', service: 'personal care' },
        },
      }),
    );
    const secondId = second?.body.visitId as string | undefined;
    if (secondId) {
      await attempt(() =>
        wf.step('reschedule a visit', 'PATCH', '/visits/{visitId}', 200, {
          token: staff,
          params: { visitId: secondId },
          body: { start: later.plus({ hours: 1 }).toISO({ suppressMilliseconds: true }) },
        }),
      );
      await attempt(() =>
        wf.step('cancel a visit', 'PATCH', '/visits/{visitId}', 200, {
          token: staff,
          params: { visitId: secondId },
          body: { status: 'cancelled', reason: 'Citizen in hospital' },
        }),
      );
    }
  }
  await attempt(() =>
    wf.step('calendar feed', 'GET', '/staff/{staffId}/calendar.ics', 200, {
      token: staff,
      params: { staffId: STAFF_ID },
    }),
  );
  await attempt(() =>
    wf.step('issue a calendar feed key', 'POST', '/staff/{staffId}/calendar-feed', 201, {
      token: staff,
      params: { staffId: STAFF_ID },
    }),
  );

  // ── Dispenser, device events, adherence ──
  let device: { dispenserId: string; credential: string } | undefined;
  const registered = await attempt(() =>
    wf.step('register a dispenser', 'POST', '/dispensers', 201, {
      token: staff,
      body: { vendor: 'Medido', model: 'M2', serial: 'MD-WF-0001' },
    }),
  );
  if (registered)
    device = { dispenserId: registered.body.dispenser.dispenserId, credential: registered.body.credential };
  await attempt(() => wf.step('list dispensers', 'GET', '/dispensers', 200, { token: staff }));
  if (device && citizenId) {
    const params = { dispenserId: device.dispenserId };
    await attempt(() => wf.step('read a dispenser', 'GET', '/dispensers/{dispenserId}', 200, { token: staff, params }));
    // Assigned "yesterday" (the stack's clock moved back for these two calls only; their requests are the same),
    // so the doses of the last hours that the device reports below are this citizen's.
    await stack.clock.at(-86_400_000, async () => {
      await attempt(() =>
        wf.step('assign it to the citizen', 'PUT', '/dispensers/{dispenserId}/assignment', 200, {
          token: staff,
          params,
          body: { citizenId, status: 'active' },
        }),
      );
      await attempt(() =>
        wf.step('set the dose plan', 'PUT', '/citizens/{citizenId}/dose-plan', 200, {
          token: staff,
          params: { citizenId },
          body: { times: DOSE_TIMES, validFrom: localDate(-1, zone) },
        }),
      );
    });
    await attempt(() =>
      wf.step('read the dose plan', 'GET', '/citizens/{citizenId}/dose-plan', 200, {
        token: staff,
        params: { citizenId },
      }),
    );
    const auth = { authorization: `Bearer ${device.credential}` };
    await attempt(() =>
      wf.step('device posts 1 event', 'POST', '/dispensers/{dispenserId}/events', 202, {
        headers: auth,
        params,
        body: { events: deviceBatch({ prefix: 'wf1', size: 1, now: new Date(), doseTimes: DOSE_TIMES, zone, seq: 2 }) },
      }),
    );
    await attempt(() =>
      wf.step('device posts 25 buffered events', 'POST', '/dispensers/{dispenserId}/events', 202, {
        headers: auth,
        params,
        body: { events: deviceBatch({ prefix: 'wf25', size: 25, now: new Date(), doseTimes: DOSE_TIMES, zone }) },
      }),
    );
    await attempt(() =>
      wf.step('device repeats the 25 (idempotent)', 'POST', '/dispensers/{dispenserId}/events', 202, {
        headers: auth,
        params,
        body: { events: deviceBatch({ prefix: 'wf25', size: 25, now: new Date(), doseTimes: DOSE_TIMES, zone }) },
      }),
    );
    await attempt(() =>
      wf.step('device reports a fault (raises an alert)', 'POST', '/dispensers/{dispenserId}/events', 202, {
        headers: auth,
        params,
        body: { events: [{ eventId: 'wf-jam-1', type: 'jammed', occurredAt: new Date().toISOString() }] },
      }),
    );
    await attempt(() =>
      wf.step('adherence for 30 days', 'GET', '/citizens/{citizenId}/adherence', 200, {
        token: staff,
        params: { citizenId },
        query: { from: localDate(-29, zone), to: localDate(0, zone) },
      }),
    );
    await attempt(() =>
      wf.step('assignment history', 'GET', '/dispensers/{dispenserId}/assignments', 200, { token: staff, params }),
    );
    await attempt(() =>
      wf.step("citizen's dispensers", 'GET', '/citizens/{citizenId}/dispensers', 200, {
        token: staff,
        params: { citizenId },
      }),
    );
  } else skip('dispenser steps', 'PUT /dispensers/{dispenserId}/assignment', 'a citizen and a dispenser');

  // ── Jobs (each as one invocation of the job Lambda) ──
  for (const name of Object.keys(jobs).sort()) if (jobs[name]?.every) await wf.job(name);

  // ── Alerts ──
  const open = await attempt(() =>
    wf.step('on-duty alert list', 'GET', '/alerts', 200, { token: staff, query: { status: 'open' } }),
  );
  const alertId = (open?.body.items as { alertId: string }[] | undefined)?.[0]?.alertId;
  if (alertId) {
    await attempt(() =>
      wf.step('acknowledge an alert', 'POST', '/alerts/{alertId}/ack', 200, {
        token: staff,
        params: { alertId },
        body: { note: 'Calling the citizen.' },
      }),
    );
    await attempt(() =>
      wf.step('resolve an alert', 'POST', '/alerts/{alertId}/resolve', 200, {
        token: staff,
        params: { alertId },
        body: { note: 'Dispenser cleared by the citizen.' },
      }),
    );
  } else skip('acknowledge an alert', 'POST /alerts/{alertId}/ack', 'an open alert');

  // ── Reports and audit ──
  const today = localDate(0, zone);
  await attempt(() =>
    wf.step('trial report', 'GET', '/reports/trial', 200, {
      token: tokens.lead,
      query: { from: localDate(-30, zone), to: today },
    }),
  );
  await attempt(() =>
    wf.step('dispenser status report', 'GET', '/reports/dispensers', 200, {
      token: tokens.lead,
      query: { date: today },
    }),
  );
  if (citizenId)
    await attempt(() =>
      wf.step("citizen's audit log", 'GET', '/audit', 200, { token: tokens.admin, query: { citizenId } }),
    );
  if (citizenId && careGrantId) {
    await attempt(() =>
      wf.step('end the personal-care grant', 'PATCH', '/citizens/{citizenId}/grants/{grantId}', 200, {
        token: tokens.assessor,
        params: { citizenId, grantId: careGrantId },
        body: { endDate: localDate(60, zone), reason: 'Citizen moves to a care home' },
      }),
    );
  }
  if (device) {
    const params = { dispenserId: device.dispenserId };
    await attempt(() =>
      wf.step('take the dispenser back', 'DELETE', '/dispensers/{dispenserId}/assignment', 200, {
        token: staff,
        params,
      }),
    );
    await attempt(() =>
      wf.step('reissue the device credential', 'POST', '/dispensers/{dispenserId}/credential', 201, {
        token: staff,
        params,
      }),
    );
    await attempt(() =>
      wf.step('return it to the vendor', 'PATCH', '/dispensers/{dispenserId}', 200, {
        token: staff,
        params,
        body: { status: 'returned' },
      }),
    );
  }

  const rows = [...wf.rows, ...wf.consumerRows(stack.consumerMeters.values())];
  const called = new Set(wf.rows.filter((r) => r.kind === 'route').map((r) => r.route));
  const notCalled = operations
    .map((o) => `${o.method} ${o.path}`)
    .filter((op) => !called.has(op) && !['GET /health', 'GET /openapi.json', 'GET /docs'].includes(op));
  return { rows, notCalled };
}
