import type { IngestWarning } from '../domain/ingest-warning.js';
import type { SessionFormat } from '../domain/session.js';

/** A log file an agent's hook asked Reverie to read (e.g. Claude Code's `SessionEnd` transcript path). */
export interface QueuedLog {
  path: string;
  format: SessionFormat;
  /** When the hook queued it (ISO), if known. */
  queuedAt: string | null;
}

/** What a claim hands over: the entries, and `done` to call once they are ingested. */
export interface QueueClaim {
  entries: readonly QueuedLog[];
  /** Bad queue lines, as warnings with their line numbers. */
  warnings: readonly IngestWarning[];
  /** Forgets the claimed entries. Not calling it (a crash) leaves them to the next claim. */
  done(): Promise<void>;
}

/** Log files queued by agent hooks, drained by the next ingest, dream or daemon run. */
export interface IngestQueue {
  /** Takes everything queued so far (and anything a crashed claim left), or null when the queue is empty. */
  claim(): Promise<QueueClaim | null>;
}
