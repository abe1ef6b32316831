import type { Context } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The entry installs the bundles' stack-trace formatter for the whole process; vitest keeps its own.
const vitestStackTrace = Error.prepareStackTrace;
afterAll(() => {
  Error.prepareStackTrace = vitestStackTrace;
});

/** The Lambda adapter: an API Gateway v2 event through the same app, with the gateway's request id. */
describe('an API Lambda', () => {
  it('answers /health and echoes the gateway request id', async () => {
    vi.stubEnv('STAGE', 'test');
    const { handler } = await import('../../functions/http/admin.ts');
    const event = {
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      headers: { host: 'api.example' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '1',
        apiId: 'a',
        domainName: 'api.example',
        domainPrefix: 'api',
        http: { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
        requestId: 'gw-req-1',
        routeKey: 'GET /health',
        stage: '$default',
        time: '',
        timeEpoch: 0,
      },
    } as unknown as Parameters<typeof handler>[0];
    const result = (await handler(event, {} as Context)) as {
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
