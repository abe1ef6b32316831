import { ValidationError } from '../platform/errors.ts';
import { KEY_ATTRIBUTES } from './schema.ts';

/** Pagination cursors are opaque to callers: base64url of the last evaluated key. */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | undefined {
  if (!lastKey) return undefined;
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

const allowed = new Set<string>(KEY_ATTRIBUTES);

/** A cursor that was not made by us is bad input (400), never a 500 from DynamoDB. */
export function decodeCursor(cursor: string | undefined): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const fail = () => new ValidationError('The cursor is not one this API returned.', [{ field: 'query/cursor', message: 'invalid cursor' }]);
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw fail();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail();
  const entries = Object.entries(parsed);
  if (entries.length === 0 || entries.some(([k, v]) => !allowed.has(k) || typeof v !== 'string' || v.length > 1024)) throw fail();
  return Object.fromEntries(entries) as Record<string, string>;
}
