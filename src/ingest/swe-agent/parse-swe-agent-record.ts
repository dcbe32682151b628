import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { SessionOutcome } from '../../domain/outcome.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import type { DocumentStep } from '../read-json-document-chunks.js';
import {
  sweAgentEnvelopeSchema,
  sweAgentHistoryMessageSchema,
  sweAgentProblemStatementSchema,
  sweAgentStateSchema,
  sweAgentStepSchema,
} from './swe-agent-schema.js';

const TITLE_MAX_CHARS = 160;
const CTF_CHALLENGE = /The CTF challenge is an? (.+?) problem named "(.+?)"/;

/**
 * What SWE-agent's tools and the shell print when a command failed. SWE-agent records no exit code in a `.traj`
 * (0.x and 1.x), so failure is read from the observation text; each pattern names where the text comes from.
 */
const OBSERVATION_ERROR_PATTERNS: readonly RegExp[] = [
  // `edit` with linting (0.x `config/commands/edit_linting.sh`, 1.x `tools/windowed_edit_linting`,
  // `windowed_edit_replace`): the edit was refused and reverted.
  /^\s*Your proposed edit has introduced new syntax error\(s\)/,
  // A Python exception escaped the command the agent ran. Anchored at a line start: file views prefix lines with `N:`.
  /^Traceback \(most recent call last\):/m,
  // bash.
  /: command not found$/m,
  // coreutils and most CLIs: `cat: x: No such file or directory`, `strings: 'x': No such file`.
  /: No such file(?: or directory)?$/m,
  // SWE-agent's own commands refusing their input: 0.x `defaults.sh`/`search.sh` (`File x not found`,
  // `Directory x not found`, `Error: <line_number> must be ...`, `Usage: open <file> [<line_number>]`), 1.x
  // `tools/windowed` (`No file opened. Use the `open` command first.`).
  /^(?:File|Directory) .+ not found$/m,
  /^Error: /m,
  /^\s*Usage: /,
  /^No file open(?:ed)?\. Use the [`']?open[`']? command first/m,
  // 1.x templates (`sweagent/agent/agents.py` TemplateConfig): a timed-out command, a shell syntax error.
  /^The command '.*' was cancelled because it took more than \d+ seconds/s,
  /^Your bash command contained syntax errors and was NOT executed/,
];

/** Session fields a `.traj` file determines. */
export interface SweAgentSessionMeta {
  title: string | null;
  cwd: string | null;
  outcome: SessionOutcome | null;
}

/** What {@link parseSweAgentRecord} carries from one step to the next (held in memory for one read). */
export interface SweAgentParserState {
  /** Steps read so far: the index of the next step. */
  steps: number;
  /** Events written so far: the sequence of the next event. */
  events: number;
  meta: SweAgentSessionMeta;
}

/** The state before the first step of a file. */
export function createSweAgentParserState(): SweAgentParserState {
  return { steps: 0, events: 0, meta: { title: null, cwd: null, outcome: null } };
}

/** What the caller knows about the file. */
export interface SweAgentRecordContext {
  path: string;
  sessionId: string;
}

/**
 * Reads one step of a SWE-agent trajectory (an element of `trajectory`). Pure: the input state is never mutated.
 * Never throws: a step that is not an object, or has none of the step fields, is an `invalid-record` warning.
 *
 * A step gives up to three events: the `thought` (`assistant-message`), the `action` (`tool-call`, tool name = the
 * command's first word: `edit`, `open`, `python`, `submit`; input = the action text), and the `observation`
 * (`tool-result`, an error when it matches {@link isSweAgentErrorObservation}). A `.traj` has no times: every
 * timestamp is null. Event id `<sessionId>:<n>`, sequence `n`.
 */
export function parseSweAgentRecord(
  state: SweAgentParserState,
  record: { value: unknown; line: number },
  context: SweAgentRecordContext,
): DocumentStep<SweAgentParserState> {
  const { path, sessionId } = context;
  const { line } = record;
  const stepIndex = state.steps;
  const parsed = isJsonObject(record.value) ? sweAgentStepSchema.safeParse(record.value) : null;
  const step = parsed?.success === true ? parsed.data : null;
  if (step === null || (step.action == null && step.observation == null && step.thought == null)) {
    const warning: IngestWarning = {
      type: 'invalid-record',
      path,
      line,
      message: `SWE-agent step ${String(stepIndex)}: not a step (no "action", "observation" or "thought")`,
    };
    return { state: { ...state, steps: stepIndex + 1 }, events: [], warnings: [warning], sessionIds: [] };
  }

  const events: SessionEvent[] = [];
  let sequence = state.events;
  const push = (
    kind: EventKind,
    text: string,
    fields: Partial<Pick<SessionEvent, 'subtype' | 'toolName' | 'toolCallId' | 'toolInput' | 'isError'>> = {},
  ): void => {
    events.push({
      id: `${sessionId}:${String(sequence)}`,
      sessionId,
      sequence,
      kind,
      subtype: fields.subtype ?? null,
      timestamp: null,
      text,
      messageId: `${sessionId}:step-${String(stepIndex)}`,
      toolName: fields.toolName ?? null,
      toolCallId: fields.toolCallId ?? null,
      toolInput: fields.toolInput ?? null,
      isError: fields.isError ?? false,
      isRejection: false,
      source: { path, line },
    });
    sequence++;
  };

  // 1.x function-calling runs leave `thought` empty when the model sent only a tool call; `response` is the raw
  // model output (0.x: thought plus the action in a fenced block), kept only when there is no thought.
  const thought = nonEmpty(step.thought) ?? (nonEmpty(step.action) === null ? nonEmpty(step.response) : null);
  if (thought !== null) push('assistant-message', thought);
  const action = nonEmpty(step.action);
  const observation = step.observation ?? '';
  if (action !== null) {
    const toolName = action.trim().split(/\s+/, 1)[0] ?? null;
    const toolCallId = `step-${String(stepIndex)}`;
    push('tool-call', action, { toolName, toolCallId, toolInput: action });
    push('tool-result', capText(observation, TOOL_RESULT_MAX_BYTES), {
      toolName,
      toolCallId,
      isError: isSweAgentErrorObservation(observation),
    });
  } else if (observation.trim().length > 0) {
    // An observation without an action: SWE-agent's own message after a format error or an autosubmission.
    push('system', capText(observation, TOOL_RESULT_MAX_BYTES), { subtype: 'observation' });
  }

  const cwd = state.meta.cwd ?? workingDirectory(step.state);
  return {
    state: {
      steps: stepIndex + 1,
      events: sequence,
      meta: cwd === state.meta.cwd ? state.meta : { ...state.meta, cwd },
    },
    events,
    warnings: [],
    sessionIds: [sessionId],
  };
}

/**
 * The rest of the document once every step is read: `info.exit_status` becomes the outcome and the problem statement
 * the title (from `replay_config`, else the first non-demonstration user message of `history`; `history` is not read
 * otherwise, since `trajectory` holds the same turns). A document without a `trajectory` array is one warning.
 */
export function finishSweAgentDocument(
  state: SweAgentParserState,
  envelope: { value: unknown; foundRecords: boolean },
  context: SweAgentRecordContext,
): DocumentStep<SweAgentParserState> {
  if (envelope.value === null) return { state, events: [], warnings: [], sessionIds: [] };
  if (!envelope.foundRecords || !isJsonObject(envelope.value)) {
    const warning: IngestWarning = {
      type: 'invalid-record',
      path: context.path,
      line: 1,
      message: 'not a SWE-agent trajectory: the document has no "trajectory" array',
    };
    return { state, events: [], warnings: [warning], sessionIds: [] };
  }
  const parsed = sweAgentEnvelopeSchema.safeParse(envelope.value);
  if (!parsed.success) return { state, events: [], warnings: [], sessionIds: [context.sessionId] };
  const document = parsed.data;
  const meta: SweAgentSessionMeta = {
    ...state.meta,
    title: problemStatementTitle(document) ?? state.meta.title,
    outcome: sweAgentOutcome(document.info ?? null),
  };
  return { state: { ...state, meta }, events: [], warnings: [], sessionIds: [context.sessionId] };
}

/** True when an observation shows that the command failed (see OBSERVATION_ERROR_PATTERNS). */
export function isSweAgentErrorObservation(observation: string): boolean {
  return OBSERVATION_ERROR_PATTERNS.some((pattern) => pattern.test(observation));
}

/**
 * The outcome a `.traj` records: its `exit_status`. SWE-agent never evaluates its own patch, so `submitted` (and
 * `submitted (exit_cost)`, an autosubmission when a limit was hit) says a patch or flag was handed in, not that it
 * resolved the task: `passed` stays null. A run that ended without a submission (`exit_cost`, `exit_context`,
 * `exit_format`, `exit_error`, `exit_forfeit`, `early_exit`, ...) cannot have resolved it: `passed` is false.
 */
export function sweAgentOutcome(
  info: { exit_status?: string | null; submission?: string | null } | null,
): SessionOutcome | null {
  const status = info?.exit_status ?? null;
  if (status === null || status.trim().length === 0) return null;
  const submitted = status.startsWith('submitted') || (info?.submission ?? '').trim().length > 0;
  return {
    passed: submitted ? null : false,
    score: null,
    source: 'log',
    name: 'exit_status',
    detail: status,
  };
}

function problemStatementTitle(document: {
  history?: unknown[] | null;
  replay_config?: unknown;
}): string | null {
  const replay =
    typeof document.replay_config === 'string'
      ? safeParseJson(document.replay_config)
      : { success: true as const, value: document.replay_config };
  if (replay.success && isJsonObject(replay.value)) {
    const statement = sweAgentProblemStatementSchema.safeParse(replay.value['problem_statement']);
    const text = statement.success ? (statement.data.text ?? null) : null;
    if (text !== null) return titleFrom(text);
  }
  for (const item of document.history ?? []) {
    const message = sweAgentHistoryMessageSchema.safeParse(item);
    if (!message.success || message.data.role !== 'user' || message.data.is_demo === true) continue;
    const text = contentText(message.data.content);
    // SWE-agent's CTF instance template (0.7 `config/default_ctf.yaml`): "...The CTF challenge is a <category>
    // problem named "<name>", worth <n> points...".
    const challenge = CTF_CHALLENGE.exec(text);
    if (challenge !== null) return titleFrom(`${challenge[2] ?? ''} (${challenge[1] ?? ''} CTF challenge)`);
    // SWE-agent's issue instance template (0.x and 1.x): "...Here's the issue text:\nISSUE:\n<problem statement>".
    const issue = text.indexOf('ISSUE:\n');
    return titleFrom(issue === -1 ? text : text.slice(issue + 'ISSUE:\n'.length));
  }
  return null;
}

function workingDirectory(state: unknown): string | null {
  const decoded = typeof state === 'string' ? safeParseJson(state) : { success: true as const, value: state };
  if (!decoded.success) return null;
  const parsed = sweAgentStateSchema.safeParse(decoded.value);
  const directory = parsed.success ? (parsed.data.working_dir ?? null) : null;
  return directory === null || directory.length === 0 ? null : directory;
}

function nonEmpty(text: string | null | undefined): string | null {
  return text === null || text === undefined || text.trim().length === 0 ? null : text;
}

/** A history message's text: a string, or (1.x) a list of content parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as unknown[])
    .map((part) => (isJsonObject(part) && typeof part['text'] === 'string' ? part['text'] : ''))
    .join('\n');
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
