import type { IngestWarning } from '../domain/ingest-warning.js';
import type { Session, SessionEvent, SessionFormat } from '../domain/session.js';

/** Where a previous read of a file stopped, so a grown file is read from there on. */
export interface FileCursor {
  /** Byte offset just past the last complete line consumed. */
  offset: number;
  /** Number of lines consumed (the next line is `line + 1`). */
  line: number;
  /** Parser state carried between reads (a JSON value owned by the format's parser). */
  state: unknown;
}

export interface ReadRequest {
  path: string;
  /** Agent the sessions belong to (a log that names its own agent keeps it unless `agentIsExplicit`). */
  agent: string;
  /** The person named this agent (`--agent`, or a configured source): it wins over an agent named in the log. */
  agentIsExplicit: boolean;
  /** Continue after this cursor; null reads from the start. */
  cursor: FileCursor | null;
}

/**
 * Part of a file, parsed. Sessions are upserts: a later chunk may widen a session's time range or set its title.
 * `eventCount` of these sessions is ignored; the store counts the events it actually adds.
 */
export interface ReadChunk {
  sessions: readonly Session[];
  events: readonly SessionEvent[];
  warnings: readonly IngestWarning[];
  /** Where this chunk ends; saved with the chunk so an interrupted ingest resumes without gaps or duplicates. */
  cursor: FileCursor;
}

/** One log format. Adapters live in `src/ingest/<format>/` and pass `session-source.contract.ts`. */
export interface SessionSource {
  readonly format: SessionFormat;
  /** Whether a directory scan should consider this file at all (by name). */
  isCandidate(path: string): boolean;
  /** Whether the start of a file (first lines, UTF-8) looks like this format. */
  detect(head: string): boolean;
  /** Streams the file from the cursor on, in chunks of bounded size. Never throws for bad lines: they are warnings. */
  read(request: ReadRequest): AsyncIterable<ReadChunk>;
}
