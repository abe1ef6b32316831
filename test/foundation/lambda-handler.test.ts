import type { Context } from 'aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { partHandler } from '#shared/app/lambda.ts';
import { newRouter } from '#shared/http/app.ts';
import { signLocalToken } from '#shared/http/auth.ts';
import { loadConfig } from '#shared/platform/config.ts';

// The entry installs the bundles' stack-trace formatter for the whole process; vitest keeps its own.
const vitestStackTrace = Error.prepareStackTrace;
afterAll(() => {
  Error.prepareStackTrace = vitestStackTrace;
});

/** An API Gateway v2 event for one route, as the gateway sends it to the route's Lambda. */
function gatewayEvent(routeKey: string, path: string, headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example', ...headers },
    isBase64Encoded: false,
    requestContext: {
      accountId: '1',
      apiId: 'a',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'gw-req-1',
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  } as unknown as LambdaEvent;
}

/** The Lambda adapter: an API Gateway v2 event through the same app, with the gateway's request id. */
describe('an API Lambda', () => {
  it('answers /health and echoes the gateway request id', async () => {
    vi.stubEnv('STAGE', 'test');
    const { handler } = await import('../../functions/http/admin.ts');
    const result = (await handler(gatewayEvent('GET /health', '/health'), {} as Context)) as {
      statusCode: number;
      body: string;
      headers: Record<string, string>;
    };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'ok' });
    expect(result.headers['x-request-id']).toBe('gw-req-1');
    vi.unstubAllEnvs();
  });
});

/**
 * A part's Lambda builds its app from the route groups a request needs (shared/app/lambda.ts):
 * here two groups that each count their loads and serve one public-looking path.
 */
describe('a part’s Lambda', () => {
  function part(failFirstLoadOf?: string) {
    const loads: string[] = [];
    const group = (name: string) => async () => {
      loads.push(name);
      if (name === failFirstLoadOf && loads.filter((n) => n === name).length === 1) throw new Error('load failed');
      return () => {
        const router = newRouter();
        router.get(`/${name}`, (c) => c.text(name));
        return router;
      };
    };
    vi.stubEnv('STAGE', 'test');
    const handler = partHandler(
      'admin',
      { first: group('first'), second: group('second') },
      {},
      { 'GET /first': 'first', 'GET /second': 'second' },
    );
    vi.unstubAllEnvs();
    const call = async (routeKey: string, path: string, headers?: Record<string, string>) =>
      (await handler(gatewayEvent(routeKey, path, headers), {} as Context)) as { statusCode: number; body: string };
    return { loads, call };
  }

  it('loads only the group of the event’s route, once per container', async () => {
    const { loads, call } = part();
    expect(loads).toEqual([]);
    await call('GET /first', '/first');
    await call('GET /first', '/first');
    expect(loads).toEqual(['first']);
    await call('GET /second', '/second');
    expect(loads).toEqual(['first', 'second']);
  });

  it('answers from that group’s app alone: another group’s path is not one of its routes', async () => {
    const { call } = part();
    const token = await signLocalToken(loadConfig({ STAGE: 'test' }), { sub: 'stf_a', roles: ['staff'], team: 'west' });
    const signedIn = { authorization: `Bearer ${token}` };
    expect(await call('GET /first', '/first', signedIn)).toMatchObject({ statusCode: 200, body: 'first' });
    expect((await call('GET /first', '/second', signedIn)).statusCode).toBe(404);
    expect(await call('GET /second', '/second', signedIn)).toMatchObject({ statusCode: 200, body: 'second' });
  });

  it('serves a route it has no entry for (no route key, a direct invocation) from every group, as one app mounting them all', async () => {
    const { loads, call } = part();
    expect((await call('$default', '/second')).statusCode).toBe(401);
    expect((await call('$default', '/first')).statusCode).toBe(401);
    expect((await call('toString', '/first')).statusCode).toBe(401);
    expect(loads.sort()).toEqual(['first', 'second']);
  });

  it('tries a group that failed to load again with the next request, instead of failing the container for good', async () => {
    const { loads, call } = part('first');
    await expect(call('GET /first', '/first')).rejects.toThrow('load failed');
    expect((await call('GET /first', '/first')).statusCode).toBe(401);
    expect(loads).toEqual(['first', 'first']);
  });
});
