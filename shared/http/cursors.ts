import { DateTime } from 'luxon';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { openCursor, sealCursor, type CursorBinding } from '#shared/table/cursor.ts';
import type { AppEnv } from './env.ts';

/**
 * Every pagination cursor crosses the HTTP boundary here, for every route at once: a request's
 * `?cursor=` is opened (400 when forged, altered, expired, or issued for another route, query,
 * team or caller) and handed to the route as the internal cursor; a response's `nextCursor` is
 * sealed. Domain code keeps working with table keys and never sees a sealed cursor.
 */
function bindingOf(c: Context<AppEnv>, url: URL): CursorBinding {
  const query = [...url.searchParams.entries()]
    .filter(([name]) => name !== 'cursor' && name !== 'limit')
    .sort(([a, av], [b, bv]) => a.localeCompare(b) || av.localeCompare(bv))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const actor = c.get('actor') as AppEnv['Variables']['actor'] | undefined;
  return { method: c.req.method, path: url.pathname, query, team: actor?.team ?? '', caller: actor?.sub ?? '' };
}

export const cursorSeal = createMiddleware<AppEnv>(async (c, next) => {
  const deps = c.get('deps');
  const url = new URL(c.req.url);
  const binding = bindingOf(c, url);
  const given = url.searchParams.get('cursor');
  if (given !== null && given !== '') {
    const { cursorKey } = await deps.secrets.get();
    url.searchParams.set('cursor', openCursor(given, binding, cursorKey, deps.clock.now()));
    c.req.raw = new Request(url, c.req.raw);
  }
  await next();
  // Only lists page, and lists are GETs: other responses are not parsed here at all.
  if (
    c.req.method !== 'GET' ||
    c.res.status !== 200 ||
    !c.res.headers.get('content-type')?.startsWith('application/json')
  )
    return;
  const body: unknown = await c.res.clone().json();
  if (typeof body !== 'object' || body === null || typeof (body as { nextCursor?: unknown }).nextCursor !== 'string')
    return;
  const { cursorKey } = await deps.secrets.get();
  const expiresAt = DateTime.fromJSDate(deps.clock.now()).plus({ minutes: deps.config.CURSOR_TTL_MINUTES }).toJSDate();
  const sealed = {
    ...body,
    nextCursor: sealCursor((body as { nextCursor: string }).nextCursor, binding, cursorKey, expiresAt),
  };
  const headers = new Headers(c.res.headers);
  headers.delete('content-length');
  const status = c.res.status;
  // Replace, not merge: Hono's setter would copy the old headers (a stale content-length) onto the new response.
  c.res = undefined;
  c.res = new Response(JSON.stringify(sealed), { status, headers });
});
