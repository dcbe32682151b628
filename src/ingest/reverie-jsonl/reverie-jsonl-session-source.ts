import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { hashText } from '../../domain/hash.js';
import type { Session } from '../../domain/session.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { decodeLineCursor, readLineChunks } from '../read-line-chunks.js';
import {
  createReverieJsonlParserState,
  parseReverieJsonlLine,
  reverieJsonlParserStateSchema,
} from './parse-reverie-jsonl-line.js';
import type { ReverieJsonlParserState } from './parse-reverie-jsonl-line.js';
import { reverieJsonlRecordTypes } from './reverie-jsonl-schema.js';

/** Parser state plus the file's default session id, as saved in the file cursor. */
interface ReverieJsonlReadState {
  defaultSessionId: string;
  parser: ReverieJsonlParserState;
}

const reverieJsonlReadStateSchema: z.ZodType<ReverieJsonlReadState> = z.object({
  defaultSessionId: z.string().min(1),
  parser: reverieJsonlParserStateSchema,
});

/** Options for {@link createReverieJsonlSessionSource}. */
export interface ReverieJsonlSessionSourceOptions {
  /** Lines per chunk at most (default 2000). */
  maxChunkLines?: number;
  /** Bytes per chunk at most, roughly (default 8 MiB). */
  maxChunkBytes?: number;
}

/**
 * Reads Reverie JSONL, Reverie's own log format for any agent (docs/formats/reverie-jsonl.md). A file may hold one
 * session or interleave several (records name theirs with `session`). A session's `agent` field names its agent
 * unless the caller named one explicitly (`--agent`, a configured source), which wins.
 */
export class ReverieJsonlSessionSource implements SessionSource {
  readonly format = 'reverie-jsonl';
  private readonly maxChunkLines: number | undefined;
  private readonly maxChunkBytes: number | undefined;

  constructor(options: ReverieJsonlSessionSourceOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
        throw new RangeError(
          `ReverieJsonlSessionSource: ${name} must be a positive integer, got ${String(value)}`,
        );
      }
    }
    this.maxChunkLines = options.maxChunkLines;
    this.maxChunkBytes = options.maxChunkBytes;
  }

  isCandidate(path: string): boolean {
    return path.endsWith('.jsonl');
  }

  detect(head: string): boolean {
    for (const text of head.split('\n')) {
      if (text.trim().length === 0) continue;
      const parsed = safeParseJson(text);
      if (!parsed.success) continue;
      const record = parsed.value;
      if (!isJsonObject(record)) return false;
      const type = record['type'];
      if (typeof type !== 'string' || !reverieJsonlRecordTypes.has(type)) return false;
      // `reverie` marks the format outright; otherwise the Claude Code envelope keys rule it out.
      return 'reverie' in record || !('uuid' in record || 'sessionId' in record);
    }
    return false;
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const resume = decodeLineCursor(request.cursor, reverieJsonlReadStateSchema);
    const defaultSessionId = resume?.state.defaultSessionId ?? deriveReverieJsonlSessionId(path);
    const context = { defaultSessionId };
    yield* readLineChunks<ReverieJsonlReadState>({
      path,
      resume,
      initialState: { defaultSessionId, parser: createReverieJsonlParserState() },
      maxLines: this.maxChunkLines,
      maxBytes: this.maxChunkBytes,
      parseLine: (state, line) => {
        const result = parseReverieJsonlLine(state.parser, { ...line, path }, context);
        return {
          state:
            result.state === state.parser
              ? state
              : { defaultSessionId: state.defaultSessionId, parser: result.state },
          events: result.events,
          warnings: result.warnings,
          incomplete: result.incomplete,
          sessionIds: result.sessionIds,
        };
      },
      sessions: (state, touched) => {
        const sessions: Session[] = [];
        for (const sessionId of touched) {
          const meta = Object.hasOwn(state.parser.sessions, sessionId)
            ? state.parser.sessions[sessionId]
            : undefined;
          sessions.push({
            id: sessionId,
            agent: request.agentIsExplicit ? request.agent : (meta?.agent ?? request.agent),
            format: 'reverie-jsonl',
            sourcePath: path,
            parentSessionId: meta?.parentSessionId ?? null,
            title: meta?.title ?? null,
            cwd: meta?.cwd ?? null,
            startedAt: meta?.startedAt ?? null,
            endedAt: meta?.endedAt ?? null,
            eventCount: 0,
            outcome: meta?.outcome ?? null,
          });
        }
        return sessions;
      },
    });
  }
}

/** Creates a {@link ReverieJsonlSessionSource}. */
export function createReverieJsonlSessionSource(
  options?: ReverieJsonlSessionSourceOptions,
): ReverieJsonlSessionSource {
  return new ReverieJsonlSessionSource(options);
}

/**
 * The session of a file without `session` records: `<file stem>-<hash of the absolute path>`. Stable across
 * ingests of the same file, and two `log.jsonl` files in different folders stay apart.
 */
export function deriveReverieJsonlSessionId(path: string): string {
  const name = basename(path);
  const stem = name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : name;
  return `${stem}-${hashText(resolve(path)).slice(-8)}`;
}
