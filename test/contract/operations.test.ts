import { beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_ROLE } from '#shared/http/contract.ts';
import { REASON_CODES } from '#shared/http/reasons.ts';
import { roleSchema, type Role } from '#shared/platform/actor.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { operationsOf, pathWithExamples, schemaValidator, type OpenApiDocument, type Operation } from './support.ts';

/**
 * Every operation of the served document, checked the day it is added: what a client generator
 * needs (operationId, summary), who may call it (and that the app agrees), every status it can
 * answer with the problem schema, and examples that validate against their schemas.
 */
let t: TestApp;
let doc: OpenApiDocument;
let operations: Operation[];

beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.call('GET', '/openapi.json')).body as OpenApiDocument;
  operations = operationsOf(doc);
});

const name = (o: Operation) => `${o.method} ${o.path}`;
const secured = (o: Operation) => (o.op.security ?? []).some((s) => Object.keys(s).length > 0);

describe('every operation', () => {
  it('has a unique camelCase operationId and a summary', () => {
    expect(operations.length).toBeGreaterThan(40);
    const ids = operations.map((o) => o.op.operationId);
    for (const o of operations) {
      expect(o.op.operationId, name(o)).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(o.op.summary?.length ?? 0, name(o)).toBeGreaterThan(5);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names the roles that may call it, as x-roles and in its description', () => {
    const known = new Set<string>([...roleSchema.options, DEVICE_ROLE]);
    for (const o of operations) {
      const roles = o.op['x-roles'];
      expect(Array.isArray(roles), `${name(o)} has x-roles`).toBe(true);
      for (const role of roles ?? []) expect(known.has(role), `${name(o)}: ${role}`).toBe(true);
      expect(o.op.description, name(o)).toMatch(/Roles: /);
      for (const role of (roles ?? []).filter((r) => r !== DEVICE_ROLE))
        expect(o.op.description, name(o)).toContain(`\`${role}\``);
      // Only the public routes go without a credential, and they are the ones without roles.
      expect(secured(o), name(o)).toBe((roles ?? []).length > 0);
    }
  });

  it('lists 429 and 500, and every error status with the problem schema', () => {
    for (const o of operations) {
      const statuses = Object.keys(o.op.responses);
      expect(statuses, name(o)).toEqual(expect.arrayContaining(['429', '500']));
      if (secured(o)) expect(statuses, name(o)).toEqual(expect.arrayContaining(['401', '403']));
      if (o.path.includes('{')) expect(statuses, name(o)).toContain('404');
      if ((o.op.parameters?.length ?? 0) > 0 || o.op.requestBody) expect(statuses, name(o)).toContain('400');
      if (o.op.requestBody) expect(statuses, name(o)).toEqual(expect.arrayContaining(['413', '415']));
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const problem = o.op.responses[status]?.content?.['application/problem+json']?.schema;
        expect(problem, `${name(o)} ${status}`).toEqual({ $ref: '#/components/schemas/Problem' });
      }
      if (secured(o)) expect(o.op.responses['401']?.headers, name(o)).toHaveProperty('WWW-Authenticate');
    }
  });

  it('lists the reason codes a 409 can carry, all kebab-case', () => {
    const reason = (doc.components.schemas.Problem as { properties: { reason: { enum: string[] } } }).properties.reason;
    expect(reason.enum).toEqual([...REASON_CODES]);
    for (const code of REASON_CODES) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('describes the device batch and every device event type', () => {
    const batch = doc.components.schemas.DeviceEventBatch as {
      properties: { events: { maxItems: number; items: unknown } };
    };
    expect(batch.properties.events.maxItems).toBe(100);
    expect(batch.properties.events.items).toEqual({ $ref: '#/components/schemas/DeviceEvent' });
    const type = (
      doc.components.schemas.DeviceEvent as { properties: { type: { enum: string[]; description: string } } }
    ).properties.type;
    for (const eventType of type.enum) expect(type.description).toContain(`\`${eventType}\``);
  });

  it('has examples that validate against their schemas', () => {
    const validate = schemaValidator(doc);
    const checked: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}/${i}`));
      if (!node || typeof node !== 'object') return;
      const value = node as Record<string, unknown>;
      // A schema with an example, or a media type / parameter whose example goes with its schema.
      if (
        'example' in value &&
        ('type' in value ||
          '$ref' in value ||
          'anyOf' in value ||
          'oneOf' in value ||
          'allOf' in value ||
          'enum' in value)
      ) {
        const { example, ...schema } = value;
        expect(validate(schema, example), `${where}: example`).toEqual([]);
        checked.push(where);
      }
      if ('example' in value && value.schema && typeof value.schema === 'object') {
        expect(validate(value.schema as Record<string, unknown>, value.example), `${where}: example`).toEqual([]);
        checked.push(where);
      }
      for (const [key, child] of Object.entries(value)) if (key !== 'example') walk(child, `${where}/${key}`);
    };
    walk(doc, '#');
    expect(checked.length).toBeGreaterThan(20);
  });
});

describe('x-roles agrees with the app', () => {
  const allRoles = roleSchema.options as readonly Role[];

  it('answers 403 to every role not listed, lets every listed role past the role check, and answers as documented', async () => {
    const mismatches: string[] = [];
    const validate = schemaValidator(doc);
    for (const o of operations) {
      const roles = o.op['x-roles'] ?? [];
      const path = pathWithExamples(o);
      const deviceRoute = roles.includes(DEVICE_ROLE);
      const body = deviceRoute ? (doc.components.schemas.DeviceEventBatch as { example: unknown }).example : undefined;
      for (const role of allRoles) {
        const token = await t.token(role, role === 'citizen' ? 'cit_01JD0000000000000000000000' : 'stf-anna');
        const res = await t.call(o.method, path, { as: token, ...(body ? { body } : {}) });
        const refusedForRole = res.status === 403 && /needs one of the roles/.test(String(res.body?.detail));
        // Whatever it answered is a status the document lists, in the declared shape.
        const declared = o.op.responses[String(res.status)];
        const type = (res.headers.get('content-type') ?? '').split(';')[0] ?? '';
        const schema = declared?.content?.[type]?.schema;
        if (!schema) mismatches.push(`${name(o)} as ${role}: ${res.status} ${type} is not in the document`);
        else if (type.endsWith('json'))
          for (const error of validate(schema, res.body))
            mismatches.push(`${name(o)} as ${role}: ${res.status} body ${error}`);
        if (roles.length === 0) {
          // Sent without its body, a public write may answer 400; it must never refuse the caller.
          if (res.status === 401 || res.status === 403 || res.status >= 500)
            mismatches.push(`${name(o)} as ${role}: ${res.status}, a public route`);
        } else if (deviceRoute) {
          // A user token is no dispenser credential: refused as unauthenticated, nothing stored.
          if (res.status !== 401) mismatches.push(`${name(o)} as ${role}: ${res.status}, expected 401`);
        } else if (roles.includes(role)) {
          if (refusedForRole || res.status === 401)
            mismatches.push(`${name(o)} as ${role}: ${res.status}, but x-roles lists ${role}`);
        } else if (!refusedForRole)
          mismatches.push(`${name(o)} as ${role}: ${res.status}, expected 403 (x-roles: ${roles.join(', ')})`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
