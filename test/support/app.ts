import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Role } from '#shared/platform/actor.ts';
import { FixedClock, type Clock } from '#shared/platform/clock.ts';
import { loadConfig, type Config } from '#shared/platform/config.ts';
import { createLocalDeps, type LocalDeps } from '#shared/app/local-deps.ts';
import { signLocalToken } from '#shared/http/auth.ts';
import { createLocalApp } from '#shared/app/local-app.ts';
import type { Router } from '#shared/http/env.ts';

/**
 * The whole HTTP app on DynamoDB Local, with a fresh table per call (one per test file is the
 * rule), local video/scheduler/event stand-ins, and helpers that speak HTTP like a client.
 */
export interface TestApp {
  app: Router;
  deps: LocalDeps;
  config: Config;
  clock: Clock;
  token(role: Role | Role[], sub: string, team?: string): Promise<string>;
  /**
   * JSON request as `role`/`sub`; returns status, parsed body and headers. Then delivers what the
   * request committed through the table's stream (as the stream Lambda would, moments later),
   * unless `drain: false` (to look at the state before delivery).
   */
  call(
    method: string,
    path: string,
    options?: { as?: string; body?: unknown; headers?: Record<string, string>; drain?: boolean },
  ): Promise<TestResponse>;
  /** Delivers everything committed so far through the stream (after a job or a direct domain call). */
  drain(): Promise<void>;
}

export interface TestResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export async function createTestApp(options: { clock?: Clock; config?: Partial<Config> } = {}): Promise<TestApp> {
  const config = loadConfig(
    { STAGE: 'test', DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: `t-${randomBytes(6).toString('hex')}` },
    options.config,
  );
  const deps = await createLocalDeps(config, options.clock ? { clock: options.clock } : {});
  // Each request runs as its part's function, held to that function's table partitions.
  const app = createLocalApp(deps);
  const token = (role: Role | Role[], sub: string, team?: string) =>
    signLocalToken(config, { sub, roles: Array.isArray(role) ? role : [role], ...(team ? { team } : {}) });
  return {
    app,
    deps,
    config,
    clock: deps.clock,
    token,
    async drain() {
      await deps.drainOutbox();
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.as) headers.authorization = `Bearer ${opts.as}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      if (opts.drain !== false) await deps.drainOutbox();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (e.g. text/calendar): keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers, text };
    },
  };
}

export { FixedClock };
