import { z } from 'zod';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { SessionOutcome } from '../../domain/outcome.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import { parseJsonLine } from '../parse-json-line.js';
import type { JsonLineInput } from '../parse-json-line.js';
import {
  reverieJsonlEventSchema,
  reverieJsonlMessageSchema,
  reverieJsonlOutcomeSchema,
  reverieJsonlSessionSchema,
  reverieJsonlToolCallSchema,
  reverieJsonlToolResultSchema,
} from './reverie-jsonl-schema.js';

// Results whose call was never seen stay unmatched; calls whose result never comes are dropped past this bound so
// the state saved in the file cursor stays small.
const MAX_PENDING_TOOL_CALLS = 512;
// Session metas kept in the state. A file interleaving more sessions than this forgets the oldest one's title and
// time range; its later upserts then carry only what later records say, which the store merges (time ranges widen,
// a null title keeps the stored one), so nothing already read is lost.
const MAX_SESSIONS_IN_STATE = 256;

/** Session fields a Reverie JSONL file determines, accumulated over its records. */
export interface ReverieJsonlSessionMeta {
  /** The session record's agent; null means "the agent the caller named". */
  agent: string | null;
  title: string | null;
  cwd: string | null;
  parentSessionId: string | null;
  startedAt: string | null;
  startedAtMs: number | null;
  endedAt: string | null;
  endedAtMs: number | null;
  /** Set by an `outcome` record. */
  outcome: SessionOutcome | null;
}

/** What {@link parseReverieJsonlLine} carries from one line to the next (a JSON value, saved in the cursor). */
export interface ReverieJsonlParserState {
  /** The id of the most recent `session` record: records without `session` belong to it. */
  currentSessionId: string | null;
  sessions: Record<string, ReverieJsonlSessionMeta>;
  /** `<sessionId>\n<call_id>` -> tool name, for calls whose result has not been read yet. */
  pendingToolCalls: Record<string, string>;
}

const sessionMetaSchema = z.object({
  agent: z.string().nullable(),
  title: z.string().nullable(),
  cwd: z.string().nullable(),
  parentSessionId: z.string().nullable(),
  startedAt: z.string().nullable(),
  startedAtMs: z.number().nullable(),
  endedAt: z.string().nullable(),
  endedAtMs: z.number().nullable(),
  // Cursors saved before outcomes existed have no such key.
  outcome: z
    .object({
      passed: z.boolean().nullable(),
      score: z.number().nullable(),
      source: z.enum(['log', 'cli', 'grader']),
      name: z.string(),
      detail: z.string().nullable(),
    })
    .nullable()
    .default(null),
});

/** Schema of {@link ReverieJsonlParserState}, for decoding a saved cursor (our own data: strict). */
export const reverieJsonlParserStateSchema: z.ZodType<ReverieJsonlParserState> = z.object({
  currentSessionId: z.string().nullable(),
  sessions: z.record(z.string(), sessionMetaSchema),
  pendingToolCalls: z.record(z.string(), z.string()),
});

/** The state before the first line of a file. */
export function createReverieJsonlParserState(): ReverieJsonlParserState {
  return { currentSessionId: null, sessions: {}, pendingToolCalls: {} };
}

/** What the caller knows about the file. */
export interface ReverieJsonlLineContext {
  /** The session of records that name none, when the file has no `session` record before them. */
  defaultSessionId: string;
}

/** The outcome of {@link parseReverieJsonlLine}. */
export interface ParseReverieJsonlLineResult {
  state: ReverieJsonlParserState;
  events: SessionEvent[];
  warnings: IngestWarning[];
  /** An unterminated final line that did not parse: the caller must not consume it. */
  incomplete: boolean;
  /** Sessions this line created or changed. */
  sessionIds: string[];
}

/**
 * Reads one line of a Reverie JSONL log (docs/formats/reverie-jsonl.md) into at most one event. Pure: the input
 * state is never mutated. Never throws: bad lines become warnings, unknown record types become `other` events
 * with an `unknown-record` warning.
 *
 * Event ids: `<sessionId>:id:<id>` for records with an `id`, else `<sessionId>:L<line>`. Sequence: the line number.
 *
 * @example
 * const result = parseReverieJsonlLine(state, { text, line, path, binary: false, terminated: true }, { defaultSessionId });
 */
export function parseReverieJsonlLine(
  state: ReverieJsonlParserState,
  input: JsonLineInput,
  context: ReverieJsonlLineContext,
): ParseReverieJsonlLineResult {
  const json = parseJsonLine(input);
  if (json.kind === 'blank') return { state, events: [], warnings: [], incomplete: false, sessionIds: [] };
  if (json.kind === 'rejected') {
    return { state, events: [], warnings: [json.warning], incomplete: json.incomplete, sessionIds: [] };
  }
  const { record, type } = json;
  const { path, line } = input;

  const invalid = (error: z.ZodError): ParseReverieJsonlLineResult => {
    const issue = error.issues[0];
    const field = issue?.path.join('.') ?? '';
    const message = `${type} record: ${field === '' ? '' : `"${field}" `}${issue?.message ?? 'invalid'}`;
    return {
      state,
      events: [],
      warnings: [{ type: 'invalid-record', path, line, message }],
      incomplete: false,
      sessionIds: [],
    };
  };

  if (type === 'session') {
    const parsed = reverieJsonlSessionSchema.safeParse(record);
    if (!parsed.success) return invalid(parsed.error);
    const value = parsed.data;
    const sessionId = value.id;
    let meta =
      (Object.hasOwn(state.sessions, sessionId) ? state.sessions[sessionId] : undefined) ?? emptyMeta();
    meta = {
      ...meta,
      agent: value.agent ?? meta.agent,
      title: value.title ?? meta.title,
      cwd: value.cwd ?? meta.cwd,
      parentSessionId: value.parent ?? meta.parentSessionId,
    };
    meta = widen(widen(widen(meta, value.started_at ?? null), value.ended_at ?? null), value.ts ?? null);
    return {
      state: {
        ...state,
        currentSessionId: sessionId,
        sessions: putSession(state.sessions, sessionId, meta),
      },
      events: [],
      warnings: [],
      incomplete: false,
      sessionIds: [sessionId],
    };
  }

  const sessionId =
    (typeof record['session'] === 'string' && record['session'].length > 0 ? record['session'] : null) ??
    state.currentSessionId ??
    context.defaultSessionId;

  if (type === 'outcome') {
    const parsed = reverieJsonlOutcomeSchema.safeParse(record);
    if (!parsed.success) return invalid(parsed.error);
    const value = parsed.data;
    const previous = Object.hasOwn(state.sessions, sessionId) ? state.sessions[sessionId] : undefined;
    const meta: ReverieJsonlSessionMeta = {
      ...(previous ?? emptyMeta()),
      outcome: {
        passed: value.passed ?? null,
        score: value.score ?? null,
        source: 'log',
        name: value.name ?? 'outcome',
        detail: value.detail ?? null,
      },
    };
    return {
      state: { ...state, sessions: putSession(state.sessions, sessionId, meta) },
      events: [],
      warnings: [],
      incomplete: false,
      sessionIds: [sessionId],
    };
  }
  const base = (fields: {
    id: string | null;
    ts: string | null;
    kind: EventKind;
    subtype: string | null;
    text: string;
  }): SessionEvent => ({
    id: fields.id === null ? `${sessionId}:L${String(line)}` : `${sessionId}:id:${fields.id}`,
    sessionId,
    sequence: line,
    kind: fields.kind,
    subtype: fields.subtype,
    timestamp: validTimestamp(fields.ts),
    text: fields.text,
    messageId: null,
    toolName: null,
    toolCallId: null,
    toolInput: null,
    isError: false,
    isRejection: false,
    source: { path, line },
  });

  let event: SessionEvent;
  let pendingToolCalls = state.pendingToolCalls;
  const warnings: IngestWarning[] = [];
  switch (type) {
    case 'message': {
      const parsed = reverieJsonlMessageSchema.safeParse(record);
      if (!parsed.success) return invalid(parsed.error);
      const value = parsed.data;
      event = base({
        id: value.id ?? null,
        ts: value.ts ?? null,
        kind: messageKind(value.role),
        // An unknown role is kept as an `other` event whose subtype names it.
        subtype: value.subtype ?? (messageKind(value.role) === 'other' ? value.role : null),
        text: value.text,
      });
      break;
    }
    case 'tool_call': {
      const parsed = reverieJsonlToolCallSchema.safeParse(record);
      if (!parsed.success) return invalid(parsed.error);
      const value = parsed.data;
      const callId = value.call_id ?? null;
      const input = value.input ?? null;
      if (callId !== null)
        pendingToolCalls = addPending(pendingToolCalls, `${sessionId}\n${callId}`, value.tool);
      event = {
        ...base({
          id: value.id ?? null,
          ts: value.ts ?? null,
          kind: 'tool-call',
          subtype: null,
          text: JSON.stringify(input),
        }),
        toolName: value.tool,
        toolCallId: callId,
        toolInput: input,
      };
      break;
    }
    case 'tool_result': {
      const parsed = reverieJsonlToolResultSchema.safeParse(record);
      if (!parsed.success) return invalid(parsed.error);
      const value = parsed.data;
      const callId = value.call_id ?? null;
      let toolName = value.tool ?? null;
      if (callId !== null) {
        const key = `${sessionId}\n${callId}`;
        if (Object.hasOwn(pendingToolCalls, key)) {
          toolName ??= pendingToolCalls[key] ?? null;
          const { [key]: _removed, ...rest } = pendingToolCalls;
          pendingToolCalls = rest;
        }
      }
      const output = value.output;
      const rawText =
        typeof output === 'string'
          ? output
          : output === undefined || output === null
            ? ''
            : JSON.stringify(output);
      const rejected = value.rejected === true;
      event = {
        ...base({
          id: value.id ?? null,
          ts: value.ts ?? null,
          kind: 'tool-result',
          subtype: null,
          // Capped at 64 KiB (head kept verbatim), like every format: see TOOL_RESULT_MAX_BYTES.
          text: capText(rawText, TOOL_RESULT_MAX_BYTES),
        }),
        toolName,
        toolCallId: callId,
        isError: value.ok === false || rejected,
        isRejection: rejected,
      };
      break;
    }
    case 'event': {
      const parsed = reverieJsonlEventSchema.safeParse(record);
      if (!parsed.success) return invalid(parsed.error);
      const value = parsed.data;
      event = base({
        id: value.id ?? null,
        ts: value.ts ?? null,
        kind: 'system',
        subtype: value.name,
        text: value.text ?? '',
      });
      break;
    }
    default: {
      const id = record['id'];
      const ts = record['ts'];
      event = base({
        id: typeof id === 'string' ? id : typeof id === 'number' ? String(id) : null,
        ts: typeof ts === 'string' ? ts : null,
        kind: 'other',
        subtype: type,
        text: '',
      });
      warnings.push({ type: 'unknown-record', path, line, recordType: type });
    }
  }

  const previous = Object.hasOwn(state.sessions, sessionId) ? state.sessions[sessionId] : undefined;
  const meta = widen(previous ?? emptyMeta(), event.timestamp);
  return {
    state:
      meta === previous && pendingToolCalls === state.pendingToolCalls
        ? state
        : {
            ...state,
            sessions: meta === previous ? state.sessions : putSession(state.sessions, sessionId, meta),
            pendingToolCalls,
          },
    events: [event],
    warnings,
    incomplete: false,
    sessionIds: [sessionId],
  };
}

function messageKind(role: string): EventKind {
  switch (role) {
    case 'user':
      return 'user-message';
    case 'assistant':
      return 'assistant-message';
    case 'system':
      return 'system';
    default:
      return 'other';
  }
}

function emptyMeta(): ReverieJsonlSessionMeta {
  return {
    agent: null,
    title: null,
    cwd: null,
    parentSessionId: null,
    startedAt: null,
    startedAtMs: null,
    endedAt: null,
    endedAtMs: null,
    outcome: null,
  };
}

function validTimestamp(value: string | null): string | null {
  return value === null || Number.isNaN(Date.parse(value)) ? null : value;
}

/** The meta with its time range widened to include `timestamp` (the same object when nothing changes). */
function widen(meta: ReverieJsonlSessionMeta, timestamp: string | null): ReverieJsonlSessionMeta {
  if (timestamp === null) return meta;
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return meta;
  let next = meta;
  if (meta.startedAtMs === null || ms < meta.startedAtMs)
    next = { ...next, startedAt: timestamp, startedAtMs: ms };
  if (meta.endedAtMs === null || ms > meta.endedAtMs) next = { ...next, endedAt: timestamp, endedAtMs: ms };
  return next;
}

function addPending(pending: Record<string, string>, key: string, tool: string): Record<string, string> {
  const keys = Object.keys(pending);
  const kept =
    keys.length >= MAX_PENDING_TOOL_CALLS
      ? Object.fromEntries(keys.slice(1).map((existing) => [existing, pending[existing] ?? '']))
      : pending;
  return { ...kept, [key]: tool };
}

function putSession(
  sessions: Record<string, ReverieJsonlSessionMeta>,
  sessionId: string,
  meta: ReverieJsonlSessionMeta,
): Record<string, ReverieJsonlSessionMeta> {
  if (Object.hasOwn(sessions, sessionId)) return { ...sessions, [sessionId]: meta };
  const keys = Object.keys(sessions);
  if (keys.length < MAX_SESSIONS_IN_STATE) return { ...sessions, [sessionId]: meta };
  const kept = Object.fromEntries(keys.slice(1).map((key) => [key, sessions[key]]));
  return { ...kept, [sessionId]: meta } as Record<string, ReverieJsonlSessionMeta>;
}
