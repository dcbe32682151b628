import { z } from 'zod';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import { parseJsonLine } from '../parse-json-line.js';
import type { JsonLineInput } from '../parse-json-line.js';
import {
  codexCompactedSchema,
  codexContentPartSchema,
  codexEventMsgSchema,
  codexIgnoredEventMsgTypes,
  codexIgnoredResponseItemTypes,
  codexIgnoredTypes,
  codexLineSchema,
  codexResponseItemSchema,
  codexSessionMetaSchema,
  codexTurnContextSchema,
} from './codex-schema.js';
import type { CodexEventMsg, CodexLine, CodexResponseItem } from './codex-schema.js';

// Bounds on what the state carries between lines (it is stored in the file cursor after every chunk).
const MAX_PENDING_TOOL_CALLS = 512;
const MAX_FAILED_TOOL_CALLS = 64;

// Markers of text the harness puts into the model input as a `user` message: the AGENTS.md block and XML-ish tags
// (`<environment_context>`, `<user_instructions>`, `<subagent_notification>`, `<turn_aborted>`; CLI 0.3x-0.13x).
// Such a message is `meta` at once.
const AGENTS_MD_PREFIX = '# AGENTS.md instructions';
const INJECTED_TAG = /^<[A-Za-z_][\w -]*>/;

// Codex writes these texts as the output of a call the person refused (codex-rs core: "exec command rejected by
// user", "patch rejected by user").
const REJECTION_PATTERN = /^(?:exec command|command|patch) rejected by user/i;
// Unified exec (`exec_command`, CLI 0.5x+) reports "Process exited with code N" in its text output.
const PROCESS_EXIT_PATTERN = /Process exited with code (-?\d+)/;
// `shell_command` (CLI 0.6x-0.7x) starts its text output with "Exit code: N".
const EXIT_CODE_PREFIX_PATTERN = /^Exit code: (-?\d+)/;

/** Session fields a rollout determines, accumulated over its lines. */
export interface CodexSessionMeta {
  startedAt: string | null;
  startedAtMs: number | null;
  endedAt: string | null;
  endedAtMs: number | null;
  cwd: string | null;
  /** From `event_msg.thread_name_updated` (the name the person gave the thread). */
  title: string | null;
  /** An event or a title was read: the file is a session worth storing. */
  hasConversation: boolean;
}

/** A `user` message of the model input that may be the copy of what the person typed (see parseCodexLine). */
export interface CodexPendingUserCopy {
  line: number;
  timestamp: string | null;
  text: string;
}

/** What {@link parseCodexLine} carries from one line to the next: a JSON value, saved in the file cursor. */
export interface CodexParserState {
  /** `call_id` -> tool name, for calls whose output has not been read yet. */
  pendingToolCalls: Record<string, string>;
  /** `call_id`s an `exec_command_end`, `patch_apply_end` or `mcp_tool_call_end` reported as failed. */
  failedToolCalls: string[];
  /** A model-input user message waiting to learn whether the next line is its typed twin. */
  pendingUserCopy: CodexPendingUserCopy | null;
  /** The last typed text (`event_msg.user_message`) whose model-input copy has not been seen yet. */
  typedUserText: string | null;
  session: CodexSessionMeta;
}

/** Schema of {@link CodexParserState}, for decoding a saved cursor (our own data: strict). */
export const codexParserStateSchema: z.ZodType<CodexParserState> = z.object({
  pendingToolCalls: z.record(z.string(), z.string()),
  failedToolCalls: z.array(z.string()),
  pendingUserCopy: z
    .object({ line: z.number(), timestamp: z.string().nullable(), text: z.string() })
    .nullable(),
  typedUserText: z.string().nullable(),
  session: z.object({
    startedAt: z.string().nullable(),
    startedAtMs: z.number().nullable(),
    endedAt: z.string().nullable(),
    endedAtMs: z.number().nullable(),
    cwd: z.string().nullable(),
    title: z.string().nullable(),
    hasConversation: z.boolean(),
  }),
});

/** The state before the first line of a file. */
export function createCodexParserState(): CodexParserState {
  return {
    pendingToolCalls: {},
    failedToolCalls: [],
    pendingUserCopy: null,
    typedUserText: null,
    session: {
      startedAt: null,
      startedAtMs: null,
      endedAt: null,
      endedAtMs: null,
      cwd: null,
      title: null,
      hasConversation: false,
    },
  };
}

/** The session this file's events belong to. */
export interface CodexLineContext {
  sessionId: string;
}

/** The outcome of {@link parseCodexLine}. */
export interface ParseCodexLineResult {
  state: CodexParserState;
  events: SessionEvent[];
  warnings: IngestWarning[];
  /** An unterminated final line that did not parse: the caller must not consume it (see `parse-json-line.ts`). */
  incomplete: boolean;
  /** The line was a rollout record (a JSON object with a `type`), whether or not it produced events. */
  isRecord: boolean;
}

/**
 * Reads one line of a Codex rollout (`~/.codex/sessions/YYYY/MM/DD/rollout-…-<uuid>.jsonl`) into at most one event
 * of its own (plus, at most, one held back from an earlier line). Pure: the input state is never mutated. Never
 * throws: bad lines become warnings.
 *
 * - What the person typed is `event_msg.user_message`. The model input (`response_item` messages of role `user`,
 *   `developer`, `system`) holds a copy of it plus harness text (AGENTS.md, environment context); those become
 *   `user-message`/`meta`, and the copy of the typed text is dropped: it is recognised by being followed (or
 *   preceded) by the `user_message` with the same text, so it is held back for one record (see `pendingUserCopy`).
 * - Assistant text and reasoning come from `response_item` (`message`, `reasoning`); the `event_msg` copies
 *   (`agent_message`, `agent_reasoning`) are skipped, so nothing is read twice.
 * - Calls (`function_call`, `custom_tool_call`, `local_shell_call`) and their outputs are joined by `call_id`.
 * - An unknown top-level type is an `other` event plus an `unknown-record` warning. An unknown `payload.type`
 *   inside a known type is an `other` event without a warning: Responses API items and UI events gain variants in
 *   most CLI releases, and a warning on each would bury real damage.
 *
 * Event ids: `codex:<sessionId>:<line>`; sequence: the line number.
 */
export function parseCodexLine(
  state: CodexParserState,
  input: JsonLineInput,
  context: CodexLineContext,
): ParseCodexLineResult {
  const json = parseJsonLine(input);
  if (json.kind === 'blank') return unchanged(state, [], false);
  if (json.kind === 'rejected') {
    return { ...unchanged(state, [json.warning], false), incomplete: json.incomplete };
  }
  const parsed = codexLineSchema.safeParse(json.record);
  if (!parsed.success) {
    // Unreachable while `type` is the only required field (checked by parseJsonLine); kept so a schema change can
    // never turn into a throw.
    return unchanged(
      state,
      [{ type: 'invalid-record', path: input.path, line: input.line, message: 'not a rollout line' }],
      true,
    );
  }
  const reader = new LineReader(state, input, context, parsed.data);
  reader.read();
  return reader.result();
}

function unchanged(
  state: CodexParserState,
  warnings: IngestWarning[],
  isRecord: boolean,
): ParseCodexLineResult {
  return { state, events: [], warnings, incomplete: false, isRecord };
}

/** The work for one line; a class only to share the per-line values between small methods. */
class LineReader {
  private readonly events: SessionEvent[] = [];
  private readonly warnings: IngestWarning[] = [];
  private readonly timestamp: string | null;
  private readonly timestampMs: number | null;
  private pendingToolCalls: Record<string, string>;
  private failedToolCalls: string[];
  private pendingUserCopy: CodexPendingUserCopy | null;
  private typedUserText: string | null;
  private session: CodexSessionMeta;

  constructor(
    private readonly state: CodexParserState,
    private readonly input: JsonLineInput,
    private readonly context: CodexLineContext,
    private readonly record: CodexLine,
  ) {
    // Copy-on-write: each field is replaced (never mutated) only when this line changes it.
    this.pendingToolCalls = state.pendingToolCalls;
    this.failedToolCalls = state.failedToolCalls;
    this.pendingUserCopy = state.pendingUserCopy;
    this.typedUserText = state.typedUserText;
    this.session = state.session;
    const timestamp = record.timestamp ?? null;
    const timestampMs = timestamp === null ? Number.NaN : Date.parse(timestamp);
    this.timestamp = Number.isNaN(timestampMs) ? null : timestamp;
    this.timestampMs = Number.isNaN(timestampMs) ? null : timestampMs;
  }

  read(): void {
    const { type } = this.record;
    this.noteTime();
    if (codexIgnoredTypes.has(type)) {
      this.flushPendingUserCopy();
      return;
    }
    switch (type) {
      case 'session_meta':
        this.flushPendingUserCopy();
        this.readSessionMeta();
        return;
      case 'turn_context':
        this.flushPendingUserCopy();
        this.readTurnContext();
        return;
      case 'response_item':
        this.readResponseItem();
        return;
      case 'event_msg':
        this.readEventMsg();
        return;
      case 'compacted':
        this.flushPendingUserCopy();
        this.readCompacted();
        return;
      default:
        this.flushPendingUserCopy();
        this.push('other', type, '', {});
        this.warnings.push({
          type: 'unknown-record',
          path: this.input.path,
          line: this.input.line,
          recordType: type,
        });
    }
  }

  result(): ParseCodexLineResult {
    const session =
      this.events.length > 0 && !this.session.hasConversation
        ? { ...this.session, hasConversation: true }
        : this.session;
    const state = this.state;
    const changed =
      this.pendingToolCalls !== state.pendingToolCalls ||
      this.failedToolCalls !== state.failedToolCalls ||
      this.pendingUserCopy !== state.pendingUserCopy ||
      this.typedUserText !== state.typedUserText ||
      session !== state.session;
    return {
      state: changed
        ? {
            pendingToolCalls: this.pendingToolCalls,
            failedToolCalls: this.failedToolCalls,
            pendingUserCopy: this.pendingUserCopy,
            typedUserText: this.typedUserText,
            session,
          }
        : state,
      events: this.events,
      warnings: this.warnings,
      incomplete: false,
      isRecord: true,
    };
  }

  /** The payload as an object, or null with an `invalid-record` warning. */
  private payload(): Record<string, unknown> | null {
    const payload = this.record.payload;
    if (isJsonObject(payload)) return payload;
    this.warnings.push({
      type: 'invalid-record',
      path: this.input.path,
      line: this.input.line,
      message: `${this.record.type} line has no "payload" object`,
    });
    return null;
  }

  private noteTime(): void {
    const { timestamp, timestampMs } = this;
    if (timestamp === null || timestampMs === null) return;
    const session = this.session;
    let next: CodexSessionMeta | null = null;
    if (session.startedAtMs === null || timestampMs < session.startedAtMs) {
      next = { ...session, startedAt: timestamp, startedAtMs: timestampMs };
    }
    if (session.endedAtMs === null || timestampMs > session.endedAtMs) {
      next = { ...(next ?? session), endedAt: timestamp, endedAtMs: timestampMs };
    }
    if (next !== null) this.session = next;
  }

  private noteCwd(cwd: string | null | undefined): void {
    if (cwd != null && cwd.length > 0 && this.session.cwd === null) this.session = { ...this.session, cwd };
  }

  private readSessionMeta(): void {
    const payload = this.payload();
    if (payload === null) return;
    // The session id and parent are resolved from the file before reading (codex-session-source.ts); here only
    // the working directory. Resumed sessions append to the same file, so a later `session_meta` changes nothing.
    const meta = codexSessionMetaSchema.safeParse(payload);
    if (meta.success) this.noteCwd(meta.data.cwd);
  }

  private readTurnContext(): void {
    const payload = this.payload();
    if (payload === null) return;
    const context = codexTurnContextSchema.safeParse(payload);
    if (context.success) this.noteCwd(context.data.cwd);
  }

  private readCompacted(): void {
    const payload = this.payload();
    if (payload === null) return;
    const compacted = codexCompactedSchema.safeParse(payload);
    this.push('system', 'compact-summary', compacted.success ? (compacted.data.message ?? '') : '', {});
  }

  private readResponseItem(): void {
    const payload = this.payload();
    const parsed = payload === null ? null : codexResponseItemSchema.safeParse(payload);
    if (parsed?.success !== true) {
      this.flushPendingUserCopy();
      if (parsed?.success === false) this.invalidPayload('response_item');
      return;
    }
    const item = parsed.data;
    if (item.type === 'message' && item.role === 'user') {
      this.readModelInputUserMessage(contentText(item.content));
      return;
    }
    this.flushPendingUserCopy();
    switch (item.type) {
      case 'message':
        this.readMessage(item);
        return;
      case 'reasoning': {
        const text = reasoningText(item);
        // Reasoning with only `encrypted_content` has nothing readable to keep.
        if (text !== null) this.push('assistant-message', 'thinking', text, {});
        return;
      }
      case 'function_call':
        this.readToolCall(item.call_id ?? null, item.name ?? null, item.arguments ?? null);
        return;
      case 'custom_tool_call':
        this.readToolCall(item.call_id ?? null, item.name ?? null, item.input ?? null);
        return;
      case 'local_shell_call': {
        const action = item.action ?? null;
        const callId = item.call_id ?? item.id ?? null;
        if (callId !== null) this.addPendingToolCall(callId, 'local_shell');
        this.push('tool-call', null, JSON.stringify(action), {
          toolName: 'local_shell',
          toolCallId: callId,
          toolInput: action,
        });
        return;
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
        this.readToolOutput(item);
        return;
      default:
        if (codexIgnoredResponseItemTypes.has(item.type)) return;
        // web_search_call, image_generation_call, tool_search_call, … (see parseCodexLine: no warning).
        this.push('other', item.type, '', {});
    }
  }

  private readMessage(item: CodexResponseItem): void {
    const text = contentText(item.content);
    const role = item.role ?? 'unknown';
    switch (role) {
      case 'assistant':
        this.push('assistant-message', null, text, {});
        return;
      case 'developer':
        this.push('user-message', 'meta', text, {});
        return;
      case 'system':
        this.push('system', null, text, {});
        return;
      default:
        this.push('other', `message:${role}`, text, {});
    }
  }

  /**
   * A `user` message of the model input: harness text (`meta`), or the copy of what the person typed. The copy is
   * written next to `event_msg.user_message` (just before it, CLI 0.3x-0.13x), so a plain-text one waits for the
   * next record: if that is the typed twin, the copy is dropped; otherwise it is emitted as `meta` after all.
   */
  private readModelInputUserMessage(text: string): void {
    this.flushPendingUserCopy();
    if (isInjected(text)) {
      this.push('user-message', 'meta', text, {});
      return;
    }
    if (this.typedUserText !== null && this.typedUserText === text) {
      // The typed text came first; this is its copy.
      this.typedUserText = null;
      return;
    }
    this.pendingUserCopy = { line: this.input.line, timestamp: this.timestamp, text };
  }

  private flushPendingUserCopy(): void {
    const pending = this.pendingUserCopy;
    if (pending === null) return;
    this.pendingUserCopy = null;
    this.events.push(
      this.event({
        line: pending.line,
        timestamp: pending.timestamp,
        kind: 'user-message',
        subtype: 'meta',
        text: pending.text,
      }),
    );
  }

  private readEventMsg(): void {
    const payload = this.payload();
    const parsed = payload === null ? null : codexEventMsgSchema.safeParse(payload);
    if (parsed?.success !== true) {
      this.flushPendingUserCopy();
      if (parsed?.success === false) this.invalidPayload('event_msg');
      return;
    }
    const message = parsed.data;
    if (message.type === 'user_message') {
      this.readTypedUserMessage(message.message ?? '');
      return;
    }
    this.flushPendingUserCopy();
    switch (message.type) {
      case 'turn_aborted':
        this.push('system', 'turn-aborted', message.reason ?? '', {});
        return;
      case 'error':
        this.push('system', 'error', message.message ?? '', {});
        return;
      case 'thread_name_updated':
        if (message.thread_name != null && message.thread_name.length > 0) {
          this.session = { ...this.session, title: message.thread_name, hasConversation: true };
        }
        return;
      case 'exec_command_end':
        if (message.exit_code != null && message.exit_code !== 0) this.noteFailedCall(message);
        return;
      case 'patch_apply_end':
        if (message.success === false) this.noteFailedCall(message);
        return;
      case 'mcp_tool_call_end':
        if (isMcpFailure(message.result)) this.noteFailedCall(message);
        return;
      default:
        if (codexIgnoredEventMsgTypes.has(message.type)) return;
        // A UI event of a newer CLI (see parseCodexLine: kept, no warning).
        this.push('other', message.type, message.message ?? '', {});
    }
  }

  private readTypedUserMessage(text: string): void {
    const pending = this.pendingUserCopy;
    if (pending !== null && pending.text === text) {
      // The model-input copy came first (the usual order); the typed text replaces it.
      this.pendingUserCopy = null;
      this.typedUserText = null;
    } else {
      this.flushPendingUserCopy();
      this.typedUserText = text;
    }
    this.push('user-message', null, text, {});
  }

  private noteFailedCall(message: CodexEventMsg): void {
    const callId = message.call_id ?? null;
    if (callId === null || this.failedToolCalls.includes(callId)) return;
    const kept =
      this.failedToolCalls.length >= MAX_FAILED_TOOL_CALLS
        ? this.failedToolCalls.slice(1)
        : this.failedToolCalls;
    this.failedToolCalls = [...kept, callId];
  }

  private readToolCall(callId: string | null, name: string | null, raw: string | null): void {
    if (callId !== null && name !== null) this.addPendingToolCall(callId, name);
    // `arguments` is a JSON string (function calls); `input` is free text (custom tools such as apply_patch).
    const parsed = raw === null ? null : safeParseJson(raw);
    const toolInput = raw === null ? null : parsed?.success === true ? parsed.value : raw;
    this.push('tool-call', null, raw ?? '', { toolName: name, toolCallId: callId, toolInput });
  }

  private readToolOutput(item: CodexResponseItem): void {
    const callId = item.call_id ?? null;
    let toolName: string | null = null;
    if (callId !== null && Object.hasOwn(this.pendingToolCalls, callId)) {
      toolName = this.pendingToolCalls[callId] ?? null;
      const { [callId]: _removed, ...rest } = this.pendingToolCalls;
      this.pendingToolCalls = rest;
    }
    let markedFailed = false;
    if (callId !== null && this.failedToolCalls.includes(callId)) {
      markedFailed = true;
      this.failedToolCalls = this.failedToolCalls.filter((id) => id !== callId);
    }
    const output = toolOutput(item.output);
    const rejected = REJECTION_PATTERN.test(output.text);
    const isError =
      markedFailed ||
      rejected ||
      output.success === false ||
      (output.exitCode !== null && output.exitCode !== 0);
    this.push('tool-result', null, capText(output.text, TOOL_RESULT_MAX_BYTES), {
      toolName,
      toolCallId: callId,
      isError,
      isRejection: rejected,
    });
  }

  private addPendingToolCall(callId: string, name: string): void {
    const keys = Object.keys(this.pendingToolCalls);
    // Calls whose output never comes (an interrupted turn) would otherwise pile up in every saved cursor.
    const kept =
      keys.length >= MAX_PENDING_TOOL_CALLS
        ? Object.fromEntries(keys.slice(1).map((key) => [key, this.pendingToolCalls[key] ?? '']))
        : this.pendingToolCalls;
    this.pendingToolCalls = { ...kept, [callId]: name };
  }

  private invalidPayload(type: string): void {
    this.warnings.push({
      type: 'invalid-record',
      path: this.input.path,
      line: this.input.line,
      message: `${type} payload has no string "type"`,
    });
  }

  private push(
    kind: EventKind,
    subtype: string | null,
    text: string,
    fields: Partial<Pick<SessionEvent, 'toolName' | 'toolCallId' | 'toolInput' | 'isError' | 'isRejection'>>,
  ): void {
    this.events.push(
      this.event({ line: this.input.line, timestamp: this.timestamp, kind, subtype, text, ...fields }),
    );
  }

  private event(
    fields: {
      line: number;
      timestamp: string | null;
      kind: EventKind;
      subtype: string | null;
      text: string;
    } & Partial<Pick<SessionEvent, 'toolName' | 'toolCallId' | 'toolInput' | 'isError' | 'isRejection'>>,
  ): SessionEvent {
    const { sessionId } = this.context;
    return {
      id: `codex:${sessionId}:${String(fields.line)}`,
      sessionId,
      sequence: fields.line,
      kind: fields.kind,
      subtype: fields.subtype,
      timestamp: fields.timestamp,
      text: fields.text,
      messageId: null,
      toolName: fields.toolName ?? null,
      toolCallId: fields.toolCallId ?? null,
      toolInput: fields.toolInput ?? null,
      isError: fields.isError ?? false,
      isRejection: fields.isRejection ?? false,
      source: { path: this.input.path, line: fields.line },
    };
  }
}

function isInjected(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith(AGENTS_MD_PREFIX) || INJECTED_TAG.test(start);
}

/** The text of a message's content: its text parts joined by a newline, `[<type>]` for images and files. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const raw of content as unknown[]) {
    const part = codexContentPartSchema.safeParse(raw);
    if (!part.success) continue;
    const { type, text } = part.data;
    if (text != null) parts.push(text);
    else if (type != null) parts.push(`[${type}]`);
  }
  return parts.join('\n');
}

/** The readable part of a `reasoning` item: its summary texts, else its raw content texts, else null. */
function reasoningText(item: CodexResponseItem): string | null {
  for (const list of [item.summary, item.content]) {
    if (!Array.isArray(list)) continue;
    const texts: string[] = [];
    for (const raw of list as unknown[]) {
      const part = codexContentPartSchema.safeParse(raw);
      if (part.success && part.data.text != null && part.data.text.length > 0) texts.push(part.data.text);
    }
    if (texts.length > 0) return texts.join('\n\n');
  }
  return null;
}

/** What a tool output says: its text, the exit code it reports, and an explicit success flag. */
interface ToolOutput {
  text: string;
  exitCode: number | null;
  success: boolean | null;
}

const shellWrapperSchema = z.object({
  output: z.string(),
  metadata: z.looseObject({ exit_code: z.number().nullish().catch(null) }),
});

/**
 * Reads a `function_call_output`/`custom_tool_call_output` `output`:
 * - a string (CLI 0.2x-0.13x; the `success` flag is not persisted). The `shell` tool (CLI 0.2x-0.5x) and
 *   `apply_patch` wrap their result as the JSON string `{"output": "…", "metadata": {"exit_code": N, …}}`: the text
 *   is the wrapped `output` (decoded, otherwise verbatim) and the exit code decides failure. Other text reports its
 *   exit code as "Exit code: N" (`shell_command`, CLI 0.6x-0.7x) or "Process exited with code N" (`exec_command`);
 * - content items (`[{ "type": "input_text", "text": … }]`, CLI 0.10x+ for some tools);
 * - `{ "content": "…", "success": false }` (the payload's own serialization in some builds).
 */
function toolOutput(output: unknown): ToolOutput {
  if (typeof output === 'string') {
    if (output.startsWith('{"output"')) {
      const parsed = safeParseJson(output);
      const wrapper = parsed.success ? shellWrapperSchema.safeParse(parsed.value) : null;
      if (wrapper?.success === true) {
        return {
          text: wrapper.data.output,
          exitCode: wrapper.data.metadata.exit_code ?? null,
          success: null,
        };
      }
    }
    return { text: output, exitCode: textExitCode(output), success: null };
  }
  if (Array.isArray(output)) {
    const text = contentText(output);
    return { text, exitCode: textExitCode(text), success: null };
  }
  if (isJsonObject(output)) {
    const content = output['content'];
    const success = output['success'];
    const text = typeof content === 'string' ? content : contentText(content);
    return { text, exitCode: textExitCode(text), success: typeof success === 'boolean' ? success : null };
  }
  return { text: output == null ? '' : JSON.stringify(output), exitCode: null, success: null };
}

function textExitCode(text: string): number | null {
  const match = EXIT_CODE_PREFIX_PATTERN.exec(text) ?? PROCESS_EXIT_PATTERN.exec(text);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** `mcp_tool_call_end.result` is a Rust `Result`: `{ "Err": "…" }`, or `{ "Ok": { "isError": true, … } }`. */
function isMcpFailure(result: unknown): boolean {
  if (!isJsonObject(result)) return false;
  if ('Err' in result) return true;
  const ok = result['Ok'];
  return isJsonObject(ok) && (ok['isError'] === true || ok['is_error'] === true);
}
