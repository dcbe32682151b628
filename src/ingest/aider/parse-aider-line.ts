import { z } from 'zod';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import type { EventKind, SessionEvent } from '../../domain/session.js';
import { TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import { isBlank } from '../parse-json-line.js';
import {
  aiderEditedFiles,
  aiderLintCommand,
  classifyAiderToolMessage,
  continuesAiderSegment,
  isFailedAiderRun,
} from './classify-aider-tool-message.js';
import type { AiderSegmentKind } from './classify-aider-tool-message.js';

/*
 * How aider (io.py, 0.4x-0.8x) writes `.aider.chat.history.md`, which this parser undoes:
 * - a launch appends `\n# aider chat started at YYYY-MM-DD HH:MM:SS\n\n` (local time, no zone);
 * - user input: `\n#### <line>  \n#### <line>  \n` (every line prefixed, ending in two spaces; `<blank>` if empty);
 * - a model reply: `\n<reply>\n\n` (plain Markdown, SEARCH/REPLACE blocks in fences);
 * - tool output: `> <message>  \n`, one append per message. A message with line breaks is written either line by
 *   line (each `> `-prefixed, `tool_error`) or as one append whose later lines carry no prefix (`tool_output`); its
 *   text is stripped, so its last line ends in a non-space character followed by the two spaces of the Markdown
 *   hard break aider adds (`tool_error(strip=False)` keeps a line's own trailing spaces, but writes every line as
 *   a message of its own).
 * Everything but tool output starts with `\n`, so a blank line always separates blocks of different kinds.
 */

const HEADER_PREFIX = '# aider chat started at ';
const HEADER_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\s*$/;
// Emacs file variables (`-*- mode: fundamental -*-`) on line 1: an editor setting, not chat.
const MODELINE = /^\s*-\*-.*-\*-\s*$/;
// The last line of an aider tool message: text, then the two spaces of its hard break.
const MESSAGE_END = /\S {2}$/;
const EMPTY_MESSAGE = /^>\s*$/;
// Sessions kept for numbering repeated start times (two launches in the same second); the file is nearly
// chronological, so a repeat is always among the last few headers.
const RECENT_SESSION_KEYS = 32;
// Longest user-message line used as a session title.
const TITLE_MAX_CHARS = 100;

/** Text accumulated for an open block, capped so the state saved in the cursor stays bounded. */
export interface AiderText {
  text: string;
  /** UTF-8 bytes of `text`. */
  bytes: number;
  /** UTF-8 bytes cut off past the cap (reported in the event's `…[truncated N bytes]` marker). */
  droppedBytes: number;
}

/** The session the parser is in. */
export interface AiderSessionMeta {
  id: string;
  /** Line of its `# aider chat started at` header (0 for lines before any header); event ids count from it. */
  headerLine: number;
  /** The header's local time as `YYYY-MM-DDTHH:MM:SS` (no zone: aider writes none), or null. */
  startedAt: string | null;
  /** The first line of the first message the person typed, or null. */
  title: string | null;
}

/** One segment of a tool-output run: messages that make one event. */
export interface AiderSegment {
  kind: AiderSegmentKind;
  line: number;
  body: AiderText;
  /** `run`/`test`: the command, from the user's `/run`, `!` or `/test` line. */
  command: string | null;
}

/** The block being read: its event is emitted once the next block (or session) starts. */
export type AiderBlock =
  | { kind: 'user'; line: number; body: AiderText }
  | {
      kind: 'assistant';
      line: number;
      body: AiderText;
      /** Blank lines not yet known to be inside the reply (trailing blank lines are separators). */
      pendingBlank: AiderText;
    }
  | { kind: 'tool'; segment: AiderSegment };

/** What the last consumed line was (binary, invalid and modeline lines are not consumed into the state). */
export type AiderLineRole = 'none' | 'blank' | 'header' | 'user' | 'assistant' | 'tool';

/**
 * What {@link parseAiderLine} carries from one line to the next: a JSON value, saved in the file cursor. Holds at
 * most one open block of text (capped at 64 KiB), so a resumed read continues an open block exactly.
 */
export interface AiderParserState {
  session: AiderSessionMeta | null;
  /** Start-time keys of the latest sessions, for numbering repeats. */
  recentSessionKeys: string[];
  block: AiderBlock | null;
  previous: AiderLineRole;
  /** Role of the last line that was not blank. */
  lastContent: AiderLineRole;
  /** The last tool message has not ended yet: the next lines are its unprefixed continuation. */
  toolMessageOpen: boolean;
  /** A `/run` or `/test` the person typed: the next tool output is its result. */
  pendingCommand: { toolName: 'run' | 'test'; command: string } | null;
}

const textSchema = z.object({ text: z.string(), bytes: z.number(), droppedBytes: z.number() });
const roleSchema = z.enum(['none', 'blank', 'header', 'user', 'assistant', 'tool']);
const segmentKindSchema = z.enum([
  'output',
  'tokens',
  'confirm',
  'edit',
  'edit-error',
  'lint-error',
  'commit',
  'api-error',
  'run',
  'test',
]);

/** Schema of {@link AiderParserState}, for decoding a saved cursor (our own data: strict). */
export const aiderParserStateSchema: z.ZodType<AiderParserState> = z.object({
  session: z
    .object({
      id: z.string().min(1),
      headerLine: z.number().int().nonnegative(),
      startedAt: z.string().nullable(),
      title: z.string().nullable(),
    })
    .nullable(),
  recentSessionKeys: z.array(z.string()),
  block: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('user'), line: z.number().int(), body: textSchema }),
      z.object({
        kind: z.literal('assistant'),
        line: z.number().int(),
        body: textSchema,
        pendingBlank: textSchema,
      }),
      z.object({
        kind: z.literal('tool'),
        segment: z.object({
          kind: segmentKindSchema,
          line: z.number().int(),
          body: textSchema,
          command: z.string().nullable(),
        }),
      }),
    ])
    .nullable(),
  previous: roleSchema,
  lastContent: roleSchema,
  toolMessageOpen: z.boolean(),
  pendingCommand: z.object({ toolName: z.enum(['run', 'test']), command: z.string() }).nullable(),
});

/** The state before the first line of a file. */
export function createAiderParserState(): AiderParserState {
  return {
    session: null,
    recentSessionKeys: [],
    block: null,
    previous: 'none',
    lastContent: 'none',
    toolMessageOpen: false,
    pendingCommand: null,
  };
}

/** One line of a history file, as `read-lines.ts` found it. */
export interface AiderLineInput {
  text: string;
  /** 1-based line number. */
  line: number;
  path: string;
  /** The bytes were not valid UTF-8 or contained NUL bytes. */
  binary: boolean;
  /** False for a final line without `\n`. */
  terminated: boolean;
}

/** What the caller knows about the file. */
export interface AiderLineContext {
  /** Prefix of every session id of this file: `aider-<hash of the absolute path>`. */
  sessionPrefix: string;
}

/** The outcome of {@link parseAiderLine}. */
export interface ParseAiderLineResult {
  state: AiderParserState;
  events: SessionEvent[];
  warnings: IngestWarning[];
  /** An unterminated final line: the caller must not consume it (aider may be in the middle of writing it). */
  incomplete: boolean;
  /** Sessions this line created or changed, or that its events belong to (their current metadata). */
  sessions: AiderSessionMeta[];
  /** The line begins a block (a header, a user message, a reply, a run of tool output): the record kit splits here. */
  startsBlock: boolean;
}

/**
 * Reads one line of an aider chat history into events. Pure: the input state is never mutated. Never throws.
 *
 * A block's event is emitted when the block ends, which only the next block shows (a reply's next paragraph looks
 * like any other); the block in progress waits in the state. So the final block of a file is emitted once aider
 * writes more, e.g. the next launch's header; in exchange, reading a grown file from a cursor gives exactly the
 * events of reading it whole.
 *
 * - `# aider chat started at <time>`: a new session, id `<prefix>-<YYYYMMDDTHHMMSS>` (`-2`, `-3` for repeats).
 *   A header whose time is not `YYYY-MM-DD HH:MM:SS` is skipped with an `invalid-record` warning.
 * - `#### ` lines: one `user-message`; `/command` or `!command` input has subtype `command`, the lint report and
 *   `/help` question aider sends on the person's behalf have subtype `meta`.
 * - Plain Markdown: one `assistant-message` per reply.
 * - `> ` output: one event per segment (see `classify-aider-tool-message.ts`). Edits, lint reports, commits and
 *   `/run`/`/test` output become a derived `tool-call` (subtype `derived`) plus its `tool-result`; API errors a
 *   `system` event with subtype `api-error`; questions `system`/`confirm`; token reports nothing; the rest
 *   `system`.
 *
 * Event ids: `<sessionId>:L<line - header line>` (`:call` appended for a derived call), so they survive the head of
 * the file being cut. Sequence: `(line - header line) * 2 + 1`, one less for a derived call.
 */
export function parseAiderLine(
  state: AiderParserState,
  input: AiderLineInput,
  context: AiderLineContext,
): ParseAiderLineResult {
  const reader = new LineReader(state, input, context);
  reader.read();
  return reader.result();
}

/** The work for one line; a class only to share the per-line values between small methods. */
class LineReader {
  private readonly events: SessionEvent[] = [];
  private readonly warnings: IngestWarning[] = [];
  private readonly touched = new Map<string, AiderSessionMeta>();
  private next: AiderParserState;
  private incomplete = false;
  private startsBlock = false;

  constructor(
    private readonly state: AiderParserState,
    private readonly input: AiderLineInput,
    private readonly context: AiderLineContext,
  ) {
    this.next = state;
  }

  result(): ParseAiderLineResult {
    return {
      state: this.next,
      events: this.events,
      warnings: this.warnings,
      incomplete: this.incomplete,
      sessions: [...this.touched.values()],
      startsBlock: this.startsBlock,
    };
  }

  read(): void {
    const { text, line, path } = this.input;
    if (!this.input.terminated) {
      // aider writes every line with its `\n` in one append: a line without one is still being written (or was cut
      // by a crash). Not consumed, so the next ingest reads it whole.
      this.warnings.push({ type: 'truncated-line', path, line });
      this.incomplete = true;
      return;
    }
    if (this.input.binary) {
      // Skipped on its own: the block around it goes on as if the line were not there.
      this.warnings.push({ type: 'binary-content', path, line });
      return;
    }
    if (line === 1 && MODELINE.test(text)) return;
    if (text.startsWith(HEADER_PREFIX)) {
      this.readHeader(text.slice(HEADER_PREFIX.length));
      return;
    }
    const state = this.state;
    if (state.toolMessageOpen && state.block?.kind === 'tool') {
      this.continueToolMessage(text);
      return;
    }
    if (isBlank(text)) {
      this.readBlank(text);
      return;
    }
    const block = state.block;
    // Right under reply text, `> ` and `#### ` are Markdown (a quote, a heading): aider starts its own blocks after
    // a blank line. After a blank line inside a reply, a `> ` line is aider's only if it ends the way aider ends its
    // lines or says what aider says; otherwise it is a quote in the reply (in the text or in a fenced file).
    const underReplyText = block?.kind === 'assistant' && state.previous === 'assistant';
    if (
      !underReplyText &&
      (text === '>' || text.startsWith('> ')) &&
      (block?.kind !== 'assistant' || text.endsWith('  ') || isKnownToolLine(text))
    ) {
      this.startToolMessage(text);
      return;
    }
    if (!underReplyText && isUserLine(text, state)) {
      this.readUserLine(text);
      return;
    }
    if (state.previous === 'tool' && block?.kind === 'tool') {
      // Aider starts everything but tool output with a blank line: text right under a tool line is the rest of
      // that message (a command's output whose first line ended in two spaces).
      this.continueToolMessage(text);
      return;
    }
    this.readReplyLine(text);
  }

  private readHeader(rest: string): void {
    const { line, path } = this.input;
    const time = HEADER_TIME.exec(rest);
    if (time === null) {
      // aider has written `%Y-%m-%d %H:%M:%S` since its first release: anything else is a damaged or foreign line.
      this.warnings.push({
        type: 'invalid-record',
        path,
        line,
        message: 'session header without a "YYYY-MM-DD HH:MM:SS" start time',
      });
      return;
    }
    this.closeBlock();
    const [, year, month, day, hour, minute, second] = time;
    const key = `${year}${month}${day}T${hour}${minute}${second}`;
    const recent = this.next.recentSessionKeys;
    const repeats = recent.filter((seen) => seen === key).length;
    const id = `${this.context.sessionPrefix}-${key}${repeats > 0 ? `-${String(repeats + 1)}` : ''}`;
    const session: AiderSessionMeta = {
      id,
      headerLine: line,
      // Local time as aider wrote it: no zone is invented (an ISO-8601 local time; Date.parse reads it as local).
      startedAt: `${year}-${month}-${day}T${hour}:${minute}:${second}`,
      title: null,
    };
    this.next = {
      ...this.next,
      session,
      recentSessionKeys: [...recent.slice(-(RECENT_SESSION_KEYS - 1)), key],
      block: null,
      previous: 'header',
      lastContent: 'header',
      toolMessageOpen: false,
      pendingCommand: null,
    };
    this.touched.set(id, session);
    this.startsBlock = true;
  }

  private readBlank(text: string): void {
    const block = this.next.block;
    if (block?.kind === 'assistant') {
      this.next = {
        ...this.next,
        block: { ...block, pendingBlank: appendText(block.pendingBlank, `\n${text}`) },
        previous: 'blank',
      };
      return;
    }
    if (block !== null) this.closeBlock();
    this.next = { ...this.next, previous: 'blank' };
  }

  private readUserLine(text: string): void {
    // `#### <line>  `: the prefix and aider's two-space hard break are markup, the rest is what the person typed.
    const typed = text.length <= 5 ? '' : text.slice(5);
    const content = typed.endsWith('  ') ? typed.slice(0, -2) : typed;
    const block = this.next.block;
    if (block?.kind === 'user') {
      this.next = {
        ...this.next,
        block: { ...block, body: appendText(block.body, `\n${content}`) },
        previous: 'user',
        lastContent: 'user',
      };
      return;
    }
    this.closeBlock();
    this.next = {
      ...this.next,
      block: { kind: 'user', line: this.input.line, body: appendText(emptyText(), content) },
      previous: 'user',
      lastContent: 'user',
      pendingCommand: null,
    };
    this.startsBlock = true;
  }

  private readReplyLine(text: string): void {
    const block = this.next.block;
    if (block?.kind === 'assistant') {
      const withBlank = appendPending(block.body, block.pendingBlank);
      this.next = {
        ...this.next,
        block: {
          ...block,
          body: appendText(withBlank, `\n${text}`),
          pendingBlank: emptyText(),
        },
        previous: 'assistant',
        lastContent: 'assistant',
      };
      return;
    }
    this.closeBlock();
    this.next = {
      ...this.next,
      block: {
        kind: 'assistant',
        line: this.input.line,
        body: appendText(emptyText(), text),
        pendingBlank: emptyText(),
      },
      previous: 'assistant',
      lastContent: 'assistant',
      pendingCommand: null,
    };
    this.startsBlock = true;
  }

  private startToolMessage(text: string): void {
    // `>  ` is an empty message: aider writes `> ` + text, strips trailing space, then adds the two-space break.
    const marked = stripHardBreak(text);
    const content = marked === '>' ? '' : marked.slice(2);
    const start = classifyAiderToolMessage(content);
    const line = this.input.line;
    const block = this.next.block;
    let segment: AiderSegment;
    if (block?.kind === 'tool' && continuesAiderSegment(block.segment.kind, start, content)) {
      segment = { ...block.segment, body: appendText(block.segment.body, `\n${content}`) };
    } else {
      this.closeBlock();
      // Read after closing: closing the person's `/run` line is what records the command.
      const pending = block?.kind === 'tool' ? null : this.next.pendingCommand;
      if (block?.kind !== 'tool') this.startsBlock = true;
      segment = {
        kind: pending?.toolName ?? start?.kind ?? 'output',
        line,
        body: appendText(emptyText(), content),
        command: pending?.command ?? null,
      };
    }
    this.next = {
      ...this.next,
      block: { kind: 'tool', segment },
      previous: 'tool',
      lastContent: 'tool',
      // An empty message (`>  `, or `>   ` from `tool_error(strip=False)`) is always whole: aider strips the text of
      // a multi-line message, so one never starts with an empty line.
      toolMessageOpen: !MESSAGE_END.test(text) && !EMPTY_MESSAGE.test(text),
      pendingCommand: null,
    };
  }

  private continueToolMessage(text: string): void {
    const block = this.next.block;
    if (block?.kind !== 'tool') return;
    const ends = MESSAGE_END.test(text);
    const content = ends ? text.slice(0, -2) : text;
    this.next = {
      ...this.next,
      block: {
        kind: 'tool',
        segment: { ...block.segment, body: appendText(block.segment.body, `\n${content}`) },
      },
      previous: 'tool',
      lastContent: 'tool',
      toolMessageOpen: !ends,
    };
  }

  /** Emits the open block's events and clears it. */
  private closeBlock(): void {
    const block = this.next.block;
    if (block === null) return;
    this.next = { ...this.next, block: null, toolMessageOpen: false };
    switch (block.kind) {
      case 'user':
        this.emitUser(block.line, finishText(block.body));
        return;
      case 'assistant':
        this.emit({ line: block.line, kind: 'assistant-message', text: finishText(block.body) });
        return;
      case 'tool':
        this.emitSegment(block.segment);
        return;
    }
  }

  private emitUser(line: number, text: string): void {
    const first = text.split('\n', 1)[0] ?? '';
    const subtype = /^[/!]/.test(first) ? 'command' : isAiderInjected(first) ? 'meta' : null;
    this.emit({ line, kind: 'user-message', subtype, text });
    if (subtype === 'command') {
      const command = runCommand(text);
      if (command !== null) this.next = { ...this.next, pendingCommand: command };
      return;
    }
    const session = this.currentSession();
    const title = first.trim();
    if (subtype === null && session.title === null && title !== '' && title !== '<blank>') {
      const updated: AiderSessionMeta = {
        ...session,
        title: shortTitle(title),
      };
      this.next = { ...this.next, session: updated };
      this.touched.set(updated.id, updated);
    }
  }

  private emitSegment(segment: AiderSegment): void {
    const text = trimBlankLines(finishText(segment.body));
    const { kind, line } = segment;
    switch (kind) {
      case 'tokens':
        return;
      case 'output':
      case 'confirm':
      case 'api-error':
        if (text === '') return;
        this.emit({ line, kind: 'system', subtype: kind === 'output' ? null : kind, text });
        return;
      case 'edit':
      case 'edit-error': {
        const files = aiderEditedFiles(text);
        const input =
          files.length === 0 ? null : files.length === 1 ? { file_path: files[0] } : { file_paths: files };
        const description = files.length === 0 ? 'edit' : `edit ${files.join(', ')}`;
        this.emitToolPair(line, 'edit', description, input, text, kind === 'edit-error');
        return;
      }
      case 'lint-error': {
        const command = aiderLintCommand(text);
        const input = command === null ? null : { command };
        this.emitToolPair(line, 'lint', command === null ? 'lint' : `lint: ${command}`, input, text, true);
        return;
      }
      case 'commit':
        this.emitToolPair(line, 'git-commit', 'git commit', null, text, false);
        return;
      case 'run':
      case 'test': {
        const command = segment.command ?? '';
        this.emitToolPair(line, kind, command, { command }, text, isFailedAiderRun(text));
        return;
      }
    }
  }

  /**
   * Aider logs no tool calls, only their results. The call is derived (subtype `derived`) so that miners joining
   * calls to results by `toolCallId` see the pair; its input is what the result names (the file, the command).
   */
  private emitToolPair(
    line: number,
    toolName: string,
    description: string,
    toolInput: unknown,
    text: string,
    isError: boolean,
  ): void {
    const session = this.currentSession();
    const toolCallId = `${session.id}:L${String(line - session.headerLine)}`;
    this.emit({
      line,
      kind: 'tool-call',
      subtype: 'derived',
      text: description,
      toolName,
      toolCallId,
      toolInput,
    });
    this.emit({ line, kind: 'tool-result', text, toolName, toolCallId, isError });
  }

  private emit(event: {
    line: number;
    kind: EventKind;
    subtype?: string | null;
    text: string;
    toolName?: string;
    toolCallId?: string;
    toolInput?: unknown;
    isError?: boolean;
  }): void {
    const session = this.currentSession();
    const relative = event.line - session.headerLine;
    const isCall = event.kind === 'tool-call';
    this.events.push({
      id: `${session.id}:L${String(relative)}${isCall ? ':call' : ''}`,
      sessionId: session.id,
      sequence: relative * 2 + (isCall ? 0 : 1),
      kind: event.kind,
      subtype: event.subtype ?? null,
      // aider stores no time per message, only the session's start.
      timestamp: null,
      text: event.text,
      messageId: null,
      toolName: event.toolName ?? null,
      toolCallId: event.toolCallId ?? null,
      toolInput: event.toolInput ?? null,
      isError: event.isError ?? false,
      isRejection: false,
      source: { path: this.input.path, line: event.line },
    });
    this.touched.set(session.id, session);
  }

  /**
   * The session events go to. Lines before the first header (a history whose start was cut off) form a session of
   * their own, `<prefix>-preamble`, with no start time.
   */
  private currentSession(): AiderSessionMeta {
    const existing = this.next.session;
    if (existing !== null) return existing;
    const session: AiderSessionMeta = {
      id: `${this.context.sessionPrefix}-preamble`,
      headerLine: 0,
      startedAt: null,
      title: null,
    };
    this.next = { ...this.next, session };
    return session;
  }
}

/**
 * A `#### ` line is the person's input when it ends in aider's two-space hard break and is not right under reply
 * text (aider starts input with a blank line). Leniency for files whose trailing spaces were stripped (an editor's "trim whitespace"): a `#### ` line
 * without them still counts when no reply text came before it (a reply's `####` heading always does).
 */
function isUserLine(text: string, state: AiderParserState): boolean {
  if (!text.startsWith('####') || (text.length > 4 && text.charCodeAt(4) !== 0x20)) return false;
  if (state.previous === 'assistant') return false;
  return text.endsWith('  ') || state.lastContent !== 'assistant';
}

/** A `> ` line whose wording is one of aider's own messages. */
function isKnownToolLine(text: string): boolean {
  return text.startsWith('> ') && classifyAiderToolMessage(text.slice(2)) !== null;
}

/** Messages aider types on the person's behalf: the lint report after `/lint`, the docs question of `/help`. */
function isAiderInjected(firstLine: string): boolean {
  return firstLine.startsWith('# Fix any errors below, if possible.') || firstLine.startsWith('# Question: ');
}

/** `/run <cmd>`, `!<cmd>` or `/test <cmd>` (aider accepts a unique prefix of a command name). */
function runCommand(text: string): AiderParserState['pendingCommand'] {
  const first = text.split('\n', 1)[0] ?? '';
  if (first.startsWith('!')) return { toolName: 'run', command: first.slice(1).trim() };
  const match = /^\/(ru|run|te|tes|test)(?:\s+(.*))?$/.exec(first);
  if (match === null) return null;
  return { toolName: match[1]?.startsWith('r') === true ? 'run' : 'test', command: match[2]?.trim() ?? '' };
}

/** A title of at most {@link TITLE_MAX_CHARS} UTF-16 units, never ending in half a surrogate pair. */
function shortTitle(title: string): string {
  if (title.length <= TITLE_MAX_CHARS) return title;
  let end = TITLE_MAX_CHARS - 1;
  const last = title.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${title.slice(0, end)}…`;
}

function stripHardBreak(content: string): string {
  return content.endsWith('  ') ? content.slice(0, -2) : content;
}

function emptyText(): AiderText {
  return { text: '', bytes: 0, droppedBytes: 0 };
}

const encoder = new TextEncoder();

/**
 * Appends `piece` to a capped text. Past {@link TOOL_RESULT_MAX_BYTES} only the number of bytes is kept: an open
 * block lives in the cursor state, which must stay small whatever aider printed (a `/diff` of a whole repository).
 */
function appendText(target: AiderText, piece: string): AiderText {
  if (piece.length === 0) return target;
  const pieceBytes = Buffer.byteLength(piece, 'utf8');
  if (target.droppedBytes > 0 || target.bytes >= TOOL_RESULT_MAX_BYTES) {
    return { ...target, droppedBytes: target.droppedBytes + pieceBytes };
  }
  if (target.bytes + pieceBytes <= TOOL_RESULT_MAX_BYTES) {
    return { text: target.text + piece, bytes: target.bytes + pieceBytes, droppedBytes: 0 };
  }
  // encodeInto writes only whole characters: the head stays a verbatim prefix.
  const head = new Uint8Array(TOOL_RESULT_MAX_BYTES - target.bytes);
  const { read, written } = encoder.encodeInto(piece, head);
  return {
    text: target.text + piece.slice(0, read),
    bytes: target.bytes + written,
    droppedBytes: pieceBytes - written,
  };
}

/** Appends blank lines held back in `pending` (they turned out to be inside the reply). */
function appendPending(body: AiderText, pending: AiderText): AiderText {
  const appended = appendText(body, pending.text);
  return pending.droppedBytes === 0
    ? appended
    : { ...appended, droppedBytes: appended.droppedBytes + pending.droppedBytes };
}

/**
 * The text of a finished block: verbatim up to the cap, then the marker `capText` (cap-text.ts) writes, whose
 * whole input the capped state no longer has.
 */
function finishText(body: AiderText): string {
  return body.droppedBytes === 0
    ? body.text
    : `${body.text}\n…[truncated ${String(body.droppedBytes)} bytes]`;
}

/** Drops leading and trailing blank lines (separators between aider's messages, not part of any). */
function trimBlankLines(text: string): string {
  const lines = text.split('\n');
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] ?? '')) start++;
  while (end > start && isBlank(lines[end - 1] ?? '')) end--;
  return start === 0 && end === lines.length ? text : lines.slice(start, end).join('\n');
}
