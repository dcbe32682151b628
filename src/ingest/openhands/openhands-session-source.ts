import { basename, resolve } from 'node:path';
import { hashText } from '../../domain/hash.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { scanJsonRecords } from '../json-record-scanner.js';
import { readJsonDocumentChunks } from '../read-json-document-chunks.js';
import {
  createOpenHandsParserState,
  finishOpenHandsDocument,
  parseOpenHandsRecord,
} from './parse-openhands-record.js';
import type { OpenHandsParserState } from './parse-openhands-record.js';

const EVENT_SOURCES: ReadonlySet<string> = new Set(['user', 'agent', 'environment']);
const SOURCE_KEY = /"source"\s*:\s*"(?:user|agent|environment)"/;
const TYPE_KEY = /"(?:action|observation)"\s*:\s*"/;

/** Options for {@link createOpenHandsSessionSource}. */
export interface OpenHandsSessionSourceOptions {
  /** Events per chunk at most (default 500): an ingest saves its events at least this often. */
  maxChunkRecords?: number;
}

/**
 * Reads OpenHands trajectories: the JSON array of events OpenHands saves for a conversation (`save_trajectory_path`,
 * the GUI's trajectory download, the replay files in `tests/runtime/trajs/`). One file is one session
 * (docs/formats/openhands.md). The file is one document: it is read again from the start when it changes, and
 * stable ids keep the store free of duplicates.
 */
export class OpenHandsSessionSource implements SessionSource {
  readonly format = 'openhands';
  private readonly maxChunkRecords: number | undefined;

  constructor(options: OpenHandsSessionSourceOptions = {}) {
    const value = options.maxChunkRecords;
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new RangeError(
        `OpenHandsSessionSource: maxChunkRecords must be a positive integer, got ${String(value)}`,
      );
    }
    this.maxChunkRecords = value;
  }

  isCandidate(path: string): boolean {
    return path.endsWith('.json');
  }

  /**
   * A JSON array whose first element is an OpenHands event: a `source` of `user`, `agent` or `environment` and an
   * `action` or `observation` type. OpenHands writes `id, timestamp, source, message` first, so a first event longer
   * than the head (a long system prompt) is recognized from its `source` and `timestamp`.
   */
  detect(head: string): boolean {
    const { records, envelope } = scanJsonRecords(Buffer.from(head, 'utf8'), []);
    const first = records[0];
    if (!envelope.foundRecords || first === undefined) return false;
    const text = first.bytes.toString('utf8');
    if (first.complete) {
      const parsed = safeParseJson(text);
      if (!parsed.success || !isJsonObject(parsed.value)) return false;
      const { source, action, observation } = parsed.value;
      return (
        typeof source === 'string' &&
        EVENT_SOURCES.has(source) &&
        (typeof action === 'string' || typeof observation === 'string')
      );
    }
    return (
      text.startsWith('{') && SOURCE_KEY.test(text) && (TYPE_KEY.test(text) || /"timestamp"\s*:/.test(text))
    );
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const context = { path, sessionId: deriveOpenHandsSessionId(path) };
    yield* readJsonDocumentChunks<OpenHandsParserState>({
      path,
      recordsAt: [],
      initialState: createOpenHandsParserState(),
      maxRecords: this.maxChunkRecords,
      parseRecord: (state, record) => parseOpenHandsRecord(state, record, context),
      finish: (state, envelope) => finishOpenHandsDocument(state, envelope, context),
      sessions: (state, touched) =>
        touched.has(context.sessionId)
          ? [
              {
                id: context.sessionId,
                agent: request.agent,
                format: 'openhands',
                sourcePath: path,
                parentSessionId: null,
                title: state.meta.title,
                cwd: state.meta.cwd,
                startedAt: state.meta.startedAt,
                endedAt: state.meta.endedAt,
                eventCount: 0,
                // The stream records no verdict: `finish` carries the agent's own `task_completed` belief at most.
                outcome: null,
              },
            ]
          : [],
    });
  }
}

/** Creates an {@link OpenHandsSessionSource}. */
export function createOpenHandsSessionSource(
  options?: OpenHandsSessionSourceOptions,
): OpenHandsSessionSource {
  return new OpenHandsSessionSource(options);
}

/**
 * The session of a trajectory file: `<file stem>-<hash of the absolute path>`. The events carry no conversation id
 * (their ids count from 0 in every conversation), so the file is the identity.
 */
export function deriveOpenHandsSessionId(path: string): string {
  const name = basename(path);
  const stem = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
  return `${stem}-${hashText(resolve(path)).slice(-8)}`;
}
