import { describe, expect, it } from 'vitest';
import { normaliseName, normaliseNameQuery } from '#shared/citizens/names.ts';
import { hashNationalId, maskNationalId, parseNationalId } from '#shared/citizens/national-id.ts';

describe('national ids', () => {
  it('accepts DDMMYY-SSSS and DDMMYYSSSS as the same id', () => {
    expect(parseNationalId('010203-4567')).toEqual({ ok: true, digits: '0102034567' });
    expect(parseNationalId(' 0102034567 ')).toEqual({ ok: true, digits: '0102034567' });
  });

  it('refuses other shapes and date parts that cannot be a date', () => {
    expect(parseNationalId('01020-34567')).toEqual({ ok: false, problem: 'shape' });
    expect(parseNationalId('0102034567X')).toEqual({ ok: false, problem: 'shape' });
    expect(parseNationalId('310445-1234')).toEqual({ ok: false, problem: 'date' });
    expect(parseNationalId('300245-1234')).toEqual({ ok: false, problem: 'date' });
    expect(parseNationalId('001045-1234')).toEqual({ ok: false, problem: 'date' });
    expect(parseNationalId('290245-1234').ok).toBe(true);
  });

  it('hashes with the pepper, so the key depends on the secret and never shows the digits', () => {
    const a = hashNationalId('0102034567', 'pepper-one-0123456789');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toContain('0102034567');
    expect(hashNationalId('0102034567', 'pepper-two-0123456789')).not.toBe(a);
    expect(hashNationalId('0102034567', 'pepper-one-0123456789')).toBe(a);
  });

  it('masks all but the birth date', () => {
    expect(maskNationalId('0102034567')).toBe('010203-XXXX');
  });
});

describe('names for search', () => {
  it('puts the family name first, lower-cased, with Nordic letters and accents folded', () => {
    expect(normaliseName({ given: 'Åse Marie', family: 'Sørensen-Ærø' })).toBe('sorensen-aero ase marie');
    expect(normaliseName({ given: 'José', family: 'Müller' })).toBe('muller jose');
  });

  it('keeps key separators out of the name', () => {
    expect(normaliseNameQuery('  Holm#Berg  ')).toBe('holm berg');
  });
});
