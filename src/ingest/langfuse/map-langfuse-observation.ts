import { hashText } from '../../domain/hash.js';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { isJsonObject } from '../../util/json.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import { extractLangfuseMessages, parseJsonText } from './extract-langfuse-messages.js';
import type { LangfuseMessage } from './extract-langfuse-messages.js';
import { langfuseObservationTypes } from './langfuse-schema.js';
import type { LangfuseObservation } from './langfuse-schema.js';

/** An event before the reader gives it its place in the session (`sequence`). */
export type EventDraft = Omit<SessionEvent, 'sequence'>;

// Message keys remembered per session: enough to recognise the history a generation's input repeats, small enough
// for the file cursor.
const MAX_SEEN_MESSAGES = 64;

/** What {@link mapLangfuseObservation} needs besides the observation. */
export interface MapObservationInput {
  observation: LangfuseObservation;
  /** The observation type in upper case (`GENERATION`), from the observation or from its ingestion event. */
  type: string;
  sessionId: string;
  path: string;
  line: number;
  /** Keys of the session's recent messages (see {@link MapObservationResult.seen}). */
  seen: readonly string[];
}

/** The events of one observation. */
export interface MapObservationResult {
  events: EventDraft[];
  warnings: IngestWarning[];
  seen: string[];
}

/**
 * The events of one Langfuse observation:
 *
 * - `GENERATION`: the input messages the session has not seen yet (an input repeats the history), then the output
 *   messages; a tool the model asks for is an `assistant-message` with subtype `tool-request`.
 * - `TOOL`, and a `SPAN` that its name or OpenTelemetry attributes mark as a tool run (`execute_tool <name>`,
 *   `gen_ai.operation.name: execute_tool`, OpenInference or LangSmith span kind `tool`): a `tool-call` (the input)
 *   and a `tool-result` (the output), joined by the observation id. The result is an error when the observation's
 *   `level` is `ERROR` (its text: `statusMessage`, then the output).
 * - `EVENT`: a `system` event (subtype `event`); the other types (`SPAN`, `AGENT`, `CHAIN`, `RETRIEVER`,
 *   `EVALUATOR`, `EMBEDDING`, `GUARDRAIL`): an `other` event named after the observation.
 * - any other observation at level `ERROR`: a `system` event (subtype `error`) with its `statusMessage`.
 * - an unknown type: an `other` event and an `unknown-record` warning.
 */
export function mapLangfuseObservation(input: MapObservationInput): MapObservationResult {
  const { observation, type, sessionId, path, line } = input;
  const observationId = observation.id ?? `${sessionId}:L${String(line)}`;
  const events: EventDraft[] = [];
  const warnings: IngestWarning[] = [];
  const seen = [...input.seen];
  const startTime = observation.startTime ?? null;
  const endTime = observation.endTime ?? startTime;
  const name = observation.name ?? '';
  const isError = (observation.level ?? '').toUpperCase() === 'ERROR';

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
      id: `lf:${observationId}:${String(events.length)}`,
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

  const pushMessages = (
    messages: readonly LangfuseMessage[],
    options: { isInput: boolean; timestamp: string | null },
  ): void => {
    for (const message of messages) {
      const [kind, subtype] =
        message.kind === 'tool-request'
          ? (['assistant-message', 'tool-request'] as const)
          : messageKind(message.role, message.subtype);
      const key = hashText(`${kind}\n${subtype ?? ''}\n${message.text}`);
      if (options.isInput && seen.includes(key)) continue;
      seen.push(key);
      if (seen.length > MAX_SEEN_MESSAGES) seen.splice(0, seen.length - MAX_SEEN_MESSAGES);
      push(kind, subtype, message.text, options.timestamp, {
        messageId: options.isInput ? null : observationId,
      });
    }
  };

  const spanTool = type === 'SPAN' ? toolNameOf(observation) : null;
  if (type === 'TOOL' || spanTool !== null) {
    const toolName = spanTool ?? toolNameOf(observation) ?? (name.length > 0 ? name : null);
    const callInput = parseJsonText(observation.input);
    push('tool-call', null, textOf(observation.input), startTime, {
      toolName,
      toolCallId: observationId,
      toolInput: callInput ?? null,
    });
    const output = resultText(observation.output);
    const text = isError
      ? [observation.statusMessage ?? '', output].filter((part) => part.length > 0).join('\n')
      : output;
    // Capped at 64 KiB (head kept verbatim), like every format: see TOOL_RESULT_MAX_BYTES.
    push('tool-result', null, capText(text, TOOL_RESULT_MAX_BYTES), endTime, {
      toolName,
      toolCallId: observationId,
      isError,
    });
    return { events, warnings, seen };
  }

  switch (type) {
    case 'GENERATION': {
      const inputMessages = extractLangfuseMessages(observation.input, 'user');
      const outputMessages = extractLangfuseMessages(observation.output, 'assistant');
      pushMessages(inputMessages, { isInput: true, timestamp: startTime });
      pushMessages(outputMessages, { isInput: false, timestamp: endTime });
      // Inputs and outputs are absent when the SDK was told not to record them: the model call keeps its place.
      if (inputMessages.length === 0 && outputMessages.length === 0) {
        push('other', 'generation', observation.model ?? name, startTime);
      }
      break;
    }
    case 'EVENT':
      push('system', 'event', name, startTime);
      break;
    default:
      push('other', type.toLowerCase(), name, startTime);
      if (!langfuseObservationTypes.has(type)) {
        // An observation type newer than this reader: kept, so its place in the session is not lost.
        warnings.push({ type: 'unknown-record', path, line, recordType: observation.type ?? type });
      }
  }
  if (isError) {
    push('system', 'error', observation.statusMessage ?? `${name} failed`, endTime);
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

/**
 * The tool an observation ran, when it says so: a `TOOL` observation's `gen_ai.tool.name` / `tool.name`
 * attribute, or, for a `SPAN`, the OpenTelemetry conventions Langfuse keeps in `metadata.attributes`
 * (`gen_ai.operation.name: execute_tool`, OpenInference `openinference.span.kind: TOOL`, LangSmith
 * `langsmith.span.kind: tool`) or a span name `execute_tool <name>` / `tool.<name>`. Null for any other span.
 */
function toolNameOf(observation: LangfuseObservation): string | null {
  const name = observation.name ?? '';
  const metadata = parseJsonText(observation.metadata);
  const attributes =
    isJsonObject(metadata) && isJsonObject(metadata['attributes'])
      ? metadata['attributes']
      : isJsonObject(metadata)
        ? metadata
        : {};
  const attribute = (key: string) => (typeof attributes[key] === 'string' ? attributes[key] : null);
  const named = attribute('gen_ai.tool.name') ?? attribute('tool.name');
  const marked =
    attribute('gen_ai.operation.name') === 'execute_tool' ||
    attribute('openinference.span.kind')?.toUpperCase() === 'TOOL' ||
    attribute('langsmith.span.kind')?.toLowerCase() === 'tool';
  const byName = /^(?:execute_tool\s+|tool[.:]\s*)(\S.*)$/i.exec(name)?.[1] ?? null;
  if (named !== null && (marked || byName !== null)) return named;
  if (marked) return byName ?? (name.length > 0 ? name : null);
  return byName;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** A tool's output as text: the text parts of an MCP-style `{content: [...]}` result, else the output itself. */
function resultText(output: unknown): string {
  const parsed = parseJsonText(output);
  if (isJsonObject(parsed) && Array.isArray(parsed['content'])) {
    const texts = (parsed['content'] as unknown[]).flatMap((part) =>
      isJsonObject(part) && typeof part['text'] === 'string' ? [part['text']] : [],
    );
    if (texts.length > 0) return texts.join('\n');
  }
  return textOf(output);
}

function validTimestamp(value: string | null): string | null {
  return value === null || Number.isNaN(Date.parse(value)) ? null : value;
}
