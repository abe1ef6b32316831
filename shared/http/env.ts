import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Actor } from '#shared/platform/actor.ts';
import type { Deps } from '#shared/platform/deps.ts';

/** What every handler finds on the Hono context. */
export interface AppEnv {
  Variables: {
    deps: Deps;
    requestId: string;
    /** Set by the auth middleware on every route but the public ones. */
    actor: Actor;
  };
}

export type Router = OpenAPIHono<AppEnv>;

/** The request context a domain function gets from a route: who, which request, and now. */
export function requestContext(c: Context<AppEnv>): RequestContext {
  return { actor: c.get('actor'), requestId: c.get('requestId'), now: c.get('deps').clock.now() };
}
