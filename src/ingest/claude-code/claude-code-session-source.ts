import { basename, dirname } from 'node:path';
import { z } from 'zod';
import type { Session } from '../../domain/session.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { decodeLineCursor, readLineChunks } from '../read-line-chunks.js';
import { readLines } from '../read-lines.js';
import { isKnownClaudeCodeType } from './claude-code-schema.js';
import {
  claudeCodeParserStateSchema,
  createClaudeCodeParserState,
  parseClaudeCodeLine,
} from './parse-claude-code-line.js';
import type { ClaudeCodeParserState } from './parse-claude-code-line.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AGENT_FILE_PATTERN = /^agent-(.+)\.jsonl$/;
const IDENTITY_KEYS = ['sessionId', 'uuid', 'leafUuid', 'parentUuid'];
// How far into a file the source looks for a `sessionId` when the file name does not give the session.
const IDENTITY_SCAN_LINES = 1000;

/** Which session a transcript file holds. */
export interface ClaudeCodeSessionIdentity {
  sessionId: string;
  parentSessionId: string | null;
  /**
   * False when neither the path nor a line named the session (a new file with no complete line yet): a later read
   * resolves it again, as long as nothing was stored under the fallback id.
   */
  resolved: boolean;
}

/** Parser state plus the session identity it was read under, as saved in the file cursor. */
interface ClaudeCodeReadState {
  identity: ClaudeCodeSessionIdentity;
  parser: ClaudeCodeParserState;
}

const claudeCodeReadStateSchema: z.ZodType<ClaudeCodeReadState> = z.object({
  identity: z.object({
    sessionId: z.string().min(1),
    parentSessionId: z.string().nullable(),
    resolved: z.boolean(),
  }),
  parser: claudeCodeParserStateSchema,
});

/** Options for {@link createClaudeCodeSessionSource}. */
export interface ClaudeCodeSessionSourceOptions {
  /** Lines per chunk at most (default 2000). */
  maxChunkLines?: number;
  /** Bytes per chunk at most, roughly (default 8 MiB). */
  maxChunkBytes?: number;
}

/**
 * Reads Claude Code transcripts (`~/.claude/projects/<project>/<session>.jsonl`, CLI 1.0.x-2.x) including
 * sub-agent sidechains, both the legacy `<project>/agent-<agentId>.jsonl` layout and
 * `<project>/<session>/subagents/agent-<agentId>.jsonl`. A sidechain is its own session,
 * `<parentSessionId>/agent-<agentId>`, pointing at the session that spawned it.
 */
export class ClaudeCodeSessionSource implements SessionSource {
  readonly format = 'claude-code';
  private readonly maxChunkLines: number | undefined;
  private readonly maxChunkBytes: number | undefined;

  constructor(options: ClaudeCodeSessionSourceOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
        throw new RangeError(
          `ClaudeCodeSessionSource: ${name} must be a positive integer, got ${String(value)}`,
        );
      }
    }
    this.maxChunkLines = options.maxChunkLines;
    this.maxChunkBytes = options.maxChunkBytes;
  }

  isCandidate(path: string): boolean {
    if (!path.endsWith('.jsonl')) return false;
    const segments = path.split(/[\\/]/);
    const name = segments.at(-1) ?? '';
    // Internal compaction agents: a summary of the parent conversation, not a conversation of its own.
    if (name.startsWith('agent-acompact-')) return false;
    // Auto-memory files and spilled tool outputs live next to transcripts but are not transcripts.
    return !segments.slice(0, -1).some((segment) => segment === 'memory' || segment === 'tool-results');
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
      return (
        typeof type === 'string' && isKnownClaudeCodeType(type) && IDENTITY_KEYS.some((key) => key in record)
      );
    }
    // No whole line in the head: the first line is longer than the head (a large pasted prompt or tool result).
    // Claude Code writes its envelope keys before `message` (CLI 1.0.24-2.0.55: parentUuid, isSidechain, userType,
    // cwd, sessionId, ...), so the start of the line still identifies the format.
    const firstIndex = lines.findIndex((text) => text.trim().length > 0);
    const first = lines[firstIndex]?.trimStart() ?? '';
    return (
      firstIndex === lines.length - 1 &&
      first.startsWith('{') &&
      first.includes('"isSidechain":') &&
      first.includes('"sessionId":"')
    );
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const resume = decodeLineCursor(request.cursor, claudeCodeReadStateSchema);
    const saved = resume?.state;
    const identity =
      saved !== undefined && (saved.identity.resolved || saved.parser.session.hasConversation)
        ? saved.identity
        : await resolveClaudeCodeSessionIdentity(path);
    const context = { sessionId: identity.sessionId };
    const session = (meta: ClaudeCodeParserState['session']): Session => ({
      id: identity.sessionId,
      agent: request.agent,
      format: 'claude-code',
      sourcePath: path,
      parentSessionId: identity.parentSessionId,
      title: meta.title,
      cwd: meta.cwd,
      startedAt: meta.startedAt,
      endedAt: meta.endedAt,
      eventCount: 0,
      // Claude Code transcripts record no outcome (interactive use).
      outcome: null,
    });
    yield* readLineChunks<ClaudeCodeReadState>({
      path,
      resume,
      initialState: { identity, parser: createClaudeCodeParserState() },
      maxLines: this.maxChunkLines,
      maxBytes: this.maxChunkBytes,
      parseLine: (state, line) => {
        const result = parseClaudeCodeLine(state.parser, { ...line, path }, context);
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

/** Creates a {@link ClaudeCodeSessionSource}. */
export function createClaudeCodeSessionSource(
  options?: ClaudeCodeSessionSourceOptions,
): ClaudeCodeSessionSource {
  return new ClaudeCodeSessionSource(options);
}

/**
 * Which session a transcript holds, from its path and (when the path does not say) its first lines:
 * - `<dir>/<uuid>.jsonl`: the file stem (Claude Code names main transcripts by session id);
 * - `<project>/<session>/subagents/agent-<id>.jsonl`: `<session>/agent-<id>`, parent `<session>`;
 * - legacy `<project>/agent-<id>.jsonl` (CLI 1.0.x-2.0.x): `<sessionId>/agent-<id>`, parent = the lines'
 *   `sessionId` (sidechain lines carry the parent's session id);
 * - any other name: the first `sessionId` in the file, else the file stem.
 */
export async function resolveClaudeCodeSessionIdentity(path: string): Promise<ClaudeCodeSessionIdentity> {
  const name = basename(path);
  const agentMatch = AGENT_FILE_PATTERN.exec(name);
  if (agentMatch?.[1] !== undefined) {
    const agentId = agentMatch[1];
    const directory = dirname(path);
    const parentSessionId =
      basename(directory) === 'subagents' ? basename(dirname(directory)) : await firstSessionId(path);
    return {
      sessionId: parentSessionId === null ? `agent-${agentId}` : `${parentSessionId}/agent-${agentId}`,
      parentSessionId,
      resolved: parentSessionId !== null,
    };
  }
  const stem = name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : name;
  if (UUID_PATTERN.test(stem)) return { sessionId: stem, parentSessionId: null, resolved: true };
  const sessionId = await firstSessionId(path);
  return { sessionId: sessionId ?? stem, parentSessionId: null, resolved: sessionId !== null };
}

async function firstSessionId(path: string): Promise<string | null> {
  try {
    for await (const line of readLines({ path })) {
      if (line.line > IDENTITY_SCAN_LINES) break;
      // Cheap pre-check: most lines carry it, and lines without it need no parse.
      if (line.binary || !line.text.includes('"sessionId"')) continue;
      const parsed = safeParseJson(line.text);
      if (!parsed.success || !isJsonObject(parsed.value)) continue;
      const sessionId = parsed.value['sessionId'];
      if (typeof sessionId === 'string' && sessionId.length > 0) return sessionId;
    }
  } catch {
    // Unreadable here means unreadable for the main read too, which reports it; the stem is a fine fallback.
  }
  return null;
}
