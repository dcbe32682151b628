/**
 * The operating system's view of processes: a tag is `pid@hostname`, and a process on this host is alive while
 * `kill(pid, 0)` finds it.
 */
import { hostname } from 'node:os';
import type { ProcessIdentity } from '../ports/process-identity.js';

export class OsProcessIdentity implements ProcessIdentity {
  readonly tag: string;
  readonly #host: string;

  constructor() {
    this.#host = hostname();
    this.tag = `${process.pid}@${this.#host}`;
  }

  isAlive(tag: string): boolean | null {
    const match = /^(\d+)@(.+)$/.exec(tag);
    if (match?.[1] === undefined || match[2] !== this.#host) return null;
    const pid = Number(match[1]);
    if (pid === process.pid) return true;
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // EPERM: it exists but belongs to someone else.
      return code === 'ESRCH' ? false : true;
    }
  }
}
