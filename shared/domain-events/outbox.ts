import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { outboxKeys } from '#shared/table/keys.ts';
import { expiresAfterDays, type Item, type Table, type TransactItem } from '#shared/table/store.ts';

/**
 * The transactional outbox. A change and the domain events it causes commit in one
 * TransactWriteItems: the events are items of the table (entity `OutboxEvent`), and they leave
 * it through the table's stream (shared/domain-events/stream.ts), never from the request. So an event
 * exists exactly when its change committed, and a bus that is down delays delivery but never
 * turns a committed change into an error answer.
 *
 * Usage: add `outboxEvent(deps.table, event)` to the transaction's items. A job whose only
 * effect is the event itself (a reminder that is due) writes it with `recordEvents`.
 */
export const OUTBOX_ENTITY = 'OutboxEvent';

/** The stream keeps records 24 hours; an event item needs to live no longer than that plus a margin to inspect it. */
export const OUTBOX_TTL_DAYS = 2;

/**
 * The aggregate an event belongs to: events of one aggregate are written to one partition and
 * leave in commit order. The first of these ids in the detail names it.
 */
const AGGREGATE_FIELDS = ['visitId', 'alertId', 'dispenserId', 'finalGrantId', 'citizenId'] as const;

export function aggregateOf(event: DomainEvent): string {
  for (const field of AGGREGATE_FIELDS) {
    const value = event.detail[field];
    if (typeof value === 'string' && value) return value;
  }
  return event.type;
}

export function outboxItem(event: DomainEvent): Item & { pk: string; sk: string } {
  const aggregate = aggregateOf(event);
  return {
    ...outboxKeys.event(aggregate, event.id),
    entity: OUTBOX_ENTITY,
    eventId: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    aggregate,
    detail: event.detail,
    expiresAt: expiresAfterDays(OUTBOX_TTL_DAYS, new Date(event.occurredAt)),
  };
}

/** The transaction item that records `event` with the change it describes. */
export function outboxEvent(table: Table, event: DomainEvent): TransactItem {
  return { Put: { TableName: table.name, Item: outboxItem(event), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** Events that are a fact on their own (no other item changes with them), e.g. a reminder that fell due. */
export async function recordEvents(table: Table, events: readonly DomainEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = events
      .slice(i, i + 25)
      .map((e) => ({ PutRequest: { Item: outboxItem(e) } }));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 9) throw new Error(`BatchWriteItem left ${pending.length} outbox events unprocessed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const result = await table.db.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending as never } }));
      pending = result.UnprocessedItems?.[table.name] as Record<string, unknown>[] | undefined;
    }
  }
}

/** The domain event an outbox item (as read back from the stream) carries. */
export function eventOfOutboxItem(item: Record<string, unknown>): DomainEvent {
  return {
    id: String(item.eventId),
    type: String(item.type),
    occurredAt: String(item.occurredAt),
    detail: (item.detail ?? {}) as Record<string, unknown>,
  };
}
