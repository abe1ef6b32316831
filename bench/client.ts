import { Agent, request } from 'node:http';
import { BENCH_CALL_HEADER, type BenchStack } from './stack.ts';
import type { CallMeter } from './meter.ts';

/**
 * A JSON client over real HTTP on loopback. Paths are given as the route's template and its
 * parameters (`/citizens/{citizenId}/grants`, `{ citizenId }`) so the workflow's rows are named
 * by route, not by id.
 *
 * The load generator is `node:http` with keep-alive, the lightest client Node has: it runs on the
 * same two cores as the API and DynamoDB Local, and what it spends is not the API's. Global
 * `fetch` (undici, WHATWG streams) measured 0.3 ms more per call and about 0.4 ms more CPU than
 * this client on this machine (bench/README.md).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely, as in the tests
export type Json = any;

export interface BenchResponse<T = Json> {
  status: number;
  body: T;
  ms: number;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  params?: Record<string, string>;
  meter?: CallMeter;
  headers?: Record<string, string>;
}

export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}

export async function call<T = Json>(
  stack: BenchStack,
  method: string,
  template: string,
  options: CallOptions = {},
): Promise<BenchResponse<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.meter) headers[BENCH_CALL_HEADER] = stack.meterHeader(options.meter);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const query = Object.entries(options.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
  const qs = query.length
    ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
    : '';
  const started = performance.now();
  const res = await send(stack, method, `${fillPath(template, options.params)}${qs}`, headers, body);
  const text = res.text;
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (a calendar feed): keep the text
  }
  return { status: res.status, body: parsed as T, ms };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function send(
  stack: BenchStack,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  const url = new URL(path, stack.baseUrl);
  const sent = { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers: sent, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Like `call`, but a status other than the expected one stops the run with the problem the API gave. */
export async function expectStatus<T = Json>(
  stack: BenchStack,
  expected: number | number[],
  method: string,
  template: string,
  options: CallOptions = {},
): Promise<BenchResponse<T>> {
  const res = await call<T>(stack, method, template, options);
  const ok = Array.isArray(expected) ? expected.includes(res.status) : res.status === expected;
  if (!ok)
    throw new Error(
      `${method} ${template} answered ${res.status}, expected ${String(expected)}: ${JSON.stringify(res.body).slice(0, 600)}`,
    );
  return res;
}

/** Runs `worker(i)` for i in 0..count-1 with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      await worker(i);
    }
  });
  await Promise.all(lanes);
}
