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
 * LOCAL ONLY: keeps one-time jobs in memory. Tests call `runDue(now)`; `npm start` calls
 * `startTimer()` so due jobs run by themselves while the API is up.
 */
export class LocalScheduler implements Scheduler {
  readonly jobs = new Map<string, OneTimeJob>();
  private timer: NodeJS.Timeout | undefined;
  private runner: JobRunner | undefined;

  setRunner(runner: JobRunner): void {
    this.runner = runner;
  }

  async scheduleOnce(job: OneTimeJob): Promise<void> {
    this.jobs.set(scheduleName(job.name), job);
  }

  async cancel(name: string): Promise<void> {
    this.jobs.delete(scheduleName(name));
  }

  /** Runs (and removes) every job due at `now`, oldest first. */
  async runDue(now: Date): Promise<string[]> {
    const due = [...this.jobs.entries()].filter(([, j]) => j.at.getTime() <= now.getTime()).sort(([, a], [, b]) => a.at.getTime() - b.at.getTime());
    const ran: string[] = [];
    for (const [name, job] of due) {
      this.jobs.delete(name);
      if (!this.runner) throw new Error('LocalScheduler has no job runner');
      await this.runner(job.job, job.payload);
      ran.push(name);
    }
    return ran;
  }

  startTimer(intervalMs = 15_000, onError: (error: unknown) => void = () => {}): void {
    this.stopTimer();
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
