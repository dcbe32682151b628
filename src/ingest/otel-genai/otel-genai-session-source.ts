import { stat } from 'node:fs/promises';
import { z } from 'zod';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { Session } from '../../domain/session.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { parseJsonObjectLine } from '../parse-json-line.js';
import { decodeLineCursor, readLineChunks } from '../read-line-chunks.js';
import type { LineChunkStep } from '../read-line-chunks.js';
import { readJsonDocumentChunks } from '../read-json-document-chunks.js';
import type { LogLine } from '../read-lines.js';
import { nanosToIso } from './otel-genai-schema.js';
import {
  createOtelGenAiParserState,
  MAX_EVENTS_PER_BATCH,
  otelGenAiParserStateSchema,
  parseOtelGenAiSpans,
} from './parse-otel-genai-spans.js';
import type { OtelGenAiParserState } from './parse-otel-genai-spans.js';

/**
 * A `.json` trace file larger than this is refused: one export request is one JSON document, and a single
 * `ResourceSpans` of it is parsed whole. The collector's file exporter writes JSON lines, which are read in bounded
 * chunks whatever their size.
 */
export const MAX_JSON_DOCUMENT_BYTES = 256 * 1024 * 1024;
// The head of a JSON document export: its first key is `resourceSpans` (OTLP/JSON field order; pretty-printed or not).
const DOCUMENT_HEAD = /^\{\s*"resourceSpans"\s*:\s*\[/;

/** Options for {@link createOtelGenAiSessionSource}. */
export interface OtelGenAiSessionSourceOptions {
  /** Lines (JSON lines) or `ResourceSpans` records (a JSON document) per chunk at most. */
  maxChunkLines?: number;
  /** Bytes per chunk at most, roughly (JSON lines; default 8 MiB). */
  maxChunkBytes?: number;
}

/** The document reader's state: the parser's, plus how many `ResourceSpans` came before (for sequences). */
interface DocumentState {
  ordinal: number;
  parser: OtelGenAiParserState;
}

/**
 * Reads OpenTelemetry traces that follow the GenAI semantic conventions, as OTLP/HTTP JSON `ExportTraceServiceRequest`
 * files (docs/formats/otel-genai.md): `.jsonl`, one request per line (the collector's file exporter), read
 * incrementally; or `.json`, one request (possibly pretty-printed), read again whole when it changes. One session per
 * `gen_ai.conversation.id` (else per trace). The agent is `gen_ai.agent.name`, else the resource's `service.name`,
 * unless the caller named one explicitly.
 */
export class OtelGenAiSessionSource implements SessionSource {
  readonly format = 'otel-genai';
  private readonly maxChunkLines: number | undefined;
  private readonly maxChunkBytes: number | undefined;

  constructor(options: OtelGenAiSessionSourceOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
        throw new RangeError(
          `OtelGenAiSessionSource: ${name} must be a positive integer, got ${String(value)}`,
        );
      }
    }
    this.maxChunkLines = options.maxChunkLines;
    this.maxChunkBytes = options.maxChunkBytes;
  }

  isCandidate(path: string): boolean {
    return path.endsWith('.jsonl') || path.endsWith('.json');
  }

  detect(head: string): boolean {
    const start = head.trimStart();
    if (DOCUMENT_HEAD.test(start)) return true;
    // A JSON line whose `resourceSpans` is not its first key.
    const firstLine = start.split('\n', 1)[0] ?? '';
    const parsed = safeParseJson(firstLine);
    return parsed.success && isJsonObject(parsed.value) && Array.isArray(parsed.value['resourceSpans']);
  }

  read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    return request.path.endsWith('.jsonl') ? this.readJsonLines(request) : this.readDocument(request);
  }

  private async *readJsonLines(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const { path } = request;
    yield* readLineChunks<OtelGenAiParserState>({
      path,
      resume: decodeLineCursor(request.cursor, otelGenAiParserStateSchema),
      initialState: createOtelGenAiParserState(),
      maxLines: this.maxChunkLines,
      maxBytes: this.maxChunkBytes,
      parseLine: (state, line) => parseRequestLine(state, line, path),
      sessions: (state, touched) => toSessions(state, touched, request),
    });
  }

  private async *readDocument(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const { path } = request;
    const size = await stat(path).then(
      (stats) => stats.size,
      () => null,
    );
    if (size !== null && size > MAX_JSON_DOCUMENT_BYTES) {
      const warning: IngestWarning = {
        type: 'invalid-record',
        path,
        line: 1,
        message:
          `OTLP JSON document is ${String(Math.ceil(size / 1024 / 1024))} MiB, over the ` +
          `${String(MAX_JSON_DOCUMENT_BYTES / 1024 / 1024)} MiB limit for one request; file not read. Export the ` +
          'traces as JSON lines instead (the OpenTelemetry collector file exporter writes one request per line)',
      };
      yield { sessions: [], events: [], warnings: [warning], cursor: { offset: 0, line: 0, state: null } };
      return;
    }
    yield* readJsonDocumentChunks<DocumentState>({
      path,
      recordsAt: ['resourceSpans'],
      initialState: { ordinal: 0, parser: createOtelGenAiParserState() },
      maxRecords: this.maxChunkLines,
      parseRecord: (state, record) => {
        const result = parseOtelGenAiSpans(state.parser, {
          resourceSpans: [record.value],
          path,
          line: record.line,
          sequenceBase: (state.ordinal + 1) * MAX_EVENTS_PER_BATCH,
        });
        return {
          state: { ordinal: state.ordinal + 1, parser: result.state },
          events: result.events,
          warnings: result.warnings,
          sessionIds: result.sessionIds,
        };
      },
      finish: (state, envelope) => {
        const warnings: IngestWarning[] = [];
        if (envelope.value !== null && !envelope.foundRecords) {
          warnings.push({
            type: 'invalid-record',
            path,
            line: 1,
            message: 'not an OTLP ExportTraceServiceRequest (no "resourceSpans" array)',
          });
        }
        return { state, events: [], warnings, sessionIds: [] };
      },
      sessions: (state, touched) => toSessions(state.parser, touched, request),
    });
  }
}

/** Creates an {@link OtelGenAiSessionSource}. */
export function createOtelGenAiSessionSource(
  options?: OtelGenAiSessionSourceOptions,
): OtelGenAiSessionSource {
  return new OtelGenAiSessionSource(options);
}

const requestSchema = z.looseObject({ resourceSpans: z.array(z.unknown()) });

/**
 * One JSON line: an `ExportTraceServiceRequest`. The envelope checks mirror `parse-json-line.ts` (which also
 * requires a `type` field, which OTLP records do not have): blank lines are skipped, binary garbage and invalid
 * JSON are warnings, and an unterminated final line that does not parse is left for the next read.
 */
function parseRequestLine(
  state: OtelGenAiParserState,
  line: LogLine,
  path: string,
): LineChunkStep<OtelGenAiParserState> {
  const rejected = (warning: IngestWarning, incomplete = false): LineChunkStep<OtelGenAiParserState> => ({
    state,
    events: [],
    warnings: [warning],
    incomplete,
    sessionIds: [],
  });
  const parsed = parseJsonObjectLine({ ...line, path });
  if (parsed.kind === 'blank') return { state, events: [], warnings: [], incomplete: false, sessionIds: [] };
  if (parsed.kind === 'rejected') return rejected(parsed.warning, parsed.incomplete);
  const request = requestSchema.safeParse(parsed.value);
  if (!request.success) {
    return rejected({
      type: 'invalid-record',
      path,
      line: line.line,
      message: 'not an OTLP ExportTraceServiceRequest (no "resourceSpans" array)',
    });
  }
  const result = parseOtelGenAiSpans(state, {
    resourceSpans: request.data.resourceSpans,
    path,
    line: line.line,
    sequenceBase: line.line * MAX_EVENTS_PER_BATCH,
  });
  return {
    state: result.state,
    events: result.events,
    warnings: result.warnings,
    incomplete: false,
    sessionIds: result.sessionIds,
  };
}

function toSessions(
  state: OtelGenAiParserState,
  touched: ReadonlySet<string>,
  request: ReadRequest,
): Session[] {
  const sessions: Session[] = [];
  for (const sessionId of touched) {
    const meta = Object.hasOwn(state.sessions, sessionId) ? state.sessions[sessionId] : undefined;
    sessions.push({
      id: sessionId,
      agent: request.agentIsExplicit
        ? request.agent
        : (meta?.agentName ?? meta?.serviceName ?? request.agent),
      format: 'otel-genai',
      sourcePath: request.path,
      parentSessionId: null,
      title: meta?.title ?? null,
      cwd: null,
      startedAt: meta?.startedAtNanos == null ? null : nanosToIso(BigInt(meta.startedAtNanos)),
      endedAt: meta?.endedAtNanos == null ? null : nanosToIso(BigInt(meta.endedAtNanos)),
      eventCount: 0,
      outcome: meta?.outcome ?? null,
    });
  }
  return sessions;
}
