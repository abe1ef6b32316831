import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '#shared/http/app.ts';
import { signLocalToken } from '#shared/http/auth.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { DOCS_HEADERS, DOCS_HTML } from '#shared/http/docs-page.ts';
import { createPublicApp } from '#shared/http/public-app.ts';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.token('admin', 'adm-1');
});

describe('public routes', () => {
  it('answers /health without a token and with no data', async () => {
    const res = await t.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI 3.1 document', async () => {
    const res = await t.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
  });

  it('serves a browsable /docs page', async () => {
    const res = await t.call('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toContain('/openapi.json');
  });

  it('serves the same offline /docs page from the public function (no CDN; Swagger UI from the web build under /docs/)', async () => {
    const res = await createPublicApp({ openapi: '3.1.0' }).request('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toBe(DOCS_HTML);
    expect(html).not.toMatch(/https?:\/\//);
    expect(res.headers.get('content-security-policy')).toBe(DOCS_HEADERS['content-security-policy']);
  });
});

describe('authentication', () => {
  const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({
      status,
      type: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
  };

  it('refuses a missing token with 401', async () => {
    expectProblem(await t.call('GET', '/audit?citizenId=cit_01JD0000000000000000000000'), 401);
  });

  it('refuses a token signed with another key', async () => {
    const forged = await new SignJWT({ 'cognito:groups': ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(t.config.JWT_ISSUER)
      .setAudience(t.config.JWT_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-secret-that-is-long-enough-for-hs256'));
    expectProblem(await t.call('GET', '/audit?citizenId=cit_01JD0000000000000000000000', { as: forged }), 401);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', 'cognito:groups': ['admin'], iss: t.config.JWT_ISSUER, aud: t.config.JWT_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    expectProblem(await t.call('GET', '/audit?citizenId=cit_01JD0000000000000000000000', { as: unsigned }), 401);
  });

  it('refuses an expired token', async () => {
    const expired = await signLocalToken(t.config, { sub: 'adm-1', roles: ['admin'], expiresInSeconds: -60 });
    expectProblem(await t.call('GET', '/audit?citizenId=cit_01JD0000000000000000000000', { as: expired }), 401);
  });

  it('lets no token through on the device path unless it is the device route’s method', async () => {
    const res = await t.call('GET', '/dispensers/dsp_01JD0000000000000000000000/events');
    expect(res.status).toBe(401);
  });

  it('refuses a role that may not with 403', async () => {
    const staff = await t.token('staff', 'stf-1');
    expectProblem(await t.call('GET', '/audit?citizenId=cit_01JD0000000000000000000000', { as: staff }), 403);
  });
});

describe('bad input never becomes a 500', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const res = await t.call('GET', '/no-such-thing', { as: admin });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('rejects a path id of another kind', async () => {
    const res = await t.call('GET', '/audit?citizenId=../etc', { as: admin });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('query/citizenId');
  });

  it('rejects a cursor it did not make', async () => {
    const res = await t.call('GET', '/audit?citizenId=cit_01JD0000000000000000000000&cursor=eyJ4IjoxfQ', { as: admin });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'query/cursor', message: 'invalid cursor' }]);
  });

  it('refuses an oversized body with 413 before parsing it', async () => {
    const res = await t.call('POST', '/audit', {
      as: admin,
      body: JSON.stringify({ s: 'x'.repeat(MAX_BODY_BYTES + 1) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses an oversized body by its declared length, and one sent without a length as it is read', async () => {
    const body = JSON.stringify({ s: 'x'.repeat(MAX_BODY_BYTES + 1) });
    const declared = await t.call('POST', '/audit', {
      as: admin,
      body,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    expect(declared.status).toBe(413);
    const streamed = await t.call('POST', '/audit', {
      as: admin,
      body,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    expect(streamed.status).toBe(413);
    expect(streamed.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await t.call('POST', '/audit', {
      as: admin,
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
  });

  it('echoes a request id on every response, problems included', async () => {
    const res = await t.call('GET', '/nope', { as: admin, headers: { 'x-request-id': 'req-abc' } });
    expect(res.headers.get('x-request-id')).toBe('req-abc');
    expect(res.body.requestId).toBe('req-abc');
  });
});

describe('the OpenAPI document', () => {
  it('lists every route the app serves, with its method', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const served = t.app.routes
      .filter((r) => r.method !== 'ALL' && !['/openapi.json', '/docs'].includes(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(served.length).toBeGreaterThan(1);
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('documents the bearer scheme and the problem schema', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Problem).toBeDefined();
  });
});
