import { DateTime } from 'luxon';

/** Time is a dependency so tests (and the no-show job) can say what "now" is. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advanceMinutes(minutes: number): void {
    this.current = DateTime.fromJSDate(this.current).plus({ minutes }).toJSDate();
  }
}
