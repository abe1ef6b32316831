import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ValidationError } from '#shared/platform/errors.ts';
import { KEY_ATTRIBUTES } from './schema.ts';

/**
 * The internal cursor: base64url of the last evaluated key. It never leaves the API as is: the
 * HTTP layer seals it (`sealCursor`) in every response and opens it in every request.
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | undefined {
  if (!lastKey) return undefined;
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

const allowed = new Set<string>(KEY_ATTRIBUTES);

/** A cursor that was not made by us is bad input (400), never a 500 from DynamoDB. */
export function decodeCursor(cursor: string | undefined): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const fail = () =>
    new ValidationError('The cursor is not one this API returned.', [
      { field: 'query/cursor', message: 'invalid cursor' },
    ]);
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw fail();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail();
  const entries = Object.entries(parsed);
  if (entries.length === 0 || entries.some(([k, v]) => !allowed.has(k) || typeof v !== 'string' || v.length > 1024))
    throw fail();
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * What a cursor handed to a caller is bound to: the route and query it came from, and who asked.
 * A cursor presented with any other binding does not open.
 */
export interface CursorBinding {
  readonly method: string;
  readonly path: string;
  /** The query parameters other than `cursor` and `limit`, canonical (sorted). */
  readonly query: string;
  readonly team: string;
  readonly caller: string;
}

const SEALED_VERSION = 1;

function bindingOf(b: CursorBinding): Buffer {
  return Buffer.from(JSON.stringify([SEALED_VERSION, b.method, b.path, b.query, b.team, b.caller]), 'utf8');
}

function keyOf(secret: string): Buffer {
  // Any configured secret becomes a 256-bit key; the secret itself is random (Secrets Manager).
  return createHash('sha256').update(`e-team cursor key\u0000${secret}`, 'utf8').digest();
}

/**
 * The cursor a caller sees: the internal one (a table key) encrypted and authenticated with
 * AES-256-GCM, the binding as additional data, and an expiry inside. It decodes to nothing
 * readable: no key, no id, no partition.
 */
export function sealCursor(internal: string, binding: CursorBinding, secret: string, expiresAt: Date): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  cipher.setAAD(bindingOf(binding));
  const plain = Buffer.from(JSON.stringify({ c: internal, e: Math.floor(expiresAt.getTime() / 1000) }), 'utf8');
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([SEALED_VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The internal cursor, or a 400 when the cursor is forged, altered, expired or was issued for another query or caller. */
export function openCursor(sealed: string, binding: CursorBinding, secret: string, now: Date): string {
  const fail = (why: string) =>
    new ValidationError('The cursor is not one this API returned for this query, or it has expired.', [
      { field: 'query/cursor', message: why },
    ]);
  if (sealed.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(sealed)) throw fail('invalid cursor');
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 1 + 12 + 16 + 1 || raw[0] !== SEALED_VERSION) throw fail('invalid cursor');
  let parsed: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(1, 13));
    decipher.setAAD(bindingOf(binding));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    parsed = JSON.parse(
      Buffer.concat([decipher.update(raw.subarray(13, raw.length - 16)), decipher.final()]).toString('utf8'),
    );
  } catch {
    throw fail('invalid cursor');
  }
  const { c, e } = (parsed ?? {}) as { c?: unknown; e?: unknown };
  if (typeof c !== 'string' || typeof e !== 'number') throw fail('invalid cursor');
  if (e * 1000 <= now.getTime()) throw fail('expired cursor; start from the first page again');
  return c;
}
