import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { isJsonObject } from '../../util/json.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import type { DocumentStep } from '../read-json-document-chunks.js';
import {
  openHandsConversationActions,
  openHandsConversationObservations,
  openHandsEventSchema,
  openHandsIgnoredActions,
  openHandsIgnoredObservations,
  openHandsSystemActions,
  openHandsSystemObservations,
  openHandsToolActions,
  openHandsToolObservations,
} from './openhands-schema.js';
import type { OpenHandsEvent } from './openhands-schema.js';

const TITLE_MAX_CHARS = 160;
// Calls whose observation never comes (an interrupted run) are forgotten past this bound.
const MAX_PENDING_TOOL_CALLS = 512;
// Observations that carry no tool of their own: the tool comes from the action they answer.
const UNNAMED_OBSERVATIONS: ReadonlySet<string> = new Set(['error', 'success', 'user_rejected']);
// An IPython cell that raised: IPython prints `<Name>Error   Traceback (most recent call last)`, plain Python the
// `Traceback (most recent call last):` line.
const IPYTHON_TRACEBACK = /(?:^|\s)Traceback \(most recent call last\)/m;

/** A tool call waiting for its observation. */
interface PendingToolCall {
  toolName: string;
  toolCallId: string | null;
}

/** Session fields an OpenHands event stream determines, accumulated over its events. */
export interface OpenHandsSessionMeta {
  title: string | null;
  cwd: string | null;
  startedAt: string | null;
  startedAtMs: number | null;
  endedAt: string | null;
  endedAtMs: number | null;
}

/** What {@link parseOpenHandsRecord} carries from one event to the next (held in memory for one read). */
export interface OpenHandsParserState {
  /** Events written so far: the sequence of the next event. */
  events: number;
  /** OpenHands event id of a tool action -> the call, until its observation arrives. */
  pending: Record<string, PendingToolCall>;
  meta: OpenHandsSessionMeta;
}

/** The state before the first event of a file. */
export function createOpenHandsParserState(): OpenHandsParserState {
  return {
    events: 0,
    pending: {},
    meta: { title: null, cwd: null, startedAt: null, startedAtMs: null, endedAt: null, endedAtMs: null },
  };
}

/** What the caller knows about the file. */
export interface OpenHandsRecordContext {
  path: string;
  sessionId: string;
}

/**
 * Reads one event of an OpenHands trajectory (an element of the top-level array). Pure: the input state is never
 * mutated. Never throws: an element without `action` or `observation` is an `invalid-record` warning; an action or
 * observation type Reverie does not know is an `other` event with an `unknown-record` warning.
 *
 * - Actions: `message` by the user or the agent is a user or assistant message; `think`, `finish` and `reject` are
 *   assistant messages (subtype `thinking`, `finish`, `reject`); tool actions (`run`, `run_ipython`, `read`, `write`,
 *   `edit`, `browse`, `delegate`, ...) are a `tool-call` named by the action type (input: `args` without `thought`),
 *   preceded by the agent's `thought` as an assistant message; bookkeeping (`system`, `change_agent_state`, `recall`,
 *   condensation) is a `system` event. `null` is skipped.
 * - Observations: tool observations are a `tool-result` joined to the action by `cause` (and carry its
 *   `tool_call_metadata.tool_call_id`); an `error` that answers no tool action is a `system` event. `null` and `think`
 *   are skipped; `agent_state_changed` and other bookkeeping are `system` events.
 *
 * Event id `<sessionId>:<n>`, sequence `n`; timestamps as OpenHands wrote them (local time without a zone).
 */
export function parseOpenHandsRecord(
  state: OpenHandsParserState,
  record: { value: unknown; line: number },
  context: OpenHandsRecordContext,
): DocumentStep<OpenHandsParserState> {
  const { path } = context;
  const { line } = record;
  const parsed = isJsonObject(record.value) ? openHandsEventSchema.safeParse(record.value) : null;
  const event = parsed?.success === true ? parsed.data : null;
  if (event === null || (event.action == null && event.observation == null)) {
    const warning: IngestWarning = {
      type: 'invalid-record',
      path,
      line,
      message: 'OpenHands event: no "action" or "observation"',
    };
    return { state, events: [], warnings: [warning], sessionIds: [] };
  }
  const reader = new EventReader(state, event, record, context);
  if (event.action != null) reader.readAction(event.action);
  else if (event.observation != null) reader.readObservation(event.observation);
  return reader.result();
}

/**
 * The rest of the document once every event is read. A trajectory is a bare array, so there is nothing to read from
 * it; a document that is not an array at all is one warning.
 */
export function finishOpenHandsDocument(
  state: OpenHandsParserState,
  envelope: { value: unknown; foundRecords: boolean },
  context: Pick<OpenHandsRecordContext, 'path'>,
): DocumentStep<OpenHandsParserState> {
  const warnings: IngestWarning[] =
    envelope.value !== null && !envelope.foundRecords
      ? [
          {
            type: 'invalid-record',
            path: context.path,
            line: 1,
            message: 'not an OpenHands trajectory: the document is not a JSON array of events',
          },
        ]
      : [];
  return { state, events: [], warnings, sessionIds: [] };
}

/** The work for one event; a class only to share its values between small methods. */
class EventReader {
  private readonly events: SessionEvent[] = [];
  private readonly warnings: IngestWarning[] = [];
  private readonly timestamp: string | null;
  private readonly timestampMs: number | null;
  private sequence: number;
  private pending: Record<string, PendingToolCall>;
  private meta: OpenHandsSessionMeta;

  constructor(
    private readonly state: OpenHandsParserState,
    private readonly event: OpenHandsEvent,
    private readonly record: { value: unknown; line: number },
    private readonly context: OpenHandsRecordContext,
  ) {
    this.sequence = state.events;
    this.pending = state.pending;
    this.meta = state.meta;
    const timestamp = event.timestamp ?? null;
    const timestampMs = timestamp === null ? Number.NaN : Date.parse(timestamp);
    this.timestamp = Number.isNaN(timestampMs) ? null : timestamp;
    this.timestampMs = Number.isNaN(timestampMs) ? null : timestampMs;
  }

  readAction(type: string): void {
    const { event } = this;
    const args = event.args ?? null;
    if (openHandsIgnoredActions.has(type)) return;
    if (openHandsConversationActions.has(type)) {
      switch (type) {
        case 'think':
          this.push('assistant-message', args?.thought ?? event.message ?? '', { subtype: 'thinking' });
          return;
        case 'finish':
          this.push(
            'assistant-message',
            nonEmpty(args?.final_thought) ?? nonEmpty(args?.thought) ?? event.message ?? '',
            { subtype: 'finish' },
          );
          return;
        case 'reject':
          this.push('assistant-message', args?.reason ?? event.message ?? '', { subtype: 'reject' });
          return;
        default:
          this.pushMessage(args?.content ?? event.message ?? '');
          return;
      }
    }
    if (openHandsToolActions.has(type)) {
      const messageId = event.tool_call_metadata?.model_response?.id ?? null;
      const thought = nonEmpty(args?.thought);
      if (thought !== null) this.push('assistant-message', thought, { messageId });
      const input = toolInput(this.record.value);
      const toolCallId = event.tool_call_metadata?.tool_call_id ?? null;
      if (event.id != null) this.addPending(event.id, { toolName: type, toolCallId });
      this.push('tool-call', JSON.stringify(input), {
        messageId,
        toolName: type,
        toolCallId,
        toolInput: input,
      });
      return;
    }
    if (openHandsSystemActions.has(type)) {
      this.push('system', args?.content ?? event.message ?? args?.agent_state ?? '', { subtype: type });
      return;
    }
    this.unknown(type);
  }

  readObservation(type: string): void {
    const { event } = this;
    if (openHandsIgnoredObservations.has(type)) return;
    if (openHandsToolObservations.has(type)) {
      const cause = event.cause ?? null;
      const call = cause !== null && Object.hasOwn(this.pending, cause) ? this.pending[cause] : undefined;
      if (call !== undefined && cause !== null) {
        const { [cause]: _answered, ...rest } = this.pending;
        this.pending = rest;
      }
      const toolCallId = event.tool_call_metadata?.tool_call_id ?? call?.toolCallId ?? null;
      // A command's output as OpenHands showed it to the model (`CmdOutputObservation.to_agent_observation`:
      // prefix + output + suffix, the suffix saying how the command ended); an empty output falls back to the
      // event's one-line message ("Command `x` executed with exit code 0.").
      const metadata = event.extras?.metadata ?? null;
      const body =
        type === 'run'
          ? `${metadata?.prefix ?? ''}${event.content ?? ''}${metadata?.suffix ?? ''}`
          : (event.content ?? '');
      const text = body.length > 0 ? body : (event.message ?? '');
      if (type === 'error' && call === undefined && toolCallId === null) {
        // An error that answers no tool call (the agent stuck in a loop, an LLM failure): not a tool's failure.
        this.push('system', text, { subtype: 'error' });
        return;
      }
      this.noteWorkingDirectory();
      const rejected = type === 'user_rejected';
      this.push('tool-result', capText(text, TOOL_RESULT_MAX_BYTES), {
        toolName: call?.toolName ?? (UNNAMED_OBSERVATIONS.has(type) ? null : type),
        toolCallId,
        isError: rejected || this.failed(type, text),
        isRejection: rejected,
      });
      return;
    }
    if (openHandsSystemObservations.has(type)) {
      const text =
        type === 'agent_state_changed' ? (event.extras?.agent_state ?? event.content ?? '') : event.content;
      this.push('system', text ?? event.message ?? '', { subtype: type });
      return;
    }
    if (openHandsConversationObservations.has(type)) {
      this.pushMessage(event.content ?? event.message ?? '');
      return;
    }
    this.unknown(type);
  }

  result(): DocumentStep<OpenHandsParserState> {
    const { state } = this;
    const changed =
      this.sequence !== state.events || this.pending !== state.pending || this.meta !== state.meta;
    return {
      state: changed ? { events: this.sequence, pending: this.pending, meta: this.meta } : state,
      events: this.events,
      warnings: this.warnings,
      sessionIds: this.events.length > 0 || this.meta !== state.meta ? [this.context.sessionId] : [],
    };
  }

  /**
   * How OpenHands reports a failed tool: an `error` observation (a refused edit, a missing file, a bad argument), a
   * command observation with `success: false` or a non-zero exit code (-1 means OpenHands stopped waiting for a
   * command that had not finished, e.g. a server started in the foreground), or an IPython cell that raised.
   */
  private failed(type: string, text: string): boolean {
    const { event } = this;
    if (type === 'error' || event.success === false) return true;
    if (type === 'run') {
      const exitCode = event.extras?.metadata?.exit_code ?? event.extras?.exit_code ?? null;
      return exitCode !== null && exitCode !== 0;
    }
    return type === 'run_ipython' && IPYTHON_TRACEBACK.test(text);
  }

  private pushMessage(text: string): void {
    const source = this.event.source ?? null;
    if (source === 'user') {
      this.push('user-message', text);
      if (this.meta.title === null) {
        const title = titleFrom(text);
        if (title !== null) this.meta = { ...this.meta, title };
      }
    } else if (source === 'agent') this.push('assistant-message', text);
    else this.push('system', text, { subtype: 'message' });
  }

  private unknown(type: string): void {
    this.push('other', this.event.message ?? '', { subtype: type });
    this.warnings.push({
      type: 'unknown-record',
      path: this.context.path,
      line: this.record.line,
      recordType: type,
    });
  }

  private noteWorkingDirectory(): void {
    const directory = this.event.extras?.metadata?.working_dir ?? null;
    if (this.meta.cwd === null && directory !== null && directory.length > 0) {
      this.meta = { ...this.meta, cwd: directory };
    }
  }

  private addPending(id: string, call: PendingToolCall): void {
    const keys = Object.keys(this.pending);
    const kept =
      keys.length >= MAX_PENDING_TOOL_CALLS
        ? Object.fromEntries(keys.slice(1).map((key) => [key, this.pending[key]]))
        : this.pending;
    this.pending = { ...(kept as Record<string, PendingToolCall>), [id]: call };
  }

  private push(
    kind: EventKind,
    text: string,
    fields: Partial<
      Pick<
        SessionEvent,
        'subtype' | 'messageId' | 'toolName' | 'toolCallId' | 'toolInput' | 'isError' | 'isRejection'
      >
    > = {},
  ): void {
    const { sessionId, path } = this.context;
    const sequence = this.sequence;
    this.sequence++;
    this.widen();
    this.events.push({
      id: `${sessionId}:${String(sequence)}`,
      sessionId,
      sequence,
      kind,
      subtype: fields.subtype ?? null,
      timestamp: this.timestamp,
      text,
      messageId: fields.messageId ?? null,
      toolName: fields.toolName ?? null,
      toolCallId: fields.toolCallId ?? null,
      toolInput: fields.toolInput ?? null,
      isError: fields.isError ?? false,
      isRejection: fields.isRejection ?? false,
      source: { path, line: this.record.line },
    });
  }

  /** Widens the session's time range to this event's time. */
  private widen(): void {
    const { timestamp, timestampMs } = this;
    if (timestamp === null || timestampMs === null) return;
    let meta = this.meta;
    if (meta.startedAtMs === null || timestampMs < meta.startedAtMs) {
      meta = { ...meta, startedAt: timestamp, startedAtMs: timestampMs };
    }
    if (meta.endedAtMs === null || timestampMs > meta.endedAtMs) {
      meta = { ...meta, endedAt: timestamp, endedAtMs: timestampMs };
    }
    this.meta = meta;
  }
}

/** A tool action's input: its `args` as written, without the agent's `thought` (read as a message of its own). */
function toolInput(value: unknown): unknown {
  if (!isJsonObject(value)) return null;
  const args = value['args'];
  if (!isJsonObject(args)) return args ?? null;
  const { thought: _thought, ...rest } = args;
  return rest;
}

function nonEmpty(text: string | null | undefined): string | null {
  return text === null || text === undefined || text.trim().length === 0 ? null : text;
}

function titleFrom(text: string): string | null {
  const firstLine = text
    .split('\n')
    .map((candidate) => candidate.trim())
    .find((candidate) => candidate.length > 0);
  if (firstLine === undefined) return null;
  const collapsed = firstLine.replace(/\s+/g, ' ');
  return collapsed.length <= TITLE_MAX_CHARS ? collapsed : `${collapsed.slice(0, TITLE_MAX_CHARS - 1)}…`;
}
