import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskNationalId, parseNationalId } from './national-id.ts';

/** Any string a person types into the national-id field: the parser answers, it never throws. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const validId = fc
  .record({
    month: fc.integer({ min: 1, max: 12 }),
    dayPick: fc.nat(),
    yy: fc.integer({ min: 0, max: 99 }),
    serial: fc.integer({ min: 0, max: 9999 }),
    dash: fc.boolean(),
  })
  .map(({ month, dayPick, yy, serial, dash }) => {
    const day = (dayPick % (DAYS_IN_MONTH[month - 1] ?? 28)) + 1;
    const digits = `${pad(day)}${pad(month)}${pad(yy)}${pad(serial, 4)}`;
    return { digits, typed: dash ? `${digits.slice(0, 6)}-${digits.slice(6)}` : digits };
  });

describe('a national id as staff type it', () => {
  it('never throws, and anything accepted is ten ASCII digits', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.string({ unit: 'grapheme', maxLength: 20 }),
          fc.stringMatching(/^[0-9٠-٩０-９ -]{8,14}$/),
        ),
        (input) => {
          const result = parseNationalId(input);
          if (result.ok) expect(result.digits).toMatch(/^[0-9]{10}$/);
          else expect(['shape', 'date']).toContain(result.problem);
        },
      ),
    );
  });

  it('accepts every real date with or without the dash, and surrounding spaces, as the same ten digits', () => {
    fc.assert(
      fc.property(validId, fc.constantFrom('', ' ', '\t'), ({ digits, typed }, space) => {
        expect(parseNationalId(`${space}${typed}${space}`)).toEqual({ ok: true, digits });
        expect(maskNationalId(digits)).toBe(`${digits.slice(0, 6)}-XXXX`);
      }),
    );
  });

  it('refuses a day or month that no calendar has', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 9999 }),
        (day, month, serial) => {
          const real = month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] ?? 0);
          const result = parseNationalId(`${pad(day)}${pad(month)}50-${pad(serial, 4)}`);
          expect(result.ok ? 'ok' : result.problem).toBe(real ? 'ok' : 'date');
        },
      ),
    );
  });

  it('refuses digits from other scripts: they are not a CPR number', () => {
    expect(parseNationalId('٠١٠١٥٠-١٢٣٤')).toEqual({ ok: false, problem: 'shape' });
    expect(parseNationalId('０１０１５０１２３４')).toEqual({ ok: false, problem: 'shape' });
  });
});
