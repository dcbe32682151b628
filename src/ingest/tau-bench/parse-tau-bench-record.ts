import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { SessionOutcome } from '../../domain/outcome.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import type { DocumentStep } from '../read-json-document-chunks.js';
import { tauBenchMessageSchema, tauBenchRunSchema, tauBenchToolCallSchema } from './tau-bench-schema.js';

// Titles are the task instruction, which is one long paragraph: keep its start.
const TITLE_MAX_CHARS = 160;

// How tau-bench tools report failure (sierra-research/tau-bench, `tau_bench/envs/base.py` `Env.step` and every
// `envs/*/tools/*.py`): a tool returns a string starting with `Error: ` ("Error: payment amount does not add up, ...",
// "Error: flight HAT030 not available on date ...", "Error: gift card balance is not enough"), an exception inside a
// tool is caught and turned into `f"Error: {e}"`, and a call to a tool that does not exist returns
// `f"Unknown action {name}"`. Successful results are JSON, a number, or a plain sentence.
const TOOL_ERROR_PATTERN = /^(?:Error:|Unknown action )/;

/**
 * The reward at which a run counts as passed: tau-bench's own `is_successful` (`run.py` `display_metrics`) accepts
 * `1 - 1e-6 <= reward <= 1 + 1e-6`. Rewards are 0 or 1 upstream; partial credit from a fork counts as not passed.
 */
export const TAU_BENCH_PASS_REWARD = 1 - 1e-6;

/** Session fields one run determines. */
export interface TauBenchSessionMeta {
  title: string | null;
  outcome: SessionOutcome | null;
}

/** What {@link parseTauBenchRecord} carries from one run to the next (held in memory for one read). */
export interface TauBenchParserState {
  /** Runs read so far: the position of the next run, for runs without a `task_id`. */
  runs: number;
  sessions: Record<string, TauBenchSessionMeta>;
}

/** The state before the first run of a file. */
export function createTauBenchParserState(): TauBenchParserState {
  return { runs: 0, sessions: {} };
}

/** What the caller knows about the file. */
export interface TauBenchRecordContext {
  path: string;
  /** Prefix of every session id of this file (`<file stem>-<hash of the absolute path>`). */
  fileKey: string;
}

/**
 * Reads one run of a tau-bench results file (an element of the top-level array) into one session. Pure: the input
 * state is never mutated. Never throws: a run without `traj` is an `invalid-record` warning, a message with an
 * unknown role is an `other` event with an `unknown-record` warning.
 *
 * - Session id `<fileKey>/task-<task_id>/trial-<trial>` (a repeated pair gets `/2`, `/3`, ...).
 * - Outcome: `reward` (see {@link TAU_BENCH_PASS_REWARD}). Title: the user simulator's task instruction.
 * - Events: `system`, `user` (the LLM user simulator) and `assistant` messages; each assistant tool call a `tool-call`
 *   (input: the parsed JSON arguments); each `tool` message a `tool-result` joined by `tool_call_id`. tau-bench
 *   records no times: every timestamp is null. Event id `<sessionId>:<n>`, sequence `n` (position in the run).
 *
 * @example
 * const step = parseTauBenchRecord(state, { value, line }, { path, fileKey });
 */
export function parseTauBenchRecord(
  state: TauBenchParserState,
  record: { value: unknown; line: number },
  context: TauBenchRecordContext,
): DocumentStep<TauBenchParserState> {
  const { path } = context;
  const { line } = record;
  const parsed = tauBenchRunSchema.safeParse(record.value);
  if (!parsed.success) {
    // `traj` is the only required field, so an object that fails the schema is one without a conversation.
    const message = isJsonObject(record.value)
      ? 'tau-bench run: no "traj" array'
      : 'tau-bench run: not an object';
    return {
      state: { ...state, runs: state.runs + 1 },
      events: [],
      warnings: [{ type: 'invalid-record', path, line, message }],
      sessionIds: [],
    };
  }
  const run = parsed.data;
  const sessionId = uniqueSessionId(state, baseSessionId(run, state.runs, context.fileKey));
  const reward = run.reward ?? null;
  const instruction = run.info?.task?.instruction ?? null;
  const meta: TauBenchSessionMeta = {
    title: instruction === null ? null : titleFrom(instruction),
    outcome:
      reward === null
        ? null
        : {
            passed: reward >= TAU_BENCH_PASS_REWARD,
            score: reward,
            source: 'log',
            name: 'reward',
            detail: null,
          },
  };

  const events: SessionEvent[] = [];
  const warnings: IngestWarning[] = [];
  // The latest call per id: the gpt-4o airline corpus reuses call ids within a run (68 ids in 47 of 160 runs), and
  // each result follows its own call.
  const toolNames = new Map<string, string>();
  const push = (
    kind: EventKind,
    text: string,
    fields: Partial<
      Pick<
        SessionEvent,
        'subtype' | 'messageId' | 'toolName' | 'toolCallId' | 'toolInput' | 'isError' | 'isRejection'
      >
    > = {},
  ): void => {
    const sequence = events.length;
    events.push({
      id: `${sessionId}:${String(sequence)}`,
      sessionId,
      sequence,
      kind,
      subtype: fields.subtype ?? null,
      timestamp: null,
      text,
      messageId: fields.messageId ?? null,
      toolName: fields.toolName ?? null,
      toolCallId: fields.toolCallId ?? null,
      toolInput: fields.toolInput ?? null,
      isError: fields.isError ?? false,
      isRejection: fields.isRejection ?? false,
      source: { path, line },
    });
  };

  run.traj.forEach((value, index) => {
    const message = tauBenchMessageSchema.safeParse(value);
    if (!message.success) {
      warnings.push({
        type: 'invalid-record',
        path,
        line,
        message: `tau-bench run ${sessionId}: traj[${String(index)}] has no "role"; message skipped`,
      });
      return;
    }
    const { role, content } = message.data;
    const text = contentText(content);
    switch (role) {
      case 'system':
        push('system', text);
        return;
      case 'user':
        // tau-bench's user is an LLM simulating a customer, not a person: miners of human corrections skip it.
        push('user-message', text, { subtype: 'simulated' });
        return;
      case 'assistant': {
        const messageId = `${sessionId}:m${String(index)}`;
        if (text.trim().length > 0) push('assistant-message', text, { messageId });
        for (const rawCall of message.data.tool_calls ?? []) {
          const call = tauBenchToolCallSchema.safeParse(rawCall);
          if (!call.success) continue;
          const toolName = call.data.function?.name ?? null;
          const toolCallId = call.data.id ?? null;
          if (toolName !== null && toolCallId !== null) toolNames.set(toolCallId, toolName);
          const rawArguments = call.data.function?.arguments;
          const input = parseArguments(rawArguments);
          push('tool-call', typeof rawArguments === 'string' ? rawArguments : JSON.stringify(input), {
            messageId,
            toolName,
            toolCallId,
            toolInput: input,
          });
        }
        return;
      }
      case 'tool': {
        const toolCallId = message.data.tool_call_id ?? null;
        const toolName =
          (toolCallId === null ? undefined : toolNames.get(toolCallId)) ?? message.data.name ?? null;
        push('tool-result', capText(text, TOOL_RESULT_MAX_BYTES), {
          toolName,
          toolCallId,
          isError: TOOL_ERROR_PATTERN.test(text),
        });
        return;
      }
      default:
        push('other', text, { subtype: role });
        warnings.push({ type: 'unknown-record', path, line, recordType: role });
    }
  });

  return {
    state: { runs: state.runs + 1, sessions: { ...state.sessions, [sessionId]: meta } },
    events,
    warnings,
    sessionIds: [sessionId],
  };
}

/**
 * The rest of the document once every run is read. A results file is a bare array, so there is nothing to read
 * from it; a document that is not an array at all is one warning.
 */
export function finishTauBenchDocument(
  state: TauBenchParserState,
  envelope: { value: unknown; foundRecords: boolean },
  context: Pick<TauBenchRecordContext, 'path'>,
): DocumentStep<TauBenchParserState> {
  const warnings: IngestWarning[] =
    envelope.value !== null && !envelope.foundRecords
      ? [
          {
            type: 'invalid-record',
            path: context.path,
            line: 1,
            message: 'not a tau-bench results file: the document is not a JSON array of runs',
          },
        ]
      : [];
  return { state, events: [], warnings, sessionIds: [] };
}

function baseSessionId(
  run: { task_id?: number | string | null; trial?: number | null },
  position: number,
  fileKey: string,
): string {
  const taskId = run.task_id ?? null;
  const trial = run.trial ?? null;
  const task = taskId === null ? `run-${String(position)}` : `task-${String(taskId)}`;
  return trial === null ? `${fileKey}/${task}` : `${fileKey}/${task}/trial-${String(trial)}`;
}

/** The id itself, or with `/2`, `/3`, ... when the file already had a run with the same task and trial. */
function uniqueSessionId(state: TauBenchParserState, base: string): string {
  if (!Object.hasOwn(state.sessions, base)) return base;
  for (let occurrence = 2; ; occurrence++) {
    const candidate = `${base}/${String(occurrence)}`;
    if (!Object.hasOwn(state.sessions, candidate)) return candidate;
  }
}

/** Tool arguments as a JSON value: the chat-completions API sends them as a JSON string. */
function parseArguments(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return value;
  const parsed = safeParseJson(value);
  return parsed.success ? parsed.value : value;
}

/** A message's text: the string, or the text parts of a content list. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '';
  if (!Array.isArray(content)) return JSON.stringify(content);
  const parts: string[] = [];
  for (const part of content as unknown[]) {
    if (typeof part === 'string') parts.push(part);
    else if (isJsonObject(part)) {
      const { type, text } = part;
      if (typeof text === 'string') parts.push(text);
      else if (typeof type === 'string') parts.push(`[${type}]`);
    }
  }
  return parts.join('\n');
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
