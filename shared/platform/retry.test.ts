import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry } from './retry.ts';

class Transient extends Error {}
class Permanent extends Error {}

/** A call that fails `failures` times with `error`, then answers; records the attempts it saw. */
function flaky(failures: number, error: () => Error = () => new Transient('busy')) {
  const seen: number[] = [];
  return {
    seen,
    work: async (attempt: number) => {
      seen.push(attempt);
      if (seen.length <= failures) throw error();
      return 'done';
    },
  };
}

const instant = { sleep: async () => undefined };

describe('withRetry', () => {
  it('tries again after a transient failure and returns the answer', async () => {
    const call = flaky(2);
    const waits: number[] = [];
    const answer = await withRetry(call.work, {
      attempts: 5,
      baseDelayMs: 100,
      retryIf: (e) => e instanceof Transient,
      sleep: async (ms) => void waits.push(ms),
      random: () => 1,
    });
    expect(answer).toBe('done');
    expect(call.seen).toEqual([1, 2, 3]);
    // At the top of the jitter range the waits double: 100, then 200.
    expect(waits).toEqual([100, 200]);
  });

  it('stops at the attempt cap and throws the last failure', async () => {
    const call = flaky(10);
    await expect(
      withRetry(call.work, { attempts: 3, baseDelayMs: 1, retryIf: () => true, ...instant }),
    ).rejects.toBeInstanceOf(Transient);
    expect(call.seen).toEqual([1, 2, 3]);
  });

  it('throws at once what the predicate does not call transient', async () => {
    const call = flaky(1, () => new Permanent('no such citizen'));
    await expect(
      withRetry(call.work, { attempts: 5, baseDelayMs: 1, retryIf: (e) => e instanceof Transient, ...instant }),
    ).rejects.toBeInstanceOf(Permanent);
    expect(call.seen).toEqual([1]);
  });

  it('does not retry a call that succeeded, and refuses a nonsensical cap', async () => {
    const call = flaky(0);
    expect(await withRetry(call.work, { attempts: 1, baseDelayMs: 1, retryIf: () => true, ...instant })).toBe('done');
    await expect(withRetry(call.work, { attempts: 0, baseDelayMs: 1, retryIf: () => true })).rejects.toBeInstanceOf(
      RangeError,
    );
  });

  it('really waits between attempts when no clock is given', async () => {
    const call = flaky(1);
    const started = performance.now();
    await withRetry(call.work, { attempts: 2, baseDelayMs: 30, retryIf: () => true, random: () => 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('the backoff between attempts', () => {
  it('is jittered between zero and a ceiling that doubles per attempt up to the cap', () => {
    const backoff = { baseDelayMs: 50, maxDelayMs: 300 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, backoff, () => 1))).toEqual([50, 100, 200, 300, 300]);
    expect(backoffDelay(3, backoff, () => 0)).toBe(0);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(3, backoff);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(200);
    }
  });
});
