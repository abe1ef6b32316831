import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import createClient, { type Middleware } from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, generateClientTypes } from '../../scripts/client-types.ts';
import { publishedOpenApiDocument } from '#shared/app/published-document.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import type { paths } from './generated/openapi.ts';
import { schemaValidator, type OpenApiDocument } from './support.ts';

/**
 * A client generated from the document (openapi-typescript types + openapi-fetch) runs the
 * workflow's happy path against the API over real HTTP. The types are checked by `tsc`, and every
 * response is validated against the document's schema for its status: where the client compiles
 * and the answers validate, the document and the app agree.
 */
let t: TestApp;
let server: ServerType;
let baseUrl: string;
let doc: OpenApiDocument;
const validated: string[] = [];
const clock = new FixedClock(new Date('2026-11-23T06:00:00Z'));

beforeAll(async () => {
  t = await createTestApp({ clock });
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenApiDocument;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Checks every answer against the response schema the document gives for its operation and status. */
function validateAgainstDocument(): Middleware {
  const validate = schemaValidator(doc);
  return {
    async onResponse({ request, response, schemaPath }) {
      const operation = doc.paths[schemaPath]?.[request.method.toLowerCase()];
      const declared = operation?.responses[String(response.status)];
      const where = `${request.method} ${schemaPath} → ${response.status}`;
      expect(declared, `${where} is in the document`).toBeDefined();
      const type = (response.headers.get('content-type') ?? '').split(';')[0] ?? '';
      const schema = declared?.content?.[type]?.schema;
      expect(schema, `${where}: ${type} is in the document`).toBeDefined();
      if (schema && type.endsWith('json')) expect(validate(schema, await response.clone().json()), where).toEqual([]);
      validated.push(where);
      return undefined;
    },
  };
}

function client(token: string) {
  const api = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token}` } });
  api.use(validateAgainstDocument());
  return api;
}

describe('the typed client generated from the document', () => {
  it('is what the served document generates today (npm run contract:client regenerates it)', async () => {
    // The document the public function serves on AWS: the test app also mounts the local-only
    // notification outbox, which is no part of the contract a client is generated from.
    const fresh = await generateClientTypes(publishedOpenApiDocument());
    expect(readFileSync(CLIENT_TYPES_FILE, 'utf8'), 'run npm run contract:client and commit the result').toBe(fresh);
  }, 60_000);

  it('runs the workflow: assess, grant, propose, approve, book a visit, a device posts, adherence', async () => {
    const assessor = client(await t.token('assessor', 'asr-east'));
    const staff = client(await t.token('staff', 'stf-east'));
    const lead = client(await t.token('lead', 'lead-east'));

    const citizen = await assessor.POST('/citizens', {
      body: { nationalId: '241145-1234', name: { given: 'Karen', family: 'Sørensen' } },
    });
    expect(citizen.response.status).toBe(201);
    const citizenId = citizen.data?.citizenId ?? '';
    const params = { path: { citizenId } };

    // The document's own example answers every required question.
    const example = (
      doc.components.schemas.RecordAssessment as {
        properties: { answers: { example: Record<string, boolean | number | string> } };
      }
    ).properties.answers.example;
    const assessment = await assessor.POST('/citizens/{citizenId}/assessments', { params, body: { answers: example } });
    expect(assessment.data?.decision).toBe('ready');

    const medication = await assessor.POST('/citizens/{citizenId}/grants', {
      params,
      body: {
        paragraph: 'SUL-138',
        service: 'medication_handling',
        frequency: { per: 'day', times: 2, timesOfDay: ['08:00', '20:00'] },
        minutesPerOccurrence: 10,
        startDate: '2026-01-01',
      },
    });
    const conversation = await assessor.POST('/citizens/{citizenId}/grants', {
      params,
      body: {
        paragraph: 'SEL-85',
        service: 'support_conversation',
        frequency: { per: 'week', times: 1, weekdays: [2], timesOfDay: ['10:00'] },
        minutesPerOccurrence: 30,
        startDate: '2026-01-01',
      },
    });
    expect([medication.response.status, conversation.response.status]).toEqual([201, 201]);

    const proposal = await staff.POST('/citizens/{citizenId}/conversions', {
      params,
      body: {
        reason: 'Medication by dispenser; the weekly conversation by screen.',
        splits: [
          {
            grantId: medication.data?.grantId ?? '',
            physical: 0,
            screenVisit: 0,
            medicationTechnology: 2,
            medicationTechnologyTimes: ['08:00', '20:00'],
          },
          { grantId: conversation.data?.grantId ?? '', physical: 0, screenVisit: 1, medicationTechnology: 0 },
        ],
      },
    });
    expect(proposal.data?.status).toBe('proposed');
    const approval = await lead.POST('/conversions/{conversionId}/approve', {
      params: { path: { conversionId: proposal.data?.conversionId ?? '' } },
    });
    expect(approval.response.status).toBe(201);
    expect(approval.data?.status).toBe('current');
    // Over real HTTP nothing drains the outbox: the approval's dose plan is its consumer's work.
    await t.drain();

    const availability = await staff.PUT('/staff/{staffId}/availability', {
      params: { path: { staffId: 'stf-east' } },
      body: { weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '16:00' })), exceptions: [] },
    });
    expect(availability.response.status).toBe(200);
    const visit = await staff.POST('/visits', {
      body: {
        citizenId,
        staffId: 'stf-east',
        start: '2026-11-26T13:00:00+01:00',
        durationMinutes: 30,
        purpose: { grantId: conversation.data?.grantId ?? '', service: 'support_conversation' },
      },
    });
    expect(visit.data?.status).toBe('scheduled');

    const registered = await staff.POST('/dispensers', {
      body: { vendor: 'Evondos', model: 'E300', serial: 'EV-300-00042' },
    });
    const dispenserId = registered.data?.dispenser.dispenserId ?? '';
    const assigned = await staff.PUT('/dispensers/{dispenserId}/assignment', {
      params: { path: { dispenserId } },
      body: { citizenId, status: 'active' },
    });
    expect(assigned.data?.citizenId).toBe(citizenId);

    clock.set('2026-11-23T12:00:00Z');
    const device = client(registered.data?.credential ?? '');
    const posted = await device.POST('/dispensers/{dispenserId}/events', {
      params: { path: { dispenserId } },
      body: {
        events: [
          {
            eventId: 'ev-42-1',
            type: 'dose_dispensed',
            occurredAt: '2026-11-23T08:00:04+01:00',
            scheduledFor: '2026-11-23T08:00:00+01:00',
          },
          {
            eventId: 'ev-42-2',
            type: 'dose_taken',
            occurredAt: '2026-11-23T08:11:40+01:00',
            scheduledFor: '2026-11-23T08:00:00+01:00',
          },
        ],
      },
    });
    expect(posted.response.status).toBe(202);
    expect(posted.data).toMatchObject({ accepted: 2, duplicates: 0, rejected: [] });
    // Adherence is derived from the stored events by the table stream.
    await t.drain();

    const adherence = await staff.GET('/citizens/{citizenId}/adherence', {
      params: { path: { citizenId }, query: { from: '2026-11-23', to: '2026-11-23' } },
    });
    expect(adherence.data?.doses.map((d) => [d.time, d.outcome])).toEqual([
      ['08:00', 'taken_on_time'],
      ['20:00', 'pending'],
    ]);

    // An error answer goes through the same client and matches the document too.
    const refused = await staff.POST('/conversions/{conversionId}/approve', {
      params: { path: { conversionId: proposal.data?.conversionId ?? '' } },
    });
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(validated.length).toBeGreaterThanOrEqual(13);
  });
});
