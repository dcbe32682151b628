import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { hashText } from '../../domain/hash.js';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { Session, SessionEvent } from '../../domain/session.js';
import type { FileCursor, ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { isJsonObject } from '../../util/json.js';
import { readJsonDocumentChunks } from '../read-json-document-chunks.js';
import { decodeLineCursor, readLineChunks } from '../read-line-chunks.js';
import { detectFileLayout } from '../detect-file-layout.js';
import { parseJsonObjectLine } from '../parse-json-line.js';
import type { EventDraft } from './map-openai-agents-span.js';
import { OBJECT_TRACE } from './openai-agents-schema.js';
import {
  createOpenAiAgentsParserState,
  openAiAgentsParserStateSchema,
  readOpenAiAgentsRecord,
} from './read-openai-agents-record.js';
import type { OpenAiAgentsParserState, OpenAiAgentsSessionMeta } from './read-openai-agents-record.js';

// Sequence of the events of line n: n * LINE_SEQUENCE_SPAN + their index in the line. A line may hold a whole
// `{"data": [...]}` payload, so it gets room for many records.
const LINE_SEQUENCE_SPAN = 1_000_000;
const DEFAULT_CHUNK_EVENTS = 2000;

/** Parser state plus the file's default session id, as saved in the file cursor. */
interface OpenAiAgentsReadState {
  defaultSessionId: string;
  parser: OpenAiAgentsParserState;
}

const openAiAgentsReadStateSchema: z.ZodType<OpenAiAgentsReadState> = z.object({
  defaultSessionId: z.string().min(1),
  parser: openAiAgentsParserStateSchema,
});

/** Options for {@link createOpenAiAgentsSessionSource}. */
export interface OpenAiAgentsSessionSourceOptions {
  /** JSON lines: lines per chunk at most; JSON documents: records per read step and events per chunk (default 2000). */
  maxChunkLines?: number;
  /** JSON lines: bytes per chunk at most, roughly (default 8 MiB). */
  maxChunkBytes?: number;
}

/**
 * Reads OpenAI Agents SDK traces (openai-agents-python / openai-agents-js tracing; docs/formats/openai-agents.md):
 * the records the SDK exports (`Trace.export()` / `Span.export()`, `{"object": "trace" | "trace.span", ...}`), as
 * JSON lines written by a tracing processor, or as one JSON document: an array of records, or the payload the SDK's
 * `BackendSpanExporter` posts to `/v1/traces/ingest` (`{"data": [...]}`). A session is a conversation: the traces
 * sharing a `group_id`, else one trace.
 *
 * JSON lines are read in file order (a processor writes a span when it ends) and resume from the cursor; a document
 * is read whole, its spans ordered by `started_at` then id.
 */
export class OpenAiAgentsSessionSource implements SessionSource {
  readonly format = 'openai-agents';
  private readonly maxChunkLines: number | undefined;
  private readonly maxChunkBytes: number | undefined;

  constructor(options: OpenAiAgentsSessionSourceOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
        throw new RangeError(
          `OpenAiAgentsSessionSource: ${name} must be a positive integer, got ${String(value)}`,
        );
      }
    }
    this.maxChunkLines = options.maxChunkLines;
    this.maxChunkBytes = options.maxChunkBytes;
  }

  isCandidate(path: string): boolean {
    return /\.(?:jsonl|ndjson|json)$/i.test(path);
  }

  /**
   * An exported record near the start: `"object": "trace"` or `"trace.span"` next to the keys only the Agents SDK
   * writes (`workflow_name`, `span_data`). Stored as strings inside other formats' records, such text is escaped
   * (`\"object\"`) and does not match.
   */
  detect(head: string): boolean {
    const start = head.trimStart();
    if (!start.startsWith('{') && !start.startsWith('[')) return false;
    return /"object"\s*:\s*"trace(?:\.span)?"/.test(head) && /"(?:span_data|workflow_name)"\s*:/.test(head);
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const { layout } = await detectFileLayout(request.path);
    if (layout === 'lines') yield* this.readLines(request);
    else yield* this.readDocument(request, layout === 'array' ? [] : ['data']);
  }

  private async *readLines(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const resume = decodeLineCursor(request.cursor, openAiAgentsReadStateSchema);
    const defaultSessionId = resume?.state.defaultSessionId ?? deriveOpenAiAgentsSessionId(path);
    yield* readLineChunks<OpenAiAgentsReadState>({
      path,
      resume,
      initialState: { defaultSessionId, parser: createOpenAiAgentsParserState() },
      maxLines: this.maxChunkLines,
      maxBytes: this.maxChunkBytes,
      parseLine: (state, line) => {
        const json = parseJsonObjectLine({ ...line, path });
        if (json.kind === 'blank')
          return { state, events: [], warnings: [], incomplete: false, sessionIds: [] };
        if (json.kind === 'rejected') {
          return { state, events: [], warnings: [json.warning], incomplete: json.incomplete, sessionIds: [] };
        }
        const unpacked = unpackRecords(json.value, { path, line: line.line });
        let parser = state.parser;
        const events: SessionEvent[] = [];
        const warnings: IngestWarning[] = [...unpacked.warnings];
        const sessionIds = new Set<string>();
        for (const record of unpacked.records) {
          const result = readOpenAiAgentsRecord(parser, record, {
            path,
            line: line.line,
            defaultSessionId,
            lateAgent: false,
          });
          parser = result.state;
          for (const draft of result.events) {
            if (events.length >= LINE_SEQUENCE_SPAN) break;
            events.push({ ...draft, sequence: line.line * LINE_SEQUENCE_SPAN + events.length });
          }
          warnings.push(...result.warnings);
          for (const sessionId of result.sessionIds) sessionIds.add(sessionId);
        }
        return {
          state: parser === state.parser ? state : { defaultSessionId: state.defaultSessionId, parser },
          events,
          warnings,
          incomplete: false,
          sessionIds: [...sessionIds],
        };
      },
      sessions: (state, touched) =>
        [...touched].map((sessionId) => this.session(request, sessionId, metaOf(state.parser, sessionId))),
    });
  }

  private async *readDocument(request: ReadRequest, recordsAt: readonly string[]): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const items: { value: unknown; line: number }[] = [];
    let envelope: { value: unknown; foundRecords: boolean } | null = null;
    const warnings: IngestWarning[] = [];
    let cursor: FileCursor = { offset: 0, line: 0, state: null };
    for await (const chunk of readJsonDocumentChunks<null>({
      path,
      recordsAt,
      initialState: null,
      maxRecords: this.maxChunkLines,
      parseRecord: (state, record) => {
        items.push(record);
        return { state, events: [], warnings: [], sessionIds: [] };
      },
      finish: (state, found) => {
        envelope = found;
        return { state, events: [], warnings: [], sessionIds: [] };
      },
      sessions: () => [],
    })) {
      warnings.push(...chunk.warnings);
      cursor = chunk.cursor;
    }

    // A document holds one batch of records: all of them are read before any event is placed, so spans can be put
    // in time order and every span finds its trace's group, wherever the trace record is in the batch.
    const records: { record: Record<string, unknown>; line: number; index: number }[] = [];
    const collect = (value: unknown, line: number): void => {
      if (!isJsonObject(value)) {
        warnings.push({
          type: 'invalid-record',
          path,
          line,
          message: `expected a JSON object, got ${describe(value)}`,
        });
        return;
      }
      const unpacked = unpackRecords(value, { path, line });
      warnings.push(...unpacked.warnings);
      for (const record of unpacked.records) records.push({ record, line, index: records.length });
    };
    for (const item of items) collect(item.value, item.line);
    const found = envelope as { value: unknown; foundRecords: boolean } | null;
    // `{"data": ...}` without a records array, or a document that is a single record.
    if (found !== null && !found.foundRecords && isJsonObject(found.value)) collect(found.value, 1);

    const isTrace = (entry: (typeof records)[number]) => entry.record['object'] === OBJECT_TRACE;
    const ordered = [
      ...records.filter(isTrace),
      ...records.filter((entry) => !isTrace(entry)).sort(compareByStart),
    ];
    const defaultSessionId = deriveOpenAiAgentsSessionId(path);
    let parser = createOpenAiAgentsParserState();
    const events: SessionEvent[] = [];
    const counters = new Map<string, number>();
    const touched = new Set<string>();
    for (const entry of ordered) {
      const result = readOpenAiAgentsRecord(parser, entry.record, {
        path,
        line: entry.line,
        defaultSessionId,
        lateAgent: true,
      });
      parser = result.state;
      warnings.push(...result.warnings);
      for (const sessionId of result.sessionIds) touched.add(sessionId);
      for (const draft of result.events) events.push(place(draft, counters));
    }
    const sessions = [...touched].map((sessionId) =>
      this.session(request, sessionId, metaOf(parser, sessionId)),
    );
    yield* sliceDocument({
      sessions,
      events,
      warnings,
      cursor,
      maxEvents: this.maxChunkLines ?? DEFAULT_CHUNK_EVENTS,
    });
  }

  private session(request: ReadRequest, sessionId: string, meta: OpenAiAgentsSessionMeta | null): Session {
    return {
      id: sessionId,
      agent: request.agentIsExplicit ? request.agent : (meta?.agent ?? request.agent),
      format: 'openai-agents',
      sourcePath: request.path,
      parentSessionId: null,
      title: meta?.title ?? null,
      cwd: null,
      startedAt: meta?.startedAt ?? null,
      endedAt: meta?.endedAt ?? null,
      eventCount: 0,
      outcome: null,
    };
  }
}

/** Creates an {@link OpenAiAgentsSessionSource}. */
export function createOpenAiAgentsSessionSource(
  options?: OpenAiAgentsSessionSourceOptions,
): OpenAiAgentsSessionSource {
  return new OpenAiAgentsSessionSource(options);
}

/**
 * The session of records that name no trace: `<file stem>-<hash of the absolute path>`, stable across ingests of
 * the same file.
 */
export function deriveOpenAiAgentsSessionId(path: string): string {
  const stem = basename(path).replace(/\.(?:jsonl|ndjson|json)$/i, '');
  return `${stem}-${hashText(resolve(path)).slice(-8)}`;
}

/** The records of one JSON object: itself, or the elements of an ingest payload (`{"data": [...]}`). */
function unpackRecords(
  value: Record<string, unknown>,
  where: { path: string; line: number },
): { records: Record<string, unknown>[]; warnings: IngestWarning[] } {
  const data = value['data'];
  if (value['object'] !== undefined || !Array.isArray(data)) return { records: [value], warnings: [] };
  const records: Record<string, unknown>[] = [];
  const warnings: IngestWarning[] = [];
  for (const element of data as unknown[]) {
    if (isJsonObject(element)) records.push(element);
    else {
      warnings.push({
        type: 'invalid-record',
        path: where.path,
        line: where.line,
        message: `expected a JSON object in "data", got ${describe(element)}`,
      });
    }
  }
  return { records, warnings };
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function metaOf(state: OpenAiAgentsParserState, sessionId: string): OpenAiAgentsSessionMeta | null {
  return Object.hasOwn(state.sessions, sessionId) ? (state.sessions[sessionId] ?? null) : null;
}

/** Spans by `started_at`, then id, then their place in the file (records without a time go last). */
function compareByStart(
  left: { record: Record<string, unknown>; index: number },
  right: { record: Record<string, unknown>; index: number },
): number {
  const time = (record: Record<string, unknown>) => {
    const value = record['started_at'];
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  const id = (record: Record<string, unknown>) => (typeof record['id'] === 'string' ? record['id'] : '');
  const byTime = time(left.record) - time(right.record);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  const byId = id(left.record).localeCompare(id(right.record), 'en');
  return byId !== 0 ? byId : left.index - right.index;
}

/** The draft with the next sequence of its session (1, 2, 3, ... in reading order). */
function place(draft: EventDraft, counters: Map<string, number>): SessionEvent {
  const sequence = (counters.get(draft.sessionId) ?? 0) + 1;
  counters.set(draft.sessionId, sequence);
  return { ...draft, sequence };
}

/**
 * A document's events in chunks of at most `maxEvents`, all ending at the document's cursor (a document is read
 * again from the start when it changes; stable ids keep the store free of duplicates). The first chunk upserts
 * every session and carries the warnings.
 */
function* sliceDocument(options: {
  sessions: readonly Session[];
  events: readonly SessionEvent[];
  warnings: readonly IngestWarning[];
  cursor: FileCursor;
  maxEvents: number;
}): Generator<ReadChunk> {
  const { sessions, events, cursor, maxEvents } = options;
  const byId = new Map(sessions.map((session) => [session.id, session]));
  let start = 0;
  do {
    const slice = events.slice(start, start + maxEvents);
    const sessionsOfSlice =
      start === 0
        ? sessions
        : [...new Set(slice.map((event) => event.sessionId))].flatMap((id) => {
            const session = byId.get(id);
            return session === undefined ? [] : [session];
          });
    yield { sessions: sessionsOfSlice, events: slice, warnings: start === 0 ? options.warnings : [], cursor };
    start += maxEvents;
  } while (start < events.length);
}
