import { consumersByType, dispatch, type Consumption } from '#shared/domain-events/dispatch.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { handlerTables } from './handler-tables.ts';

/**
 * The capabilities' domain-event consumers, each list behind a lazy loader. ./event-registry.ts
 * loads them all for the in-process bus, the tests and infra/; the consumer Lambda
 * (`consumeLazily`) loads only the lists with consumers of the event's type.
 */
/** Consumers of one type run in this order: the lists' order, then each list's own. */
export const consumerLists = {
  dispensers: async () => (await import('#shared/dispensers/consumers.ts')).dispenserConsumers,
  visits: async () => (await import('#shared/visits/consumers.ts')).visitConsumers,
} satisfies Record<string, () => Promise<readonly Consumption[]>>;

/** `consume` of ./event-registry.ts, loading only the lists with consumers of this type, in the same order. */
export async function consumeLazily(deps: Deps, event: DomainEvent): Promise<void> {
  const { consumers } = await handlerTables();
  const lists = Object.hasOwn(consumers, event.type) ? (consumers[event.type] ?? []) : [];
  const loaded = await Promise.all(lists.map((list) => consumerLists[list]()));
  return dispatch(consumersByType(loaded.flat()), deps, event);
}
