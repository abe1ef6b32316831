/**
 * DynamoDB's size of an item, from the documented rules, for native JS values as the document
 * client takes them: attribute names count as UTF-8 bytes; strings and binaries by their bytes;
 * numbers about one byte per two significant digits plus one; booleans and null one byte;
 * lists and maps three bytes plus one per element plus their contents. Capacity units are
 * billed on this size (1 KB per write unit, 4 KB per read unit), so the capacity model uses it.
 */
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

export function valueSize(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/e.*$/i, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const v of value) size += valueSize(v);
    return size;
  }
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (s, [k, v]) => (v === undefined ? s : s + 1 + utf8(k) + valueSize(v)),
        0,
      )
    );
  }
  return utf8(String(value));
}

/** Bytes of a whole item: each attribute's name plus its value (undefined attributes are not stored). */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((s, [k, v]) => (v === undefined ? s : s + utf8(k) + valueSize(v)), 0);
}

/** Write units a plain write of an item costs (1 KB each, rounded up); a transactional write costs twice this. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/** Read units a strongly consistent read of `bytes` costs (4 KB each); an eventually consistent one half. */
export function readUnits(bytes: number, consistent = true): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}
