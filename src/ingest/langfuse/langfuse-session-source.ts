import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { hashText } from '../../domain/hash.js';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { Session, SessionEvent } from '../../domain/session.js';
import type { FileCursor, ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { readJsonDocumentChunks } from '../read-json-document-chunks.js';
import { decodeLineCursor, readLineChunks } from '../read-line-chunks.js';
import { detectFileLayout } from '../detect-file-layout.js';
import type { EventDraft } from './map-langfuse-observation.js';
import { parseJsonObjectLine } from '../parse-json-line.js';
import {
  collectLangfuseRecords,
  createLangfuseParserState,
  createLangfuseRecords,
  langfuseParserStateSchema,
  readLangfuseRecords,
} from './read-langfuse-records.js';
import type { CollectContext, LangfuseParserState, LangfuseSessionMeta } from './read-langfuse-records.js';

// Sequence of the events of line n: n * LINE_SEQUENCE_SPAN + their index in the line (a line may hold a whole
// trace with its observations, or a batch).
const LINE_SEQUENCE_SPAN = 1_000_000;
const DEFAULT_CHUNK_EVENTS = 2000;
// Ingestion event types, as they start a batch element (`"type": "trace-create"`).
const INGESTION_TYPE =
  /"type"\s*:\s*"(?:trace-create|score-create|sdk-log|(?:span|generation|event|observation)-(?:create|update))"/;

/** Parser state plus the file's default session id, as saved in the file cursor. */
interface LangfuseReadState {
  defaultSessionId: string;
  parser: LangfuseParserState;
}

const langfuseReadStateSchema: z.ZodType<LangfuseReadState> = z.object({
  defaultSessionId: z.string().min(1),
  parser: langfuseParserStateSchema,
});

/** Options for {@link createLangfuseSessionSource}. */
export interface LangfuseSessionSourceOptions {
  /** JSON lines: lines per chunk at most; JSON documents: records per read step and events per chunk (default 2000). */
  maxChunkLines?: number;
  /** JSON lines: bytes per chunk at most, roughly (default 8 MiB). */
  maxChunkBytes?: number;
}

/**
 * Reads Langfuse exports (docs/formats/langfuse.md): a trace with its observations and scores as the public API
 * returns it (`GET /api/public/traces/{id}`) or as the web app loads it (`{trace, observations}`), a JSON array or a
 * `{data: [...]}` list of traces, JSON lines of traces, observations or scores, and the legacy ingestion batch
 * (`{batch: [{type: "trace-create" | "span-create" | "generation-create" | "score-create" | ..., body}]}`).
 *
 * A session is a Langfuse session (`sessionId`), else one trace. Observations become events in time order; a tool
 * observation at level `ERROR` is a failed tool call; the trace and session scores give the session's outcome.
 */
export class LangfuseSessionSource implements SessionSource {
  readonly format = 'langfuse';
  private readonly maxChunkLines: number | undefined;
  private readonly maxChunkBytes: number | undefined;

  constructor(options: LangfuseSessionSourceOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
        throw new RangeError(
          `LangfuseSessionSource: ${name} must be a positive integer, got ${String(value)}`,
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
   * Langfuse's own keys near the start of a JSON file: an ingestion batch (`"body"` and an ingestion event type),
   * an observation (`traceId`, `startTime` and `parentObservationId` or `statusMessage`, keys OpenTelemetry's
   * `startTimeUnixNano` spans do not have), or a trace with `observations` and `sessionId` / `projectId`. OTLP
   * documents (`resourceSpans`) are left to the OpenTelemetry reader.
   */
  detect(head: string): boolean {
    const start = head.trimStart();
    if (!start.startsWith('{') && !start.startsWith('[')) return false;
    if (/"resourceSpans"\s*:/.test(head)) return false;
    if (INGESTION_TYPE.test(head) && /"body"\s*:/.test(head)) return true;
    if (
      /"traceId"\s*:/.test(head) &&
      /"startTime"\s*:/.test(head) &&
      /"(?:parentObservationId|statusMessage)"\s*:/.test(head)
    ) {
      return true;
    }
    return /"observations"\s*:/.test(head) && /"(?:sessionId|projectId)"\s*:/.test(head);
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const layout = await detectFileLayout(request.path);
    if (layout.layout === 'lines') {
      yield* this.readLines(request);
      return;
    }
    if (layout.layout === 'array') {
      yield* this.readDocument(request, [], undefined);
      return;
    }
    if (layout.firstKey === 'batch') yield* this.readDocument(request, ['batch'], 'event');
    else if (layout.firstKey === 'data') yield* this.readDocument(request, ['data'], undefined);
    // A trace (`{"id": ...}`) or the web app's `{"trace": ..., "observations": [...]}`.
    else yield* this.readDocument(request, ['observations'], 'observation');
  }

  private async *readLines(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const resume = decodeLineCursor(request.cursor, langfuseReadStateSchema);
    const defaultSessionId = resume?.state.defaultSessionId ?? deriveLangfuseSessionId(path);
    yield* readLineChunks<LangfuseReadState>({
      path,
      resume,
      initialState: { defaultSessionId, parser: createLangfuseParserState() },
      maxLines: this.maxChunkLines,
      maxBytes: this.maxChunkBytes,
      parseLine: (state, line) => {
        const json = parseJsonObjectLine({ ...line, path });
        if (json.kind === 'blank')
          return { state, events: [], warnings: [], incomplete: false, sessionIds: [] };
        if (json.kind === 'rejected') {
          return { state, events: [], warnings: [json.warning], incomplete: json.incomplete, sessionIds: [] };
        }
        const records = createLangfuseRecords();
        const warnings = collectLangfuseRecords(records, json.value, { path, line: line.line });
        const result = readLangfuseRecords(state.parser, records, {
          path,
          defaultSessionId,
          lateAgent: false,
        });
        const events: SessionEvent[] = result.events
          .slice(0, LINE_SEQUENCE_SPAN)
          .map((draft, index) => ({ ...draft, sequence: line.line * LINE_SEQUENCE_SPAN + index }));
        return {
          state: result.state === state.parser ? state : { defaultSessionId, parser: result.state },
          events,
          warnings: [...warnings, ...result.warnings],
          incomplete: false,
          sessionIds: result.sessionIds,
        };
      },
      sessions: (state, touched) =>
        [...touched].map((sessionId) => this.session(request, sessionId, metaOf(state.parser, sessionId))),
    });
  }

  private async *readDocument(
    request: ReadRequest,
    recordsAt: readonly string[],
    recordKind: CollectContext['as'],
  ): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const records = createLangfuseRecords();
    const warnings: IngestWarning[] = [];
    let envelope: { value: unknown; foundRecords: boolean } | null = null;
    let cursor: FileCursor = { offset: 0, line: 0, state: null };
    for await (const chunk of readJsonDocumentChunks<null>({
      path,
      recordsAt,
      initialState: null,
      maxRecords: this.maxChunkLines,
      parseRecord: (state, record) => {
        const collected = collectLangfuseRecords(records, record.value, {
          path,
          line: record.line,
          as: recordKind,
        });
        return { state, events: [], warnings: collected, sessionIds: [] };
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
    // The document around the records: the trace itself (its name, session and scores), or everything when the
    // records array was not where the first key suggested.
    const found = envelope as { value: unknown; foundRecords: boolean } | null;
    if (found !== null && found.value !== null && !(Array.isArray(found.value) && found.value.length === 0)) {
      const as = found.foundRecords ? 'envelope' : undefined;
      if (!(found.foundRecords && recordKind === 'event')) {
        warnings.push(...collectLangfuseRecords(records, found.value, { path, line: 1, as }));
      }
    }

    // A document is one export: all of it is read before any event is placed, so observations are put in time order
    // and every one finds its trace's session, wherever the trace is in the file.
    const result = readLangfuseRecords(createLangfuseParserState(), records, {
      path,
      defaultSessionId: deriveLangfuseSessionId(path),
      lateAgent: true,
    });
    warnings.push(...result.warnings);
    const counters = new Map<string, number>();
    const events = result.events.map((draft) => place(draft, counters));
    const sessions = result.sessionIds.map((sessionId) =>
      this.session(request, sessionId, metaOf(result.state, sessionId)),
    );
    yield* sliceDocument({
      sessions,
      events,
      warnings,
      cursor,
      maxEvents: this.maxChunkLines ?? DEFAULT_CHUNK_EVENTS,
    });
  }

  private session(request: ReadRequest, sessionId: string, meta: LangfuseSessionMeta | null): Session {
    return {
      id: sessionId,
      agent: request.agentIsExplicit ? request.agent : (meta?.agent ?? request.agent),
      format: 'langfuse',
      sourcePath: request.path,
      parentSessionId: null,
      title: meta?.title ?? null,
      cwd: null,
      startedAt: meta?.startedAt ?? null,
      endedAt: meta?.endedAt ?? null,
      eventCount: 0,
      outcome: meta?.outcome?.outcome ?? null,
    };
  }
}

/** Creates a {@link LangfuseSessionSource}. */
export function createLangfuseSessionSource(options?: LangfuseSessionSourceOptions): LangfuseSessionSource {
  return new LangfuseSessionSource(options);
}

/**
 * The session of records that name no trace and no session: `<file stem>-<hash of the absolute path>`, stable
 * across ingests of the same file.
 */
export function deriveLangfuseSessionId(path: string): string {
  const stem = basename(path).replace(/\.(?:jsonl|ndjson|json)$/i, '');
  return `${stem}-${hashText(resolve(path)).slice(-8)}`;
}

function metaOf(state: LangfuseParserState, sessionId: string): LangfuseSessionMeta | null {
  return Object.hasOwn(state.sessions, sessionId) ? (state.sessions[sessionId] ?? null) : null;
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
