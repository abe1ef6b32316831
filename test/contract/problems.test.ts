import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { handleError } from '#shared/http/problem.ts';
import { REASON_CODES } from '#shared/http/reasons.ts';

/** Where a ConflictError's arguments start: `new ConflictError(…)`, and `super(…)` in a class that extends it. */
function conflictCalls(source: string): number[] {
  const calls: number[] = [];
  for (let at = source.indexOf('new ConflictError('); at >= 0; at = source.indexOf('new ConflictError(', at + 1))
    calls.push(at + 'new ConflictError'.length);
  for (
    let at = source.indexOf('extends ConflictError');
    at >= 0;
    at = source.indexOf('extends ConflictError', at + 1)
  ) {
    const call = source.indexOf('super(', at);
    if (call >= 0) calls.push(call + 'super'.length);
  }
  return calls;
}

/** Every `reason` literal a ConflictError is thrown with, found in the source. */
function conflictReasons(dir: string, found = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) conflictReasons(path, found);
    else if (path.endsWith('.ts')) {
      const source = readFileSync(path, 'utf8');
      for (const at of conflictCalls(source)) {
        let depth = 0;
        let end = at;
        for (; end < source.length; end++) {
          if (source[end] === '(') depth++;
          else if (source[end] === ')' && --depth === 0) break;
        }
        // The reason is the last plain string literal among the arguments (the detail is a template or a sentence),
        // alone or with the trailing comma Prettier gives the last argument of a call split over lines.
        const literals = [...source.slice(at, end).matchAll(/'([^'\s]+)',?\s*$/gm)].map((m) => m[1] ?? '');
        const reason = literals.at(-1);
        if (reason) found.set(reason, `${path}:${source.slice(0, at).split('\n').length}`);
      }
    }
  }
  return found;
}

describe('409 reason codes', () => {
  it('are kebab-case and every one the code throws is listed in the document', () => {
    const thrown = conflictReasons('shared');
    expect(thrown.size).toBeGreaterThan(25);
    for (const [reason, where] of thrown) {
      expect(reason, where).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(REASON_CODES as readonly string[], `${reason} (${where}) is in shared/http/reasons.ts`).toContain(reason);
    }
  });
});

describe('a throttled data store', () => {
  it('is a 429 problem with Retry-After, not a 500', async () => {
    const app = new Hono();
    app.get('/', () => {
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
        name: 'ProvisionedThroughputExceededException',
      });
    });
    app.onError(handleError);
    const res = await app.request('/');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 429, title: 'Too many requests' });
  });
});
