/**
 * Port: who this process is, as recorded in the locks it takes, and whether the process behind a lock is still
 * running. A lock left by a process that crashed (SIGKILL, power loss) is then taken over at once instead of
 * blocking every later command until it expires.
 */
export interface ProcessIdentity {
  /** This process, e.g. `12345@build-host`; appended to lock owners. */
  readonly tag: string;
  /**
   * Whether the process a tag names is running: false only when it certainly is not (same host, no such process);
   * null when it cannot be told (another host, an unknown tag).
   */
  isAlive(tag: string): boolean | null;
}
