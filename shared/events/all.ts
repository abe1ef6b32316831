/**
 * Imports every capability's consumer registrations so `consumers` in ./consumers.ts is
 * complete. Add a line here when a capability consumes an event.
 */
export { consumers, consume } from './consumers.ts';
