import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adherenceGrid, datesBetween, groupedBars, shareLine } from '../../web/console/lib/charts.ts';
import { actionsFor, alertQueue, dayRows, isoWeekOf, weekGrid, type Visit } from '../../web/console/lib/day.ts';
import { dictionaries } from '../../web/console/lib/i18n.ts';
import {
  base64url,
  beginSignIn,
  codeChallenge,
  codeVerifier,
  readClaims,
  readRedirect,
  tokenRequest,
} from '../../web/console/lib/pkce.ts';

const settings = {
  domain: 'https://e-team-demo.auth.eu-north-1.amazoncognito.com',
  clientId: 'client123',
  redirectUri: 'https://console.example/console/',
  scopes: ['openid', 'email'],
};

describe('sign-in with the authorization-code flow and PKCE', () => {
  it('the challenge is the RFC 7636 S256 of the verifier (the RFC’s own example)', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('a verifier is 64 unreserved characters, different each time', () => {
    const a = codeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9\-._~]{64}$/);
    expect(codeVerifier()).not.toBe(a);
  });

  it('the hosted UI URL carries the client, the redirect, the state and the S256 challenge of the kept verifier', async () => {
    const { url, pending } = await beginSignIn(settings);
    const u = new URL(url);
    expect(u.origin + u.pathname).toBe('https://e-team-demo.auth.eu-north-1.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: settings.redirectUri,
      scope: 'openid email',
      state: pending.state,
      code_challenge_method: 'S256',
    });
    const expected = createHash('sha256').update(pending.verifier).digest('base64url');
    expect(u.searchParams.get('code_challenge')).toBe(expected);
  });

  it('the redirect back gives the code only with the state we sent', () => {
    const pending = { state: 'abc', verifier: 'v'.repeat(64) };
    expect(readRedirect('?code=c1&state=abc', pending)).toEqual({ code: 'c1' });
    expect(readRedirect('?code=c1&state=forged', pending)).toHaveProperty('error');
    expect(readRedirect('?code=c1&state=abc', undefined)).toHaveProperty('error');
    expect(readRedirect('?error=access_denied&error_description=MFA+failed', pending)).toEqual({ error: 'MFA failed' });
  });

  it('the token request trades the code with the verifier, form-encoded, no secret', () => {
    const req = tokenRequest(settings, 'c1', { state: 's', verifier: 'ver' });
    expect(req.url).toBe('https://e-team-demo.auth.eu-north-1.amazoncognito.com/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'c1',
      redirect_uri: settings.redirectUri,
      code_verifier: 'ver',
    });
    expect(req.body).not.toContain('secret');
  });

  it('reads the staff id, roles and team from a token the way the API does', () => {
    const payload = base64url(
      new TextEncoder().encode(
        JSON.stringify({ sub: 'uuid-1', username: 'stf-anna', 'cognito:groups': ['staff', 'team-east'], exp: 1 }),
      ),
    );
    expect(readClaims(`h.${payload}.s`)).toEqual({ sub: 'stf-anna', roles: ['staff'], team: 'east', exp: 1 });
    expect(readClaims('nonsense')).toBeUndefined();
  });
});

const visit = (id: string, start: string, end: string, status: Visit['status'] = 'scheduled'): Visit => ({
  visitId: id,
  citizenId: 'cit_1',
  staffId: 'stf-anna',
  start,
  end,
  durationMinutes: 20,
  status,
  purpose: { grantId: 'g', service: 's' },
  version: 1,
});

describe('my day', () => {
  const now = new Date('2026-10-24T06:55:00Z'); // Saturday 08:55 in Copenhagen
  const rows = dayRows(
    [
      visit('vis_c', '2026-10-24T19:00:00.000+02:00', '2026-10-24T19:20:00.000+02:00'),
      visit('vis_a', '2026-10-24T08:00:00.000+02:00', '2026-10-24T08:20:00.000+02:00', 'completed'),
      visit('vis_b', '2026-10-24T09:00:00.000+02:00', '2026-10-24T09:20:00.000+02:00'),
      visit('vis_x', '2026-10-24T10:00:00.000+02:00', '2026-10-24T10:20:00.000+02:00', 'cancelled'),
    ],
    now,
  );

  it('lists the visits in order, points at the next, and marks the evening and the weekend', () => {
    expect(rows.map((r) => [r.visit.visitId, r.from, r.next, r.evening, r.weekend])).toEqual([
      ['vis_a', '08:00', false, false, true],
      ['vis_b', '09:00', true, false, true],
      ['vis_c', '19:00', false, true, true],
    ]);
  });

  it('offers start only in the join window, complete only for a running visit', () => {
    expect(rows[1]?.actions).toEqual(['start', 'reschedule', 'cancel']);
    expect(rows[2]?.actions).toEqual(['reschedule', 'cancel']);
    expect(
      actionsFor(visit('v', '2026-10-24T09:00:00.000+02:00', '2026-10-24T09:20:00.000+02:00', 'in_progress'), now, 10),
    ).toEqual(['rejoin', 'guest', 'complete']);
    expect(rows[0]?.actions).toEqual([]);
  });

  it('knows ISO weeks at a year’s edge', () => {
    expect(isoWeekOf('2026-10-19')).toBe('2026-W43');
    expect(isoWeekOf('2027-01-01')).toBe('2026-W53');
    expect(isoWeekOf('2026-12-28')).toBe('2026-W53');
  });

  it('the week grid shows weekly windows, an extra shift and time off on their dates', () => {
    const grid = weekGrid(
      [{ weekday: 1, start: '08:00', end: '10:00' }],
      [
        { date: '2026-10-19', kind: 'time-off', start: '09:00', end: '09:30' },
        { date: '2026-10-24', kind: 'extra-shift', start: '18:00', end: '19:00' },
      ],
      datesBetween('2026-10-19', '2026-10-25'),
    );
    const open = (i: number) => grid[i]?.quarters.flatMap((on, q) => (on ? [q] : []));
    expect(open(0)).toEqual([32, 33, 34, 35, 38, 39]);
    expect(open(5)).toEqual([72, 73, 74, 75]);
    expect(open(6)).toEqual([]);
  });

  it('the alert queue is newest first without resolved ones', () => {
    const q = alertQueue([
      { alertId: 'a1', raisedAt: '2026-10-24T06:00:00Z', status: 'open', escalated: true },
      { alertId: 'a2', raisedAt: '2026-10-24T07:00:00Z', status: 'acknowledged', escalated: false },
      { alertId: 'a3', raisedAt: '2026-10-24T08:00:00Z', status: 'resolved', escalated: false },
    ]);
    expect(q.map((a) => a.alertId)).toEqual(['a2', 'a1']);
  });
});

describe('charts are pictures with checked geometry', () => {
  it('the adherence picture has a column per day and a row per dose time, a square per dose', () => {
    const grid = adherenceGrid(
      [
        { date: '2026-10-01', time: '08:00', outcome: 'taken_on_time' },
        { date: '2026-10-01', time: '20:00', outcome: 'missed' },
        { date: '2026-10-30', time: '08:00', outcome: 'no_data' },
        { date: '2026-10-02', time: '08:00', outcome: 'taken_late' },
      ],
      '2026-10-01',
      '2026-10-30',
    );
    expect(grid.dates).toHaveLength(30);
    expect(grid.times.map((t) => t.time)).toEqual(['08:00', '20:00']);
    expect(grid.cells).toHaveLength(4);
    const missed = grid.cells.find((c) => c.outcome === 'missed');
    expect(missed).toMatchObject({ x: 44, y: 24 });
    expect(grid.cells.find((c) => c.outcome === 'no_data')?.x).toBe(44 + 29 * 16);
    expect(grid.width).toBe(44 + 30 * 16);
  });

  it('a share line runs from 0 at the bottom to 1 at the top', () => {
    const { points, path } = shareLine([
      { label: 'W1', share: 0 },
      { label: 'W2', share: 0.5 },
      { label: 'W3', share: 1 },
    ]);
    expect(points.map((p) => p.y)).toEqual([132, 80, 28]);
    expect(path).toBe('M28 132 L180 80 L332 28');
  });

  it('grouped bars share one scale from zero', () => {
    const { bars, max } = groupedBars(
      [
        { label: 'W1', values: { completed: 8, missed: 2 } },
        { label: 'W2', values: { completed: 4, missed: 0 } },
      ],
      ['completed', 'missed'],
    );
    expect(max).toBe(8);
    expect(bars.map((b) => b.height)).toEqual([104, 26, 52, 0]);
    expect(bars.every((b) => b.y + b.height === 132)).toBe(true);
  });
});

describe('words', () => {
  it('Danish and English have the same keys and no empty text', () => {
    expect(Object.keys(dictionaries.en).sort()).toEqual(Object.keys(dictionaries.da).sort());
    expect(Object.values(dictionaries.en).every((s) => s.length > 0)).toBe(true);
  });
});

describe('wall-clock times in the municipality’s zone, whatever the browser’s', () => {
  it('gives summer and winter offsets, on both sides of the change', async () => {
    const { zonedIso, todayIn } = await import('../../web/console/lib/day.ts');
    expect(zonedIso('2026-10-24', '09:00', 'Europe/Copenhagen')).toBe('2026-10-24T09:00:00+02:00');
    expect(zonedIso('2026-10-25', '09:00', 'Europe/Copenhagen')).toBe('2026-10-25T09:00:00+01:00');
    expect(zonedIso('2026-03-29', '19:30', 'Europe/Copenhagen')).toBe('2026-03-29T19:30:00+02:00');
    expect(todayIn('Europe/Copenhagen', new Date('2026-10-24T22:30:00Z'))).toBe('2026-10-25');
  });
});
