/**
 * The raw device event item's entity; its INSERT on the table's stream is what derived state is
 * made from. Apart from the store, so the stream's handler list names it without loading the store.
 */
export const DEVICE_EVENT_ENTITY = 'DeviceEvent';
