import { basename, resolve } from 'node:path';
import { hashText } from '../../domain/hash.js';
import type { Session } from '../../domain/session.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { scanJsonRecords } from '../json-record-scanner.js';
import { readJsonDocumentChunks } from '../read-json-document-chunks.js';
import {
  createTauBenchParserState,
  finishTauBenchDocument,
  parseTauBenchRecord,
} from './parse-tau-bench-record.js';
import type { TauBenchParserState } from './parse-tau-bench-record.js';

/** Options for {@link createTauBenchSessionSource}. */
export interface TauBenchSessionSourceOptions {
  /** Runs per chunk at most (default 500): an ingest saves its events at least this often. */
  maxChunkRecords?: number;
}

/**
 * Reads tau-bench results files (sierra-research/tau-bench `run.py` output, e.g. `historical_trajectories/*.json`): a
 * JSON array of runs `{task_id, reward, info, traj, trial}`. Each run is one session with the run's `reward` as its
 * outcome (docs/formats/tau-bench.md). The file is one document: it is read again from the start when it changes,
 * and stable ids keep the store free of duplicates.
 */
export class TauBenchSessionSource implements SessionSource {
  readonly format = 'tau-bench';
  private readonly maxChunkRecords: number | undefined;

  constructor(options: TauBenchSessionSourceOptions = {}) {
    const value = options.maxChunkRecords;
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new RangeError(
        `TauBenchSessionSource: maxChunkRecords must be a positive integer, got ${String(value)}`,
      );
    }
    this.maxChunkRecords = value;
  }

  isCandidate(path: string): boolean {
    return path.endsWith('.json');
  }

  /**
   * A JSON array whose first element starts with `"task_id"` and has a `traj` or `reward` key: pydantic dumps
   * `EnvRunResult` fields in declaration order (task_id, reward, info, traj, trial), so these keys come first even
   * when the first run is longer than the head.
   */
  detect(head: string): boolean {
    const { records, envelope } = scanJsonRecords(Buffer.from(head, 'utf8'), []);
    const first = records[0];
    if (!envelope.foundRecords || first === undefined) return false;
    const text = first.bytes.toString('utf8');
    return /^\{\s*"task_id"\s*:/.test(text) && /"(?:traj|reward)"\s*:/.test(text);
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const context = { path, fileKey: deriveTauBenchFileKey(path) };
    yield* readJsonDocumentChunks<TauBenchParserState>({
      path,
      recordsAt: [],
      initialState: createTauBenchParserState(),
      maxRecords: this.maxChunkRecords,
      parseRecord: (state, record) => parseTauBenchRecord(state, record, context),
      finish: (state, envelope) => finishTauBenchDocument(state, envelope, context),
      sessions: (state, touched) => {
        const sessions: Session[] = [];
        for (const sessionId of touched) {
          const meta = Object.hasOwn(state.sessions, sessionId) ? state.sessions[sessionId] : undefined;
          sessions.push({
            id: sessionId,
            agent: request.agent,
            format: 'tau-bench',
            sourcePath: path,
            parentSessionId: null,
            title: meta?.title ?? null,
            cwd: null,
            // tau-bench records no times.
            startedAt: null,
            endedAt: null,
            eventCount: 0,
            outcome: meta?.outcome ?? null,
          });
        }
        return sessions;
      },
    });
  }
}

/** Creates a {@link TauBenchSessionSource}. */
export function createTauBenchSessionSource(options?: TauBenchSessionSourceOptions): TauBenchSessionSource {
  return new TauBenchSessionSource(options);
}

/**
 * The prefix of every session id of a results file: `<file stem>-<hash of the absolute path>`. Task ids and trials
 * repeat in every results file of a benchmark, so the file must be part of the id; the hash keeps two
 * `results.json` in different folders apart.
 */
export function deriveTauBenchFileKey(path: string): string {
  const name = basename(path);
  const stem = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
  return `${stem}-${hashText(resolve(path)).slice(-8)}`;
}
