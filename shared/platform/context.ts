import type { Actor } from './actor.ts';

/** What every domain function that reads or changes citizen data needs to know about the call. */
export interface RequestContext {
  readonly actor: Actor;
  readonly requestId: string;
  readonly now: Date;
}
