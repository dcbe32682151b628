import { z } from 'zod';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import { isJsonObject } from '../../util/json.js';
import { extractLangfuseMessages, parseJsonText } from './extract-langfuse-messages.js';
import {
  langfuseObservationEventTypes,
  langfuseObservationSchema,
  langfuseScoreSchema,
  langfuseTraceSchema,
} from './langfuse-schema.js';
import type { LangfuseTrace } from './langfuse-schema.js';
import { mapLangfuseObservation } from './map-langfuse-observation.js';
import type { EventDraft } from './map-langfuse-observation.js';
import { betterOutcomeCandidate, langfuseOutcomeCandidate } from './pick-langfuse-outcome.js';
import type { OutcomeCandidate } from './pick-langfuse-outcome.js';

// Bounds on what the file cursor carries between reads (see the same bounds in other readers): past them the
// oldest trace or session is forgotten; later records of it then start afresh, which the store merges.
const MAX_TRACES_IN_STATE = 1024;
const MAX_SESSIONS_IN_STATE = 256;

/** Session fields a file determines, accumulated over its records. */
export interface LangfuseSessionMeta {
  /** The agent the first trace's metadata or tags name; null means "the agent the caller named". */
  agent: string | null;
  /** Name of the first trace of the session. */
  title: string | null;
  startedAt: string | null;
  startedAtMs: number | null;
  endedAt: string | null;
  endedAtMs: number | null;
  /** Keys of recent messages: a generation's input repeats the history, and only what is new becomes events. */
  seen: string[];
  /** The score chosen so far as the session's outcome. */
  outcome: OutcomeCandidate | null;
}

/** What the reader carries from one record to the next (a JSON value, saved in the cursor). */
export interface LangfuseParserState {
  /** Trace id -> session id (the trace's `sessionId`, else the trace id). */
  traces: Record<string, string>;
  sessions: Record<string, LangfuseSessionMeta>;
}

/** Schema of {@link LangfuseParserState}, for decoding a saved cursor (our own data: strict). */
export const langfuseParserStateSchema: z.ZodType<LangfuseParserState> = z.object({
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
      outcome: z
        .object({
          rank: z.number(),
          timeMs: z.number().nullable(),
          id: z.string(),
          outcome: z.object({
            passed: z.boolean().nullable(),
            score: z.number().nullable(),
            source: z.enum(['log', 'cli', 'grader']),
            name: z.string(),
            detail: z.string().nullable(),
          }),
        })
        .nullable(),
    }),
  ),
});

/** The state before the first record of a file. */
export function createLangfuseParserState(): LangfuseParserState {
  return { traces: {}, sessions: {} };
}

interface Located {
  value: Record<string, unknown>;
  line: number;
}

/** The records of one part of a file (a line, or a whole document), sorted by kind. */
export interface LangfuseRecords {
  /** `listsObservations`: the trace names observations (objects or ids), wherever they are. */
  traces: (Located & { listsObservations: boolean })[];
  /** With the type their ingestion event gave them, when they came from one. */
  observations: (Located & { type: string | null })[];
  scores: Located[];
  /** Ingestion events of types this reader does not know. */
  unknown: (Located & { recordType: string })[];
  /** The traces and observations ingestion events created, by id (a later event for the id merges into them). */
  created: {
    traces: Map<string, LangfuseRecords['traces'][number]>;
    observations: Map<string, LangfuseRecords['observations'][number]>;
  };
}

/** No records yet. */
export function createLangfuseRecords(): LangfuseRecords {
  return {
    traces: [],
    observations: [],
    scores: [],
    unknown: [],
    created: { traces: new Map(), observations: new Map() },
  };
}

/** Where a value was read, and what its place says about it. */
export interface CollectContext {
  path: string;
  line: number;
  /**
   * `observation`: an element of an `observations` array; `event`: an element of an ingestion `batch`;
   * `envelope`: the document around a records array already read (its nested observation lists are not records).
   */
  as?: 'observation' | 'event' | 'envelope';
}

/**
 * Sorts one JSON value into `records`: a trace (the public API's trace with its `observations` and `scores`, or the
 * web app's `{trace, observations}`), an observation, a score, an ingestion event or a whole `{batch: [...]}`, or
 * a list (`{data: [...]}`) of these. Ingestion events for the same id are merged in order (`span-update` completes
 * `span-create`). Returns the warnings for values that are none of these.
 */
export function collectLangfuseRecords(
  records: LangfuseRecords,
  value: unknown,
  context: CollectContext,
): IngestWarning[] {
  const { path, line } = context;
  if (!isJsonObject(value)) {
    return [
      { type: 'invalid-record', path, line, message: `expected a JSON object, got ${describe(value)}` },
    ];
  }
  if (context.as === 'observation') {
    records.observations.push({ value, line, type: null });
    return [];
  }
  if (context.as === 'event') return collectEvent(records, value, { path, line });
  const batch = value['batch'];
  if (Array.isArray(batch)) {
    return (batch as unknown[]).flatMap((event) =>
      collectLangfuseRecords(records, event, { path, line, as: 'event' }),
    );
  }
  if (typeof value['type'] === 'string' && isJsonObject(value['body']))
    return collectEvent(records, value, { path, line });
  const nestedTrace = value['trace'];
  if (isJsonObject(nestedTrace)) {
    // The web app's data (`traces.byIdWithObservationsAndScores` + `observations.byId`): the trace carries the
    // observations without their input and output; the full ones are next to it.
    const observations =
      Array.isArray(value['observations']) && value['observations'].length > 0
        ? value['observations']
        : nestedTrace['observations'];
    return collectTrace(records, nestedTrace, {
      line,
      observations: context.as === 'envelope' ? [] : observations,
      scores: [nestedTrace['scores'], value['scores']],
    });
  }
  const data = value['data'];
  if (Array.isArray(data) && value['id'] === undefined) {
    return (data as unknown[]).flatMap((item) => collectLangfuseRecords(records, item, { path, line }));
  }
  if (isTraceLike(value)) {
    return collectTrace(records, value, {
      line,
      observations: context.as === 'envelope' ? [] : value['observations'],
      scores: [value['scores']],
    });
  }
  if ('dataType' in value || ('value' in value && 'name' in value && !('startTime' in value))) {
    records.scores.push({ value, line });
    return [];
  }
  if ('traceId' in value || 'startTime' in value || 'parentObservationId' in value) {
    records.observations.push({ value, line, type: null });
    return [];
  }
  return [
    {
      type: 'invalid-record',
      path,
      line,
      message: 'not a Langfuse trace, observation, score or ingestion event',
    },
  ];
}

function isTraceLike(value: Record<string, unknown>): boolean {
  if (Array.isArray(value['observations'])) return true;
  return (
    'timestamp' in value &&
    'id' in value &&
    !('traceId' in value) &&
    !('startTime' in value) &&
    !('dataType' in value) &&
    !('type' in value)
  );
}

function collectTrace(
  records: LangfuseRecords,
  trace: Record<string, unknown>,
  options: { line: number; observations: unknown; scores: readonly unknown[] },
): IngestWarning[] {
  const { line } = options;
  const listed = trace['observations'];
  records.traces.push({ value: trace, line, listsObservations: Array.isArray(listed) && listed.length > 0 });
  // Observations and scores inside a trace belong to it, whether or not they repeat its id.
  const traceId = trace['id'];
  const owned = (value: Record<string, unknown>) =>
    value['traceId'] == null && value['sessionId'] == null && traceId != null ? { ...value, traceId } : value;
  if (Array.isArray(options.observations)) {
    // The public API's trace list gives observation ids only: nothing to read in them.
    for (const observation of options.observations as unknown[]) {
      if (isJsonObject(observation))
        records.observations.push({ value: owned(observation), line, type: null });
    }
  }
  for (const scores of options.scores) {
    if (!Array.isArray(scores)) continue;
    for (const score of scores as unknown[]) {
      if (isJsonObject(score)) records.scores.push({ value: owned(score), line });
    }
  }
  return [];
}

/** One legacy ingestion event `{id, timestamp, type, body}`. */
function collectEvent(
  records: LangfuseRecords,
  event: Record<string, unknown>,
  where: { path: string; line: number },
): IngestWarning[] {
  const { path, line } = where;
  const type = event['type'];
  const body = event['body'];
  if (typeof type !== 'string' || !isJsonObject(body)) {
    return [
      {
        type: 'invalid-record',
        path,
        line,
        message: 'ingestion event has no string "type" and object "body"',
      },
    ];
  }
  const id = typeof body['id'] === 'string' ? body['id'] : null;
  if (type === 'trace-create') {
    const existing = id === null ? undefined : records.created.traces.get(id);
    if (existing !== undefined) existing.value = { ...existing.value, ...definedFields(body) };
    else {
      const trace = { value: body, line, listsObservations: false };
      records.traces.push(trace);
      if (id !== null) records.created.traces.set(id, trace);
    }
    return [];
  }
  if (type === 'score-create') {
    records.scores.push({ value: body, line });
    return [];
  }
  if (type === 'sdk-log') return [];
  if (langfuseObservationEventTypes.has(type)) {
    const observationType =
      langfuseObservationEventTypes.get(type) ?? (typeof body['type'] === 'string' ? body['type'] : null);
    const existing = id === null ? undefined : records.created.observations.get(id);
    if (existing !== undefined) {
      existing.value = { ...existing.value, ...definedFields(body) };
      existing.type ??= observationType;
    } else {
      const observation = { value: body, line, type: observationType };
      records.observations.push(observation);
      if (id !== null) records.created.observations.set(id, observation);
    }
    return [];
  }
  records.unknown.push({ value: body, line, recordType: type });
  return [];
}

/** An update sends only what changed: fields it leaves out (or sends as null) keep their value. */
function definedFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).filter(([, value]) => value !== undefined && value !== null),
  );
}

/** Where records are read, and how their sessions are named. */
export interface ReadLangfuseContext {
  path: string;
  /** The session of records that name no trace and no session. */
  defaultSessionId: string;
  /**
   * Whether a trace read after its session began may still name the session's agent. True for a document (read
   * whole before anything is stored); false for JSON lines, whose sessions keep the agent of their first upsert.
   */
  lateAgent: boolean;
}

/** The outcome of {@link readLangfuseRecords}. */
export interface ReadLangfuseRecordsResult {
  state: LangfuseParserState;
  /** In session order; the caller gives them their sequence. */
  events: EventDraft[];
  warnings: IngestWarning[];
  sessionIds: string[];
}

/**
 * Turns collected records into events. Pure: the state it is given is never changed. Traces come first (they name
 * the sessions: `sessionId`, else the trace id), then scores (the session outcome), then observations in time order
 * (`startTime`, then id). A trace whose observations give no message is read from its own input and output.
 */
export function readLangfuseRecords(
  state: LangfuseParserState,
  records: LangfuseRecords,
  context: ReadLangfuseContext,
): ReadLangfuseRecordsResult {
  const { path } = context;
  let traces = state.traces;
  let sessions = state.sessions;
  const warnings: IngestWarning[] = [];
  const touched = new Set<string>();
  const metaOf = (sessionId: string) =>
    (Object.hasOwn(sessions, sessionId) ? sessions[sessionId] : undefined) ?? emptyMeta();
  const setMeta = (sessionId: string, meta: LangfuseSessionMeta) => {
    sessions = put(sessions, sessionId, meta, MAX_SESSIONS_IN_STATE);
    touched.add(sessionId);
  };
  const sessionOf = (traceId: string | null, sessionId: string | null = null) =>
    sessionId ??
    (traceId === null
      ? context.defaultSessionId
      : Object.hasOwn(traces, traceId)
        ? (traces[traceId] ?? traceId)
        : traceId);

  const parsedTraces = records.traces
    .map((entry, index) => ({ entry, index, trace: langfuseTraceSchema.parse(entry.value) }))
    .sort(
      (left, right) => compareTimes(left.trace.timestamp, right.trace.timestamp) || left.index - right.index,
    );
  for (const { trace, entry } of parsedTraces) {
    const traceId = nonEmpty(trace.id);
    if (traceId === null) {
      warnings.push({ type: 'invalid-record', path, line: entry.line, message: 'trace has no "id"' });
      continue;
    }
    const sessionId = nonEmpty(trace.sessionId) ?? traceId;
    traces = put(traces, traceId, sessionId, MAX_TRACES_IN_STATE);
    const isNew = !Object.hasOwn(sessions, sessionId);
    let meta = metaOf(sessionId);
    if (meta.agent === null && (context.lateAgent || isNew)) meta = { ...meta, agent: traceAgent(trace) };
    meta = widen({ ...meta, title: meta.title ?? nonEmpty(trace.name) }, trace.timestamp ?? null);
    setMeta(sessionId, meta);
  }

  for (const entry of records.scores) {
    const score = langfuseScoreSchema.parse(entry.value);
    const candidate = langfuseOutcomeCandidate(score);
    if (candidate === null) continue;
    // A session score names its session; a trace score belongs to its trace's session.
    const sessionId = sessionOf(
      nonEmpty(score.traceId),
      nonEmpty(score.traceId) === null ? nonEmpty(score.sessionId) : null,
    );
    const meta = metaOf(sessionId);
    const outcome = betterOutcomeCandidate(meta.outcome, candidate);
    if (outcome !== meta.outcome) setMeta(sessionId, { ...meta, outcome });
  }

  // Everything that becomes events, in time order.
  type Item =
    | { kind: 'observation'; entry: (typeof records.observations)[number] }
    | { kind: 'unknown'; entry: (typeof records.unknown)[number] }
    | { kind: 'trace-input' | 'trace-output'; trace: LangfuseTrace; traceId: string; line: number };
  const items: { item: Item; time: string | null; id: string; index: number }[] = [];
  const add = (item: Item, time: unknown, id: unknown) => {
    items.push({
      item,
      time: typeof time === 'string' ? time : null,
      id: typeof id === 'string' ? id : '',
      index: items.length,
    });
  };
  const observations = records.observations.map((entry) => ({
    entry,
    observation: langfuseObservationSchema.parse(entry.value),
  }));
  for (const { entry, observation } of observations)
    add({ kind: 'observation', entry }, observation.startTime, observation.id);
  for (const entry of records.unknown) {
    add({ kind: 'unknown', entry }, entry.value['startTime'] ?? entry.value['timestamp'], entry.value['id']);
  }
  for (const { trace, entry } of parsedTraces) {
    const traceId = nonEmpty(trace.id);
    if (traceId === null) continue;
    const ofTrace = observations.filter(({ observation }) => observation.traceId === traceId);
    const modelSpoke = ofTrace.some(
      ({ entry: { type }, observation }) =>
        (type ?? observation.type ?? '').toUpperCase() === 'GENERATION' &&
        (observation.input != null || observation.output != null),
    );
    // The trace's own input and output repeat what its generations say; they are read only when nothing else is:
    // no generation with input or output here, and no observations listed that are read elsewhere (a trace list
    // gives observation ids only, next to JSON lines of the observations).
    if (modelSpoke || (ofTrace.length === 0 && entry.listsObservations)) continue;
    const end = ofTrace.reduce<string | null>((latest, { observation }) => {
      const time = observation.endTime ?? observation.startTime ?? null;
      return compareTimes(time, latest) > 0 && time !== null ? time : latest;
    }, trace.timestamp ?? null);
    if (trace.input != null)
      add({ kind: 'trace-input', trace, traceId, line: entry.line }, trace.timestamp, `${traceId}:in`);
    if (trace.output != null)
      add({ kind: 'trace-output', trace, traceId, line: entry.line }, end, `${traceId}:out`);
  }
  items.sort(
    (left, right) =>
      compareTimes(left.time, right.time) || compareText(left.id, right.id) || left.index - right.index,
  );

  const events: EventDraft[] = [];
  for (const { item, time } of items) {
    if (item.kind === 'observation') {
      const observation = langfuseObservationSchema.parse(item.entry.value);
      const sessionId = sessionOf(nonEmpty(observation.traceId));
      const meta = metaOf(sessionId);
      const type = (item.entry.type ?? observation.type ?? 'SPAN').toUpperCase();
      const mapped = mapLangfuseObservation({
        observation,
        type,
        sessionId,
        path,
        line: item.entry.line,
        seen: meta.seen,
      });
      events.push(...mapped.events);
      warnings.push(...mapped.warnings);
      const widened = widen(widen(meta, observation.startTime ?? null), observation.endTime ?? null);
      setMeta(sessionId, { ...widened, seen: mapped.seen });
    } else if (item.kind === 'unknown') {
      const { value, line, recordType } = item.entry;
      const traceId = typeof value['traceId'] === 'string' ? nonEmpty(value['traceId']) : null;
      const sessionId = sessionOf(traceId);
      const id =
        typeof value['id'] === 'string' && value['id'].length > 0
          ? value['id']
          : `${sessionId}:L${String(line)}`;
      const timestamp = validTimestamp(time);
      // An ingestion event newer than this reader: kept as `other`, so nothing it says is silently dropped.
      events.push(
        draft({
          id: `lf:${id}:x0`,
          sessionId,
          kind: 'other',
          subtype: recordType,
          timestamp,
          text: '',
          path,
          line,
        }),
      );
      warnings.push({ type: 'unknown-record', path, line, recordType });
      setMeta(sessionId, widen(metaOf(sessionId), timestamp));
    } else {
      const isInput = item.kind === 'trace-input';
      const sessionId = sessionOf(item.traceId);
      const timestamp = validTimestamp(time);
      const value = isInput ? item.trace.input : item.trace.output;
      extractLangfuseMessages(value, isInput ? 'user' : 'assistant').forEach((message, index) => {
        events.push(
          draft({
            id: `lf:trace:${item.traceId}:${isInput ? 'in' : 'out'}:${String(index)}`,
            sessionId,
            kind: message.kind === 'tool-request' || !isInput ? 'assistant-message' : 'user-message',
            subtype: message.kind === 'tool-request' ? 'tool-request' : message.subtype,
            timestamp,
            text: message.text,
            path,
            line: item.line,
          }),
        );
      });
      setMeta(sessionId, widen(metaOf(sessionId), timestamp));
    }
  }
  return { state: { traces, sessions }, events, warnings, sessionIds: [...touched] };
}

/**
 * The agent a trace names, by the conventions Langfuse users follow (Langfuse has no agent field): `metadata.agent`
 * / `agent_name` / `agentName`, or a tag `agent:<name>`. Null otherwise: the trace name is the workflow, not the
 * agent, so the caller's agent is used.
 */
function traceAgent(trace: LangfuseTrace): string | null {
  const metadata = parseJsonText(trace.metadata);
  if (isJsonObject(metadata)) {
    for (const key of ['agent', 'agent_name', 'agentName']) {
      const value = metadata[key];
      if (typeof value === 'string' && value.length > 0) return value;
    }
  }
  for (const tag of trace.tags ?? []) {
    if (typeof tag === 'string' && tag.startsWith('agent:') && tag.length > 'agent:'.length)
      return tag.slice('agent:'.length);
  }
  return null;
}

function draft(fields: {
  id: string;
  sessionId: string;
  kind: EventDraft['kind'];
  subtype: string | null;
  timestamp: string | null;
  text: string;
  path: string;
  line: number;
}): EventDraft {
  return {
    id: fields.id,
    sessionId: fields.sessionId,
    kind: fields.kind,
    subtype: fields.subtype,
    timestamp: fields.timestamp,
    text: fields.text,
    messageId: null,
    toolName: null,
    toolCallId: null,
    toolInput: null,
    isError: false,
    isRejection: false,
    source: { path: fields.path, line: fields.line },
  };
}

function validTimestamp(value: string | null): string | null {
  return value === null || Number.isNaN(Date.parse(value)) ? null : value;
}

function emptyMeta(): LangfuseSessionMeta {
  return {
    agent: null,
    title: null,
    startedAt: null,
    startedAtMs: null,
    endedAt: null,
    endedAtMs: null,
    seen: [],
    outcome: null,
  };
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.length === 0 ? null : value;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Times in order; a missing or unreadable time sorts last. */
function compareTimes(left: string | null | undefined, right: string | null | undefined): number {
  const time = (value: string | null | undefined) => {
    const ms = value == null ? Number.NaN : Date.parse(value);
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  const difference = time(left) - time(right);
  return Number.isNaN(difference) ? 0 : difference;
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The meta with its time range widened to include `timestamp` (the same object when nothing changes). */
function widen(meta: LangfuseSessionMeta, timestamp: string | null): LangfuseSessionMeta {
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
