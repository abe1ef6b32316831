import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/platform/errors.ts';
import { newCitizen, searchPlanOf } from './citizens.ts';
import { hashNationalId } from './national-id.ts';
import { decideClaim, nationalIdKeysOf } from './national-id-rotation.ts';

const OLD = 'old-pepper-that-leaked-0123456789';
const NEW = 'new-pepper-from-the-rotation-0123';

describe('registering a citizen', () => {
  it('makes a citizen of the caller’s team with the national id only masked', () => {
    const citizen = newCitizen(
      { nationalId: '010245-1111', name: { given: 'Inge', family: 'Lund' }, preferredLanguage: 'da' },
      '0102451111',
      { citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8', team: 'east', by: 'stf-anna', at: new Date('2026-11-23T09:00Z') },
    );
    expect(citizen).toEqual({
      citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
      team: 'east',
      name: { given: 'Inge', family: 'Lund' },
      nationalIdMasked: '010245-XXXX',
      preferredLanguage: 'da',
      createdAt: '2026-11-23T09:00:00.000Z',
      createdBy: 'stf-anna',
    });
    expect(JSON.stringify(citizen)).not.toContain('1111');
  });
});

describe('a citizen search', () => {
  it('goes by the national id, by a normalised name prefix, or lists the team', () => {
    expect(searchPlanOf({ nationalId: '010245-1111' })).toEqual({ by: 'nationalId', digits: '0102451111' });
    expect(searchPlanOf({ name: 'Sørensen A' })).toEqual({ by: 'name', prefix: 'sorensen a' });
    expect(searchPlanOf({})).toEqual({ by: 'name', prefix: '' });
  });
  it('refuses both at once, an invalid national id, and a name without letters', () => {
    expect(() => searchPlanOf({ nationalId: '010245-1111', name: 'Lund' })).toThrow(ValidationError);
    expect(() => searchPlanOf({ nationalId: '320145-1111' })).toThrow(/not valid/);
    expect(() => searchPlanOf({ name: '!!' })).toThrow(/no letters/);
  });
});

describe('a national id under pepper rotation', () => {
  it('has a previous key only while the secret holds the previous pepper', () => {
    expect(nationalIdKeysOf('0102451111', { nationalIdPepper: NEW })).toEqual({
      current: hashNationalId('0102451111', NEW),
    });
    expect(nationalIdKeysOf('0102451111', { nationalIdPepper: NEW, previousNationalIdPepper: OLD })).toEqual({
      current: hashNationalId('0102451111', NEW),
      previous: hashNationalId('0102451111', OLD),
    });
  });
  it('is current when claimed under the current key, moved when only under the previous one, else unknown', () => {
    const keys = { current: 'h-new', previous: 'h-old' };
    const claim = { citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8', team: 'east' };
    expect(decideClaim(keys, claim, undefined)).toEqual({ outcome: 'current', citizenId: claim.citizenId });
    expect(decideClaim(keys, undefined, claim)).toEqual({
      outcome: 'moved',
      citizenId: claim.citizenId,
      move: { ...claim, from: 'h-old', to: 'h-new' },
    });
    expect(decideClaim(keys, undefined, undefined)).toEqual({ outcome: 'unknown' });
    expect(decideClaim({ current: 'h-new' }, undefined, claim)).toEqual({ outcome: 'unknown' });
  });
});
