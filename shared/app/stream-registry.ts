/**
 * Imports every capability's stream handlers (derived state made from stored items), so the
 * stream Lambda and the local stream poller handle the same entities. Add a line here when a
 * capability derives state from the table's stream.
 */
import '#shared/dispensers/derive.ts';
export { handleStreamRecords, streamEntities } from '#shared/domain-events/stream.ts';
