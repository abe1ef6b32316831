import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Actor } from '../platform/actor.ts';
import type { Deps } from '../platform/deps.ts';

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
