import type { Clock } from '../ports/clock.js';

/** A clock for tests: returns a set time, advanced by hand. */
export class FixedClock implements Clock {
  #time: number;

  constructor(time: Date | string) {
    this.#time = new Date(time).getTime();
  }

  now(): Date {
    return new Date(this.#time);
  }

  /** Moves the clock forward by `milliseconds`. */
  advance(milliseconds: number): void {
    this.#time += milliseconds;
  }

  set(time: Date | string): void {
    this.#time = new Date(time).getTime();
  }
}
