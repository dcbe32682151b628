import type { Clock, IdGenerator } from '../ports/clock.js';
import type { CommandRunner } from '../ports/command-runner.js';
import type { IngestQueue } from '../ports/ingest-queue.js';
import type { LogFiles } from '../ports/log-files.js';
import type { MemoryFileStore } from '../ports/memory-file-store.js';
import type { ProcessIdentity } from '../ports/process-identity.js';
import type { SessionSource } from '../ports/session-source.js';
import type { Store } from '../ports/store.js';

/** The adapters a use-case works through, injected by `create-reverie.ts`. */
export interface AppContext {
  store: Store;
  memoryFiles: MemoryFileStore;
  logFiles: LogFiles;
  /** One per supported format, in auto-detection order. */
  sources: readonly SessionSource[];
  clock: Clock;
  ids: IdGenerator;
  /** Logs queued by agent hooks; null when there is no queue. */
  queue: IngestQueue | null;
  /** Runs rubric graders' shell commands. */
  commands: CommandRunner;
  /** Tells a lock left by a crashed process from a live one; without it, such a lock waits for its expiry. */
  processes?: ProcessIdentity;
}
