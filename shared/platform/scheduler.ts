import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scheduleKeys } from '#shared/table/keys.ts';
import { queryAll, type Table } from '#shared/table/store.ts';
import { outsideFunctions } from '#shared/table/table-access.ts';
/**
 * One-time jobs at a moment (a visit reminder, a no-show check, a trial-end reminder).
 * On AWS: EventBridge Scheduler one-time schedules that invoke the job runner Lambda and delete
 * themselves after running. Locally: `LocalScheduler`, in process.
 */
export interface OneTimeJob {
  /** Unique and stable per purpose (e.g. `visit-noshow-<visitId>`), so re-scheduling replaces. */
  readonly name: string;
  readonly at: Date;
  readonly job: string;
  readonly payload: Record<string, unknown>;
}

export interface Scheduler {
  /** Creates or replaces the schedule with this name. */
  scheduleOnce(job: OneTimeJob): Promise<void>;
  /** Removes it; removing one that does not exist (already ran) is fine. */
  cancel(name: string): Promise<void>;
}

/** Scheduler names: letters, digits, `-_.`, at most 64 characters. */
export function scheduleName(name: string): string {
  return name.replace(/[^0-9A-Za-z_.-]/g, '-').slice(0, 64);
}

export type JobRunner = (job: string, payload: Record<string, unknown>) => Promise<unknown>;

/**
 * LOCAL ONLY: keeps one-time jobs in the table (`SCHEDULE#<name>`, due-time order in gsi1), so
 * they survive a restart of `npm start`: what fell due while the API was down runs at the next
 * tick after it starts again. Tests call `runDue(now)`; `npm start` calls `startTimer()`.
 * `jobs` mirrors what this process scheduled, for tests to look at.
 */
export class LocalScheduler implements Scheduler {
  readonly jobs = new Map<string, OneTimeJob>();
  private timer: NodeJS.Timeout | undefined;
  private runner: JobRunner | undefined;

  constructor(private readonly table: Table) {}

  setRunner(runner: JobRunner): void {
    this.runner = runner;
  }

  async scheduleOnce(job: OneTimeJob): Promise<void> {
    const name = scheduleName(job.name);
    const at = job.at.toISOString();
    await outsideFunctions(() =>
      this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...scheduleKeys.schedule(name),
            ...scheduleKeys.due(at, name),
            entity: 'LocalSchedule',
            name,
            at,
            job: job.job,
            payload: job.payload,
          },
        }),
      ),
    );
    this.jobs.set(name, job);
  }

  async cancel(name: string): Promise<void> {
    const key = scheduleName(name);
    await outsideFunctions(() =>
      this.table.db.send(new DeleteCommand({ TableName: this.table.name, Key: scheduleKeys.schedule(key) })),
    );
    this.jobs.delete(key);
  }

  /** Every job in the table, due or not (the reconciliation and tests look at them). */
  async pending(): Promise<Map<string, OneTimeJob>> {
    const items = await outsideFunctions(() =>
      queryAll(this.table, { index: 'gsi1', partition: ['gsi1pk', scheduleKeys.duePartition] }),
    );
    return new Map(
      items.map((i) => [
        String(i.name),
        {
          name: String(i.name),
          at: new Date(String(i.at)),
          job: String(i.job),
          payload: (i.payload ?? {}) as Record<string, unknown>,
        },
      ]),
    );
  }

  /** Runs (and removes) every job due at `now`, oldest first. */
  async runDue(now: Date): Promise<string[]> {
    const due = await outsideFunctions(() =>
      queryAll(this.table, {
        index: 'gsi1',
        partition: ['gsi1pk', scheduleKeys.duePartition],
        sort: { attribute: 'gsi1sk', lte: `${now.toISOString()}\uffff` },
      }),
    );
    const ran: string[] = [];
    for (const item of due) {
      if (new Date(String(item.at)).getTime() > now.getTime()) continue;
      if (!this.runner) throw new Error('LocalScheduler has no job runner');
      const name = String(item.name);
      await this.runner(String(item.job), (item.payload ?? {}) as Record<string, unknown>);
      // Only this occurrence: a job that scheduled itself again under its name keeps the new one.
      try {
        await outsideFunctions(() =>
          this.table.db.send(
            new DeleteCommand({
              TableName: this.table.name,
              Key: scheduleKeys.schedule(name),
              ConditionExpression: 'gsi1sk = :sk',
              ExpressionAttributeValues: { ':sk': item.gsi1sk },
            }),
          ),
        );
        if (this.jobs.get(name)?.at.toISOString() === item.at) this.jobs.delete(name);
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
      ran.push(name);
    }
    return ran;
  }

  startTimer(intervalMs = 15_000, onError: (error: unknown) => void = () => {}): void {
    this.stopTimer();
    // At once too: what fell due while the API was down runs now, not a tick later.
    this.runDue(new Date()).catch(onError);
    this.timer = setInterval(() => {
      this.runDue(new Date()).catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
