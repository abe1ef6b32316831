import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateDispensers } from '../../scripts/simulate-dispensers.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let server: ServerType;
let apiUrl: string;

beforeAll(async () => {
  t = await createTestApp();
  await new Promise<void>((resolve) => {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      apiUrl = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the dispenser simulator', () => {
  it('drives dispensers over HTTP with repeats, retries and reordering, and the API stores each event once', async () => {
    const summary = await simulateDispensers({ apiUrl, count: 3, days: 2, seed: 7, batchSize: 25 });
    expect(summary.dispensers).toHaveLength(3);
    expect(summary.rejected).toBe(0);
    expect(summary.accepted).toBe(summary.eventsGenerated);
    expect(summary.duplicates).toBeGreaterThan(0);
    // Adherence is derived from the stored events through the table's stream.
    await t.drain();
    const staff = await t.token('staff', 'stf-simulator');
    const citizenId = summary.dispensers[0]?.citizenId;
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const adherence = await t.call('GET', `/citizens/${citizenId}/adherence?from=${from}&to=${today}`, { as: staff });
    expect(adherence.status).toBe(200);
    expect(adherence.body.counts.planned).toBeGreaterThan(0);
    expect(adherence.body.counts.taken_on_time + adherence.body.counts.taken_late).toBeGreaterThan(0);
  });
});
