import type { Context } from 'aws-lambda';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { lambdaFunctions } from '../../infra/bundling.ts';
import { apiRoutes, toApiGatewayPath } from '../../infra/routes.ts';
import { openApiDocument } from '#shared/http/app.ts';
import { allRouters, apiGroups, loadedGroups, type ApiPart } from '#shared/app/routers.ts';
import { examplePath, groupDispatcher, honoPathPattern } from '#shared/app/route-dispatch.ts';
import { routeTable } from '#shared/app/route-table.ts';

/**
 * A part's Lambda picks the route group a request reaches from the route table alone, and loads
 * only that group. A path sent to the wrong group, or a route the table misses, would answer 404
 * on AWS while `npm start` (every group mounted) answers it: these check the table and the
 * dispatcher against the published document, the stack's routing and Hono's own router.
 */
const document = openApiDocument(allRouters()) as { paths: Record<string, Record<string, unknown>> };
const table = routeTable();
const functionOfPart = Object.fromEntries(
  lambdaFunctions.flatMap((f) => ('apiPart' in f ? [[f.apiPart, f.name]] : [])),
) as Record<ApiPart, string>;

/** The groups of a part whose router declares this route (API Gateway form). */
function groupsDeclaring(part: ApiPart, method: string, gatewayPath: string): string[] {
  return Object.entries(loadedGroups[part]).flatMap(([group, routes]) =>
    routes().routes.some((r) => r.method.toUpperCase() === method && toApiGatewayPath(r.path) === gatewayPath)
      ? [group]
      : [],
  );
}

describe('the route table a part’s Lambda dispatches by', () => {
  it('sends every operation of the published document to the one group of the function the stack routes it to', () => {
    const stackRoutes = apiRoutes();
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
    const served = operations.filter((o) => o.path !== '/health');
    expect(served.length).toBeGreaterThan(50);
    for (const { method, path } of served) {
      const routed = stackRoutes.filter((r) => r.method === method && r.path === path);
      expect(routed, `${method} ${path}: routes in the stack`).toHaveLength(1);
      const part = routed[0]?.part as ApiPart;
      expect(functionOfPart[part], `${method} ${path}: function`).toBeDefined();
      const owners = groupsDeclaring(part, method, path);
      expect(owners, `${method} ${path}: groups of ${part} declaring it`).toHaveLength(1);
      const honoPath = table[part].find((r) => r.method === method && toApiGatewayPath(r.path) === path)?.path;
      expect(honoPath, `${method} ${path} in the ${part} table`).toBeDefined();
      const dispatched = groupDispatcher(table[part])(method, examplePath(honoPath ?? ''));
      expect(dispatched, `${method} ${path} dispatched in ${functionOfPart[part]}`).toBe(owners[0]);
    }
  });

  it('lists exactly the routes of the stack, each part’s in mount order with the group that mounts it', () => {
    const fromTable = Object.entries(table)
      .flatMap(([part, routes]) => routes.map((r) => `${part} ${r.method} ${toApiGatewayPath(r.path)}`))
      .sort();
    expect([...new Set(fromTable)]).toEqual(
      apiRoutes()
        .map((r) => `${r.part} ${r.method} ${r.path}`)
        .sort(),
    );
    for (const part of Object.keys(apiGroups) as ApiPart[]) {
      const mounted = Object.entries(loadedGroups[part]).flatMap(([group, routes]) =>
        routes()
          .routes.filter((r) => r.method !== 'ALL')
          .map((r) => ({ method: r.method.toUpperCase(), path: r.path, group })),
      );
      expect(table[part]).toEqual(mounted);
    }
  });

  it('picks the group Hono itself would run, for every route of every part, HEAD included', async () => {
    for (const [part, routes] of Object.entries(table) as [ApiPart, (typeof table)[ApiPart]][]) {
      // One app mounting every group in order, each route answering with its group's name.
      const app = new Hono();
      for (const r of routes) app.on(r.method, r.path, (c) => c.text(r.group));
      const dispatch = groupDispatcher(routes);
      for (const r of routes) {
        const path = examplePath(r.path);
        // Every method at that path: where Hono finds no route (404), neither may the dispatcher.
        for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']) {
          const answer = await app.request(path, { method });
          const group =
            answer.status === 404 ? undefined : method === 'HEAD' ? dispatch('GET', path) : await answer.text();
          expect(dispatch(method, path), `${part}: ${method} ${path}`).toBe(group);
        }
      }
    }
  });

  it('finds no group for a path or a method no route has, and reads Hono’s path syntax', () => {
    const dispatch = groupDispatcher(table.visits);
    expect(dispatch('GET', '/no-such-route')).toBeUndefined();
    expect(dispatch('PATCH', '/health')).toBeUndefined();
    expect(honoPathPattern('/questionnaires/:version{[0-9]+}').test('/questionnaires/12')).toBe(true);
    expect(honoPathPattern('/questionnaires/:version{[0-9]+}').test('/questionnaires/x')).toBe(false);
    expect(honoPathPattern('/citizens/:citizenId').test('/citizens/a/b')).toBe(false);
    expect(honoPathPattern('/files/*').test('/files/a/b')).toBe(true);
  });
});

describe('a part’s Lambda', () => {
  it('loads the group a request reaches and answers as one app would', async () => {
    vi.stubEnv('STAGE', 'test');
    const { handler } = await import('../../functions/http/visits.ts');
    const event = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      ({
        version: '2.0',
        routeKey: `${method} ${path}`,
        rawPath: path,
        rawQueryString: '',
        headers: { host: 'api.example', ...headers },
        ...(body === undefined ? {} : { body }),
        isBase64Encoded: false,
        requestContext: {
          http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
          requestId: 'gw-req-2',
          routeKey: `${method} ${path}`,
          stage: '$default',
        },
      }) as unknown as Parameters<typeof handler>[0];
    type Answer = { statusCode: number; body: string; headers: Record<string, string> };
    const call = async (e: Parameters<typeof handler>[0]) => (await handler(e, {} as Context)) as Answer;
    const write = table.visits.find((r) => r.method === 'POST');
    if (!write) throw new Error('the visits part has no POST route');
    // A write route with a text body: refused before authentication, by the group's own app.
    const refused = await call(event('POST', examplePath(write.path), { 'content-type': 'text/plain' }, 'x'));
    expect(refused.statusCode).toBe(415);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    // No token: 401 for a route and for a path no route has, as one app answers both.
    expect((await call(event('GET', examplePath(table.visits[0]?.path ?? '/')))).statusCode).toBe(401);
    expect((await call(event('GET', '/no-such-route'))).statusCode).toBe(401);
    expect((await call(event('GET', '/health'))).statusCode).toBe(200);
    vi.unstubAllEnvs();
  });
});
