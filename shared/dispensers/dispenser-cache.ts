import { Duration } from 'luxon';
import type { Table } from '#shared/table/store.ts';
import type { DispenserItem } from './store.ts';

/**
 * Dispenser items this process read for a device post, kept for a few seconds so that a device
 * posting event by event (how most report, and how a device empties its buffer after a network
 * outage) costs one DynamoDB request per post instead of two. Only the single-event path uses it,
 * and only to accept: a post the cached item would refuse or not place is decided again on a
 * fresh read, so the cache never turns away an event a fresh read would take.
 *
 * One process (a Lambda container, or `npm start`) forgets an item as soon as it changes that
 * dispenser itself (`forgetDispenser`). Another process's change — on AWS the Dispensers function
 * replaces a credential or reassigns the dispenser while the DeviceEvents function has it cached —
 * is seen here only when the entry expires (`DEVICE_CACHE_SECONDS`). What was accepted on such a
 * stale entry is marked on the raw event (`decidedFromCache`), and the stream's derivation decides
 * it again against the dispenser as stored (derive.ts `reviewCachedDecisions`).
 *
 * Per table client, so two apps in one test process (two "containers") do not share entries.
 */
interface Entry {
  readonly item: DispenserItem;
  readonly readAt: number;
}

/** Enough for every dispenser of a large municipality; the oldest entry goes first. */
const MAX_ENTRIES = 20_000;

const caches = new WeakMap<Table['db'], Map<string, Entry>>();

function cacheOf(table: Table): Map<string, Entry> {
  let cache = caches.get(table.db);
  if (!cache) {
    cache = new Map();
    caches.set(table.db, cache);
  }
  return cache;
}

/** The item read at most `ttlSeconds` before `now`, else undefined. */
export function cachedDispenser(
  table: Table,
  dispenserId: string,
  now: Date,
  ttlSeconds: number,
): DispenserItem | undefined {
  if (ttlSeconds <= 0) return undefined;
  const entry = cacheOf(table).get(`${table.name}#${dispenserId}`);
  if (!entry) return undefined;
  const age = now.getTime() - entry.readAt;
  return age >= 0 && age < Duration.fromObject({ seconds: ttlSeconds }).toMillis() ? entry.item : undefined;
}

/** Keeps an item just read with a consistent read (its credential already checked). */
export function rememberDispenser(table: Table, item: DispenserItem, now: Date): void {
  const cache = cacheOf(table);
  const key = `${table.name}#${item.dispenserId}`;
  cache.delete(key);
  cache.set(key, { item, readAt: now.getTime() });
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
}

/** This process changed the dispenser: its next post is decided on a fresh read. */
export function forgetDispenser(table: Table, dispenserId: string): void {
  caches.get(table.db)?.delete(`${table.name}#${dispenserId}`);
}
