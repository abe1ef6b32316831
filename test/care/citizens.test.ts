import { beforeAll, describe, expect, it } from 'vitest';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { careActors, registerCitizen, uniqueNationalId, type CareActors } from './care-helpers.ts';

let t: TestApp;
let east: CareActors;
let west: CareActors;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  east = await careActors(t, 'east');
  west = await careActors(t, 'west');
  admin = await t.token('admin', 'adm-audit');
});

const auditActions = async (citizenId: string) =>
  (await t.call('GET', `/audit?citizenId=${citizenId}`, { as: admin })).body.items.map(
    (r: any) => `${r.action} by ${r.actor.sub}`,
  );

describe('registering citizens', () => {
  it('an assessor registers a citizen in their team; the national id comes back masked only', async () => {
    const nationalId = '150345-1234';
    const res = await t.call('POST', '/citizens', {
      as: east.assessor,
      body: { nationalId, name: { given: 'Karen', family: 'Sørensen' } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      team: 'east',
      name: { given: 'Karen', family: 'Sørensen' },
      nationalIdMasked: '150345-XXXX',
      preferredLanguage: 'da',
      createdBy: 'asr-east',
    });
    expect(res.body.citizenId).toMatch(/^cit_/);
    expect(res.text).not.toContain('1234');
    expect(await auditActions(res.body.citizenId)).toContain('citizen.create by asr-east');
  });

  it('refuses a second registration of the same national id, with or without the dash', async () => {
    const nationalId = uniqueNationalId();
    await registerCitizen(t, east.assessor, { given: 'Anna', family: 'Holm' }, nationalId);
    const again = await t.call('POST', '/citizens', {
      as: west.staff,
      body: { nationalId: nationalId.replace('-', ''), name: { given: 'Anna', family: 'Holm' } },
    });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('national-id-registered');
  });

  it('rejects a national id of the wrong shape or with an impossible date', async () => {
    for (const nationalId of ['12345', '150345-12345', '320145-1234', '151345-1234', 'abcdefghij']) {
      const res = await t.call('POST', '/citizens', {
        as: east.assessor,
        body: { nationalId, name: { given: 'X', family: 'Y' } },
      });
      expect(res.status, nationalId).toBe(400);
      expect(res.body.errors[0].field).toBe('body/nationalId');
    }
  });

  it('rejects unknown fields', async () => {
    const res = await t.call('POST', '/citizens', {
      as: east.assessor,
      body: { nationalId: uniqueNationalId(), name: { given: 'X', family: 'Y' }, address: 'Hovedgaden 1' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toContain('address');
  });
});

describe('finding citizens', () => {
  it('finds a citizen by national id with one lookup, only in the caller’s team, and audits the read', async () => {
    const nationalId = uniqueNationalId();
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Poul', family: 'Ærø' }, nationalId);
    const found = await t.call('GET', `/citizens?nationalId=${nationalId}`, { as: east.staff });
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: any) => c.citizenId)).toEqual([citizenId]);
    expect(await auditActions(citizenId)).toContain('citizen.search by stf-east');

    const elsewhere = await t.call('GET', `/citizens?nationalId=${nationalId}`, { as: west.staff });
    expect(elsewhere.body.items).toEqual([]);
    const unknown = await t.call('GET', `/citizens?nationalId=${uniqueNationalId()}`, { as: east.staff });
    expect(unknown.body.items).toEqual([]);
  });

  it('finds citizens by a name prefix, family name first, ignoring case and diacritics', async () => {
    const team = await careActors(t, 'north');
    const soerensen = await registerCitizen(t, team.assessor, { given: 'Åse', family: 'Sørensen' });
    const sorensen = await registerCitizen(t, team.assessor, { given: 'Bo', family: 'Sorensen' });
    const other = await registerCitizen(t, team.assessor, { given: 'Carl', family: 'Søndergaard' });

    const res = await t.call('GET', `/citizens?name=${encodeURIComponent('SØRENS')}`, { as: team.lead });
    expect(res.body.items.map((c: any) => c.citizenId).sort()).toEqual([soerensen, sorensen].sort());
    const withGiven = await t.call('GET', `/citizens?name=${encodeURIComponent('sorensen ase')}`, { as: team.lead });
    expect(withGiven.body.items.map((c: any) => c.citizenId)).toEqual([soerensen]);

    const all = await t.call('GET', '/citizens', { as: team.assessor });
    expect(all.body.items.map((c: any) => c.name.family)).toEqual(['Søndergaard', 'Sørensen', 'Sorensen']);
    expect(all.body.items.map((c: any) => c.citizenId)).toContain(other);
  });

  it('pages through the team’s citizens with an opaque cursor', async () => {
    const team = await careActors(t, 'south');
    const ids = [];
    for (const family of ['Ahl', 'Berg', 'Clausen'])
      ids.push(await registerCitizen(t, team.assessor, { given: 'A', family }));
    const first = await t.call('GET', '/citizens?limit=2', { as: team.staff });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.call('GET', `/citizens?limit=2&cursor=${first.body.nextCursor}`, { as: team.staff });
    expect([...first.body.items, ...second.body.items].map((c: any) => c.citizenId)).toEqual(ids);
  });

  it('answers 404 for a citizen of another team, as for an unknown one', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Lis', family: 'Bro' });
    expect((await t.call('GET', `/citizens/${citizenId}`, { as: east.lead })).status).toBe(200);
    expect((await t.call('GET', `/citizens/${citizenId}`, { as: west.lead })).status).toBe(404);
    expect((await t.call('GET', '/citizens/cit_01JD0000000000000000000000', { as: east.lead })).status).toBe(404);
    expect(await auditActions(citizenId)).toContain('citizen.read by lead-east');
  });

  it('lets a citizen’s own token through requireVisibleCitizen, and no one else’s', async () => {
    const citizenId = await registerCitizen(t, east.assessor, { given: 'Eva', family: 'Juul' });
    const self = { kind: 'user', sub: citizenId, roles: ['citizen'], team: 'default' } as const;
    await expect(requireVisibleCitizen(t.deps, self, citizenId)).resolves.toMatchObject({ citizenId });
    const neighbour = {
      kind: 'user',
      sub: 'cit_01JD0000000000000000000000',
      roles: ['citizen'],
      team: 'east',
    } as const;
    await expect(requireVisibleCitizen(t.deps, neighbour, citizenId)).rejects.toBeInstanceOf(NotFoundError);
  });
});
