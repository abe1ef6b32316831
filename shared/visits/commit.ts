import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError } from '../platform/errors.ts';
import { transactWrite, TransactionConflict, type Table, type TransactItem } from '../table/store.ts';

/**
 * Commits a visit transaction. A cancelled transaction has a reason per action:
 * `ConditionalCheckFailed` is a real answer (the slot is taken, the visit changed) and goes to
 * `explain`; `TransactionConflict` alone only means another transaction touched one of the
 * same items at that moment, so we retry with jitter — otherwise two bookings racing for one
 * slot could both be refused and nobody get it.
 */
export async function commitVisitChange(table: Table, items: TransactItem[], explain: (conflict: TransactionConflict) => Error, attempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await transactWrite(table, items);
      return;
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
      if (error.firstFailed() >= 0) throw explain(error);
      if (attempt >= attempts) throw new ConflictError('The slot is being booked by someone else right now; try again.', 'contended');
      await sleep(10 + Math.random() * 40 * attempt);
    }
  }
}
