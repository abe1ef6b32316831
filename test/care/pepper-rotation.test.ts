import { describe, expect, it } from 'vitest';
import { rekeyNationalId } from '#shared/citizens/national-id-rotation.ts';
import { hashNationalId } from '#shared/citizens/national-id.ts';
import { citizenKeys } from '#shared/table/keys.ts';
import { getItem } from '#shared/table/store.ts';
import { createTestApp } from '../support/app.ts';
import { careActors, registerCitizen } from './care-helpers.ts';

const OLD = 'old-pepper-that-leaked-0123456789';
const NEW = 'new-pepper-from-the-rotation-0123';

/**
 * A rotation as the runbook (docs/pepper-rotation.md) does it: the app secret gets a new pepper
 * and keeps the old one as `previousNationalIdPepper`; lookups move the claims they find, the
 * rekey script moves the rest from the register; then the old pepper is dropped.
 */
describe('rotating the national-id pepper', () => {
  it('keeps every citizen findable and unique while the index is re-keyed, and needs no old pepper afterwards', async () => {
    const before = await createTestApp({ config: { NATIONAL_ID_PEPPER: OLD } });
    const table = before.config.TABLE_NAME;
    const east = await careActors(before, 'east');
    const looked = await registerCitizen(before, east.assessor, { given: 'Inge', family: 'Lund' }, '010245-1111');
    const registerOnly = await registerCitizen(before, east.assessor, { given: 'Ole', family: 'Berg' }, '020245-2222');

    // Step 1: the secret holds the new pepper and the previous one.
    const during = await createTestApp({
      config: { TABLE_NAME: table, NATIONAL_ID_PEPPER: NEW, PREVIOUS_NATIONAL_ID_PEPPER: OLD },
    });
    const again = await during.call('POST', '/citizens', {
      as: east.assessor,
      body: { nationalId: '0102451111', name: { given: 'Inge', family: 'Lund' } },
    });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('national-id-registered');
    const found = await during.call('GET', '/citizens?nationalId=010245-1111', { as: east.staff });
    expect(found.body.items.map((c: { citizenId: string }) => c.citizenId)).toEqual([looked]);
    // The lookup moved the claim: it is under the new pepper only, and the profile's hash follows.
    expect(await getItem(during.deps.table, citizenKeys.nationalId(hashNationalId('0102451111', OLD)))).toBeUndefined();
    expect(await getItem(during.deps.table, citizenKeys.nationalId(hashNationalId('0102451111', NEW)))).toMatchObject({
      citizenId: looked,
    });
    expect(await getItem(during.deps.table, citizenKeys.profile(looked))).toMatchObject({
      nationalIdHash: hashNationalId('0102451111', NEW),
    });

    // Step 2: the rekey script, fed the register, moves the claims nobody looked up.
    const ctx = { system: 'rekey-national-ids', requestId: 'req-rekey', now: new Date() };
    expect(await rekeyNationalId(during.deps, ctx, '0202452222')).toBe('moved');
    expect(await rekeyNationalId(during.deps, ctx, '0102451111')).toBe('current');
    expect(await rekeyNationalId(during.deps, ctx, '0302453333')).toBe('unknown');

    // Step 3: the previous pepper is removed from the secret; everyone is still found.
    const after = await createTestApp({ config: { TABLE_NAME: table, NATIONAL_ID_PEPPER: NEW } });
    for (const [nationalId, citizenId] of [
      ['010245-1111', looked],
      ['020245-2222', registerOnly],
    ] as const) {
      const res = await after.call('GET', `/citizens?nationalId=${nationalId}`, { as: east.staff });
      expect(res.body.items.map((c: { citizenId: string }) => c.citizenId)).toEqual([citizenId]);
    }
    const audit = await after.call('GET', `/audit?citizenId=${registerOnly}`, { as: east.admin });
    expect(
      audit.body.items.map((r: { action: string; actor: { sub: string } }) => `${r.action} by ${r.actor.sub}`),
    ).toContain('citizen.rekey by rekey-national-ids');
  });
});
