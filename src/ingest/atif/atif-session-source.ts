import { open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { hashText } from '../../domain/hash.js';
import type { ReadChunk, ReadRequest, SessionSource } from '../../ports/session-source.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { scanJsonRecords } from '../json-record-scanner.js';
import { readJsonDocumentChunks } from '../read-json-document-chunks.js';
import { atifHeaderSchema } from './atif-schema.js';
import { createAtifParserState, finishAtifDocument, parseAtifRecord } from './parse-atif-record.js';
import type { AtifParserState } from './parse-atif-record.js';

// How much of a file is read to find `session_id` and `agent` before the steps: writers put the root metadata first
// (Harbor's pydantic model and golang/exp's struct both order schema_version, session_id, agent, steps).
const HEADER_BYTES = 64 * 1024;

/** Options for {@link createAtifSessionSource}. */
export interface AtifSessionSourceOptions {
  /** Steps per chunk at most (default 500): an ingest saves its events at least this often. */
  maxChunkRecords?: number;
}

/** The root fields of a trajectory that name it. */
export interface AtifHeader {
  sessionId: string | null;
  agentName: string | null;
}

/**
 * Reads ATIF trajectories (Agent Trajectory Interchange Format v1.x, written by Harbor agents and converters: one
 * JSON object with `schema_version`, `session_id`, `agent` and `steps`). One file is one session; `agent.name` names
 * the agent unless the caller named one explicitly (docs/formats/atif.md). The file is one document: it is read again
 * from the start when it changes, and stable ids keep the store free of duplicates.
 */
export class AtifSessionSource implements SessionSource {
  readonly format = 'atif';
  private readonly maxChunkRecords: number | undefined;

  constructor(options: AtifSessionSourceOptions = {}) {
    const value = options.maxChunkRecords;
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new RangeError(
        `AtifSessionSource: maxChunkRecords must be a positive integer, got ${String(value)}`,
      );
    }
    this.maxChunkRecords = value;
  }

  isCandidate(path: string): boolean {
    return path.endsWith('.json');
  }

  /** A JSON object whose `schema_version` (before `steps`) starts with `ATIF`. */
  detect(head: string): boolean {
    const header = parseHeader(Buffer.from(head, 'utf8'));
    return header?.schema_version?.startsWith('ATIF') === true;
  }

  async *read(request: ReadRequest): AsyncGenerator<ReadChunk> {
    const path = request.path;
    const header = await readAtifHeader(path);
    const sessionId = deriveAtifSessionId(path, header.sessionId);
    const agent = request.agentIsExplicit ? request.agent : (header.agentName ?? request.agent);
    const context = { path, sessionId };
    yield* readJsonDocumentChunks<AtifParserState>({
      path,
      recordsAt: ['steps'],
      initialState: createAtifParserState(),
      maxRecords: this.maxChunkRecords,
      parseRecord: (state, record) => parseAtifRecord(state, record, context),
      finish: (state, envelope) => finishAtifDocument(state, envelope, context),
      sessions: (state, touched) =>
        touched.has(sessionId)
          ? [
              {
                id: sessionId,
                agent,
                format: 'atif',
                sourcePath: path,
                parentSessionId: null,
                title: state.meta.title,
                cwd: null,
                startedAt: state.meta.startedAt,
                endedAt: state.meta.endedAt,
                eventCount: 0,
                // ATIF (v1.0-v1.7) defines no verdict; `final_metrics` is tokens and cost.
                outcome: null,
              },
            ]
          : [],
    });
  }
}

/** Creates an {@link AtifSessionSource}. */
export function createAtifSessionSource(options?: AtifSessionSourceOptions): AtifSessionSource {
  return new AtifSessionSource(options);
}

/**
 * The `session_id` and `agent.name` of a trajectory, read from its first 64 KiB (they come before `steps`, and the
 * session must be known before the first step is read). Nulls when the file cannot be read or names neither; the
 * main read reports an unreadable file.
 */
export async function readAtifHeader(path: string): Promise<AtifHeader> {
  let bytes: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return { sessionId: null, agentName: null };
  }
  const header = parseHeader(bytes);
  const sessionId = header?.session_id ?? null;
  const agentName = header?.agent?.name ?? null;
  return {
    sessionId: sessionId === null || sessionId.length === 0 ? null : sessionId,
    agentName: agentName === null || agentName.length === 0 ? null : agentName,
  };
}

/**
 * The session of a trajectory file: `<session_id>-<hash of the absolute path>` (`<file stem>-<hash>` without one).
 * The path is part of the id because `session_id` is not unique per file: a continued run (v1.7) writes
 * `trajectory.json`, `trajectory.cont-1.json`, ... with the same `session_id` and step ids restarting at 1, and
 * normalized test trajectories all carry `NORMALIZED_SESSION_ID`.
 */
export function deriveAtifSessionId(path: string, sessionId: string | null): string {
  const name = basename(path);
  const stem = name.replace(/(?:\.trajectory)?\.json$/, '');
  return `${sessionId ?? stem}-${hashText(resolve(path)).slice(-8)}`;
}

/** The root object around `steps` (the steps themselves left out), from the start of a file. */
function parseHeader(bytes: Buffer): {
  schema_version?: string | null;
  session_id?: string | null;
  agent?: { name?: string | null } | null;
} | null {
  const { envelope } = scanJsonRecords(bytes, ['steps']);
  const parsed = safeParseJson(envelope.text);
  if (!parsed.success || !isJsonObject(parsed.value)) return null;
  const header = atifHeaderSchema.safeParse(parsed.value);
  return header.success ? header.data : null;
}
