import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { idPattern } from '#shared/platform/ids.ts';

/**
 * A device credential is `<dispenserId>.<secret>` (32 random bytes, base64url). The id in front
 * makes the lookup one GetItem; only the SHA-256 of the whole credential is stored, so a table
 * export cannot be replayed as a device. A high-entropy random secret needs no slow hash.
 */
export function newCredential(dispenserId: string): { credential: string; hash: string } {
  const credential = `${dispenserId}.${randomBytes(32).toString('base64url')}`;
  return { credential, hash: hashCredential(credential) };
}

export function hashCredential(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('hex');
}

const DISPENSER_ID = idPattern('dsp');
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** The dispenser a credential claims to be, or undefined when it is not shaped like one of ours. */
export function claimedDispenser(credential: string): string | undefined {
  const [id, secret, ...rest] = credential.split('.');
  if (rest.length > 0 || !id || !secret || !DISPENSER_ID.test(id) || !SECRET.test(secret)) return undefined;
  return id;
}

export function credentialMatches(credential: string, storedHash: unknown): boolean {
  if (typeof storedHash !== 'string' || storedHash.length !== 64) return false;
  return timingSafeEqual(Buffer.from(hashCredential(credential), 'hex'), Buffer.from(storedHash, 'hex'));
}
