import { createReadStream } from 'node:fs';
import type { IngestWarning } from '../domain/ingest-warning.js';
import type { Session, SessionEvent } from '../domain/session.js';
import type { FileCursor, ReadChunk } from '../ports/session-source.js';
import { describeJsonError, safeParseJson } from '../util/json.js';
import { JsonRecordScanner } from './json-record-scanner.js';
import type { ScannedRecord } from './json-record-scanner.js';

/** Records per chunk by default: an ingest saves its events at least this often. */
export const DEFAULT_CHUNK_RECORDS = 500;

/** What a format's record parser returns to {@link readJsonDocumentChunks}. */
export interface DocumentStep<State> {
  state: State;
  events: readonly SessionEvent[];
  warnings: readonly IngestWarning[];
  /** Sessions this record created or changed (their upserts go into the chunk). */
  sessionIds: readonly string[];
}

/** Options for {@link readJsonDocumentChunks}. */
export interface ReadJsonDocumentChunksOptions<State> {
  path: string;
  /** Key path of the records array (`[]`: the document is the array). */
  recordsAt: readonly string[];
  initialState: State;
  /** One parsed record (an element of the records array). */
  parseRecord(state: State, record: { value: unknown; line: number }): DocumentStep<State>;
  /**
   * The rest of the document, once every record is read: its parsed value with the records array emptied (null
   * when it could not be read), whether the file was complete, and the line of the first byte.
   */
  finish(
    state: State,
    envelope: { value: unknown; complete: boolean; foundRecords: boolean },
  ): DocumentStep<State>;
  /** The session upserts for a chunk, given the parser state at its end and the sessions it touched. */
  sessions(state: State, touched: ReadonlySet<string>): Session[];
  maxRecords?: number;
  /** Read buffer size (tests make it tiny). */
  highWaterMark?: number;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The chunk loop shared by formats stored as one JSON document (a tau-bench results array, a SWE-agent `.traj`, an
 * ATIF trajectory): streams the file, parses each record of the records array on its own (a damaged record is one
 * warning with its line; every other record is kept), then the envelope. A JSON document is not appended to, so a
 * read always starts from the beginning of the file; event ids are stable, so the store ignores what it already has.
 * Always yields at least one chunk.
 */
export async function* readJsonDocumentChunks<State>(
  options: ReadJsonDocumentChunksOptions<State>,
): AsyncGenerator<ReadChunk> {
  const { path } = options;
  const maxRecords = options.maxRecords ?? DEFAULT_CHUNK_RECORDS;
  let state = options.initialState;
  let events: SessionEvent[] = [];
  let warnings: IngestWarning[] = [];
  let touched = new Set<string>();
  let recordsInChunk = 0;
  let offset = 0;
  let line = 0;
  let yielded = false;
  const queue: ScannedRecord[] = [];

  const apply = (step: DocumentStep<State>): void => {
    state = step.state;
    for (const event of step.events) events.push(event);
    for (const warning of step.warnings) warnings.push(warning);
    for (const sessionId of step.sessionIds) touched.add(sessionId);
  };
  const flush = (): ReadChunk => {
    const chunk: ReadChunk = {
      sessions: options.sessions(state, touched),
      events,
      warnings,
      cursor: documentCursor(offset, line),
    };
    events = [];
    warnings = [];
    touched = new Set<string>();
    recordsInChunk = 0;
    yielded = true;
    return chunk;
  };
  const take = (record: ScannedRecord): void => {
    const text = decode(record.bytes);
    if (text === null) {
      warnings.push(
        record.complete
          ? { type: 'binary-content', path, line: record.line }
          : { type: 'truncated-line', path, line: record.line },
      );
      return;
    }
    const parsed = safeParseJson(text);
    if (!parsed.success) {
      warnings.push(
        record.complete
          ? { type: 'invalid-json', path, line: record.line, message: describeJsonError(parsed.error) }
          : { type: 'truncated-line', path, line: record.line },
      );
      return;
    }
    apply(options.parseRecord(state, { value: parsed.value, line: record.line }));
    recordsInChunk++;
  };

  const scanner = new JsonRecordScanner({
    recordsAt: options.recordsAt,
    onRecord: (record) => queue.push(record),
  });
  try {
    const stream = createReadStream(path, { highWaterMark: options.highWaterMark ?? 1024 * 1024 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      scanner.push(chunk);
      offset += chunk.length;
      for (const record of queue.splice(0)) {
        take(record);
        line = record.line;
        if (recordsInChunk >= maxRecords) yield flush();
      }
    }
  } catch (error) {
    // Only I/O errors become a warning: a file deleted mid-scan must not abort the other files of an ingest.
    warnings.push({
      type: 'unreadable-file',
      path,
      message: error instanceof Error ? error.message : String(error),
    });
    yield flush();
    return;
  }
  const envelope = scanner.end();
  for (const record of queue.splice(0)) take(record);
  if (!scanner.sawContent) {
    warnings.push({ type: 'empty-file', path });
    yield flush();
    return;
  }
  if (
    !envelope.complete &&
    envelope.damageLine !== null &&
    !warnings.some((warning) => warning.type === 'truncated-line')
  ) {
    warnings.push({ type: 'truncated-line', path, line: envelope.damageLine });
  }
  const parsedEnvelope = decode(Buffer.from(envelope.text)) === null ? null : safeParseJson(envelope.text);
  if (!parsedEnvelope?.success) {
    warnings.push({
      type: 'invalid-json',
      path,
      line: 1,
      message: `the document around the records cannot be read${parsedEnvelope?.success === false ? ` (${describeJsonError(parsedEnvelope.error)})` : ''}`,
    });
  }
  apply(
    options.finish(state, {
      value: parsedEnvelope?.success === true ? parsedEnvelope.value : null,
      complete: envelope.complete,
      foundRecords: envelope.foundRecords,
    }),
  );
  // `yielded` is reassigned inside `flush`, which the checker cannot see through.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (!yielded || events.length > 0 || warnings.length > 0 || touched.size > 0) yield flush();
}

/** The cursor of a document read: where it got to. A document is always read again from the start. */
function documentCursor(offset: number, line: number): FileCursor {
  return { offset, line, state: { reverieDocumentCursor: 1 } };
}
