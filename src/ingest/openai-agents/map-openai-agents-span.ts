import { hashText } from '../../domain/hash.js';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import { extractOpenAiItems } from './extract-openai-items.js';
import type { OpenAiItem } from './extract-openai-items.js';
import type { OpenAiAgentsSpan, OpenAiAgentsSpanData } from './openai-agents-schema.js';

/** An event before the reader gives it its place in the session (`sequence`). */
export type EventDraft = Omit<SessionEvent, 'sequence'>;

// Message keys remembered per session: enough to recognise the history a model input repeats (each input carries
// the whole conversation so far), small enough for the file cursor.
const MAX_SEEN_MESSAGES = 64;

/** What {@link mapOpenAiAgentsSpan} needs besides the span. */
export interface MapSpanInput {
  span: OpenAiAgentsSpan;
  data: OpenAiAgentsSpanData;
  sessionId: string;
  path: string;
  line: number;
  /** Keys of the session's recent messages (see {@link MapSpanResult.seen}). */
  seen: readonly string[];
}

/** The events of one span. */
export interface MapSpanResult {
  events: EventDraft[];
  warnings: IngestWarning[];
  /** The session's recent message keys, with this span's messages added. */
  seen: string[];
}

/**
 * The events of one exported span (openai-agents-python / openai-agents-js tracing, `span_data.type`):
 *
 * - `generation` (Chat Completions) and `response` (Responses API, when `_input` / `_response` were written out):
 *   the messages of the model input that the session has not seen yet (an input repeats the whole history), then
 *   the output messages; a tool the model asks for is an `assistant-message` with subtype `tool-request`.
 * - `function`: a `tool-call` (the JSON arguments) and a `tool-result` (the output), joined by the span id; the
 *   result is an error when the span has `error` (its text: the error message, its data, then the output).
 * - `guardrail`: a tripped guardrail is a `system` event (subtype `guardrail`): the agent was stopped on purpose,
 *   no tool failed. A guardrail that passed is `other`.
 * - `handoff`: a `system` event (subtype `handoff`); `agent`: no event (the session's agent); `custom`, speech,
 *   transcription, `mcp_tools` and a response without content: `other` events.
 * - any other span with `error`: a `system` event (subtype `error`).
 * - an unknown type: an `other` event and an `unknown-record` warning.
 */
export function mapOpenAiAgentsSpan(input: MapSpanInput): MapSpanResult {
  const { span, data, sessionId, path, line } = input;
  const spanId = span.id ?? `${sessionId}:L${String(line)}`;
  const events: EventDraft[] = [];
  const warnings: IngestWarning[] = [];
  const seen = [...input.seen];
  const startedAt = span.started_at ?? null;
  const endedAt = span.ended_at ?? startedAt;

  const push = (
    kind: EventKind,
    subtype: string | null,
    text: string,
    timestamp: string | null,
    fields: Partial<
      Pick<SessionEvent, 'messageId' | 'toolName' | 'toolCallId' | 'toolInput' | 'isError'>
    > = {},
  ): void => {
    events.push({
      id: `oa:${spanId}:${String(events.length)}`,
      sessionId,
      kind,
      subtype,
      timestamp: validTimestamp(timestamp),
      text,
      messageId: fields.messageId ?? null,
      toolName: fields.toolName ?? null,
      toolCallId: fields.toolCallId ?? null,
      toolInput: fields.toolInput ?? null,
      isError: fields.isError ?? false,
      isRejection: false,
      source: { path, line },
    });
  };

  const pushItems = (
    items: readonly OpenAiItem[],
    options: { isInput: boolean; timestamp: string | null; messageId: string | null },
  ): void => {
    for (const item of items) {
      if (item.kind === 'other') {
        // Items of the repeated history are not news; only the model's own output is kept.
        if (!options.isInput)
          push('other', item.type, '', options.timestamp, { messageId: options.messageId });
        continue;
      }
      const [kind, subtype] =
        item.kind === 'tool-request'
          ? (['assistant-message', 'tool-request'] as const)
          : messageKind(item.role, item.subtype);
      const key = hashText(`${kind}\n${subtype ?? ''}\n${item.text}`);
      if (options.isInput && seen.includes(key)) continue;
      seen.push(key);
      if (seen.length > MAX_SEEN_MESSAGES) seen.splice(0, seen.length - MAX_SEEN_MESSAGES);
      push(kind, subtype, item.text, options.timestamp, {
        messageId: options.isInput ? null : options.messageId,
      });
    }
  };

  switch (data.type) {
    case 'agent':
      break;
    case 'generation': {
      const inputItems = extractOpenAiItems(data.input, 'user');
      const outputItems = extractOpenAiItems(data.output, 'assistant');
      pushItems(inputItems, { isInput: true, timestamp: startedAt, messageId: null });
      pushItems(outputItems, { isInput: false, timestamp: endedAt, messageId: spanId });
      if (inputItems.length === 0 && outputItems.length === 0) {
        // Inputs and outputs are left out when tracing excludes sensitive data (`trace_include_sensitive_data`).
        push('other', 'generation', data.model ?? '', startedAt);
      }
      break;
    }
    case 'response': {
      const response = data._response ?? data.response;
      const responseObject = isJsonObject(response) ? response : null;
      const instructions = responseObject?.['instructions'];
      const inputItems = [
        ...(typeof instructions === 'string' && instructions.length > 0
          ? [{ kind: 'message', role: 'system', text: instructions, subtype: null } as const]
          : []),
        ...extractOpenAiItems(data._input ?? data.input, 'user'),
      ];
      const outputItems = extractOpenAiItems(responseObject?.['output'], 'assistant');
      const responseId =
        typeof responseObject?.['id'] === 'string' ? responseObject['id'] : (data.response_id ?? null);
      pushItems(inputItems, { isInput: true, timestamp: startedAt, messageId: null });
      pushItems(outputItems, { isInput: false, timestamp: endedAt, messageId: responseId ?? spanId });
      if (inputItems.length === 0 && outputItems.length === 0) {
        // The SDK's own export carries only the response id: the model call happened, its content is elsewhere.
        push('other', 'response', responseId ?? '', startedAt, { messageId: responseId });
      }
      break;
    }
    case 'function': {
      const name = data.name ?? null;
      const rawInput = data.input;
      const callText =
        typeof rawInput === 'string' ? rawInput : rawInput === undefined ? 'null' : JSON.stringify(rawInput);
      push('tool-call', null, callText, startedAt, {
        toolName: name,
        toolCallId: spanId,
        toolInput: toolInputOf(rawInput),
      });
      const output = textOf(data.output);
      const resultText =
        span.error == null
          ? output
          : [errorText(span.error), output].filter((part) => part.length > 0).join('\n');
      // Capped at 64 KiB (head kept verbatim), like every format: see TOOL_RESULT_MAX_BYTES.
      push('tool-result', null, capText(resultText, TOOL_RESULT_MAX_BYTES), endedAt, {
        toolName: name,
        toolCallId: spanId,
        isError: span.error != null,
      });
      break;
    }
    case 'handoff':
      push('system', 'handoff', `${data.from_agent ?? '?'} -> ${data.to_agent ?? '?'}`, startedAt);
      break;
    case 'guardrail':
      if (data.triggered === true)
        push('system', 'guardrail', `guardrail ${data.name ?? '?'} tripped`, startedAt);
      else push('other', 'guardrail', `guardrail ${data.name ?? '?'} passed`, startedAt);
      break;
    case 'custom':
      push('other', 'custom', data.name ?? '', startedAt);
      break;
    case 'transcription':
      push('other', 'transcription', textOf(data.output), startedAt);
      break;
    case 'speech':
    case 'speech_group':
      push('other', data.type, textOf(data.input), startedAt);
      break;
    case 'mcp_tools':
      push(
        'other',
        'mcp_tools',
        `${data.server ?? ''}: ${Array.isArray(data.result) ? data.result.map(String).join(', ') : ''}`,
        startedAt,
      );
      break;
    default:
      // A span type newer than this reader: kept, so its place in the session is not lost.
      push('other', data.type, '', startedAt);
      warnings.push({ type: 'unknown-record', path, line, recordType: data.type });
  }
  if (span.error != null && data.type !== 'function') {
    push('system', 'error', errorText(span.error), endedAt);
  }
  return { events, warnings, seen };
}

function messageKind(role: string, subtype: string | null): readonly [EventKind, string | null] {
  switch (role) {
    case 'user':
      return ['user-message', subtype];
    case 'assistant':
      return ['assistant-message', subtype];
    case 'system':
    case 'developer':
      return ['system', 'instructions'];
    default:
      // A role this reader does not know: kept as `other`, the role as subtype.
      return ['other', role];
  }
}

/** The SDK records tool arguments as the JSON text the model wrote; the event keeps the parsed value. */
function toolInputOf(input: unknown): unknown {
  if (typeof input !== 'string') return input ?? null;
  const parsed = safeParseJson(input);
  return parsed.success ? parsed.value : input;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** `SpanError` as text: the message, then its data as JSON. */
export function errorText(error: { message?: unknown; data?: unknown }): string {
  const message = textOf(error.message);
  const data = error.data === undefined || error.data === null ? '' : JSON.stringify(error.data);
  return [message, data].filter((part) => part.length > 0).join('\n');
}

function validTimestamp(value: string | null): string | null {
  return value === null || Number.isNaN(Date.parse(value)) ? null : value;
}
