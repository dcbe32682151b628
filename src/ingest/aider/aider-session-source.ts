import { resolve } from 'node:path';
import { hashText } from '../../domain/hash.js';
import type { Session } from '../../domain/session.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { decodeLineCursor, readLineChunks } from '../read-line-chunks.js';
import { aiderParserStateSchema, createAiderParserState, parseAiderLine } from './parse-aider-line.js';
import type { AiderParserState, AiderSessionMeta } from './parse-aider-line.js';

// A launch header as aider writes it (`%Y-%m-%d %H:%M:%S`), on a line of its own.
const HEADER_LINE = /^# aider chat started at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s*$/m;

/** Options for {@link createAiderSessionSource}. */
export interface AiderSessionSourceOptions {
  /** Lines per chunk at most (default 2000). */
  maxChunkLines?: number;
  /** Bytes per chunk at most, roughly (default 8 MiB). */
  maxChunkBytes?: number;
}

/**
 * Reads aider's chat history, `.aider.chat.history.md` (docs/formats/aider.md): Markdown that aider appends to at
 * every launch (aider 0.4x-0.8x). One file holds many sessions, one per `# aider chat started at` header. The
 * sessions belong to the agent the caller names (the log names none).
 *
 * @example
 * const source = createAiderSessionSource();
 * for await (const chunk of source.read({ path, agent: 'aider', agentIsExplicit: false, cursor: null })) { … }
 */
export class AiderSessionSource implements SessionSource {
  readonly format = 'aider';
  private readonly maxChunkLines: number | undefined;
  private readonly maxChunkBytes: number | undefined;

  constructor(options: AiderSessionSourceOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
        throw new RangeError(`AiderSessionSource: ${name} must be a positive integer, got ${String(value)}`);
      }
    }
    this.maxChunkLines = options.maxChunkLines;
    this.maxChunkBytes = options.maxChunkBytes;
  }

  /** `.aider.chat.history.md`, and any other `.md` file (`--chat-history-file` may name it anything): detection decides. */
  isCandidate(path: string): boolean {
    return path.endsWith('.md');
  }

  /** A launch header on a line of its own anywhere in the head (a history whose start was cut may open mid-session). */
  detect(head: string): boolean {
    return HEADER_LINE.test(head);
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const resume = decodeLineCursor(request.cursor, aiderParserStateSchema);
    const context = { sessionPrefix: deriveAiderSessionPrefix(path) };
    // The latest metadata of the sessions the current chunk touched (a chunk may span many short sessions, and the
    // parser state at its end only knows the last one).
    const touched = new Map<string, AiderSessionMeta>();
    yield* readLineChunks<AiderParserState>({
      path,
      resume,
      initialState: createAiderParserState(),
      maxLines: this.maxChunkLines,
      maxBytes: this.maxChunkBytes,
      parseLine: (state, line) => {
        const result = parseAiderLine(state, { ...line, path }, context);
        if (!result.incomplete) for (const session of result.sessions) touched.set(session.id, session);
        return {
          state: result.state,
          events: result.events,
          warnings: result.warnings,
          incomplete: result.incomplete,
          sessionIds: result.sessions.map((session) => session.id),
        };
      },
      sessions: (_state, ids) => {
        const sessions: Session[] = [];
        for (const id of ids) {
          const meta = touched.get(id);
          if (meta !== undefined) sessions.push(toSession(meta, request.agent, path));
        }
        touched.clear();
        return sessions;
      },
    });
  }
}

/** Creates an {@link AiderSessionSource}. */
export function createAiderSessionSource(options?: AiderSessionSourceOptions): AiderSessionSource {
  return new AiderSessionSource(options);
}

/**
 * The prefix of every session id of a history file: `aider-<hash of the absolute path>`. aider stores no session id;
 * the path keeps the same start time in two projects' histories apart.
 */
export function deriveAiderSessionPrefix(path: string): string {
  return `aider-${hashText(resolve(path)).slice(-8)}`;
}

function toSession(meta: AiderSessionMeta, agent: string, path: string): Session {
  return {
    id: meta.id,
    agent,
    format: 'aider',
    sourcePath: path,
    parentSessionId: null,
    title: meta.title,
    // aider logs neither the working directory nor an end time, nor any outcome.
    cwd: null,
    startedAt: meta.startedAt,
    endedAt: null,
    eventCount: 0,
    outcome: null,
  };
}
