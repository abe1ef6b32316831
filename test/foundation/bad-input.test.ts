import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '#shared/http/app.ts';
import { createDocumentClient } from '#shared/table/client.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

/**
 * Every documented route, fed bad input (wrong types, missing fields, oversized bodies): it answers a 4xx problem, never a 500,
 * and the table holds exactly what it held before (a test may Scan; request paths never do).
 */
let t: TestApp;
let everyone: string;
let operations: {
  method: string;
  path: string;
  params: { name: string; in: string; schema?: { pattern?: string } }[];
}[];

const ulid = '01KAQ3Y0A2C4E6G8J0K2M4P6R8';
const validIdFor = (pattern: string | undefined) => {
  const prefix = pattern?.match(/^\^([a-z]+)_/)?.[1];
  return prefix ? `${prefix}_${ulid}` : 'stf-anna';
};

async function itemCount(): Promise<number> {
  // Counting needs a Scan, which the app's own (policy-guarded) client refuses: a client of the test's.
  const db = createDocumentClient({ region: t.config.AWS_REGION, endpoint: t.config.DYNAMODB_ENDPOINT });
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: t.deps.table.name, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

beforeAll(async () => {
  t = await createTestApp();
  everyone = await t.token(['assessor', 'staff', 'lead', 'admin'], 'stf-anna', 'east');
  const doc = (await t.call('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters?: any[] }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: (op.parameters ?? []) as any[],
    })),
  );
});

const concretePath = (op: (typeof operations)[number]) =>
  op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    validIdFor(op.params.find((p) => p.in === 'path' && p.name === name)?.schema?.pattern),
  );

function expectProblem(res: { status: number; headers: Headers }, label: string) {
  expect(res.status, label).toBeGreaterThanOrEqual(400);
  expect(res.status, label).toBeLessThan(500);
  expect(res.headers.get('content-type'), label).toBe('application/problem+json');
}

describe('bad input on every route', () => {
  it('finds the routes to try', () => {
    expect(operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method)).length).toBeGreaterThan(10);
  });

  it('answers malformed JSON, a JSON array, unknown fields and a 1 MB string with a 4xx problem, and writes nothing', async () => {
    const before = await itemCount();
    for (const op of operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method))) {
      const path = concretePath(op);
      for (const [label, body] of [
        ['malformed JSON', '{"citizenId": '],
        ['a JSON array', '[1, 2, 3]'],
        ['an unknown field only', JSON.stringify({ definitelyNotAField: true })],
        ['a 1 MB string', JSON.stringify({ name: 'x'.repeat(1024 * 1024) })],
        ['a string where an object belongs', '"hello"'],
      ] as const) {
        const res = await t.call(op.method, path, { as: everyone, body });
        expectProblem(res, `${op.method} ${op.path} with ${label}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    expect(await itemCount()).toBe(before);
  });

  it('answers path ids of another kind and traversal attempts with a 4xx problem', async () => {
    for (const op of operations.filter((o) => o.path.includes('{'))) {
      // A bare `..` is resolved by URL parsing before routing (it names another route); an encoded one reaches us.
      for (const bad of ['../..', 'x'.repeat(300), 'cit_not-a-ulid', '%00', 'vis_01KAQ3Y0A2C4E6G8J0K2M4P6R8']) {
        const path = op.path.replace(/\{(\w+)\}/g, encodeURIComponent(bad));
        const res = await t.call(op.method, path, {
          as: everyone,
          ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { body: {} } : {}),
        });
        expectProblem(res, `${op.method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
  });

  it('answers nonsense query parameters with a 4xx problem', async () => {
    for (const op of operations.filter((o) => o.method === 'GET' && o.params.some((p) => p.in === 'query'))) {
      const res = await t.call(
        'GET',
        `${concretePath(op)}?limit=-1&cursor=%21%21&from=yesterday&to=2026-13-45&date=nope&status=whatever`,
        { as: everyone },
      );
      expectProblem(res, `GET ${op.path}: ${res.status} ${res.text.slice(0, 200)}`);
    }
  });

  it('refuses a body over the limit before reading it', async () => {
    const res = await t.call('POST', '/citizens', {
      as: everyone,
      body: JSON.stringify({ s: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    expect(res.status).toBe(413);
  });
});
