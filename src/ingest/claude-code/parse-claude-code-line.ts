import { z } from 'zod';
import { hashText } from '../../domain/hash.js';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { EventKind, Session, SessionEvent } from '../../domain/session.js';
import { capText, TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import { parseJsonLine } from '../parse-json-line.js';
import type { JsonLineInput } from '../parse-json-line.js';
import {
  asWellFormedClaudeCodeBlock,
  asWellFormedClaudeCodeLine,
  claudeCodeContentBlockSchema,
  claudeCodeIgnoredTypes,
  claudeCodeLineSchema,
} from './claude-code-schema.js';
import type { ClaudeCodeContentBlock, ClaudeCodeLine } from './claude-code-schema.js';

// Bounds on what the state carries between lines (it is stored in the file cursor after every chunk).
const MAX_PENDING_TOOL_CALLS = 512;
const MAX_PENDING_SUMMARIES = 64;
// `sequence = line * 1000 + blockIndex` must never tie, so a line's blocks past this index are dropped (with a
// warning). Real messages have a handful of blocks.
const MAX_BLOCKS_PER_LINE = 1000;

// Texts Claude Code writes into an `is_error` tool result when the human refused or interrupted, as opposed to the
// tool failing (CLI 1.0.x-2.x wording).
const REJECTION_PREFIXES = [
  "The user doesn't want to proceed with this tool use",
  "The user doesn't want to take this action right now",
  '[Request interrupted by user',
];

// User text Claude Code wraps in these tags is slash-command / bash-mode plumbing, not a prompt the human typed.
const COMMAND_PREFIXES = [
  '<command-name>',
  '<command-message>',
  '<command-args>',
  '<local-command-stdout>',
  '<local-command-stderr>',
  '<bash-input>',
  '<bash-stdout>',
  '<bash-stderr>',
];

/** Session fields a Claude Code file determines, accumulated over its lines. */
export interface ClaudeCodeSessionMeta {
  startedAt: string | null;
  startedAtMs: number | null;
  endedAt: string | null;
  endedAtMs: number | null;
  cwd: string | null;
  title: string | null;
  /** Where the title came from: 0 none, 1 summary, 2 ai-title, 3 custom-title (a higher rank wins). */
  titleRank: number;
  /** A conversation record (an event or a title) was read: the file is a session worth storing. */
  hasConversation: boolean;
}

/**
 * What {@link parseClaudeCodeLine} carries from one line to the next. A JSON value (it is saved in the file
 * cursor), kept small: entries are removed once they can no longer match.
 */
export interface ClaudeCodeParserState {
  /** `tool_use` id -> tool name, for calls whose result has not been read yet. */
  pendingToolCalls: Record<string, string>;
  /** The `message.id` of the last assistant line, and keys of the blocks already read for it. */
  lastMessageId: string | null;
  lastMessageBlockKeys: string[];
  /** `summary` lines whose leaf has not been seen yet (leafUuid -> summary). */
  pendingSummaries: Record<string, string>;
  /** `uuid` of the last line read. */
  lastUuid: string | null;
  session: ClaudeCodeSessionMeta;
}

/** Schema of {@link ClaudeCodeParserState}, for decoding a saved cursor (our own data: strict). */
export const claudeCodeParserStateSchema: z.ZodType<ClaudeCodeParserState> = z.object({
  pendingToolCalls: z.record(z.string(), z.string()),
  lastMessageId: z.string().nullable(),
  lastMessageBlockKeys: z.array(z.string()),
  pendingSummaries: z.record(z.string(), z.string()),
  lastUuid: z.string().nullable(),
  session: z.object({
    startedAt: z.string().nullable(),
    startedAtMs: z.number().nullable(),
    endedAt: z.string().nullable(),
    endedAtMs: z.number().nullable(),
    cwd: z.string().nullable(),
    title: z.string().nullable(),
    titleRank: z.number(),
    hasConversation: z.boolean(),
  }),
});

/** The state before the first line of a file. */
export function createClaudeCodeParserState(): ClaudeCodeParserState {
  return {
    pendingToolCalls: {},
    lastMessageId: null,
    lastMessageBlockKeys: [],
    pendingSummaries: {},
    lastUuid: null,
    session: {
      startedAt: null,
      startedAtMs: null,
      endedAt: null,
      endedAtMs: null,
      cwd: null,
      title: null,
      titleRank: 0,
      hasConversation: false,
    },
  };
}

/** The session this file's events belong to. */
export interface ClaudeCodeLineContext {
  sessionId: string;
}

/** Session fields changed by one line. */
export type ClaudeCodeSessionPatch = Partial<Pick<Session, 'startedAt' | 'endedAt' | 'title' | 'cwd'>>;

/** The outcome of {@link parseClaudeCodeLine}. */
export interface ParseClaudeCodeLineResult {
  state: ClaudeCodeParserState;
  sessionPatch: ClaudeCodeSessionPatch;
  events: SessionEvent[];
  warnings: IngestWarning[];
  /** An unterminated final line that did not parse: the caller must not consume it (see `parse-json-line.ts`). */
  incomplete: boolean;
  /** The line was a Claude Code record (a JSON object with a `type`), whether or not it produced events. */
  isRecord: boolean;
}

/**
 * Reads one line of a Claude Code transcript into events. Pure: the same state and line give the same result,
 * and the input state is never mutated. Never throws: bad lines become warnings.
 *
 * - `user`/`assistant`: one event per content block, id `cc:<uuid>:<blockIndex>` (Claude Code copies lines into
 *   new files on resume/fork with the same uuid, so the same line dedupes across files), sequence
 *   `line * 1000 + blockIndex`.
 * - `system`: one `system` event. `summary`/`custom-title`/`ai-title`: the session title. Known metadata types:
 *   nothing. Any other type: an `other` event plus an `unknown-record` warning.
 *
 * @example
 * let state = createClaudeCodeParserState();
 * const result = parseClaudeCodeLine(state, { text, line: 1, path, binary: false, terminated: true }, { sessionId });
 * state = result.state;
 */
export function parseClaudeCodeLine(
  state: ClaudeCodeParserState,
  input: JsonLineInput,
  context: ClaudeCodeLineContext,
): ParseClaudeCodeLineResult {
  const json = parseJsonLine(input);
  if (json.kind === 'blank') return unchanged(state, [], false);
  if (json.kind === 'rejected')
    return { ...unchanged(state, [json.warning], false), incomplete: json.incomplete };

  const wellFormed = asWellFormedClaudeCodeLine(json.record);
  if (wellFormed !== null) return readLine(state, input, context, wellFormed);
  const parsed = claudeCodeLineSchema.safeParse(json.record);
  if (!parsed.success) {
    // Unreachable while `type` is the only required field (checked by parseJsonLine); kept so a schema change
    // can never turn into a throw.
    const warning: IngestWarning = {
      type: 'invalid-record',
      path: input.path,
      line: input.line,
      message: parsed.error.issues[0]?.message ?? 'record does not match the Claude Code line shape',
    };
    return unchanged(state, [warning], true);
  }
  return readLine(state, input, context, parsed.data);
}

function readLine(
  state: ClaudeCodeParserState,
  input: JsonLineInput,
  context: ClaudeCodeLineContext,
  record: ClaudeCodeLine,
): ParseClaudeCodeLineResult {
  const builder = new LineReader(state, input, context, record);
  builder.read();
  return builder.result();
}

function unchanged(
  state: ClaudeCodeParserState,
  warnings: IngestWarning[],
  isRecord: boolean,
): ParseClaudeCodeLineResult {
  return { state, sessionPatch: {}, events: [], warnings, incomplete: false, isRecord };
}

/** The work for one line; a class only to share the many per-line values between small methods. */
class LineReader {
  private readonly events: SessionEvent[] = [];
  private readonly warnings: IngestWarning[] = [];
  private readonly patch: ClaudeCodeSessionPatch = {};
  private readonly timestamp: string | null;
  private readonly timestampMs: number | null;
  private pendingToolCalls: Record<string, string>;
  private lastMessageId: string | null;
  private lastMessageBlockKeys: string[];
  private pendingSummaries: Record<string, string>;
  private session: ClaudeCodeSessionMeta;

  constructor(
    private readonly state: ClaudeCodeParserState,
    private readonly input: JsonLineInput,
    private readonly context: ClaudeCodeLineContext,
    private readonly record: ClaudeCodeLine,
  ) {
    // Copy-on-write: each field is replaced (never mutated) only when this line changes it.
    this.pendingToolCalls = state.pendingToolCalls;
    this.lastMessageId = state.lastMessageId;
    this.lastMessageBlockKeys = state.lastMessageBlockKeys;
    this.pendingSummaries = state.pendingSummaries;
    this.session = state.session;
    const timestamp = record.timestamp ?? null;
    const timestampMs = timestamp === null ? Number.NaN : Date.parse(timestamp);
    this.timestamp = Number.isNaN(timestampMs) ? null : timestamp;
    this.timestampMs = Number.isNaN(timestampMs) ? null : timestampMs;
  }

  read(): void {
    const record = this.record;
    this.noteEnvelope();
    switch (record.type) {
      case 'user':
      case 'assistant':
        this.readMessage();
        return;
      case 'system':
        this.readSystem();
        return;
      case 'summary':
        this.readSummary();
        return;
      case 'custom-title':
        this.setTitle(record.customTitle ?? null, 3);
        return;
      case 'ai-title':
        this.setTitle(record.aiTitle ?? null, 2);
        return;
      default:
        if (claudeCodeIgnoredTypes.has(record.type)) return;
        this.push(0, 'other', record.type, '', {});
        this.warnings.push({
          type: 'unknown-record',
          path: this.input.path,
          line: this.input.line,
          recordType: record.type,
        });
    }
  }

  result(): ParseClaudeCodeLineResult {
    const uuid = this.record.uuid ?? null;
    const session =
      this.events.length > 0 && !this.session.hasConversation
        ? { ...this.session, hasConversation: true }
        : this.session;
    const state = this.state;
    const changed =
      this.pendingToolCalls !== state.pendingToolCalls ||
      this.lastMessageId !== state.lastMessageId ||
      this.lastMessageBlockKeys !== state.lastMessageBlockKeys ||
      this.pendingSummaries !== state.pendingSummaries ||
      session !== state.session ||
      (uuid !== null && uuid !== state.lastUuid);
    return {
      state: changed
        ? {
            pendingToolCalls: this.pendingToolCalls,
            lastMessageId: this.lastMessageId,
            lastMessageBlockKeys: this.lastMessageBlockKeys,
            pendingSummaries: this.pendingSummaries,
            lastUuid: uuid ?? state.lastUuid,
            session,
          }
        : state,
      sessionPatch: this.patch,
      events: this.events,
      warnings: this.warnings,
      incomplete: false,
      isRecord: true,
    };
  }

  /** Session time range and working directory, and a title waiting for this line's uuid. */
  private noteEnvelope(): void {
    const { timestamp, timestampMs } = this;
    const cwd = this.record.cwd ?? null;
    const session = this.session;
    let next: ClaudeCodeSessionMeta | null = null;
    if (timestamp !== null && timestampMs !== null) {
      if (session.startedAtMs === null || timestampMs < session.startedAtMs) {
        next = { ...session, startedAt: timestamp, startedAtMs: timestampMs };
        this.patch.startedAt = timestamp;
      }
      if (session.endedAtMs === null || timestampMs > session.endedAtMs) {
        next = { ...(next ?? session), endedAt: timestamp, endedAtMs: timestampMs };
        this.patch.endedAt = timestamp;
      }
    }
    if (cwd !== null && session.cwd === null) {
      next = { ...(next ?? session), cwd };
      this.patch.cwd = cwd;
    }
    if (next !== null) this.session = next;

    const uuid = this.record.uuid;
    if (uuid != null && Object.hasOwn(this.pendingSummaries, uuid)) {
      const summary = this.pendingSummaries[uuid];
      const { [uuid]: _removed, ...rest } = this.pendingSummaries;
      this.pendingSummaries = rest;
      if (summary !== undefined) this.setTitle(summary, 1);
    }
  }

  /**
   * A `summary` line (CLI 1.0.x) titles the conversation that ends at `leafUuid`. Claude Code writes these lines
   * at the top of the *next* session's file, so the leaf is usually in another file: the summary then titles
   * nothing here (it belongs to that other session). It titles this session when the leaf is the line just read
   * or a line read later.
   */
  private readSummary(): void {
    const summary = this.record.summary ?? null;
    const leafUuid = this.record.leafUuid ?? null;
    if (summary === null) return;
    if (leafUuid === null || leafUuid === this.state.lastUuid) {
      this.setTitle(summary, 1);
      return;
    }
    const keys = Object.keys(this.pendingSummaries);
    const kept =
      keys.length >= MAX_PENDING_SUMMARIES
        ? Object.fromEntries(keys.slice(1).map((key) => [key, this.pendingSummaries[key] ?? '']))
        : this.pendingSummaries;
    this.pendingSummaries = { ...kept, [leafUuid]: summary };
  }

  private setTitle(title: string | null, rank: number): void {
    if (title === null || title.length === 0) return;
    const session = this.session;
    if (rank < session.titleRank || (rank === session.titleRank && title === session.title)) {
      return;
    }
    this.session = { ...session, title, titleRank: rank, hasConversation: true };
    this.patch.title = title;
  }

  private readSystem(): void {
    const { content, subtype, level } = this.record;
    let text: string;
    if (typeof content === 'string') text = content;
    else if (content !== undefined && content !== null) text = JSON.stringify(content);
    else text = subtype ?? '';
    this.push(0, 'system', subtype ?? level ?? null, text, {});
  }

  private readMessage(): void {
    const record = this.record;
    const isAssistant = record.type === 'assistant';
    const content = record.message?.content;
    const messageId = isAssistant ? (record.message?.id ?? null) : null;
    if (messageId !== null && messageId !== this.lastMessageId) {
      this.lastMessageId = messageId;
      this.lastMessageBlockKeys = [];
    }
    if (typeof content === 'string') {
      this.readTextBlock(0, content, isAssistant, messageId);
      return;
    }
    if (!Array.isArray(content)) {
      // e.g. a message without content: nothing was said, so nothing to keep.
      if (content !== undefined && content !== null) {
        this.warnings.push({
          type: 'invalid-record',
          path: this.input.path,
          line: this.input.line,
          message: `${record.type} message content is neither a string nor a list of blocks`,
        });
      }
      return;
    }
    const blocks = content as unknown[];
    const count = Math.min(blocks.length, MAX_BLOCKS_PER_LINE);
    if (blocks.length > MAX_BLOCKS_PER_LINE) {
      this.warnings.push({
        type: 'invalid-record',
        path: this.input.path,
        line: this.input.line,
        message: `message has ${String(blocks.length)} content blocks; blocks after the first ${String(MAX_BLOCKS_PER_LINE)} skipped`,
      });
    }
    for (let index = 0; index < count; index++) {
      const block = blocks[index];
      const wellFormed = asWellFormedClaudeCodeBlock(block);
      if (wellFormed !== null) {
        this.readBlock(index, wellFormed, isAssistant, messageId);
        continue;
      }
      const parsed = claudeCodeContentBlockSchema.safeParse(block);
      if (!parsed.success) {
        // Not an object with a string `type`: keep its place (so block indexes stay stable) as an `other` event.
        this.push(index, 'other', null, '', { messageId });
        continue;
      }
      this.readBlock(index, parsed.data, isAssistant, messageId);
    }
  }

  private readBlock(
    index: number,
    block: ClaudeCodeContentBlock,
    isAssistant: boolean,
    messageId: string | null,
  ): void {
    const roleKind: EventKind = isAssistant ? 'assistant-message' : 'user-message';
    switch (block.type) {
      case 'text':
        this.readTextBlock(index, block.text ?? '', isAssistant, messageId);
        return;
      case 'thinking': {
        const text = block.thinking ?? '';
        if (this.isRepeatedBlock(messageId, `k:${hashText(text)}`)) return;
        this.push(index, 'assistant-message', 'thinking', text, { messageId });
        return;
      }
      case 'redacted_thinking':
        // The payload is encrypted; there is nothing readable to keep.
        this.push(index, 'assistant-message', 'thinking', '[redacted thinking]', { messageId });
        return;
      case 'tool_use': {
        const id = block.id ?? null;
        const name = block.name ?? null;
        if (id !== null && this.isRepeatedBlock(messageId, `u:${id}`)) return;
        if (id !== null && name !== null) this.addPendingToolCall(id, name);
        const input = block.input ?? null;
        this.push(index, 'tool-call', null, JSON.stringify(input), {
          messageId,
          toolName: name,
          toolCallId: id,
          toolInput: input,
        });
        return;
      }
      case 'tool_result':
        this.readToolResult(index, block, messageId);
        return;
      case 'image':
      case 'document':
        this.push(index, roleKind, block.type, `[${block.type}]`, { messageId });
        return;
      default:
        // Block types are content, not record types: a new one (server tool results, citations, ...) is kept as
        // `other` without a warning, so a new API feature does not flood every ingest with warnings.
        this.push(index, 'other', block.type, '', { messageId });
    }
  }

  private readTextBlock(index: number, text: string, isAssistant: boolean, messageId: string | null): void {
    if (isAssistant) {
      if (this.isRepeatedBlock(messageId, `t:${hashText(text)}`)) return;
      const subtype = this.record.isApiErrorMessage === true ? 'api-error' : null;
      this.push(index, 'assistant-message', subtype, text, { messageId });
      return;
    }
    this.push(index, 'user-message', this.userTextSubtype(text), text, { messageId });
  }

  private userTextSubtype(text: string): string | null {
    if (this.record.isCompactSummary === true) return 'compact-summary';
    if (this.record.isMeta === true) return 'meta';
    if (text.charCodeAt(0) === 0x3c /* < */ && COMMAND_PREFIXES.some((prefix) => text.startsWith(prefix))) {
      return 'command';
    }
    return null;
  }

  private readToolResult(index: number, block: ClaudeCodeContentBlock, messageId: string | null): void {
    const toolCallId = block.tool_use_id ?? null;
    let toolName: string | null = null;
    if (toolCallId !== null && Object.hasOwn(this.pendingToolCalls, toolCallId)) {
      toolName = this.pendingToolCalls[toolCallId] ?? null;
      const { [toolCallId]: _removed, ...rest } = this.pendingToolCalls;
      this.pendingToolCalls = rest;
    }
    // Capped (see TOOL_RESULT_MAX_BYTES): keeps the head verbatim, marks how much was cut.
    const text = capText(toolResultText(block.content), TOOL_RESULT_MAX_BYTES);
    const isError = block.is_error === true;
    this.push(index, 'tool-result', null, text, {
      messageId,
      toolName,
      toolCallId,
      isError,
      isRejection: isError && REJECTION_PREFIXES.some((prefix) => text.startsWith(prefix)),
    });
  }

  private addPendingToolCall(id: string, name: string): void {
    const keys = Object.keys(this.pendingToolCalls);
    // Calls whose results never come (an interrupted turn) would otherwise pile up in every saved cursor.
    const kept =
      keys.length >= MAX_PENDING_TOOL_CALLS
        ? Object.fromEntries(keys.slice(1).map((key) => [key, this.pendingToolCalls[key] ?? '']))
        : this.pendingToolCalls;
    this.pendingToolCalls = { ...kept, [id]: name };
  }

  /**
   * Defensive dedupe: some CLI versions re-write an assistant message's earlier blocks on a later line of the same
   * `message.id` (streamed updates). A block already read for the current message id is skipped.
   */
  private isRepeatedBlock(messageId: string | null, key: string): boolean {
    if (messageId === null) return false;
    if (this.lastMessageBlockKeys.includes(key)) return true;
    this.lastMessageBlockKeys = [...this.lastMessageBlockKeys, key];
    return false;
  }

  private push(
    blockIndex: number,
    kind: EventKind,
    subtype: string | null,
    text: string,
    fields: Partial<
      Pick<SessionEvent, 'messageId' | 'toolName' | 'toolCallId' | 'toolInput' | 'isError' | 'isRejection'>
    >,
  ): void {
    const { sessionId } = this.context;
    const uuid = this.record.uuid ?? null;
    const line = this.input.line;
    this.events.push({
      id:
        uuid === null
          ? `cc:${sessionId}:L${String(line)}:${String(blockIndex)}`
          : `cc:${uuid}:${String(blockIndex)}`,
      sessionId,
      sequence: line * 1000 + blockIndex,
      kind,
      subtype,
      timestamp: this.timestamp,
      text,
      messageId: fields.messageId ?? null,
      toolName: fields.toolName ?? null,
      toolCallId: fields.toolCallId ?? null,
      toolInput: fields.toolInput ?? null,
      isError: fields.isError ?? false,
      isRejection: fields.isRejection ?? false,
      source: { path: this.input.path, line },
    });
  }
}

/** A tool result's text: the string, or the text parts of a content list (`[image]` for images). */
function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    return content === undefined || content === null ? '' : JSON.stringify(content);
  const parts: string[] = [];
  for (const part of content as unknown[]) {
    if (typeof part === 'string') {
      parts.push(part);
      continue;
    }
    if (typeof part !== 'object' || part === null) continue;
    const { type, text } = part as { type?: unknown; text?: unknown };
    if (type === 'text' && typeof text === 'string') parts.push(text);
    else if (typeof type === 'string') parts.push(`[${type}]`);
  }
  return parts.join('\n');
}
