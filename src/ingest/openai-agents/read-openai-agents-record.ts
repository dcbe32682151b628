import { z } from 'zod';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import { mapOpenAiAgentsSpan } from './map-openai-agents-span.js';
import type { EventDraft } from './map-openai-agents-span.js';
import {
  OBJECT_SPAN,
  OBJECT_TRACE,
  openAiAgentsSpanDataSchema,
  openAiAgentsSpanSchema,
  openAiAgentsTraceSchema,
} from './openai-agents-schema.js';

// Bounds on what the file cursor carries between reads. A file with more traces or sessions than this forgets the
// oldest: a later span of a forgotten trace then lands in a session named after its trace id, and a forgotten
// session's later upserts carry only what later records say (the store widens time ranges and keeps titles).
const MAX_TRACES_IN_STATE = 1024;
const MAX_SESSIONS_IN_STATE = 256;

/** Session fields a file determines, accumulated over its records. */
export interface OpenAiAgentsSessionMeta {
  /** Name of the first `agent` span read; null means "the agent the caller named". */
  agent: string | null;
  /** `workflow_name` of the first trace of the session. */
  title: string | null;
  startedAt: string | null;
  startedAtMs: number | null;
  endedAt: string | null;
  endedAtMs: number | null;
  /** Keys of recent messages: a model input repeats the history, and only what is new becomes events. */
  seen: string[];
}

/** What {@link readOpenAiAgentsRecord} carries from one record to the next (a JSON value, saved in the cursor). */
export interface OpenAiAgentsParserState {
  /** Trace id -> session id (the trace's `group_id`, else the trace id). */
  traces: Record<string, string>;
  sessions: Record<string, OpenAiAgentsSessionMeta>;
}

/** Schema of {@link OpenAiAgentsParserState}, for decoding a saved cursor (our own data: strict). */
export const openAiAgentsParserStateSchema: z.ZodType<OpenAiAgentsParserState> = z.object({
  traces: z.record(z.string(), z.string()),
  sessions: z.record(
    z.string(),
    z.object({
      agent: z.string().nullable(),
      title: z.string().nullable(),
      startedAt: z.string().nullable(),
      startedAtMs: z.number().nullable(),
      endedAt: z.string().nullable(),
      endedAtMs: z.number().nullable(),
      seen: z.array(z.string()),
    }),
  ),
});

/** The state before the first record of a file. */
export function createOpenAiAgentsParserState(): OpenAiAgentsParserState {
  return { traces: {}, sessions: {} };
}

/** Where a record was read. */
export interface OpenAiAgentsRecordContext {
  path: string;
  line: number;
  /** The session of records that name no trace (only records of unknown kinds can). */
  defaultSessionId: string;
  /**
   * Whether an `agent` span read after its session began may still name the session's agent. True for a document
   * (read whole before anything is stored); false for JSON lines, whose sessions are stored as the file grows and
   * keep the agent of their first upsert (the SDK writes an agent span when the agent finishes, after its trace).
   */
  lateAgent: boolean;
}

/** The outcome of {@link readOpenAiAgentsRecord}. */
export interface ReadOpenAiAgentsRecordResult {
  state: OpenAiAgentsParserState;
  /** In the record's order; the caller gives them their sequence. */
  events: EventDraft[];
  warnings: IngestWarning[];
  /** Sessions this record created or changed. */
  sessionIds: string[];
}

/**
 * Reads one exported record (`{"object": "trace"}` or `{"object": "trace.span"}`) into events. Pure: the state it
 * is given is never changed. A trace names its session (`group_id`, the conversation, else the trace id) and its
 * title (`workflow_name`); a span becomes events (see `mapOpenAiAgentsSpan`) in the session of its trace; an
 * unknown `object` is an `other` event with an `unknown-record` warning.
 */
export function readOpenAiAgentsRecord(
  state: OpenAiAgentsParserState,
  record: Record<string, unknown>,
  context: OpenAiAgentsRecordContext,
): ReadOpenAiAgentsRecordResult {
  const { path, line } = context;
  const object = record['object'];
  if (typeof object !== 'string') {
    return rejected(state, {
      type: 'invalid-record',
      path,
      line,
      message: 'record has no string "object" field',
    });
  }
  if (object === OBJECT_TRACE) {
    const trace = openAiAgentsTraceSchema.parse(record);
    const traceId = nonEmpty(trace.id);
    if (traceId === null) {
      return rejected(state, { type: 'invalid-record', path, line, message: 'trace record has no "id"' });
    }
    const sessionId = nonEmpty(trace.group_id) ?? traceId;
    const meta = metaOf(state, sessionId);
    const title = meta.title ?? nonEmpty(trace.workflow_name);
    const canNameAgent =
      meta.agent === null && (context.lateAgent || !Object.hasOwn(state.sessions, sessionId));
    const agent = canNameAgent ? metadataAgent(trace.metadata) : meta.agent;
    return {
      state: {
        traces: put(state.traces, traceId, sessionId, MAX_TRACES_IN_STATE),
        sessions: put(state.sessions, sessionId, { ...meta, title, agent }, MAX_SESSIONS_IN_STATE),
      },
      events: [],
      warnings: [],
      sessionIds: [sessionId],
    };
  }

  const traceId = nonEmpty(typeof record['trace_id'] === 'string' ? record['trace_id'] : null);
  const sessionId =
    traceId === null
      ? context.defaultSessionId
      : Object.hasOwn(state.traces, traceId)
        ? (state.traces[traceId] ?? traceId)
        : traceId;
  const meta = metaOf(state, sessionId);

  if (object !== OBJECT_SPAN) {
    // A record kind newer than this reader: kept as `other`, so nothing it says is silently dropped.
    const id = record['id'];
    const recordId = typeof id === 'string' && id.length > 0 ? id : `${sessionId}:L${String(line)}`;
    const startedAt = typeof record['started_at'] === 'string' ? record['started_at'] : null;
    const timestamp = startedAt !== null && !Number.isNaN(Date.parse(startedAt)) ? startedAt : null;
    return {
      state: {
        ...state,
        sessions: put(state.sessions, sessionId, widen(meta, timestamp), MAX_SESSIONS_IN_STATE),
      },
      events: [
        {
          id: `oa:${recordId}:x0`,
          sessionId,
          kind: 'other',
          subtype: object,
          timestamp,
          text: '',
          messageId: null,
          toolName: null,
          toolCallId: null,
          toolInput: null,
          isError: false,
          isRejection: false,
          source: { path, line },
        },
      ],
      warnings: [{ type: 'unknown-record', path, line, recordType: object }],
      sessionIds: [sessionId],
    };
  }

  const span = openAiAgentsSpanSchema.parse(record);
  const data = openAiAgentsSpanDataSchema.safeParse(span.span_data);
  if (!data.success) {
    return rejected(state, {
      type: 'invalid-record',
      path,
      line,
      message: 'span has no string "span_data.type"',
    });
  }
  const mapped = mapOpenAiAgentsSpan({ span, data: data.data, sessionId, path, line, seen: meta.seen });
  let next = widen(widen(meta, span.started_at ?? null), span.ended_at ?? null);
  const canNameAgent =
    next.agent === null && (context.lateAgent || !Object.hasOwn(state.sessions, sessionId));
  if (data.data.type === 'agent' && canNameAgent) next = { ...next, agent: nonEmpty(data.data.name) };
  next = { ...next, seen: mapped.seen };
  return {
    state: { ...state, sessions: put(state.sessions, sessionId, next, MAX_SESSIONS_IN_STATE) },
    events: mapped.events,
    warnings: mapped.warnings,
    sessionIds: [sessionId],
  };
}

/**
 * The agent a trace's `metadata` names (`agent`, `agent_name` or `agentName`): the SDK has no agent field on a
 * trace, and this is how applications that run several agents label their traces.
 */
function metadataAgent(metadata: unknown): string | null {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return null;
  const record = metadata as Record<string, unknown>;
  for (const key of ['agent', 'agent_name', 'agentName']) {
    const value = record[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return null;
}

function rejected(state: OpenAiAgentsParserState, warning: IngestWarning): ReadOpenAiAgentsRecordResult {
  return { state, events: [], warnings: [warning], sessionIds: [] };
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.length === 0 ? null : value;
}

function metaOf(state: OpenAiAgentsParserState, sessionId: string): OpenAiAgentsSessionMeta {
  return (
    (Object.hasOwn(state.sessions, sessionId) ? state.sessions[sessionId] : undefined) ?? {
      agent: null,
      title: null,
      startedAt: null,
      startedAtMs: null,
      endedAt: null,
      endedAtMs: null,
      seen: [],
    }
  );
}

/** The meta with its time range widened to include `timestamp` (the same object when nothing changes). */
function widen(meta: OpenAiAgentsSessionMeta, timestamp: string | null): OpenAiAgentsSessionMeta {
  if (timestamp === null) return meta;
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return meta;
  let next = meta;
  if (meta.startedAtMs === null || ms < meta.startedAtMs)
    next = { ...next, startedAt: timestamp, startedAtMs: ms };
  if (meta.endedAtMs === null || ms > meta.endedAtMs) next = { ...next, endedAt: timestamp, endedAtMs: ms };
  return next;
}

/** A copy of `map` with `key` set; past `max` entries the oldest entry is dropped. */
function put<Value>(
  map: Record<string, Value>,
  key: string,
  value: Value,
  max: number,
): Record<string, Value> {
  if (Object.hasOwn(map, key) || Object.keys(map).length < max) return { ...map, [key]: value };
  const [, ...kept] = Object.entries(map);
  return { ...Object.fromEntries(kept), [key]: value };
}
