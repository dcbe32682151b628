import { z } from 'zod';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { SessionOutcome } from '../../domain/outcome.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import {
  LEGACY_CHOICE_EVENT,
  legacyChoiceMessage,
  legacyEventBody,
  legacyMessageEventRoles,
  readMessage,
  readMessagesAttribute,
  textOf,
} from './otel-genai-messages.js';
import type { GenAiMessage, GenAiPart } from './otel-genai-messages.js';
import {
  attributesToRecord,
  nanosToIso,
  otelResourceSpansSchema,
  otelSpanEventSchema,
  otelSpanSchema,
  parseUnixNanos,
  structuredValue,
} from './otel-genai-schema.js';

// Bounds on what the state carries between lines of a JSON-lines file (it is stored in the file cursor).
const MAX_SESSIONS_IN_STATE = 128;
const MAX_TRACE_CONVERSATIONS = 256;
const MAX_TOOL_CALLS = 512;
const MAX_TOOL_RESULTS = 512;
/** `sequence = base + rank`: one export request (or one ResourceSpans) gives at most this many events. */
export const MAX_EVENTS_PER_BATCH = 1_000_000;

/** Inference operations (semconv `gen_ai.operation.name`): their messages are the conversation. */
const INFERENCE_OPERATIONS = new Set(['chat', 'generate_content', 'text_completion']);
/** Operations that carry no conversation of their own: read for session metadata only. */
const QUIET_OPERATIONS = new Set([
  'invoke_agent',
  'create_agent',
  'invoke_workflow',
  'embeddings',
  'retrieval',
  'plan',
  'create_memory',
  'search_memory',
  'update_memory',
  'upsert_memory',
  'delete_memory',
  'create_memory_store',
  'delete_memory_store',
]);
const EVALUATION_EVENT = 'gen_ai.evaluation.result';
// The OTel SDKs' default service name when none is configured (`unknown_service`, `unknown_service:<process>`).
const UNKNOWN_SERVICE = /^unknown_service(?::|$)/;

/** Session fields a trace file determines, accumulated over its spans. */
export interface OtelGenAiSessionMeta {
  /** The first `gen_ai.agent.name` seen. */
  agentName: string | null;
  /** The first resource `service.name` seen (the SDK default `unknown_service…` excluded). */
  serviceName: string | null;
  /** The first `invoke_agent` span's agent name. */
  title: string | null;
  /** Decimal nanoseconds (a JSON-safe bigint). */
  startedAtNanos: string | null;
  endedAtNanos: string | null;
  outcome: SessionOutcome | null;
}

/** What {@link parseOtelGenAiSpans} carries from one export request to the next (saved in JSON-lines cursors). */
export interface OtelGenAiParserState {
  sessions: Record<string, OtelGenAiSessionMeta>;
  /** traceId -> `gen_ai.conversation.id`, so a trace's spans without the attribute join its conversation. */
  traceConversations: Record<string, string>;
  /** `<sessionId>\n<tool call id>` -> tool name, for calls already emitted. */
  toolCalls: Record<string, string>;
  /** `<sessionId>\n<tool call id>` of results already emitted. */
  toolResults: string[];
}

const outcomeSchema = z.object({
  passed: z.boolean().nullable(),
  score: z.number().nullable(),
  source: z.enum(['log', 'cli', 'grader']),
  name: z.string(),
  detail: z.string().nullable(),
});

/** Schema of {@link OtelGenAiParserState}, for decoding a saved cursor (our own data: strict). */
export const otelGenAiParserStateSchema: z.ZodType<OtelGenAiParserState> = z.object({
  sessions: z.record(
    z.string(),
    z.object({
      agentName: z.string().nullable(),
      serviceName: z.string().nullable(),
      title: z.string().nullable(),
      startedAtNanos: z.string().nullable(),
      endedAtNanos: z.string().nullable(),
      outcome: outcomeSchema.nullable(),
    }),
  ),
  traceConversations: z.record(z.string(), z.string()),
  toolCalls: z.record(z.string(), z.string()),
  toolResults: z.array(z.string()),
});

/** The state before the first span of a file. */
export function createOtelGenAiParserState(): OtelGenAiParserState {
  return { sessions: {}, traceConversations: {}, toolCalls: {}, toolResults: [] };
}

/** One batch of spans to read: the `resourceSpans` of one export request, or one `ResourceSpans`. */
export interface OtelGenAiBatch {
  resourceSpans: readonly unknown[];
  path: string;
  /** 1-based line of the batch (the JSON line, or the line where the `ResourceSpans` starts). */
  line: number;
  /** Sequence of the batch's first event; later batches must pass a larger base. */
  sequenceBase: number;
}

/** The outcome of {@link parseOtelGenAiSpans}. */
export interface ParseOtelGenAiSpansResult {
  state: OtelGenAiParserState;
  events: SessionEvent[];
  warnings: IngestWarning[];
  /** Sessions the batch created or changed. */
  sessionIds: string[];
}

/** A span, flattened out of its resource and scope, with what Reverie reads decoded. */
interface FlatSpan {
  traceId: string;
  spanId: string;
  name: string;
  startNanos: bigint | null;
  endNanos: bigint | null;
  attributes: Record<string, unknown>;
  events: { name: string; nanos: bigint | null; attributes: Record<string, unknown> }[];
  failed: boolean;
  statusMessage: string | null;
  serviceName: string | null;
}

/**
 * Reads one batch of OTLP spans into session events. Pure: the input state is never mutated. Never throws: damaged
 * spans and attributes become warnings.
 *
 * - Sessions: spans are grouped by `gen_ai.conversation.id` (a trace whose spans carry it lends it to its other
 *   spans), else by trace id. Only GenAI spans count (a `gen_ai.operation.name`, or a GenAI span event).
 * - Inference spans (`chat`, `generate_content`, `text_completion`): messages from `gen_ai.input.messages` /
 *   `gen_ai.output.messages`, and from the deprecated per-message span events. Every call repeats the conversation
 *   so far in its input, so only the input after its last assistant message is new (tool results, the next user
 *   message); the output is always new.
 * - `execute_tool` spans: a tool call and, when the span has a result or failed (`status.code` 2, or `error.type`),
 *   its result. A call or result already read for the same tool call id (from messages) is not read twice.
 * - `gen_ai.evaluation.result` span events: the session outcome (the last one wins).
 * - Spans are read in start-time order (then span id); event ids are `<traceId>:<spanId>:<n>`.
 */
export function parseOtelGenAiSpans(
  state: OtelGenAiParserState,
  batch: OtelGenAiBatch,
): ParseOtelGenAiSpansResult {
  const reader = new BatchReader(state, batch);
  reader.read();
  return reader.result();
}

/** The work for one batch; a class only to share its values between small methods. */
class BatchReader {
  private readonly events: SessionEvent[] = [];
  private readonly warnings: IngestWarning[] = [];
  private readonly touched = new Set<string>();
  private sessions: Record<string, OtelGenAiSessionMeta>;
  private traceConversations: Record<string, string>;
  private toolCalls: Record<string, string>;
  private toolResults: string[];
  private rank = 0;
  private overflowWarned = false;

  constructor(
    private readonly state: OtelGenAiParserState,
    private readonly batch: OtelGenAiBatch,
  ) {
    this.sessions = state.sessions;
    this.traceConversations = state.traceConversations;
    this.toolCalls = state.toolCalls;
    this.toolResults = state.toolResults;
  }

  read(): void {
    const spans = this.flatten();
    this.learnConversations(spans);
    spans.sort(compareSpans);
    for (const span of spans) this.readSpan(span);
  }

  result(): ParseOtelGenAiSpansResult {
    const state = this.state;
    const changed =
      this.sessions !== state.sessions ||
      this.traceConversations !== state.traceConversations ||
      this.toolCalls !== state.toolCalls ||
      this.toolResults !== state.toolResults;
    return {
      state: changed
        ? {
            sessions: this.sessions,
            traceConversations: this.traceConversations,
            toolCalls: this.toolCalls,
            toolResults: this.toolResults,
          }
        : state,
      events: this.events,
      warnings: this.warnings,
      sessionIds: [...this.touched],
    };
  }

  private warn(message: string): void {
    this.warnings.push({ type: 'invalid-record', path: this.batch.path, line: this.batch.line, message });
  }

  private flatten(): FlatSpan[] {
    const spans: FlatSpan[] = [];
    let skipped = 0;
    for (const raw of this.batch.resourceSpans) {
      const resourceSpans = otelResourceSpansSchema.safeParse(raw);
      if (!resourceSpans.success) {
        this.warn('a "resourceSpans" element is not an object; skipped');
        continue;
      }
      const resource = attributesToRecord(resourceSpans.data.resource?.attributes);
      const service = resource['service.name'];
      const serviceName = typeof service === 'string' && !UNKNOWN_SERVICE.test(service) ? service : null;
      for (const scope of resourceSpans.data.scopeSpans ?? []) {
        for (const rawSpan of scope.spans ?? []) {
          const span = otelSpanSchema.safeParse(rawSpan);
          if (!span.success) {
            skipped++;
            continue;
          }
          spans.push(flattenSpan(span.data, serviceName));
        }
      }
    }
    if (skipped > 0) this.warn(`${String(skipped)} span(s) without "traceId"/"spanId" skipped`);
    return spans;
  }

  /** Lends a trace's `gen_ai.conversation.id` to its spans that lack it (in this batch and later ones). */
  private learnConversations(spans: readonly FlatSpan[]): void {
    for (const span of spans) {
      const conversation = conversationId(span);
      if (conversation === null || this.traceConversations[span.traceId] === conversation) continue;
      const keys = Object.keys(this.traceConversations);
      const kept =
        keys.length >= MAX_TRACE_CONVERSATIONS
          ? Object.fromEntries(keys.slice(1).map((key) => [key, this.traceConversations[key] ?? '']))
          : this.traceConversations;
      this.traceConversations = { ...kept, [span.traceId]: conversation };
    }
  }

  private sessionOf(span: FlatSpan): string {
    return conversationId(span) ?? this.traceConversations[span.traceId] ?? span.traceId;
  }

  private readSpan(span: FlatSpan): void {
    const operation = span.attributes['gen_ai.operation.name'];
    const op = typeof operation === 'string' ? operation : null;
    const hasGenAiEvent = span.events.some((event) => event.name.startsWith('gen_ai.'));
    if (op === null && !hasGenAiEvent) return;
    const sessionId = this.sessionOf(span);
    this.touched.add(sessionId);
    this.noteSession(sessionId, span, op);
    const emitter = new SpanEmitter(this, span, sessionId);
    if (op !== null && INFERENCE_OPERATIONS.has(op)) this.readInference(emitter, span);
    else if (op === 'execute_tool') this.readToolExecution(emitter, span);
    else if (op !== null && !QUIET_OPERATIONS.has(op)) {
      // An operation of a newer convention: kept, without a warning (the operation list is open while the
      // conventions are in Development).
      emitter.push({ kind: 'other', subtype: op, text: span.name, nanos: span.startNanos });
    }
    if (op === null || !INFERENCE_OPERATIONS.has(op)) this.readLegacyMessages(emitter, span);
    this.readEvaluations(sessionId, span);
  }

  private noteSession(sessionId: string, span: FlatSpan, op: string | null): void {
    const previous = Object.hasOwn(this.sessions, sessionId) ? this.sessions[sessionId] : undefined;
    const meta: OtelGenAiSessionMeta = previous ?? {
      agentName: null,
      serviceName: null,
      title: null,
      startedAtNanos: null,
      endedAtNanos: null,
      outcome: null,
    };
    const agent = span.attributes['gen_ai.agent.name'];
    const agentName = typeof agent === 'string' && agent.length > 0 ? agent : null;
    const start = span.startNanos;
    const end = span.endNanos ?? span.startNanos;
    const next: OtelGenAiSessionMeta = {
      agentName: meta.agentName ?? agentName,
      serviceName: meta.serviceName ?? span.serviceName,
      title: meta.title ?? (op === 'invoke_agent' ? agentName : null),
      startedAtNanos:
        start !== null && (meta.startedAtNanos === null || start < BigInt(meta.startedAtNanos))
          ? start.toString()
          : meta.startedAtNanos,
      endedAtNanos:
        end !== null && (meta.endedAtNanos === null || end > BigInt(meta.endedAtNanos))
          ? end.toString()
          : meta.endedAtNanos,
      outcome: meta.outcome,
    };
    if (
      previous === undefined ||
      next.agentName !== meta.agentName ||
      next.serviceName !== meta.serviceName ||
      next.title !== meta.title ||
      next.startedAtNanos !== meta.startedAtNanos ||
      next.endedAtNanos !== meta.endedAtNanos
    ) {
      this.putSession(sessionId, next);
    }
  }

  private putSession(sessionId: string, meta: OtelGenAiSessionMeta): void {
    if (Object.hasOwn(this.sessions, sessionId)) {
      this.sessions = { ...this.sessions, [sessionId]: meta };
      return;
    }
    const keys = Object.keys(this.sessions);
    // A file interleaving more conversations than this forgets the oldest one's metadata; its later upserts carry
    // only what later spans say, which the store merges (time ranges widen, a null title keeps the stored one).
    const kept =
      keys.length >= MAX_SESSIONS_IN_STATE
        ? (Object.fromEntries(keys.slice(1).map((key) => [key, this.sessions[key]])) as Record<
            string,
            OtelGenAiSessionMeta
          >)
        : this.sessions;
    this.sessions = { ...kept, [sessionId]: meta };
  }

  private readInference(emitter: SpanEmitter, span: FlatSpan): void {
    const input = readMessagesAttribute(span.attributes['gen_ai.input.messages']);
    const output = readMessagesAttribute(span.attributes['gen_ai.output.messages']);
    if (input === null) this.warn(`span ${span.spanId}: "gen_ai.input.messages" is not a list of messages`);
    if (output === null) this.warn(`span ${span.spanId}: "gen_ai.output.messages" is not a list of messages`);
    emitter.messages(input ?? [], span.startNanos, true);
    emitter.messages(output ?? [], span.endNanos ?? span.startNanos, false);
    this.readLegacyMessages(emitter, span);
  }

  /** The deprecated per-message span events: inputs (system/user/assistant/tool) and `gen_ai.choice` outputs. */
  private readLegacyMessages(emitter: SpanEmitter, span: FlatSpan): void {
    const inputs: GenAiMessage[] = [];
    const inputTimes: (bigint | null)[] = [];
    const outputs: GenAiMessage[] = [];
    const outputTimes: (bigint | null)[] = [];
    for (const event of span.events) {
      const role = legacyMessageEventRoles.get(event.name);
      if (role !== undefined) {
        inputs.push(readMessage(legacyEventBody(event.attributes), role));
        inputTimes.push(event.nanos);
      } else if (event.name === LEGACY_CHOICE_EVENT) {
        outputs.push(legacyChoiceMessage(legacyEventBody(event.attributes)));
        outputTimes.push(event.nanos);
      }
    }
    if (inputs.length === 0 && outputs.length === 0) return;
    emitter.messages(inputs, span.startNanos, true, inputTimes);
    emitter.messages(outputs, span.endNanos ?? span.startNanos, false, outputTimes);
  }

  private readToolExecution(emitter: SpanEmitter, span: FlatSpan): void {
    const nameAttribute = span.attributes['gen_ai.tool.name'];
    const toolName =
      typeof nameAttribute === 'string' && nameAttribute.length > 0
        ? nameAttribute
        : span.name.startsWith('execute_tool ')
          ? span.name.slice('execute_tool '.length)
          : null;
    const idAttribute = span.attributes['gen_ai.tool.call.id'];
    const callId = typeof idAttribute === 'string' && idAttribute.length > 0 ? idAttribute : null;
    const rawArguments = span.attributes['gen_ai.tool.call.arguments'];
    emitter.toolCall({ id: callId, name: toolName, arguments: rawArguments ?? null }, span.startNanos);
    const errorType = span.attributes['error.type'];
    const failed = span.failed || (typeof errorType === 'string' && errorType.length > 0);
    const result = span.attributes['gen_ai.tool.call.result'];
    // A successful span without a recorded result (`gen_ai.tool.call.result` is opt-in) says nothing the next
    // inference input's tool message will not: the result is left to that message.
    if (result === undefined && !failed) return;
    const lines: string[] = [];
    if (failed) {
      if (span.statusMessage !== null) lines.push(span.statusMessage);
      const exception = span.events.find((event) => event.name === 'exception');
      const exceptionMessage = exception?.attributes['exception.message'];
      if (typeof exceptionMessage === 'string' && !lines.includes(exceptionMessage))
        lines.push(exceptionMessage);
    }
    if (result !== undefined && result !== null) lines.push(textOf(result));
    if (failed && typeof errorType === 'string' && !lines.some((line) => line.includes(errorType))) {
      lines.push(`error.type: ${errorType}`);
    }
    emitter.toolResult(
      { id: callId, text: lines.join('\n'), isError: failed },
      span.endNanos ?? span.startNanos,
    );
  }

  private readEvaluations(sessionId: string, span: FlatSpan): void {
    for (const event of span.events) {
      if (event.name !== EVALUATION_EVENT) continue;
      const outcome = evaluationOutcome(event.attributes);
      const meta = this.sessions[sessionId];
      if (meta !== undefined) this.putSession(sessionId, { ...meta, outcome });
    }
  }

  // Shared with SpanEmitter -------------------------------------------------------------------------------------

  /** Reserves the next sequence of the batch, or null (with one warning) when the batch is full. */
  nextSequence(): number | null {
    if (this.rank >= MAX_EVENTS_PER_BATCH) {
      if (!this.overflowWarned) {
        this.overflowWarned = true;
        this.warn(`more than ${String(MAX_EVENTS_PER_BATCH)} events in one export request; the rest skipped`);
      }
      return null;
    }
    const sequence = this.batch.sequenceBase + this.rank;
    this.rank++;
    return sequence;
  }

  addEvent(event: SessionEvent): void {
    this.events.push(event);
  }

  get path(): string {
    return this.batch.path;
  }

  get line(): number {
    return this.batch.line;
  }

  hasToolCall(key: string): boolean {
    return Object.hasOwn(this.toolCalls, key);
  }

  toolNameOf(key: string): string | null {
    return Object.hasOwn(this.toolCalls, key) ? (this.toolCalls[key] ?? null) : null;
  }

  rememberToolCall(key: string, name: string): void {
    const keys = Object.keys(this.toolCalls);
    const kept =
      keys.length >= MAX_TOOL_CALLS
        ? Object.fromEntries(keys.slice(1).map((existing) => [existing, this.toolCalls[existing] ?? '']))
        : this.toolCalls;
    this.toolCalls = { ...kept, [key]: name };
  }

  hasToolResult(key: string): boolean {
    return this.toolResults.includes(key);
  }

  rememberToolResult(key: string): void {
    const kept = this.toolResults.length >= MAX_TOOL_RESULTS ? this.toolResults.slice(1) : this.toolResults;
    this.toolResults = [...kept, key];
  }
}

/** Emits the events of one span, numbering them `<traceId>:<spanId>:<n>` in the order they are considered. */
class SpanEmitter {
  private n = 0;

  constructor(
    private readonly reader: BatchReader,
    private readonly span: FlatSpan,
    private readonly sessionId: string,
  ) {}

  /**
   * Emits messages. For an input list (which repeats the conversation so far), only the messages after its last
   * assistant message are new; the earlier ones still take an `n`, so ids stay stable.
   */
  messages(
    messages: readonly GenAiMessage[],
    nanos: bigint | null,
    isInput: boolean,
    times?: readonly (bigint | null)[],
  ): void {
    let firstNew = 0;
    if (isInput) {
      for (let index = messages.length - 1; index >= 0; index--) {
        if (messages[index]?.role === 'assistant') {
          firstNew = index + 1;
          break;
        }
      }
    }
    messages.forEach((message, index) => {
      const time = times?.[index] ?? nanos;
      for (const part of message.parts) {
        if (index < firstNew) this.n++;
        else this.part(message.role, part, time);
      }
    });
  }

  private part(role: string, part: GenAiPart, nanos: bigint | null): void {
    switch (part.type) {
      case 'text':
        this.push({ ...roleKind(role), text: part.text, nanos });
        return;
      case 'reasoning':
        this.push({ kind: 'assistant-message', subtype: 'thinking', text: part.text, nanos });
        return;
      case 'tool_call':
        this.toolCall(part, nanos);
        return;
      case 'tool_call_response':
        this.toolResult({ id: part.id, text: textOf(part.response), isError: false }, nanos);
        return;
      case 'other':
        this.push({ kind: 'other', subtype: part.partType, text: '', nanos });
        return;
    }
  }

  toolCall(call: { id: string | null; name: string | null; arguments: unknown }, nanos: bigint | null): void {
    const key = call.id === null ? null : `${this.sessionId}\n${call.id}`;
    if (key !== null && this.reader.hasToolCall(key)) {
      this.n++;
      return;
    }
    if (key !== null) this.reader.rememberToolCall(key, call.name ?? '');
    // Arguments are an object, or its JSON string when structured attributes are not supported.
    const structured = structuredValue(call.arguments);
    const toolInput = structured === undefined ? call.arguments : structured;
    this.push({
      kind: 'tool-call',
      subtype: null,
      text: typeof call.arguments === 'string' ? call.arguments : textOf(call.arguments),
      nanos,
      toolName: call.name,
      toolCallId: call.id,
      toolInput: toolInput ?? null,
    });
  }

  toolResult(result: { id: string | null; text: string; isError: boolean }, nanos: bigint | null): void {
    const key = result.id === null ? null : `${this.sessionId}\n${result.id}`;
    if (key !== null && this.reader.hasToolResult(key)) {
      this.n++;
      return;
    }
    if (key !== null) this.reader.rememberToolResult(key);
    const name = key === null ? null : this.reader.toolNameOf(key);
    this.push({
      kind: 'tool-result',
      subtype: null,
      text: capText(result.text, TOOL_RESULT_MAX_BYTES),
      nanos,
      toolName: name === '' ? null : name,
      toolCallId: result.id,
      isError: result.isError,
    });
  }

  push(fields: {
    kind: EventKind;
    subtype: string | null;
    text: string;
    nanos: bigint | null;
    toolName?: string | null;
    toolCallId?: string | null;
    toolInput?: unknown;
    isError?: boolean;
  }): void {
    const n = this.n;
    this.n++;
    const sequence = this.reader.nextSequence();
    if (sequence === null) return;
    const { span } = this;
    this.reader.addEvent({
      id: `${span.traceId}:${span.spanId}:${String(n)}`,
      sessionId: this.sessionId,
      sequence,
      kind: fields.kind,
      subtype: fields.subtype,
      timestamp: nanosToIso(fields.nanos),
      text: fields.text,
      messageId: null,
      toolName: fields.toolName ?? null,
      toolCallId: fields.toolCallId ?? null,
      toolInput: fields.toolInput ?? null,
      isError: fields.isError ?? false,
      isRejection: false,
      source: { path: this.reader.path, line: this.reader.line },
    });
  }
}

function roleKind(role: string): { kind: EventKind; subtype: string | null } {
  switch (role) {
    case 'user':
      return { kind: 'user-message', subtype: null };
    case 'assistant':
      return { kind: 'assistant-message', subtype: null };
    case 'system':
      return { kind: 'system', subtype: null };
    default:
      return { kind: 'other', subtype: `message:${role}` };
  }
}

function flattenSpan(span: z.infer<typeof otelSpanSchema>, serviceName: string | null): FlatSpan {
  const events: FlatSpan['events'] = [];
  for (const raw of span.events ?? []) {
    const event = otelSpanEventSchema.safeParse(raw);
    if (!event.success || event.data.name == null) continue;
    events.push({
      name: event.data.name,
      nanos: parseUnixNanos(event.data.timeUnixNano),
      attributes: attributesToRecord(event.data.attributes),
    });
  }
  const code = span.status?.code ?? null;
  return {
    // Hex ids: OTLP/JSON writes them in any case (opentelemetry-proto's example uses upper case).
    traceId: span.traceId.toLowerCase(),
    spanId: span.spanId.toLowerCase(),
    name: span.name ?? '',
    startNanos: parseUnixNanos(span.startTimeUnixNano),
    endNanos: parseUnixNanos(span.endTimeUnixNano),
    attributes: attributesToRecord(span.attributes),
    events,
    failed: code === 2 || code === 'STATUS_CODE_ERROR',
    statusMessage:
      span.status?.message != null && span.status.message.length > 0 ? span.status.message : null,
    serviceName,
  };
}

function conversationId(span: FlatSpan): string | null {
  const value = span.attributes['gen_ai.conversation.id'];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function compareSpans(left: FlatSpan, right: FlatSpan): number {
  // Spans without a start time sort last; ties break on span id so the order never depends on the file's.
  if (left.startNanos !== right.startNanos) {
    if (left.startNanos === null) return 1;
    if (right.startNanos === null) return -1;
    return left.startNanos < right.startNanos ? -1 : 1;
  }
  return left.spanId < right.spanId ? -1 : left.spanId > right.spanId ? 1 : 0;
}

const PASS_LABELS = new Set(['pass', 'passed', 'true', 'success', 'succeeded', 'correct', 'yes']);
const FAIL_LABELS = new Set(['fail', 'failed', 'false', 'failure', 'incorrect', 'no']);

/** A `gen_ai.evaluation.result` event as an outcome. */
function evaluationOutcome(attributes: Record<string, unknown>): SessionOutcome {
  const name = attributes['gen_ai.evaluation.name'];
  const rawScore = attributes['gen_ai.evaluation.score.value'];
  const score =
    typeof rawScore === 'number' ? rawScore : typeof rawScore === 'string' ? Number(rawScore) : null;
  const label = attributes['gen_ai.evaluation.score.label'];
  const normalized = typeof label === 'string' ? label.trim().toLowerCase() : null;
  const explanation = attributes['gen_ai.evaluation.explanation'];
  return {
    passed:
      normalized === null
        ? null
        : PASS_LABELS.has(normalized)
          ? true
          : FAIL_LABELS.has(normalized)
            ? false
            : null,
    score: score !== null && Number.isFinite(score) ? score : null,
    source: 'log',
    name: typeof name === 'string' && name.length > 0 ? name : 'evaluation',
    detail:
      typeof explanation === 'string' && explanation.length > 0
        ? explanation
        : typeof label === 'string'
          ? label
          : null,
  };
}
