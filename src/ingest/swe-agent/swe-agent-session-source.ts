import { basename, resolve } from 'node:path';
import { hashText } from '../../domain/hash.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { scanJsonRecords } from '../json-record-scanner.js';
import { readJsonDocumentChunks } from '../read-json-document-chunks.js';
import {
  createSweAgentParserState,
  finishSweAgentDocument,
  parseSweAgentRecord,
} from './parse-swe-agent-record.js';
import type { SweAgentParserState } from './parse-swe-agent-record.js';

// Keys a trajectory step starts with: 0.x writes action, observation, response, state, thought; 1.x adds
// execution_time, query and extra_info.
const STEP_START =
  /^\{\s*"(?:action|observation|response|thought|state|execution_time|query|extra_info)"\s*:/;

/** Options for {@link createSweAgentSessionSource}. */
export interface SweAgentSessionSourceOptions {
  /** Steps per chunk at most (default 500): an ingest saves its events at least this often. */
  maxChunkRecords?: number;
}

/**
 * Reads SWE-agent trajectories (`.traj`, SWE-agent 0.x and 1.x): one file is one session. The `trajectory` steps
 * become events, `info.exit_status` the outcome (docs/formats/swe-agent.md). The file is one document: it is read
 * again from the start when it changes, and stable ids keep the store free of duplicates.
 */
export class SweAgentSessionSource implements SessionSource {
  readonly format = 'swe-agent';
  private readonly maxChunkRecords: number | undefined;

  constructor(options: SweAgentSessionSourceOptions = {}) {
    const value = options.maxChunkRecords;
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new RangeError(
        `SweAgentSessionSource: maxChunkRecords must be a positive integer, got ${String(value)}`,
      );
    }
    this.maxChunkRecords = value;
  }

  isCandidate(path: string): boolean {
    return path.endsWith('.traj') || path.endsWith('.json');
  }

  /**
   * A JSON object with a top-level `trajectory` array whose first element looks like a step, or (an empty
   * trajectory) that sits next to `environment` or `history`. 0.x writes `environment` first; 1.x writes
   * `trajectory` first, so its first step is usually all the head shows.
   */
  detect(head: string): boolean {
    const { records, envelope } = scanJsonRecords(Buffer.from(head, 'utf8'), ['trajectory']);
    if (!envelope.foundRecords) return false;
    const parsed = safeParseJson(envelope.text);
    if (!parsed.success || !isJsonObject(parsed.value)) return false;
    const first = records[0];
    if (first !== undefined) return STEP_START.test(first.bytes.toString('utf8'));
    return Object.hasOwn(parsed.value, 'environment') || Object.hasOwn(parsed.value, 'history');
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const context = { path, sessionId: deriveSweAgentSessionId(path) };
    yield* readJsonDocumentChunks<SweAgentParserState>({
      path,
      recordsAt: ['trajectory'],
      initialState: createSweAgentParserState(),
      maxRecords: this.maxChunkRecords,
      parseRecord: (state, record) => parseSweAgentRecord(state, record, context),
      finish: (state, envelope) => finishSweAgentDocument(state, envelope, context),
      sessions: (state, touched) =>
        touched.has(context.sessionId)
          ? [
              {
                id: context.sessionId,
                agent: request.agent,
                format: 'swe-agent',
                sourcePath: path,
                parentSessionId: null,
                title: state.meta.title,
                cwd: state.meta.cwd,
                // A `.traj` records no times.
                startedAt: null,
                endedAt: null,
                eventCount: 0,
                outcome: state.meta.outcome,
              },
            ]
          : [],
    });
  }
}

/** Creates a {@link SweAgentSessionSource}. */
export function createSweAgentSessionSource(options?: SweAgentSessionSourceOptions): SweAgentSessionSource {
  return new SweAgentSessionSource(options);
}

/**
 * The session of a `.traj` file: `<file stem>-<hash of the absolute path>`. SWE-agent names trajectories after the
 * instance (`<instance_id>.traj`), which repeats in every run directory; the hash keeps runs apart. The file's own
 * keys cannot help: `environment` is a shared name (`swe_main`, `main`) and the ids inside come after the steps.
 */
export function deriveSweAgentSessionId(path: string): string {
  const name = basename(path);
  const stem = name.replace(/\.(?:traj|json)$/, '');
  return `${stem}-${hashText(resolve(path)).slice(-8)}`;
}
