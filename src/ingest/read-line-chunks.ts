import { z } from 'zod';
import type { IngestWarning } from '../domain/ingest-warning.js';
import type { Session, SessionEvent } from '../domain/session.js';
import type { FileCursor, ReadChunk } from '../ports/session-source.js';
import { isBlank } from './parse-json-line.js';
import { readLines } from './read-lines.js';
import type { LogLine } from './read-lines.js';

/** Lines per chunk by default: an ingest saves its events and cursor at least this often. */
export const DEFAULT_CHUNK_LINES = 2000;
/** Bytes per chunk by default (a chunk ends after the line that reaches it). */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/** What a format's line parser returns to {@link readLineChunks}. */
export interface LineChunkStep<State> {
  state: State;
  events: readonly SessionEvent[];
  warnings: readonly IngestWarning[];
  /** An unterminated final line that did not parse: not consumed, the cursor stays before it. */
  incomplete: boolean;
  /** Sessions this line created or changed (their upserts go into the chunk). */
  sessionIds: readonly string[];
}

/** Where a read resumes: a decoded {@link FileCursor}. */
export interface LineResume<State> {
  offset: number;
  line: number;
  /**
   * The last consumed line had no `\n` yet (it parsed, so it was consumed). If the writer then adds the `\n`,
   * the next read starts with an empty remainder of that same line, which must not count as a new line.
   */
  continuesLine: boolean;
  state: State;
}

/** Options for {@link readLineChunks}. */
export interface ReadLineChunksOptions<State> {
  path: string;
  /** Where to start; null reads from the beginning with `initialState`. */
  resume: LineResume<State> | null;
  initialState: State;
  parseLine(state: State, line: LogLine): LineChunkStep<State>;
  /** The session upserts for a chunk, given the parser state at its end and the sessions its lines touched. */
  sessions(state: State, touched: ReadonlySet<string>): Session[];
  maxLines?: number;
  maxBytes?: number;
}

/**
 * The cursor-and-chunk loop shared by the line-based formats: streams lines from the cursor, hands each to the
 * format's pure parser, and yields bounded {@link ReadChunk}s whose cursors always point just past the last
 * consumed line (so an interrupted ingest resumes without gaps or duplicates). Always yields at least one chunk.
 */
export async function* readLineChunks<State>(
  options: ReadLineChunksOptions<State>,
): AsyncGenerator<ReadChunk> {
  const maxLines = options.maxLines ?? DEFAULT_CHUNK_LINES;
  const maxBytes = options.maxBytes ?? DEFAULT_CHUNK_BYTES;
  const path = options.path;
  let offset = options.resume?.offset ?? 0;
  let line = options.resume?.line ?? 0;
  let continuesLine = options.resume?.continuesLine ?? false;
  let state = options.resume?.state ?? options.initialState;
  const fromStart = offset === 0;

  let events: SessionEvent[] = [];
  let warnings: IngestWarning[] = [];
  let touched = new Set<string>();
  let chunkLines = 0;
  let chunkBytes = 0;
  let yielded = false;
  let sawContent = false;
  let lineShift = 0;
  let first = true;

  const flush = (): ReadChunk => {
    const chunk: ReadChunk = {
      sessions: options.sessions(state, touched),
      events,
      warnings,
      cursor: encodeLineCursor({ offset, line, continuesLine, state }),
    };
    events = [];
    warnings = [];
    touched = new Set<string>();
    chunkLines = 0;
    chunkBytes = 0;
    yielded = true;
    return chunk;
  };

  const lines = readLines({ path, offset, firstLine: line + 1 });
  let readFailed = false;
  try {
    for (;;) {
      let next: IteratorResult<LogLine>;
      try {
        next = await lines.next();
      } catch (error) {
        // Only I/O errors are turned into a warning (a file deleted or made unreadable mid-scan must not abort the
        // other files of an ingest); a bug in a parser still throws.
        readFailed = true;
        warnings.push({ type: 'unreadable-file', path, message: errorMessage(error) });
        break;
      }
      if (next.done === true) break;
      const raw = next.value;
      if (first) {
        first = false;
        if (continuesLine && raw.terminated && raw.text.length === 0 && raw.startOffset === offset) {
          // The `\n` that completes the line consumed last time: skip it without counting a line.
          offset = raw.endOffset;
          continuesLine = false;
          lineShift = -1;
          continue;
        }
      }
      const logLine = lineShift === 0 ? raw : { ...raw, line: raw.line + lineShift };
      if (!sawContent && !isBlank(logLine.text)) sawContent = true;
      const step = options.parseLine(state, logLine);
      for (const warning of step.warnings) warnings.push(warning);
      if (step.incomplete) {
        // Only a final unterminated line can be incomplete, so nothing follows it.
        break;
      }
      state = step.state;
      for (const event of step.events) events.push(event);
      for (const sessionId of step.sessionIds) touched.add(sessionId);
      offset = logLine.endOffset;
      line = logLine.line;
      continuesLine = !logLine.terminated;
      chunkLines += 1;
      chunkBytes += logLine.endOffset - logLine.startOffset;
      if (chunkLines >= maxLines || chunkBytes >= maxBytes) yield flush();
    }
  } finally {
    await lines.return(undefined);
  }
  if (fromStart && !sawContent && !readFailed) warnings.push({ type: 'empty-file', path });
  // `yielded` is reassigned inside `flush`, which the checker cannot see through.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (!yielded || chunkLines > 0 || warnings.length > 0) yield flush();
}

function errorMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

const lineCursorStateSchema = z.object({
  reverieLineCursor: z.literal(1),
  continuesLine: z.boolean(),
  parser: z.unknown(),
});

/** The `FileCursor` for a position; `state` wraps the format's parser state with the line-continuation flag. */
export function encodeLineCursor<State>(resume: LineResume<State>): FileCursor {
  return {
    offset: resume.offset,
    line: resume.line,
    state: { reverieLineCursor: 1, continuesLine: resume.continuesLine, parser: resume.state },
  };
}

/**
 * Decodes a cursor saved by {@link readLineChunks}. Returns null (read from the start) when there is no cursor or
 * its state is not one this format wrote: re-reading is always safe because event ids are stable, while resuming
 * with a wrong parser state would mislabel events.
 */
export function decodeLineCursor<State>(
  cursor: FileCursor | null,
  parserStateSchema: z.ZodType<State>,
): LineResume<State> | null {
  if (cursor === null) return null;
  const envelope = lineCursorStateSchema.safeParse(cursor.state);
  if (!envelope.success) return null;
  const parser = parserStateSchema.safeParse(envelope.data.parser);
  if (!parser.success) return null;
  if (!Number.isSafeInteger(cursor.offset) || cursor.offset < 0) return null;
  if (!Number.isSafeInteger(cursor.line) || cursor.line < 0) return null;
  return {
    offset: cursor.offset,
    line: cursor.line,
    continuesLine: envelope.data.continuesLine,
    state: parser.data,
  };
}
