import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The one retry helper: jittered exponential backoff, a cap on attempts and a predicate that says
 * which failures are worth another attempt. Calls to AWS are retried by the SDK itself
 * (`awsClientRetry` below); this is for what the SDK cannot know is transient: a DynamoDB
 * transaction cancelled only because another one touched the same item, items a batch call left
 * unprocessed, a throttled call whose failure we translate ourselves.
 */
export interface Backoff {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The ceiling of the wait before the second attempt; it doubles for each further attempt. */
  readonly baseDelayMs: number;
  /** No wait is longer than this. */
  readonly maxDelayMs?: number;
}

export interface RetryOptions extends Backoff {
  /** Whether this failure may go away by trying again; anything else is thrown at once. */
  readonly retryIf: (error: unknown, attempt: number) => boolean;
  /** For tests: how to wait, and the random source of the jitter. */
  readonly sleep?: (ms: number) => Promise<unknown>;
  readonly random?: () => number;
}

/**
 * The wait after failed attempt `attempt` (1-based): "full jitter", uniformly between 0 and
 * base · 2^(attempt-1), capped. Spreading the retries of callers that collided is the point: a
 * fixed or merely exponential delay makes them collide again.
 */
export function backoffDelay(
  attempt: number,
  backoff: Pick<Backoff, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    backoff.maxDelayMs ?? Number.POSITIVE_INFINITY,
    backoff.baseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return random() * ceiling;
}

/** Waits the backoff after failed attempt `attempt`: for loops whose "failure" is a result (unprocessed batch items), not an error. */
export async function waitBeforeRetry(
  attempt: number,
  backoff: Pick<Backoff, 'baseDelayMs' | 'maxDelayMs'>,
): Promise<void> {
  await sleep(backoffDelay(attempt, backoff));
}

/** Runs `work` until it succeeds, fails with an error `retryIf` refuses, or the attempts run out (then the last error is thrown). */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  if (!Number.isInteger(options.attempts) || options.attempts < 1)
    throw new RangeError(`attempts must be a positive integer, not ${options.attempts}`);
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.retryIf(error, attempt)) throw error;
      await wait(backoffDelay(attempt, options, options.random));
    }
  }
}

/**
 * Transactions cancelled by a concurrent transaction on the same items (`TransactionConflict`
 * with no failed condition): short waits, because the other writer is done within milliseconds.
 */
export const TRANSACTION_CONFLICT_BACKOFF = {
  attempts: 5,
  baseDelayMs: 40,
  maxDelayMs: 400,
} as const satisfies Backoff;

/** BatchGetItem/BatchWriteItem items left unprocessed (throttling): AWS asks for exponential backoff. */
export const UNPROCESSED_ITEMS_BACKOFF = { attempts: 10, baseDelayMs: 50, maxDelayMs: 1000 } as const satisfies Backoff;

/**
 * Every AWS client's own retries (throttling, 5xx, timeouts): the SDK's standard mode, which
 * already uses jittered exponential backoff and a retry-token bucket. Three attempts keep the
 * worst case well inside the HTTP functions' timeouts.
 */
export const awsClientRetry = { maxAttempts: 3, retryMode: 'standard' } as const;
