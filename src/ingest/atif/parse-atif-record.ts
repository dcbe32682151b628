import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { isJsonObject } from '../../util/json.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import type { DocumentStep } from '../read-json-document-chunks.js';
import {
  atifObservationResultSchema,
  atifStepSchema,
  atifSubagentReferenceSchema,
  atifToolCallSchema,
} from './atif-schema.js';

const TITLE_MAX_CHARS = 160;
// Harbor's terminus agents put the task after this line of their first prompt.
const TASK_DESCRIPTION = 'Task Description:';

/** Session fields an ATIF trajectory determines, accumulated over its steps. */
export interface AtifSessionMeta {
  title: string | null;
  startedAt: string | null;
  startedAtMs: number | null;
  endedAt: string | null;
  endedAtMs: number | null;
}

/** What {@link parseAtifRecord} carries from one step to the next (held in memory for one read). */
export interface AtifParserState {
  /** Steps read so far: the index of the next step, for steps without `step_id`. */
  steps: number;
  /** Events written so far: the sequence of the next event. */
  events: number;
  meta: AtifSessionMeta;
}

/** The state before the first step of a file. */
export function createAtifParserState(): AtifParserState {
  return {
    steps: 0,
    events: 0,
    meta: { title: null, startedAt: null, startedAtMs: null, endedAt: null, endedAtMs: null },
  };
}

/** What the caller knows about the file. */
export interface AtifRecordContext {
  path: string;
  sessionId: string;
}

/**
 * Reads one step of an ATIF trajectory (an element of `steps`). Pure: the input state is never mutated. Never
 * throws: a step without `source` is an `invalid-record` warning; a `source` ATIF does not define is an `other` event
 * with an `unknown-record` warning.
 *
 * - `user`: a user message. `system`: a system event, and one per observation result (subagent references listed).
 * - `agent`: `reasoning_content` (assistant message, subtype `thinking`), `message` (assistant message), each tool
 *   call (`tool-call`, input: `arguments`), each observation result (`tool-result`, joined by `source_call_id`, or to
 *   the step's only tool call when the result names none). ATIF has no error field: results are never errors.
 * - Steps marked `is_copied_context` (v1.7) repeat the previous file of a continued run: skipped.
 *
 * Event id `<sessionId>:<n>`, sequence `n`.
 */
export function parseAtifRecord(
  state: AtifParserState,
  record: { value: unknown; line: number },
  context: AtifRecordContext,
): DocumentStep<AtifParserState> {
  const { path, sessionId } = context;
  const { line } = record;
  const stepIndex = state.steps;
  const parsed = isJsonObject(record.value) ? atifStepSchema.safeParse(record.value) : null;
  if (parsed?.success !== true) {
    const warning: IngestWarning = {
      type: 'invalid-record',
      path,
      line,
      message: `ATIF step ${String(stepIndex)}: no "source"`,
    };
    return { state: { ...state, steps: stepIndex + 1 }, events: [], warnings: [warning], sessionIds: [] };
  }
  const step = parsed.data;
  if (step.is_copied_context === true) {
    return { state: { ...state, steps: stepIndex + 1 }, events: [], warnings: [], sessionIds: [] };
  }

  const events: SessionEvent[] = [];
  const warnings: IngestWarning[] = [];
  const timestampMs = step.timestamp == null ? Number.NaN : Date.parse(step.timestamp);
  const timestamp = Number.isNaN(timestampMs) ? null : (step.timestamp ?? null);
  const messageId = `${sessionId}:step-${String(step.step_id ?? stepIndex)}`;
  let sequence = state.events;
  const push = (
    kind: EventKind,
    text: string,
    fields: Partial<
      Pick<SessionEvent, 'subtype' | 'messageId' | 'toolName' | 'toolCallId' | 'toolInput'>
    > = {},
  ): void => {
    events.push({
      id: `${sessionId}:${String(sequence)}`,
      sessionId,
      sequence,
      kind,
      subtype: fields.subtype ?? null,
      timestamp,
      text,
      messageId: fields.messageId ?? null,
      toolName: fields.toolName ?? null,
      toolCallId: fields.toolCallId ?? null,
      toolInput: fields.toolInput ?? null,
      isError: false,
      isRejection: false,
      source: { path, line },
    });
    sequence++;
  };

  const message = contentText(step.message);
  const results = (step.observation?.results ?? []).flatMap((value) => {
    const result = atifObservationResultSchema.safeParse(value);
    return result.success ? [result.data] : [];
  });
  let title = state.meta.title;
  switch (step.source) {
    case 'user':
      push('user-message', message);
      title ??= taskTitle(message);
      break;
    case 'system':
      push('system', message);
      for (const result of results) {
        const references = subagentReferences(result.subagent_trajectory_ref ?? null);
        if (references !== null) push('system', references, { subtype: 'subagent' });
        const content = contentText(result.content);
        if (content.length > 0)
          push('system', capText(content, TOOL_RESULT_MAX_BYTES), { subtype: 'observation' });
      }
      break;
    case 'agent': {
      const reasoning = step.reasoning_content ?? '';
      if (reasoning.trim().length > 0)
        push('assistant-message', reasoning, { subtype: 'thinking', messageId });
      if (message.trim().length > 0) push('assistant-message', message, { messageId });
      const calls = new Map<string, string | null>();
      let onlyCall: { toolCallId: string | null; toolName: string | null } | null = null;
      const rawCalls = step.tool_calls ?? [];
      for (const rawCall of rawCalls) {
        const call = atifToolCallSchema.safeParse(rawCall);
        if (!call.success) continue;
        const toolCallId = call.data.tool_call_id ?? null;
        const toolName = call.data.function_name ?? null;
        if (toolCallId !== null) calls.set(toolCallId, toolName);
        if (rawCalls.length === 1) onlyCall = { toolCallId, toolName };
        const input = call.data.arguments ?? null;
        push('tool-call', JSON.stringify(input), { messageId, toolName, toolCallId, toolInput: input });
      }
      for (const result of results) {
        const sourceCallId = result.source_call_id ?? null;
        // Harbor's terminus agents (v1.6) leave `source_call_id` out; with one call in the step the result is its.
        const joined =
          sourceCallId === null
            ? onlyCall
            : { toolCallId: sourceCallId, toolName: calls.get(sourceCallId) ?? null };
        const references = subagentReferences(result.subagent_trajectory_ref ?? null);
        const content = contentText(result.content);
        const text = [content, references ?? ''].filter((part) => part.length > 0).join('\n');
        push('tool-result', capText(text, TOOL_RESULT_MAX_BYTES), {
          messageId,
          toolName: joined?.toolName ?? null,
          toolCallId: joined?.toolCallId ?? null,
        });
      }
      break;
    }
    default:
      push('other', message, { subtype: step.source });
      warnings.push({ type: 'unknown-record', path, line, recordType: step.source });
  }

  let meta = title === state.meta.title ? state.meta : { ...state.meta, title };
  if (timestamp !== null && (meta.startedAtMs === null || timestampMs < meta.startedAtMs)) {
    meta = { ...meta, startedAt: timestamp, startedAtMs: timestampMs };
  }
  if (timestamp !== null && (meta.endedAtMs === null || timestampMs > meta.endedAtMs)) {
    meta = { ...meta, endedAt: timestamp, endedAtMs: timestampMs };
  }
  return {
    state: { steps: stepIndex + 1, events: sequence, meta },
    events,
    warnings,
    sessionIds: [sessionId],
  };
}

/**
 * The rest of the document once every step is read. `final_metrics` holds token counts and cost, not a verdict, so
 * nothing is read from it; a document without a `steps` array is one warning.
 */
export function finishAtifDocument(
  state: AtifParserState,
  envelope: { value: unknown; foundRecords: boolean },
  context: Pick<AtifRecordContext, 'path'>,
): DocumentStep<AtifParserState> {
  const warnings: IngestWarning[] =
    envelope.value !== null && !envelope.foundRecords
      ? [
          {
            type: 'invalid-record',
            path: context.path,
            line: 1,
            message: 'not an ATIF trajectory: the document has no "steps" array',
          },
        ]
      : [];
  return { state, events: [], warnings, sessionIds: [] };
}

/** A message or result content: a string, or (v1.6+) content parts, images as `[image]`. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    return content === undefined || content === null ? '' : JSON.stringify(content);
  const parts: string[] = [];
  for (const part of content as unknown[]) {
    if (!isJsonObject(part)) continue;
    const { type, text } = part;
    if (typeof text === 'string') parts.push(text);
    else if (typeof type === 'string') parts.push(`[${type}]`);
  }
  return parts.join('\n');
}

/** One line per delegated trajectory: `subagent <session_id> (<trajectory_path>): <summary>`. */
function subagentReferences(references: readonly unknown[] | null): string | null {
  if (references === null || references.length === 0) return null;
  const lines: string[] = [];
  for (const value of references) {
    const reference = atifSubagentReferenceSchema.safeParse(value);
    if (!reference.success) continue;
    const { session_id: sessionId, trajectory_path: trajectoryPath, extra } = reference.data;
    const summary = extra?.summary ?? null;
    lines.push(
      `subagent ${sessionId ?? '?'}${trajectoryPath == null ? '' : ` (${trajectoryPath})`}${summary === null ? '' : `: ${summary}`}`,
    );
  }
  return lines.length === 0 ? null : lines.join('\n');
}

/** The task a user message asks for: the line after `Task Description:` (terminus prompts), else the first line. */
function taskTitle(message: string): string | null {
  const marker = message.indexOf(TASK_DESCRIPTION);
  return titleFrom(marker === -1 ? message : message.slice(marker + TASK_DESCRIPTION.length));
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
