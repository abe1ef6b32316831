/**
 * The names of the conversion capability's domain events, apart from their schemas and the code
 * that publishes them: a consumer list names the events it consumes without loading either.
 */
export const FINAL_GRANT_APPROVED = 'FinalGrantApproved';
export const FINAL_GRANT_REVISED = 'FinalGrantRevised';
export const GRANT_ENDED = 'GrantEnded';
