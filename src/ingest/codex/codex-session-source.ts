import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { hashText } from '../../domain/hash.js';
import type { Session } from '../../domain/session.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { decodeLineCursor, readLineChunks } from '../read-line-chunks.js';
import { readLines } from '../read-lines.js';
import { isKnownCodexType } from './codex-schema.js';
import { codexParserStateSchema, createCodexParserState, parseCodexLine } from './parse-codex-line.js';
import type { CodexParserState } from './parse-codex-line.js';

// `rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl`: the uuid is the thread id (codex-rs rollout recorder).
const ROLLOUT_UUID_PATTERN = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i;
// How far into a file the source looks for `session_meta` when resolving the session.
const IDENTITY_SCAN_LINES = 1000;
// Files Codex keeps next to its rollouts that are not rollouts (`~/.codex/history.jsonl`, `session_index.jsonl`).
const NOT_ROLLOUTS = new Set(['history.jsonl', 'session_index.jsonl']);
// A rollout line starts with its envelope keys (serde field order: `timestamp`, `ordinal`?, `type`, `payload`;
// CLI 0.2x-0.13x), so the start of a first line too long for the head still identifies the format.
const ENVELOPE_PREFIX =
  /^\{(?:"timestamp":"[^"]*",)?(?:"ordinal":\d+,)?"type":"([a-z_]+)",(?:"timestamp":"[^"]*",)?"payload":\{/;

/** Which session a rollout holds. */
export interface CodexSessionIdentity {
  sessionId: string;
  /** The thread that spawned this one (`session_meta.source.subagent.thread_spawn.parent_thread_id`). */
  parentSessionId: string | null;
  /**
   * False when neither the file's `session_meta` nor its name gave the session (a new file with no complete line
   * yet): a later read resolves it again, as long as nothing was stored under the fallback id.
   */
  resolved: boolean;
}

/** Parser state plus the session identity it was read under, as saved in the file cursor. */
interface CodexReadState {
  identity: CodexSessionIdentity;
  parser: CodexParserState;
}

const codexReadStateSchema: z.ZodType<CodexReadState> = z.object({
  identity: z.object({
    sessionId: z.string().min(1),
    parentSessionId: z.string().nullable(),
    resolved: z.boolean(),
  }),
  parser: codexParserStateSchema,
});

/** Options for {@link createCodexSessionSource}. */
export interface CodexSessionSourceOptions {
  /** Lines per chunk at most (default 2000). */
  maxChunkLines?: number;
  /** Bytes per chunk at most, roughly (default 8 MiB). */
  maxChunkBytes?: number;
}

/**
 * Reads OpenAI Codex CLI rollouts (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl`, CLI 0.2x-0.13x;
 * docs/formats/codex.md). One file is one thread; a resumed thread appends to the same file, and a sub-agent's thread
 * is its own file whose session points at the thread that spawned it. Not for `codex exec --json` output (a
 * different, UI event stream).
 */
export class CodexSessionSource implements SessionSource {
  readonly format = 'codex';
  private readonly maxChunkLines: number | undefined;
  private readonly maxChunkBytes: number | undefined;

  constructor(options: CodexSessionSourceOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
        throw new RangeError(`CodexSessionSource: ${name} must be a positive integer, got ${String(value)}`);
      }
    }
    this.maxChunkLines = options.maxChunkLines;
    this.maxChunkBytes = options.maxChunkBytes;
  }

  isCandidate(path: string): boolean {
    if (!path.endsWith('.jsonl')) return false;
    return !NOT_ROLLOUTS.has(basename(path));
  }

  detect(head: string): boolean {
    const lines = head.split('\n');
    for (const text of lines) {
      if (text.trim().length === 0) continue;
      const parsed = safeParseJson(text);
      if (!parsed.success) continue;
      const record = parsed.value;
      if (!isJsonObject(record)) return false;
      const type = record['type'];
      // `codex exec --json` lines (`thread.started`, `item.completed`, …) have no `payload`.
      return typeof type === 'string' && isKnownCodexType(type) && isJsonObject(record['payload']);
    }
    // No whole line in the head: a `session_meta` carrying long base instructions (CLI 0.4x+ writes ~13 KB).
    const firstIndex = lines.findIndex((text) => text.trim().length > 0);
    if (firstIndex !== lines.length - 1) return false;
    const match = ENVELOPE_PREFIX.exec(lines[firstIndex]?.trimStart() ?? '');
    return match?.[1] !== undefined && isKnownCodexType(match[1]);
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const resume = decodeLineCursor(request.cursor, codexReadStateSchema);
    const saved = resume?.state;
    const identity =
      saved !== undefined && (saved.identity.resolved || saved.parser.session.hasConversation)
        ? saved.identity
        : await resolveCodexSessionIdentity(path);
    const context = { sessionId: identity.sessionId };
    const session = (meta: CodexParserState['session']): Session => ({
      id: identity.sessionId,
      // Rollouts name no agent of Reverie's: the caller's agent (a Codex sub-agent's nickname is a role, not one).
      agent: request.agent,
      format: 'codex',
      sourcePath: path,
      parentSessionId: identity.parentSessionId,
      title: meta.title,
      cwd: meta.cwd,
      startedAt: meta.startedAt,
      endedAt: meta.endedAt,
      eventCount: 0,
      // Rollouts record no outcome (interactive use).
      outcome: null,
    });
    yield* readLineChunks<CodexReadState>({
      path,
      resume,
      initialState: { identity, parser: createCodexParserState() },
      maxLines: this.maxChunkLines,
      maxBytes: this.maxChunkBytes,
      parseLine: (state, line) => {
        const result = parseCodexLine(state.parser, { ...line, path }, context);
        return {
          state:
            result.state === state.parser && state.identity === identity
              ? state
              : { identity, parser: result.state },
          events: result.events,
          warnings: result.warnings,
          incomplete: result.incomplete,
          sessionIds: result.isRecord ? [identity.sessionId] : [],
        };
      },
      sessions: (state, touched) =>
        touched.size > 0 && state.parser.session.hasConversation ? [session(state.parser.session)] : [],
    });
  }
}

/** Creates a {@link CodexSessionSource}. */
export function createCodexSessionSource(options?: CodexSessionSourceOptions): CodexSessionSource {
  return new CodexSessionSource(options);
}

const sessionMetaIdentitySchema = z.looseObject({
  type: z.literal('session_meta'),
  payload: z.looseObject({
    id: z.string().min(1),
    source: z.unknown().optional(),
  }),
});

/**
 * Which session a rollout holds: `session_meta.payload.id` (the thread id), else the uuid at the end of a
 * `rollout-…-<uuid>.jsonl` name, else `codex-<file stem>-<hash of the absolute path>`. The parent is
 * `session_meta.payload.source.subagent.thread_spawn.parent_thread_id` (sub-agent threads, CLI 0.4x+).
 */
export async function resolveCodexSessionIdentity(path: string): Promise<CodexSessionIdentity> {
  const meta = await firstSessionMeta(path);
  if (meta !== null) return { sessionId: meta.id, parentSessionId: meta.parentId, resolved: true };
  const name = basename(path);
  const uuid = ROLLOUT_UUID_PATTERN.exec(name)?.[1];
  if (uuid !== undefined) return { sessionId: uuid.toLowerCase(), parentSessionId: null, resolved: true };
  const stem = name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : name;
  return {
    sessionId: `codex-${stem}-${hashText(resolve(path)).slice(-8)}`,
    parentSessionId: null,
    resolved: false,
  };
}

async function firstSessionMeta(path: string): Promise<{ id: string; parentId: string | null } | null> {
  try {
    for await (const line of readLines({ path })) {
      if (line.line > IDENTITY_SCAN_LINES) break;
      // Cheap pre-check: only `session_meta` lines need a parse.
      if (line.binary || !line.text.includes('"session_meta"')) continue;
      const parsed = safeParseJson(line.text);
      if (!parsed.success) continue;
      const meta = sessionMetaIdentitySchema.safeParse(parsed.value);
      if (!meta.success) continue;
      return { id: meta.data.payload.id, parentId: parentThreadId(meta.data.payload.source) };
    }
  } catch {
    // Unreadable here means unreadable for the main read too, which reports it; the name is a fine fallback.
  }
  return null;
}

const subagentSourceSchema = z.looseObject({
  subagent: z.looseObject({
    thread_spawn: z.looseObject({ parent_thread_id: z.string().min(1) }),
  }),
});

function parentThreadId(source: unknown): string | null {
  const parsed = subagentSourceSchema.safeParse(source);
  return parsed.success ? parsed.data.subagent.thread_spawn.parent_thread_id : null;
}
