import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../ports/clock.js';

/** Short random ids (`p-3f9a1c2d`): 32 bits, unique enough per data directory and short enough to type. */
export class RandomIdGenerator implements IdGenerator {
  next(prefix: string): string {
    return `${prefix}${randomBytes(4).toString('hex')}`;
  }
}
