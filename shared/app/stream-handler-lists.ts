import {
  entityOf,
  handleStreamRecordsWith,
  modifiesOf,
  type StreamHandlers,
  type StreamHandler,
  type StreamRecord,
} from '#shared/domain-events/stream.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { handlerTables } from './handler-tables.ts';

/**
 * The stream's handlers, each behind a lazy loader. ./stream-registry.ts loads them all for the
 * local stream poller, the tests and infra/; the stream Lambda (`handleStreamRecordsLazily`) loads
 * only the handlers of the entities in its batch. Add a line here when a capability derives state
 * from the stream.
 */
/** Each stored entity the stream delivers, with its handler: outbox items to the bus, device events to derived state. */
export const streamHandlerLoaders = {
  outbox: async (): Promise<[string, StreamHandler]> => {
    const [{ OUTBOX_ENTITY }, { publishOutboxItems }] = await Promise.all([
      import('#shared/domain-events/outbox.ts'),
      import('#shared/domain-events/stream.ts'),
    ]);
    return [OUTBOX_ENTITY, publishOutboxItems];
  },
  deviceEvents: async (): Promise<[string, StreamHandler]> => {
    const [{ DEVICE_EVENT_ENTITY }, { deriveFromDeviceEvents }] = await Promise.all([
      import('#shared/dispensers/store.ts'),
      import('#shared/dispensers/derive.ts'),
    ]);
    return [DEVICE_EVENT_ENTITY, deriveFromDeviceEvents];
  },
  /** MODIFYs of raw device events: a batch that replaced a stored event gets the first copy put back. */
  rawEventGuard: async (): Promise<[string, StreamHandler]> => {
    const [{ DEVICE_EVENT_ENTITY }, { keepFirstRawEvents }] = await Promise.all([
      import('#shared/dispensers/store.ts'),
      import('#shared/dispensers/raw-event-guard.ts'),
    ]);
    return [modifiesOf(DEVICE_EVENT_ENTITY), keepFirstRawEvents];
  },
} satisfies Record<string, () => Promise<[string, StreamHandler]>>;

/** `handleStreamRecords` of ./stream-registry.ts, loading only the handlers of the entities in this batch. */
export async function handleStreamRecordsLazily(deps: Deps, records: readonly StreamRecord[]) {
  const { stream } = await handlerTables();
  // The same routing rule as the registry's (`entityOf`): an INSERT's entity, `modifiesOf` it for a MODIFY.
  const routable: StreamHandlers = Object.fromEntries(Object.keys(stream).map((key) => [key, async () => {}]));
  const keys = [
    ...new Set(
      records.flatMap((r) => {
        const key = entityOf(routable, r);
        return key && stream[key] ? [stream[key]] : [];
      }),
    ),
  ];
  const handlers = Object.fromEntries(await Promise.all(keys.map((key) => streamHandlerLoaders[key]())));
  return handleStreamRecordsWith(handlers, deps, records);
}
