import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { newRouter } from '#shared/http/app.ts';
import { lambdaEsbuildOptions, lambdaFunctions, PROJECT_ROOT } from '../../infra/bundling.ts';
import { NOTIFIER_ENTRY } from '../../infra/notifications.ts';
import { apiRoutes } from '../../infra/routes.ts';
import { routeKey, toApiGatewayPath } from '#shared/app/route-keys.ts';
import { groupsByRoute } from '#shared/app/route-table.ts';
import { credentialRoutes, partGroups, type ApiPart } from '#shared/app/routers.ts';

/** A router with real zod-openapi routes, as a capability would write them. */
function routerWith(...routes: { method: 'get' | 'post' | 'put' | 'delete'; path: string }[]) {
  const router = newRouter();
  router.use('*', async (_c, next) => next());
  for (const route of routes) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
    const definition = createRoute({
      ...route,
      request: params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {},
      responses: { 204: { description: 'done' } },
    });
    router.openapi(definition, (c) => c.body(null, 204));
  }
  return router;
}

describe('turning Hono routes into API Gateway routes', () => {
  it('writes path parameters the API Gateway way', () => {
    expect(toApiGatewayPath('/citizens/:citizenId')).toBe('/citizens/{citizenId}');
    expect(toApiGatewayPath('/citizens/:citizenId/visits/:visitId/join')).toBe(
      '/citizens/{citizenId}/visits/{visitId}/join',
    );
    expect(toApiGatewayPath('/alerts')).toBe('/alerts');
  });

  it('drops a parameter regex, which zod checks in the Lambda anyway', () => {
    expect(toApiGatewayPath('/questionnaires/:version{[0-9]+}')).toBe('/questionnaires/{version}');
  });

  it('turns a trailing wildcard into a greedy parameter and refuses one in the middle', () => {
    expect(toApiGatewayPath('/files/*')).toBe('/files/{proxy+}');
    expect(() => toApiGatewayPath('/files/*/meta')).toThrow(/Wildcard/);
  });

  it('refuses optional parameters, which API Gateway cannot express', () => {
    expect(() => toApiGatewayPath('/visits/:visitId?')).toThrow(/optional/);
  });

  it('reads each part’s routes from its routers, skipping middleware and merging repeats', () => {
    const routes = apiRoutes({
      care: () => [routerWith({ method: 'get', path: '/citizens/{citizenId}' }, { method: 'post', path: '/citizens' })],
      admin: () => [routerWith({ method: 'get', path: '/audit' })],
    });
    expect(routes).toEqual([
      { part: 'admin', method: 'GET', path: '/audit', ownCredential: false, device: false },
      { part: 'care', method: 'POST', path: '/citizens', ownCredential: false, device: false },
      { part: 'care', method: 'GET', path: '/citizens/{citizenId}', ownCredential: false, device: false },
    ]);
  });

  it('lets only the device part’s ingest route skip the JWT authorizer as a device route', () => {
    const ingest = { method: 'post', path: '/dispensers/{dispenserId}/events' } as const;
    const [deviceRoute] = apiRoutes({ deviceEvents: () => [routerWith(ingest)] });
    expect(deviceRoute).toMatchObject({ path: '/dispensers/{dispenserId}/events', ownCredential: true, device: true });
    // The same path in another part is a staff route and keeps the authorizer.
    const [staffRoute] = apiRoutes({ dispensers: () => [routerWith(ingest)] });
    expect(staffRoute).toMatchObject({ ownCredential: false, device: false });
  });

  it('lets every route with a credential of its own skip the JWT authorizer, in the part that names it only', () => {
    for (const credential of credentialRoutes) {
      // A path the credential route's pattern matches, written as a Hono route of that part.
      const path = credential.path.source
        .replace(/^\^/, '')
        .replace(/\$$/, '')
        .replaceAll('\\/', '/')
        .replaceAll('[^/]+', '{id}')
        .replaceAll('\\.', '.');
      const route = { method: credential.method.toLowerCase() as 'get' | 'post', path };
      const [own] = apiRoutes({ [credential.part]: () => [routerWith(route)] });
      expect(own, path).toMatchObject({ ownCredential: true, device: credential.part === 'deviceEvents' });
      const other = credential.part === 'visits' ? 'care' : 'visits';
      const [elsewhere] = apiRoutes({ [other]: () => [routerWith(route)] });
      expect(elsewhere, path).toMatchObject({ ownCredential: false, device: false });
    }
  });

  it('fails the synth when two parts claim the same route', () => {
    expect(() =>
      apiRoutes({
        care: () => [routerWith({ method: 'get', path: '/citizens' })],
        reports: () => [routerWith({ method: 'get', path: '/citizens' })],
      }),
    ).toThrow(/GET \/citizens is served by both the care and the reports parts/);
  });

  it('keeps the public paths for the public function', () => {
    expect(() => apiRoutes({ admin: () => [routerWith({ method: 'get', path: '/health' })] })).toThrow(
      /reserved for the public function/,
    );
  });
});

/**
 * A part's Lambda loads the group its event's route key names (shared/app/lambda.ts), where one app
 * mounting every group served the request before: the table must give each gateway route the group
 * that one app would have picked.
 */
describe('the route table a part’s Lambda picks its group from', () => {
  const table = groupsByRoute();
  const parts = Object.keys(partGroups) as ApiPart[];

  it('names a group of the part for exactly the routes API Gateway sends that part', () => {
    for (const part of parts) {
      const gateway = apiRoutes()
        .filter((route) => route.part === part)
        .map((route) => routeKey(route))
        .sort();
      expect(Object.keys(table[part]).sort(), part).toEqual(gateway);
      for (const group of Object.values(table[part])) expect(Object.keys(partGroups[part]), part).toContain(group);
    }
  });

  it('has no path two groups of one part could both serve, where the first mounted would have won', () => {
    const template = (path: string) =>
      new RegExp(`^${path.replace(/\{[^/]+\+\}/g, '.+').replace(/\{[^/]+\}/g, '[^/]+')}$`);
    const overlaps: string[] = [];
    for (const part of parts) {
      const routes = Object.entries(table[part]).map(([key, group]) => {
        const [method = '', path = ''] = key.split(' ');
        return { key, method, path, group, example: path.replace(/\{[^/]+\}/g, 'x1') };
      });
      for (const a of routes)
        for (const b of routes)
          if (a.group !== b.group && a.method === b.method && template(b.path).test(a.example))
            overlaps.push(`${part}: ${a.key} (${a.group}) also matches ${b.key} (${b.group})`);
    }
    expect(overlaps).toEqual([]);
  });

  it('refuses a route two groups of one part register', () => {
    expect(() =>
      groupsByRoute({
        care: {
          one: () => routerWith({ method: 'get', path: '/x' }),
          two: () => routerWith({ method: 'get', path: '/x' }),
        },
      }),
    ).toThrow(/GET \/x is served by both the one and the two groups of care/);
  });
});

describe('the function manifest the stack and the benchmark share', () => {
  it('names an existing entry file for every function', () => {
    for (const fn of lambdaFunctions) expect(existsSync(join(PROJECT_ROOT, fn.entry)), fn.entry).toBe(true);
  });

  it('covers every Lambda entry point in functions/', () => {
    const entries = readdirSync(join(PROJECT_ROOT, 'functions'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) =>
        relative(PROJECT_ROOT, join(PROJECT_ROOT, 'functions', f))
          .split('\\')
          .join('/'),
      );
    expect([...lambdaFunctions.map((f) => f.entry), NOTIFIER_ENTRY].sort()).toEqual(entries.sort());
  });

  it('bundles for the Lambda runtime: Node 22 ESM, minified, the AWS SDK left to the runtime', () => {
    expect(lambdaEsbuildOptions).toMatchObject({
      platform: 'node',
      target: 'node22',
      format: 'esm',
      minify: true,
      external: ['@aws-sdk/*'],
    });
    expect(lambdaEsbuildOptions.banner.js).toContain('createRequire(import.meta.url)');
  });
});
