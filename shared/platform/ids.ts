import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Sortable ids: a ULID sorts by creation time, so sort keys built from it list in order. */
export function newId(prefix: string, at: Date = new Date()): string {
  return `${prefix}_${nextUlid(at.getTime())}`;
}

/** Ids in paths look like `cit_01J…`; anything else is rejected before it reaches a key. */
export function idPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`);
}
