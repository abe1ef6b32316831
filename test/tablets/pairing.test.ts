import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '#shared/platform/errors.ts';
import { LocalSecrets } from '#shared/platform/secrets.ts';
import { tabletKeys } from '#shared/table/keys.ts';
import { issueTabletToken, verifyTabletToken } from '#shared/tablets/tokens.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  annasWeek,
  book,
  newCitizen,
  setAvailability,
  visitActors,
  type VisitActors,
} from '../visits/visit-helpers.ts';

let t: TestApp;
let clock: FixedClock;
let as: VisitActors;
let karen: string;
let westStaff: string;

beforeAll(async () => {
  clock = new FixedClock(new Date('2026-11-23T06:00:00Z'));
  t = await createTestApp({ clock });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', annasWeek);
  karen = await newCitizen(t, as.assessor, 'Karen');
  westStaff = await t.token('staff', 'stf-west', 'west');
});

describe('a tablet is paired with a code instead of a password', () => {
  it('staff make a code and a QR image; the tablet redeems it once for a credential that opens its own visits', async () => {
    const pairing = await t.call('POST', `/citizens/${karen}/tablet-pairings`, { as: as.anna });
    expect(pairing.status).toBe(201);
    expect(pairing.body.code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(pairing.body.expiresAt).toBe('2026-11-23T06:15:00.000Z');
    expect(pairing.body.pairingUrl).toBe(`http://localhost/tablet?pair=${pairing.body.code}`);
    expect(Buffer.from(pairing.body.qrImage.replace('data:image/svg+xml;base64,', ''), 'base64').toString()).toContain(
      '<svg',
    );
    // Only the hash of the code is stored.
    const stored = await t.deps.table.db.send(
      new GetCommand({
        TableName: t.deps.table.name,
        Key: tabletKeys.pairing(
          createHash('sha256')
            .update(`tablet-pairing:${pairing.body.code.replace('-', '')}`)
            .digest('hex'),
        ),
      }),
    );
    expect(stored.Item?.citizenId).toBe(karen);
    expect(JSON.stringify(stored.Item)).not.toContain(pairing.body.code);

    // Typed on a tablet: lower case, a space instead of the dash.
    const typed = pairing.body.code.toLowerCase().replace('-', ' ');
    const redeemed = await t.call('POST', '/tablet-pairings/redeem', { body: { code: typed, label: 'Karen’s iPad' } });
    expect(redeemed.status).toBe(201);
    expect(redeemed.body).toMatchObject({
      citizenId: karen,
      tabletId: expect.stringMatching(/^tab_/),
      token: expect.any(String),
    });
    expect(new Date(redeemed.body.expiresAt).getTime() - clock.now().getTime()).toBe(180 * 86_400_000);

    // Single use.
    const again = await t.call('POST', '/tablet-pairings/redeem', { body: { code: pairing.body.code } });
    expect(again.status).toBe(404);

    const tablet = redeemed.body.token;
    await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-11-23T09:00:00+01:00' });
    const mine = await t.call('GET', '/me/visits', { as: tablet });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(1);
    const home = await t.call('GET', '/me/next-visit', { as: tablet });
    expect(home.body).toMatchObject({ phase: 'before', visit: { staffJoined: false, pendingGuests: [] } });
    // A tablet is a citizen, nothing more.
    expect((await t.call('GET', '/citizens', { as: tablet })).status).toBe(403);

    const listed = await t.call('GET', `/citizens/${karen}/tablets`, { as: as.anna });
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        tabletId: redeemed.body.tabletId,
        label: 'Karen’s iPad',
        status: 'active',
        pairedBy: 'stf-anna',
      }),
    ]);
  });

  it('a code older than 15 minutes is refused', async () => {
    clock.set('2026-11-23T06:00:00Z');
    const pairing = await t.call('POST', `/citizens/${karen}/tablet-pairings`, { as: as.anna });
    clock.set('2026-11-23T06:15:01Z');
    const late = await t.call('POST', '/tablet-pairings/redeem', { body: { code: pairing.body.code } });
    expect(late.status).toBe(404);
    expect(late.headers.get('content-type')).toBe('application/problem+json');
    clock.set('2026-11-23T06:00:00Z');
  });

  it('a revoked tablet is out at its next request; the lead sees it as revoked', async () => {
    const pairing = await t.call('POST', `/citizens/${karen}/tablet-pairings`, { as: as.lead });
    const { body } = await t.call('POST', '/tablet-pairings/redeem', { body: { code: pairing.body.code } });
    expect((await t.call('GET', '/me/next-visit', { as: body.token })).status).toBe(200);

    const revoked = await t.call('DELETE', `/citizens/${karen}/tablets/${body.tabletId}`, { as: as.anna });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedBy: 'stf-anna' });
    const out = await t.call('GET', '/me/next-visit', { as: body.token });
    expect(out.status).toBe(401);
    expect(
      (await t.call('GET', `/citizens/${karen}/tablets`, { as: as.lead })).body.items.find(
        (i: any) => i.tabletId === body.tabletId,
      ).status,
    ).toBe('revoked');
  });

  it('another team, a citizen, no token, a forged token and bad input get clear refusals and nothing is written', async () => {
    expect((await t.call('POST', `/citizens/${karen}/tablet-pairings`, { as: westStaff })).status).toBe(404);
    expect((await t.call('GET', `/citizens/${karen}/tablets`, { as: westStaff })).status).toBe(404);
    const citizenToken = await t.token('citizen', karen, 'east');
    expect((await t.call('POST', `/citizens/${karen}/tablet-pairings`, { as: citizenToken })).status).toBe(403);
    expect((await t.call('POST', `/citizens/${karen}/tablet-pairings`)).status).toBe(401);
    expect((await t.call('GET', '/me/next-visit')).status).toBe(401);
    expect((await t.call('POST', '/tablet-pairings/redeem', { body: { code: 'x' } })).status).toBe(400);
    expect((await t.call('POST', '/tablet-pairings/redeem', { body: { code: 'ABCD-EFGH', extra: 1 } })).status).toBe(
      400,
    );
    expect(
      (await t.call('DELETE', `/citizens/${karen}/tablets/tab_01KAQ3Y5B7D9F1H3K5M7P9R1T3`, { as: as.anna })).status,
    ).toBe(404);
    const forged =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6InRhYmxldCtqd3QifQ.eyJzdWIiOiJjaXRfeCIsInRpZCI6InRhYl94In0.c2lnbmF0dXJl';
    expect((await t.call('GET', '/me/next-visit', { as: forged })).status).toBe(401);
  });
});

describe('the tablet token key is the app secret’s tabletTokenKey', () => {
  it('a token signed under another key (say, before the key was rotated) signs the tablet out', async () => {
    const pairing = await t.call('POST', `/citizens/${karen}/tablet-pairings`, { as: as.anna });
    const { body } = await t.call('POST', '/tablet-pairings/redeem', { body: { code: pairing.body.code } });
    const rotated = {
      ...t.deps,
      secrets: new LocalSecrets({ ...t.deps.config, TABLET_TOKEN_KEY: 'a-rotated-tablet-token-key-0123456789' }),
    };
    const underRotatedKey = await issueTabletToken(
      rotated,
      { citizenId: karen, tabletId: body.tabletId, team: 'east' },
      clock.now(),
    );

    await expect(verifyTabletToken(rotated, underRotatedKey.token)).resolves.toMatchObject({
      sub: karen,
      roles: ['citizen'],
    });
    await expect(verifyTabletToken(t.deps, underRotatedKey.token)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(verifyTabletToken(rotated, body.token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
