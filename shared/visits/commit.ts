import { ConflictError } from '#shared/platform/errors.ts';
import { TRANSACTION_CONFLICT_BACKOFF, withRetry } from '#shared/platform/retry.ts';
import { transactWrite, TransactionConflict, type Table, type TransactItem } from '#shared/table/store.ts';

/**
 * Commits a visit transaction. A cancelled transaction has a reason per action:
 * `ConditionalCheckFailed` is a real answer (the slot is taken, the visit changed) and goes to
 * `explain`; `TransactionConflict` alone only means another transaction touched one of the
 * same items at that moment, so we retry with jitter — otherwise two bookings racing for one
 * slot could both be refused and nobody get it.
 */
export async function commitVisitChange(
  table: Table,
  items: TransactItem[],
  explain: (conflict: TransactionConflict) => Error,
  attempts = 8,
): Promise<void> {
  const contended = (error: unknown) => error instanceof TransactionConflict && error.firstFailed() < 0;
  try {
    await withRetry(() => transactWrite(table, items), {
      ...TRANSACTION_CONFLICT_BACKOFF,
      attempts,
      retryIf: contended,
    });
  } catch (error) {
    if (!(error instanceof TransactionConflict)) throw error;
    if (error.firstFailed() >= 0) throw explain(error);
    throw new ConflictError('The slot is being booked by someone else right now; try again.', 'contended');
  }
}
