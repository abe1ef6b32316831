import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/platform/errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { KEY_ATTRIBUTES } from './schema.ts';

/**
 * A cursor comes back from the caller: whatever they send, decoding answers with the key we
 * handed out or a validation problem (400), never anything else. Tested only through the public
 * encode/decode pair, so the properties hold whatever the cursor's inside looks like.
 */
const lastKey = fc
  .uniqueArray(fc.constantFrom(...KEY_ATTRIBUTES), { minLength: 1, maxLength: KEY_ATTRIBUTES.length })
  .chain((names) =>
    fc.tuple(...names.map((name) => fc.tuple(fc.constant(name), fc.string({ unit: 'grapheme', maxLength: 60 })))),
  )
  .map((entries) => Object.fromEntries(entries) as Record<string, string>);

const decodes = (cursor: string): 'ok' | 'validation' => {
  try {
    decodeCursor(cursor);
    return 'ok';
  } catch (error) {
    if (error instanceof ValidationError) return 'validation';
    throw error;
  }
};

describe('a list’s cursor, whatever the caller sends back', () => {
  it('gives back exactly the key the API handed out', () => {
    fc.assert(
      fc.property(lastKey, (key) => {
        const cursor = encodeCursor(key);
        expect(cursor).toBeDefined();
        expect(decodeCursor(cursor)).toEqual(key);
      }),
    );
  });

  it('answers any other string with a validation problem or a key, never a crash', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (cursor) => void decodes(cursor)));
    fc.assert(
      fc.property(
        fc.base64String({ maxLength: 300 }),
        (cursor) => void decodes(cursor.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
      ),
    );
  });

  it('refuses a tampered or foreign cursor rather than passing it to DynamoDB', () => {
    // Any JSON a caller could wrap the way ours look: only our key attributes with string values pass.
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const cursor = Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('base64url');
        let decoded: Record<string, string> | undefined;
        try {
          decoded = decodeCursor(cursor);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return;
        }
        if (cursor === '') return;
        for (const [name, attribute] of Object.entries(decoded ?? {})) {
          expect(KEY_ATTRIBUTES).toContain(name);
          expect(typeof attribute).toBe('string');
        }
      }),
    );
  });

  it('refuses a cursor one character off from a real one, or decodes it to a key of ours', () => {
    fc.assert(
      fc.property(lastKey, fc.nat(), fc.constantFrom(...'ABCxyz019-_'), (key, at, char) => {
        const cursor = encodeCursor(key) ?? '';
        const i = at % cursor.length;
        expect(['ok', 'validation']).toContain(decodes(`${cursor.slice(0, i)}${char}${cursor.slice(i + 1)}`));
      }),
    );
  });
});
