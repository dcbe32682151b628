import type { IdGenerator } from '../ports/clock.js';

/** Ids for tests: `p-0001`, `p-0002`, ... per prefix, deterministic. */
export class SequentialIdGenerator implements IdGenerator {
  readonly #counters = new Map<string, number>();

  next(prefix: string): string {
    const count = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, count);
    return `${prefix}${String(count).padStart(4, '0')}`;
  }
}
