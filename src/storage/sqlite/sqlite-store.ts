/**
 * The default Store: one SQLite file through better-sqlite3.
 *
 * better-sqlite3 is synchronous; each port method runs to completion (one transaction where it writes) and its
 * result is handed back as a promise. Several processes may open the same file: WAL lets readers and the one
 * writer proceed together, write transactions start IMMEDIATE so compare-and-set checks and their writes see the
 * same snapshot, and `busy_timeout` waits out a concurrent writer instead of failing at once.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

import type { DreamRun, RunReport } from '../../domain/dream-run.js';
import { ReverieError, isReverieError } from '../../domain/errors.js';
import type { Evidence } from '../../domain/finding.js';
import type { ActorKind, MemoryFile, MemoryVersion } from '../../domain/memory-version.js';
import type { OutcomeRecord } from '../../domain/outcome.js';
import type { ScreenFlag } from '../../domain/screening.js';
import type { MemoryEdit, Proposal, ProposalStatus } from '../../domain/proposal.js';
import { isProposalStatus } from '../../domain/proposal.js';
import type { EventKind, Session, SessionEvent, SessionWithEvents } from '../../domain/session.js';
import { isSessionFormat } from '../../domain/session.js';
import type { FileCursor } from '../../ports/session-source.js';
import type {
  AppliedProposal,
  IngestChunk,
  IngestChunkResult,
  MemoryVersionDraft,
  ProposalFilter,
  ProposalTransition,
  SessionFilter,
  SourceFileState,
  Store,
} from '../../ports/store.js';
import { parseJson } from '../../util/json.js';
import { hashContent } from '../content-hash.js';
import {
  applicableProposalStatuses,
  duplicateOutcomeError,
  duplicateProposalError,
  memoryVersionConflictError,
  noPendingWriteError,
  normalizeLimit,
  pendingWriteConflictError,
  proposalNotApplicableError,
  proposalNotFoundError,
  unknownEventSessionError,
} from '../store-rules.js';
import { latestSchemaVersion, migrations, reverieApplicationId } from './migrations.js';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; its parent directory is created if missing. `':memory:'` for a private, temporary store. */
  path: string;
}

const memoryPath = ':memory:';
const busyTimeoutMilliseconds = 5000;

const eventKinds: readonly EventKind[] = [
  'user-message',
  'assistant-message',
  'tool-call',
  'tool-result',
  'system',
  'other',
];
const dreamTriggers: readonly DreamRun['trigger'][] = ['manual', 'schedule', 'demo'];
const approvalModes: readonly DreamRun['approval'][] = ['manual', 'automatic'];
const dreamRunStatuses: readonly DreamRun['status'][] = ['running', 'succeeded', 'failed'];
const actorKinds: readonly ActorKind[] = ['initial', 'external', 'reviewer', 'dream', 'rollback'];

interface SessionRow {
  id: string;
  agent: string;
  format: string;
  source_path: string;
  parent_session_id: string | null;
  title: string | null;
  cwd: string | null;
  started_at: string | null;
  ended_at: string | null;
  event_count: number;
  outcome: string | null;
}

interface OutcomeRow {
  id: string;
  session_id: string;
  source: string;
  name: string;
  passed: number | null;
  score: number | null;
  detail: string | null;
  criteria: string | null;
  event_count: number | null;
  recorded_at: string;
  recorded_by: string | null;
}

interface EventRow {
  id: string;
  session_id: string;
  sequence: number;
  kind: string;
  subtype: string | null;
  timestamp: string | null;
  text: string;
  message_id: string | null;
  tool_name: string | null;
  tool_call_id: string | null;
  tool_input: string | null;
  is_error: number;
  is_rejection: number;
  source_path: string;
  source_line: number;
}

interface SourceFileRow {
  path: string;
  format: string;
  agent: string;
  size: number;
  mtime_ms: number;
  head_hash: string;
  head_bytes: number;
  cursor: string;
  updated_at: string;
}

interface DreamRunRow {
  id: string;
  trigger: string;
  approval: string;
  dry_run: number;
  agents: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  report: string | null;
  error: string | null;
}

interface ProposalRow {
  id: string;
  dream_run_id: string;
  memory_path: string;
  agent: string | null;
  base_version: number;
  edits: string;
  diff: string;
  reason: string;
  routing: string;
  finding_ids: string;
  evidence: string;
  status: string;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  status_reason: string | null;
  applied_version: number | null;
  screening: string;
  holds: string;
}

interface MemoryFileRow {
  path: string;
  agent: string | null;
  current_version: number;
}

interface MemoryVersionRow {
  path: string;
  version: number;
  parent_version: number | null;
  content: Buffer;
  exists_flag: number;
  content_hash: string;
  actor_kind: string;
  actor_name: string | null;
  dream_run_id: string | null;
  proposal_id: string | null;
  reason: string;
  created_at: string;
  state: string;
}

interface LockRow {
  owner: string;
  acquired_at: string;
  expires_at: string;
}

interface SessionFilterParameters {
  agents: string | null;
  sessionIds: string | null;
  since: string | null;
  limit: number;
}

const sessionColumns =
  'id, agent, format, source_path, parent_session_id, title, cwd, started_at, ended_at, event_count, outcome';
const eventColumns =
  'id, session_id, sequence, kind, subtype, timestamp, text, message_id, tool_name, tool_call_id, tool_input, ' +
  'is_error, is_rejection, source_path, source_line';
const proposalColumns =
  'id, dream_run_id, memory_path, agent, base_version, edits, diff, reason, routing, finding_ids, evidence, ' +
  'status, created_at, decided_at, decided_by, status_reason, applied_version, screening, holds';
const memoryVersionColumns =
  'path, version, parent_version, content, exists_flag, content_hash, actor_kind, actor_name, dream_run_id, ' +
  'proposal_id, reason, created_at, state';

// Sessions without any time are kept by `since`: a log without timestamps must never hide its session.
const sessionFilterWhere = `
  WHERE (@agents IS NULL OR agent IN (SELECT value FROM json_each(@agents)))
    AND (@sessionIds IS NULL OR id IN (SELECT value FROM json_each(@sessionIds)))
    AND (@since IS NULL
         OR coalesce(ended_at, started_at) >= @since
         OR (ended_at IS NULL AND started_at IS NULL))`;
// Explicit NULLS LAST so every adapter (and a future Postgres one) orders untimed sessions the same way.
const sessionOrder = 'ORDER BY started_at IS NULL, started_at, id';

// Statement parameters: one builder per table, so each column's encoding (booleans as 0/1, JSON as text, content
// as UTF-8 bytes) is written once.

type SessionParameters = ReturnType<typeof toSessionParameters>;
type EventParameters = [
  id: string,
  sessionId: string,
  sequence: number,
  kind: string,
  subtype: string | null,
  timestamp: string | null,
  text: string,
  messageId: string | null,
  toolName: string | null,
  toolCallId: string | null,
  toolInput: string | null,
  isError: number,
  isRejection: number,
  sourcePath: string,
  sourceLine: number,
];
type SourceFileParameters = ReturnType<typeof toSourceFileParameters>;
type DreamRunParameters = ReturnType<typeof toDreamRunParameters>;
type ProposalParameters = ReturnType<typeof toProposalParameters>;
type VersionParameters = ReturnType<typeof toVersionParameters>;

function toSessionParameters(session: Session, ingestedAt: string) {
  return {
    id: session.id,
    agent: session.agent,
    format: session.format,
    sourcePath: session.sourcePath,
    parentSessionId: session.parentSessionId,
    title: session.title,
    cwd: session.cwd,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    outcome: session.outcome === null ? null : JSON.stringify(session.outcome),
    ingestedAt,
  };
}

// Positional, in `eventColumns` order: an ingest inserts one row per event, and binding by position costs about a
// third less than binding fifteen named parameters.
/**
 * `events.tool_input` when it is the event's text itself (a tool call's text is its input as JSON): stored once. A
 * JSON value is never a bare `=`, so the marker cannot be mistaken for an input.
 */
const toolInputIsText = '=';

function toEventParameters(event: SessionEvent): EventParameters {
  const toolInput = toJsonColumn(event.toolInput);
  return [
    event.id,
    event.sessionId,
    event.sequence,
    event.kind,
    event.subtype,
    event.timestamp,
    event.text,
    event.messageId,
    event.toolName,
    event.toolCallId,
    toolInput !== null && toolInput === event.text ? toolInputIsText : toolInput,
    event.isError ? 1 : 0,
    event.isRejection ? 1 : 0,
    event.source.path,
    event.source.line,
  ];
}

function toSourceFileParameters(file: SourceFileState) {
  const cursor = { offset: file.cursor.offset, line: file.cursor.line, state: file.cursor.state ?? null };
  return {
    path: file.path,
    format: file.format,
    agent: file.agent,
    size: file.size,
    mtimeMs: file.mtimeMs,
    headHash: file.headHash,
    headBytes: file.headBytes,
    cursor: JSON.stringify(cursor),
    updatedAt: file.updatedAt,
  };
}

function toDreamRunParameters(run: DreamRun) {
  return {
    id: run.id,
    trigger: run.trigger,
    approval: run.approval,
    dryRun: run.dryRun ? 1 : 0,
    agents: JSON.stringify(run.agents),
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    report: toJsonColumn(run.report),
    error: run.error,
  };
}

function toProposalParameters(proposal: Proposal) {
  return {
    id: proposal.id,
    dreamRunId: proposal.dreamRunId,
    memoryPath: proposal.memoryPath,
    agent: proposal.agent,
    baseVersion: proposal.baseVersion,
    edits: JSON.stringify(proposal.edits),
    diff: proposal.diff,
    reason: proposal.reason,
    routing: proposal.routing,
    findingIds: JSON.stringify(proposal.findingIds),
    evidence: JSON.stringify(proposal.evidence),
    status: proposal.status,
    createdAt: proposal.createdAt,
    decidedAt: proposal.decidedAt,
    decidedBy: proposal.decidedBy,
    statusReason: proposal.statusReason,
    appliedVersion: proposal.appliedVersion,
    screening: JSON.stringify(proposal.screening),
    holds: JSON.stringify(proposal.holds),
  };
}

function toVersionParameters(version: MemoryVersion, state: 'pending' | 'committed') {
  return {
    path: version.path,
    version: version.version,
    parentVersion: version.parentVersion,
    // BLOB of the exact UTF-8 bytes; decoding with Buffer#toString keeps a BOM (TextDecoder would drop it).
    content: Buffer.from(version.content, 'utf8'),
    existsFlag: version.exists ? 1 : 0,
    contentHash: version.contentHash,
    actorKind: version.actor.kind,
    actorName: version.actor.name,
    dreamRunId: version.dreamRunId,
    proposalId: version.proposalId,
    reason: version.reason,
    createdAt: version.createdAt,
    state,
  };
}

/** A JSON value as column text; `undefined` and null are both SQL NULL, read back as null. */
function toJsonColumn(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function prepareStatements(database: Database.Database) {
  return {
    selectSession: database.prepare<[string], SessionRow>(
      `SELECT ${sessionColumns} FROM sessions WHERE id = ?`,
    ),
    selectSessionExists: database.prepare<[string], { found: number }>(
      'SELECT 1 AS found FROM sessions WHERE id = ?',
    ),
    insertOutcome: database.prepare<{
      id: string;
      sessionId: string;
      source: string;
      name: string;
      passed: number | null;
      score: number | null;
      detail: string | null;
      criteria: string | null;
      eventCount: number | null;
      recordedAt: string;
      recordedBy: string | null;
    }>(
      `INSERT INTO outcomes (id, session_id, source, name, passed, score, detail, criteria, event_count, recorded_at, recorded_by)
       VALUES (@id, @sessionId, @source, @name, @passed, @score, @detail, @criteria, @eventCount, @recordedAt, @recordedBy)`,
    ),
    selectOutcomeExists: database.prepare<[string], { found: number }>(
      'SELECT 1 AS found FROM outcomes WHERE id = ?',
    ),
    selectOutcomes: database.prepare<{ ids: string | null }, OutcomeRow>(
      `SELECT id, session_id, source, name, passed, score, detail, criteria, event_count, recorded_at, recorded_by
       FROM outcomes WHERE (@ids IS NULL OR session_id IN (SELECT value FROM json_each(@ids)))
       ORDER BY recorded_at, id`,
    ),
    selectDigests: database.prepare<
      [string, number, string],
      { session_id: string; event_count: number; digest: string }
    >(
      `SELECT session_id, event_count, digest FROM session_digests
       WHERE miner = ? AND version = ? AND session_id IN (SELECT value FROM json_each(?))`,
    ),
    upsertDigest: database.prepare<[string, string, number, number, string]>(
      `INSERT OR REPLACE INTO session_digests (session_id, miner, version, event_count, digest) VALUES (?, ?, ?, ?, ?)`,
    ),
    selectSessions: database.prepare<SessionFilterParameters, SessionRow>(
      `SELECT ${sessionColumns} FROM sessions ${sessionFilterWhere} ${sessionOrder} LIMIT @limit`,
    ),
    insertSession: database.prepare<SessionParameters>(`
      INSERT OR IGNORE INTO sessions
        (id, agent, format, source_path, parent_session_id, title, cwd, started_at, ended_at, event_count,
         outcome, ingested_at)
      VALUES
        (@id, @agent, @format, @sourcePath, @parentSessionId, @title, @cwd, @startedAt, @endedAt, 0, @outcome,
         @ingestedAt)`),
    // coalesce(a, b) / coalesce(b, a) makes min()/max() ignore a NULL side (SQLite's min(x, NULL) is NULL).
    mergeSession: database.prepare<SessionParameters>(`
      UPDATE sessions SET
        started_at = min(coalesce(started_at, @startedAt), coalesce(@startedAt, started_at)),
        ended_at = max(coalesce(ended_at, @endedAt), coalesce(@endedAt, ended_at)),
        title = coalesce(@title, title),
        cwd = coalesce(cwd, @cwd),
        parent_session_id = coalesce(parent_session_id, @parentSessionId),
        outcome = coalesce(@outcome, outcome)
      WHERE id = @id`),
    addEventCount: database.prepare<[number, string]>(
      'UPDATE sessions SET event_count = event_count + ? WHERE id = ?',
    ),
    insertEvent: database.prepare<EventParameters>(`
      INSERT OR IGNORE INTO events (${eventColumns})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    selectEventsOfSessions: database.prepare<[string], EventRow>(
      `SELECT ${eventColumns} FROM events WHERE session_id IN (SELECT value FROM json_each(?))
       ORDER BY session_id, sequence, id`,
    ),
    selectEventsById: database.prepare<[string], EventRow>(
      `SELECT ${eventColumns} FROM events WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    countSessions: database.prepare<[], { sessions: number; events: number }>(
      'SELECT (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM events) AS events',
    ),
    selectSourceFile: database.prepare<[string], SourceFileRow>(
      `SELECT path, format, agent, size, mtime_ms, head_hash, head_bytes, cursor, updated_at
       FROM source_files WHERE path = ?`,
    ),
    upsertSourceFile: database.prepare<SourceFileParameters>(`
      INSERT INTO source_files (path, format, agent, size, mtime_ms, head_hash, head_bytes, cursor, updated_at)
      VALUES (@path, @format, @agent, @size, @mtimeMs, @headHash, @headBytes, @cursor, @updatedAt)
      ON CONFLICT (path) DO UPDATE SET
        format = excluded.format, agent = excluded.agent, size = excluded.size, mtime_ms = excluded.mtime_ms,
        head_hash = excluded.head_hash, head_bytes = excluded.head_bytes, cursor = excluded.cursor,
        updated_at = excluded.updated_at`),
    upsertDreamRun: database.prepare<DreamRunParameters>(`
      INSERT INTO dream_runs (id, trigger, approval, dry_run, agents, status, started_at, ended_at, report, error)
      VALUES (@id, @trigger, @approval, @dryRun, @agents, @status, @startedAt, @endedAt, @report, @error)
      ON CONFLICT (id) DO UPDATE SET
        trigger = excluded.trigger, approval = excluded.approval, dry_run = excluded.dry_run,
        agents = excluded.agents, status = excluded.status, started_at = excluded.started_at,
        ended_at = excluded.ended_at, report = excluded.report, error = excluded.error`),
    selectDreamRun: database.prepare<[string], DreamRunRow>('SELECT * FROM dream_runs WHERE id = ?'),
    selectDreamRuns: database.prepare<[number], DreamRunRow>(
      'SELECT * FROM dream_runs ORDER BY started_at DESC, id DESC LIMIT ?',
    ),
    insertProposal: database.prepare<ProposalParameters>(`
      INSERT INTO proposals (${proposalColumns})
      VALUES (@id, @dreamRunId, @memoryPath, @agent, @baseVersion, @edits, @diff, @reason, @routing, @findingIds,
              @evidence, @status, @createdAt, @decidedAt, @decidedBy, @statusReason, @appliedVersion, @screening,
              @holds)`),
    selectProposal: database.prepare<[string], ProposalRow>(
      `SELECT ${proposalColumns} FROM proposals WHERE id = ?`,
    ),
    // instr() rather than LIKE: LIKE is case-insensitive for ASCII and treats % and _ as wildcards.
    selectProposalsByPrefix: database.prepare<[string], ProposalRow>(
      `SELECT ${proposalColumns} FROM proposals WHERE instr(id, ?) = 1 ORDER BY created_at, id`,
    ),
    selectProposals: database.prepare<
      { status: string | null; memoryPath: string | null; dreamRunId: string | null },
      ProposalRow
    >(`
      SELECT ${proposalColumns} FROM proposals
      WHERE (@status IS NULL OR status = @status)
        AND (@memoryPath IS NULL OR memory_path = @memoryPath)
        AND (@dreamRunId IS NULL OR dream_run_id = @dreamRunId)
      ORDER BY created_at, id`),
    transitionProposal: database.prepare<
      {
        id: string;
        from: string;
        to: string;
        decidedAt: string;
        decidedBy: string | null;
        statusReason: string | null;
      },
      ProposalRow
    >(`
      UPDATE proposals SET status = @to, decided_at = @decidedAt, decided_by = @decidedBy,
        status_reason = @statusReason
      WHERE id = @id AND status IN (SELECT value FROM json_each(@from))
      RETURNING ${proposalColumns}`),
    markProposalApplied: database.prepare<{
      id: string;
      decidedAt: string;
      decidedBy: string;
      version: number;
    }>(`
      UPDATE proposals SET status = 'applied', decided_at = @decidedAt, decided_by = @decidedBy,
        status_reason = NULL, applied_version = @version
      WHERE id = @id`),
    selectMemoryFile: database.prepare<[string], MemoryFileRow>(
      'SELECT path, agent, current_version FROM memory_files WHERE path = ?',
    ),
    selectMemoryFiles: database.prepare<[], MemoryFileRow>(
      'SELECT path, agent, current_version FROM memory_files ORDER BY path',
    ),
    insertMemoryFile: database.prepare<[string, string | null, number]>(
      'INSERT INTO memory_files (path, agent, current_version) VALUES (?, ?, ?)',
    ),
    setCurrentVersion: database.prepare<[number, string]>(
      'UPDATE memory_files SET current_version = ? WHERE path = ?',
    ),
    selectMaxVersion: database.prepare<[string], { maxVersion: number | null }>(
      'SELECT max(version) AS maxVersion FROM memory_versions WHERE path = ?',
    ),
    selectVersion: database.prepare<[string, number], MemoryVersionRow>(
      `SELECT ${memoryVersionColumns} FROM memory_versions WHERE path = ? AND version = ?`,
    ),
    selectCommittedVersions: database.prepare<[string], MemoryVersionRow>(
      `SELECT ${memoryVersionColumns} FROM memory_versions WHERE path = ? AND state = 'committed'
       ORDER BY version`,
    ),
    selectPendingVersion: database.prepare<[string], MemoryVersionRow>(
      `SELECT ${memoryVersionColumns} FROM memory_versions WHERE path = ? AND state = 'pending'`,
    ),
    insertVersion: database.prepare<VersionParameters>(`
      INSERT INTO memory_versions (${memoryVersionColumns})
      VALUES (@path, @version, @parentVersion, @content, @existsFlag, @contentHash, @actorKind, @actorName,
              @dreamRunId, @proposalId, @reason, @createdAt, @state)`),
    commitVersion: database.prepare<[string, number]>(
      "UPDATE memory_versions SET state = 'committed' WHERE path = ? AND version = ? AND state = 'pending'",
    ),
    deletePendingVersion: database.prepare<[string, number]>(
      "DELETE FROM memory_versions WHERE path = ? AND version = ? AND state = 'pending'",
    ),
    // One statement, so two processes racing for a lock cannot both win: the row is written only if it is
    // free, expired, or already ours (then the expiry is extended and the original acquisition time kept).
    acquireLock: database.prepare<{ name: string; owner: string; now: string; expiresAt: string }>(`
      INSERT INTO locks (name, owner, acquired_at, expires_at) VALUES (@name, @owner, @now, @expiresAt)
      ON CONFLICT (name) DO UPDATE SET
        acquired_at = CASE WHEN locks.owner = excluded.owner THEN locks.acquired_at ELSE excluded.acquired_at END,
        owner = excluded.owner,
        expires_at = excluded.expires_at
      WHERE locks.expires_at <= excluded.acquired_at OR locks.owner = excluded.owner`),
    releaseLock: database.prepare<[string, string]>('DELETE FROM locks WHERE name = ? AND owner = ?'),
    selectLock: database.prepare<[string], LockRow>(
      'SELECT owner, acquired_at, expires_at FROM locks WHERE name = ?',
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * The SQLite Store adapter. Opening applies pending migrations; see {@link createSqliteStore}.
 *
 * @throws ReverieError `STORE_CORRUPT` when the file is not a Reverie SQLite database (the file is left
 *   untouched), `STORE_MIGRATION_REQUIRED` when a newer Reverie wrote it, `STORE_FAILED` when it cannot be opened.
 */
export class SqliteStore implements Store {
  /** The database file, as given. */
  readonly path: string;
  readonly #database: Database.Database;
  readonly #statements: Statements;

  constructor(options: SqliteStoreOptions) {
    if (options.path.trim() === '') {
      throw new ReverieError({
        code: 'CONFIG_INVALID',
        message: 'The SQLite store needs a database file path (or ":memory:"); it got an empty string.',
      });
    }
    this.path = options.path;
    this.#database = openDatabase(options.path);
    this.#statements = prepareStatements(this.#database);
  }

  close(): Promise<void> {
    return this.#run(() => {
      // Closing twice is harmless, so callers can close in both a finally block and a shutdown hook.
      if (this.#database.open) this.#database.close();
    });
  }

  // Ingest

  getSourceFile(path: string): Promise<SourceFileState | null> {
    return this.#run(() => {
      const row = this.#statements.selectSourceFile.get(path);
      return row === undefined ? null : this.#toSourceFile(row);
    });
  }

  saveIngestChunks(chunks: readonly IngestChunk[]): Promise<IngestChunkResult[]> {
    // One transaction for the batch: a commit per chunk costs more than its inserts on a long ingest.
    return this.#write(() => chunks.map((chunk) => this.#saveChunk(chunk)));
  }

  /** One chunk's writes, inside the caller's transaction. */
  #saveChunk(input: IngestChunk): IngestChunkResult {
    const statements = this.#statements;
    const chunkSessionIds = new Set(input.sessions.map((session) => session.id));
    // Checked before any write so a bad chunk leaves no trace and both adapters fail the same way.
    for (const event of input.events) {
      if (
        !chunkSessionIds.has(event.sessionId) &&
        statements.selectSessionExists.get(event.sessionId) === undefined
      ) {
        throw unknownEventSessionError({
          eventId: event.id,
          sessionId: event.sessionId,
          path: input.file.path,
        });
      }
    }
    let sessionsAdded = 0;
    for (const session of input.sessions) {
      const parameters = toSessionParameters(session, input.file.updatedAt);
      if (statements.insertSession.run(parameters).changes === 1) sessionsAdded++;
      else statements.mergeSession.run(parameters);
    }
    let eventsAdded = 0;
    const addedPerSession = new Map<string, number>();
    for (const event of input.events) {
      const inserted = statements.insertEvent.run(...toEventParameters(event)).changes;
      if (inserted === 1) {
        eventsAdded++;
        addedPerSession.set(event.sessionId, (addedPerSession.get(event.sessionId) ?? 0) + 1);
      }
    }
    for (const [sessionId, added] of addedPerSession) statements.addEventCount.run(added, sessionId);
    statements.upsertSourceFile.run(toSourceFileParameters(input.file));
    return { sessionsAdded, eventsAdded };
  }

  // Outcomes

  recordOutcome(record: OutcomeRecord): Promise<void> {
    return this.#write(() => {
      if (this.#statements.selectOutcomeExists.get(record.id) !== undefined)
        throw duplicateOutcomeError(record.id);
      this.#statements.insertOutcome.run({
        id: record.id,
        sessionId: record.sessionId,
        source: record.source,
        name: record.name,
        passed: record.passed === null ? null : record.passed ? 1 : 0,
        score: record.score,
        detail: record.detail,
        criteria: record.criteria === null ? null : JSON.stringify(record.criteria),
        eventCount: record.eventCount,
        recordedAt: record.recordedAt,
        recordedBy: record.recordedBy,
      });
    });
  }

  listOutcomes(filter: { sessionIds?: readonly string[] } = {}): Promise<OutcomeRecord[]> {
    return this.#run(() =>
      this.#statements.selectOutcomes
        .all({ ids: filter.sessionIds === undefined ? null : JSON.stringify(filter.sessionIds) })
        .map((row) => this.#toOutcome(row)),
    );
  }

  // Digests

  getDigests(input: {
    miner: string;
    version: number;
    sessionIds: readonly string[];
  }): Promise<Map<string, { eventCount: number; digest: unknown }>> {
    return this.#run(() => {
      const found = new Map<string, { eventCount: number; digest: unknown }>();
      for (const row of this.#statements.selectDigests.all(
        input.miner,
        input.version,
        JSON.stringify(input.sessionIds),
      )) {
        found.set(row.session_id, {
          eventCount: row.event_count,
          digest: this.#readJson(row.digest, 'session_digests.digest'),
        });
      }
      return found;
    });
  }

  saveDigests(input: {
    miner: string;
    version: number;
    digests: readonly { sessionId: string; eventCount: number; digest: unknown }[];
  }): Promise<void> {
    return this.#write(() => {
      for (const item of input.digests) {
        this.#statements.upsertDigest.run(
          item.sessionId,
          input.miner,
          input.version,
          item.eventCount,
          JSON.stringify(item.digest),
        );
      }
    });
  }

  // Sessions

  listSessions(filter: SessionFilter = {}): Promise<Session[]> {
    return this.#run(() => this.#selectSessions(filter).map((row) => this.#toSession(row)));
  }

  getSession(id: string): Promise<Session | null> {
    return this.#run(() => {
      const row = this.#statements.selectSession.get(id);
      return row === undefined ? null : this.#toSession(row);
    });
  }

  loadSessionsWithEvents(filter: SessionFilter = {}): Promise<SessionWithEvents[]> {
    // A read transaction, so sessions and their events come from one snapshot even while another process ingests.
    return this.#run(() =>
      this.#database
        .transaction(() => {
          const sessions = this.#selectSessions(filter).map((row) => this.#toSession(row));
          const eventsBySession = new Map<string, SessionEvent[]>();
          const rows = this.#statements.selectEventsOfSessions.all(
            JSON.stringify(sessions.map((session) => session.id)),
          );
          for (const row of rows) {
            const events = eventsBySession.get(row.session_id) ?? [];
            events.push(this.#toEvent(row));
            eventsBySession.set(row.session_id, events);
          }
          return sessions.map((session) => ({ ...session, events: eventsBySession.get(session.id) ?? [] }));
        })
        .deferred(),
    );
  }

  /** Returns the stored events among `ids`, in no particular order; unknown ids are left out. */
  getEvents(ids: readonly string[]): Promise<SessionEvent[]> {
    return this.#run(() =>
      ids.length === 0
        ? []
        : this.#statements.selectEventsById.all(JSON.stringify(ids)).map((row) => this.#toEvent(row)),
    );
  }

  countSessions(): Promise<{ sessions: number; events: number }> {
    return this.#run(() => {
      const row = this.#statements.countSessions.get();
      return { sessions: row?.sessions ?? 0, events: row?.events ?? 0 };
    });
  }

  // Dream runs

  saveDreamRun(run: DreamRun): Promise<void> {
    return this.#write(() => {
      this.#statements.upsertDreamRun.run(toDreamRunParameters(run));
    });
  }

  getDreamRun(id: string): Promise<DreamRun | null> {
    return this.#run(() => {
      const row = this.#statements.selectDreamRun.get(id);
      return row === undefined ? null : this.#toDreamRun(row);
    });
  }

  /** The `limit` most recent runs, newest (by start time) first. */
  listDreamRuns(limit: number): Promise<DreamRun[]> {
    return this.#run(() =>
      this.#statements.selectDreamRuns.all(normalizeLimit(limit) ?? 0).map((row) => this.#toDreamRun(row)),
    );
  }

  // Proposals

  /** Inserts all proposals or none; an id already stored (or repeated) fails the whole batch. */
  saveProposals(proposals: readonly Proposal[]): Promise<void> {
    return this.#write(() => {
      const seen = new Set<string>();
      for (const proposal of proposals) {
        if (seen.has(proposal.id) || this.#statements.selectProposal.get(proposal.id) !== undefined) {
          throw duplicateProposalError(proposal.id);
        }
        seen.add(proposal.id);
      }
      for (const proposal of proposals) {
        this.#statements.insertProposal.run(toProposalParameters(proposal));
      }
    });
  }

  getProposal(id: string): Promise<Proposal | null> {
    return this.#run(() => {
      const row = this.#statements.selectProposal.get(id);
      return row === undefined ? null : this.#toProposal(row);
    });
  }

  /** Proposals whose id starts with `prefix` (case-sensitive), oldest first. */
  findProposalsByPrefix(prefix: string): Promise<Proposal[]> {
    return this.#run(() =>
      this.#statements.selectProposalsByPrefix.all(prefix).map((row) => this.#toProposal(row)),
    );
  }

  /** Proposals matching every given field of `filter`, ordered by creation time, then id. */
  listProposals(filter: ProposalFilter = {}): Promise<Proposal[]> {
    return this.#run(() =>
      this.#statements.selectProposals
        .all({
          status: filter.status ?? null,
          memoryPath: filter.memoryPath ?? null,
          dreamRunId: filter.dreamRunId ?? null,
        })
        .map((row) => this.#toProposal(row)),
    );
  }

  transitionProposal(transition: ProposalTransition): Promise<Proposal | null> {
    return this.#write(() => {
      const row = this.#statements.transitionProposal.get({
        id: transition.id,
        from: JSON.stringify(transition.from),
        to: transition.to,
        decidedAt: transition.decidedAt,
        decidedBy: transition.decidedBy,
        statusReason: transition.statusReason,
      });
      return row === undefined ? null : this.#toProposal(row);
    });
  }

  // Memory files and versions

  getMemoryFile(path: string): Promise<MemoryFile | null> {
    return this.#run(() => {
      const row = this.#statements.selectMemoryFile.get(path);
      return row === undefined ? null : toMemoryFile(row);
    });
  }

  /** Every managed memory file, ordered by path. */
  listMemoryFiles(): Promise<MemoryFile[]> {
    return this.#run(() => this.#statements.selectMemoryFiles.all().map(toMemoryFile));
  }

  /** A committed version, or null (pending versions are only visible through `getPendingMemoryWrite`). */
  getMemoryVersion(path: string, version: number): Promise<MemoryVersion | null> {
    return this.#run(() => {
      const row = this.#statements.selectVersion.get(path, version);
      return row?.state === 'committed' ? this.#toMemoryVersion(row) : null;
    });
  }

  /** The committed versions of `path`, oldest first. */
  listMemoryVersions(path: string): Promise<MemoryVersion[]> {
    return this.#run(() =>
      this.#statements.selectCommittedVersions.all(path).map((row) => this.#toMemoryVersion(row)),
    );
  }

  recordMemoryVersion(input: {
    draft: MemoryVersionDraft;
    expectedCurrent: number | null;
  }): Promise<MemoryVersion> {
    return this.#write(() => {
      const { draft, expectedCurrent } = input;
      const file = this.#checkWritable(draft.path, expectedCurrent);
      const version = this.#nextVersion(draft.path);
      if (file === undefined) this.#statements.insertMemoryFile.run(draft.path, draft.agent, version);
      else this.#statements.setCurrentVersion.run(version, draft.path);
      return this.#insertVersion(draft, version, expectedCurrent, 'committed');
    });
  }

  beginMemoryWrite(input: { draft: MemoryVersionDraft; expectedCurrent: number }): Promise<MemoryVersion> {
    return this.#write(() => {
      const { draft, expectedCurrent } = input;
      this.#checkWritable(draft.path, expectedCurrent);
      return this.#insertVersion(draft, this.#nextVersion(draft.path), expectedCurrent, 'pending');
    });
  }

  commitMemoryWrite(input: {
    path: string;
    version: number;
    proposal: AppliedProposal | null;
  }): Promise<MemoryVersion> {
    return this.#write(() => {
      const { path, version, proposal } = input;
      const statements = this.#statements;
      const row = statements.selectVersion.get(path, version);
      if (row?.state !== 'pending') {
        throw noPendingWriteError({ path, version, state: row === undefined ? null : 'committed' });
      }
      if (proposal !== null) {
        const proposalRow = statements.selectProposal.get(proposal.id);
        if (proposalRow === undefined)
          throw proposalNotFoundError({ proposalId: proposal.id, path, version });
        const status = this.#readStatus(proposalRow.status);
        if (!applicableProposalStatuses.includes(status)) {
          throw proposalNotApplicableError({ proposalId: proposal.id, status, path, version });
        }
        statements.markProposalApplied.run({
          id: proposal.id,
          decidedAt: proposal.decidedAt,
          decidedBy: proposal.decidedBy,
          version,
        });
      }
      statements.commitVersion.run(path, version);
      statements.setCurrentVersion.run(version, path);
      return this.#toMemoryVersion({ ...row, state: 'committed' });
    });
  }

  /** Forgets a pending write; does nothing when that version is not pending (already committed or aborted). */
  abortMemoryWrite(input: { path: string; version: number }): Promise<void> {
    return this.#write(() => {
      this.#statements.deletePendingVersion.run(input.path, input.version);
    });
  }

  getPendingMemoryWrite(path: string): Promise<MemoryVersion | null> {
    return this.#run(() => {
      const row = this.#statements.selectPendingVersion.get(path);
      return row === undefined ? null : this.#toMemoryVersion(row);
    });
  }

  // Locks

  acquireLock(input: { name: string; owner: string; now: string; expiresAt: string }): Promise<boolean> {
    return this.#write(() => this.#statements.acquireLock.run(input).changes === 1);
  }

  /** Releases the lock if `owner` holds it; a lock held by someone else is left alone. */
  releaseLock(input: { name: string; owner: string }): Promise<void> {
    return this.#write(() => {
      this.#statements.releaseLock.run(input.name, input.owner);
    });
  }

  getLock(name: string): Promise<{ owner: string; acquiredAt: string; expiresAt: string } | null> {
    return this.#run(() => {
      const row = this.#statements.selectLock.get(name);
      return row === undefined
        ? null
        : { owner: row.owner, acquiredAt: row.acquired_at, expiresAt: row.expires_at };
    });
  }

  // Internals

  /** Runs `operation` now and settles a promise with its result, translating SQLite failures on the way. */
  #run<T>(operation: () => T): Promise<T> {
    return new Promise((resolvePromise) => {
      try {
        resolvePromise(operation());
      } catch (error) {
        throw translateSqliteError(error, this.path);
      }
    });
  }

  /** Like `#run`, inside one IMMEDIATE transaction: the write lock is taken before the first read. */
  #write<T>(operation: () => T): Promise<T> {
    return this.#run(() => this.#database.transaction(operation).immediate());
  }

  #selectSessions(filter: SessionFilter): SessionRow[] {
    return this.#statements.selectSessions.all({
      agents: filter.agents === undefined ? null : JSON.stringify(filter.agents),
      sessionIds: filter.sessionIds === undefined ? null : JSON.stringify(filter.sessionIds),
      since: filter.since ?? null,
      // SQLite reads a negative LIMIT as "no limit".
      limit: normalizeLimit(filter.limit) ?? -1,
    });
  }

  /** Throws unless `path` is at `expectedCurrent` with no write pending; returns its row when it is managed. */
  #checkWritable(path: string, expectedCurrent: number | null): MemoryFileRow | undefined {
    const file = this.#statements.selectMemoryFile.get(path);
    const actual = file?.current_version ?? null;
    if (actual !== expectedCurrent)
      throw memoryVersionConflictError({ path, expected: expectedCurrent, actual });
    const pending = this.#statements.selectPendingVersion.get(path);
    if (pending !== undefined) {
      throw pendingWriteConflictError({
        path,
        expected: expectedCurrent,
        actual,
        pendingVersion: pending.version,
      });
    }
    return file;
  }

  #nextVersion(path: string): number {
    return (this.#statements.selectMaxVersion.get(path)?.maxVersion ?? 0) + 1;
  }

  #insertVersion(
    draft: MemoryVersionDraft,
    version: number,
    parentVersion: number | null,
    state: 'pending' | 'committed',
  ): MemoryVersion {
    const memoryVersion: MemoryVersion = {
      path: draft.path,
      version,
      parentVersion,
      content: draft.content,
      exists: draft.exists,
      contentHash: hashContent(draft.content),
      actor: { kind: draft.actor.kind, name: draft.actor.name },
      dreamRunId: draft.dreamRunId,
      proposalId: draft.proposalId,
      reason: draft.reason,
      createdAt: draft.createdAt,
    };
    this.#statements.insertVersion.run(toVersionParameters(memoryVersion, state));
    return memoryVersion;
  }

  // Row mappers: rows are our own data, so an unknown enum value or bad JSON is corruption, reported loudly.

  #toOutcome(row: OutcomeRow): OutcomeRecord {
    const source = row.source;
    if (source !== 'cli' && source !== 'grader' && source !== 'log') this.#corrupt('outcomes.source', source);
    return {
      id: row.id,
      sessionId: row.session_id,
      source,
      name: row.name,
      passed: row.passed === null ? null : row.passed === 1,
      score: row.score,
      detail: row.detail,
      criteria:
        row.criteria === null
          ? null
          : (this.#readJson(row.criteria, 'outcomes.criteria') as OutcomeRecord['criteria']),
      eventCount: row.event_count,
      recordedAt: row.recorded_at,
      recordedBy: row.recorded_by,
    };
  }

  #toSession(row: SessionRow): Session {
    return {
      id: row.id,
      agent: row.agent,
      format: isSessionFormat(row.format) ? row.format : this.#corrupt('sessions.format', row.format),
      sourcePath: row.source_path,
      parentSessionId: row.parent_session_id,
      title: row.title,
      cwd: row.cwd,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      eventCount: row.event_count,
      outcome:
        row.outcome === null ? null : (this.#readJson(row.outcome, 'sessions.outcome') as Session['outcome']),
    };
  }

  #toEvent(row: EventRow): SessionEvent {
    return {
      id: row.id,
      sessionId: row.session_id,
      sequence: row.sequence,
      kind: this.#readEnum(row.kind, eventKinds, 'events.kind'),
      subtype: row.subtype,
      timestamp: row.timestamp,
      text: row.text,
      messageId: row.message_id,
      toolName: row.tool_name,
      toolCallId: row.tool_call_id,
      toolInput:
        row.tool_input === null
          ? null
          : this.#readJson(
              row.tool_input === toolInputIsText ? row.text : row.tool_input,
              'events.tool_input',
            ),
      isError: row.is_error === 1,
      isRejection: row.is_rejection === 1,
      source: { path: row.source_path, line: row.source_line },
    };
  }

  #toSourceFile(row: SourceFileRow): SourceFileState {
    const cursor = this.#readJson(row.cursor, 'source_files.cursor') as FileCursor;
    return {
      path: row.path,
      format: isSessionFormat(row.format) ? row.format : this.#corrupt('source_files.format', row.format),
      agent: row.agent,
      size: row.size,
      mtimeMs: row.mtime_ms,
      headHash: row.head_hash,
      headBytes: row.head_bytes,
      cursor: { offset: cursor.offset, line: cursor.line, state: cursor.state },
      updatedAt: row.updated_at,
    };
  }

  #toDreamRun(row: DreamRunRow): DreamRun {
    return {
      id: row.id,
      trigger: this.#readEnum(row.trigger, dreamTriggers, 'dream_runs.trigger'),
      approval: this.#readEnum(row.approval, approvalModes, 'dream_runs.approval'),
      dryRun: row.dry_run === 1,
      agents: this.#readJson(row.agents, 'dream_runs.agents') as string[],
      status: this.#readEnum(row.status, dreamRunStatuses, 'dream_runs.status'),
      startedAt: row.started_at,
      endedAt: row.ended_at,
      report: row.report === null ? null : (this.#readJson(row.report, 'dream_runs.report') as RunReport),
      error: row.error,
    };
  }

  #toProposal(row: ProposalRow): Proposal {
    return {
      id: row.id,
      dreamRunId: row.dream_run_id,
      memoryPath: row.memory_path,
      agent: row.agent,
      baseVersion: row.base_version,
      edits: this.#readJson(row.edits, 'proposals.edits') as MemoryEdit[],
      diff: row.diff,
      reason: row.reason,
      routing: row.routing,
      findingIds: this.#readJson(row.finding_ids, 'proposals.finding_ids') as string[],
      evidence: this.#readJson(row.evidence, 'proposals.evidence') as Evidence[],
      status: this.#readStatus(row.status),
      createdAt: row.created_at,
      decidedAt: row.decided_at,
      decidedBy: row.decided_by,
      statusReason: row.status_reason,
      appliedVersion: row.applied_version,
      screening: this.#readJson(row.screening, 'proposals.screening') as ScreenFlag[],
      holds: this.#readJson(row.holds, 'proposals.holds') as string[],
    };
  }

  #toMemoryVersion(row: MemoryVersionRow): MemoryVersion {
    return {
      path: row.path,
      version: row.version,
      parentVersion: row.parent_version,
      content: row.content.toString('utf8'),
      exists: row.exists_flag === 1,
      contentHash: row.content_hash,
      actor: {
        kind: this.#readEnum(row.actor_kind, actorKinds, 'memory_versions.actor_kind'),
        name: row.actor_name,
      },
      dreamRunId: row.dream_run_id,
      proposalId: row.proposal_id,
      reason: row.reason,
      createdAt: row.created_at,
    };
  }

  #readStatus(value: string): ProposalStatus {
    return isProposalStatus(value) ? value : this.#corrupt('proposals.status', value);
  }

  #readEnum<T extends string>(value: string, allowed: readonly T[], column: string): T {
    return (allowed as readonly string[]).includes(value) ? (value as T) : this.#corrupt(column, value);
  }

  /** JSON this store wrote itself: callers cast to the type the column only ever receives. */
  #readJson(text: string, column: string): unknown {
    try {
      return parseJson(text);
    } catch (error) {
      return this.#corrupt(column, text.slice(0, 40), error);
    }
  }

  #corrupt(column: string, value: string, cause?: unknown): never {
    throw new ReverieError({
      code: 'STORE_CORRUPT',
      message:
        `${this.path}: column ${column} holds a value this version of Reverie cannot read (${JSON.stringify(value)}). ` +
        'If a newer Reverie wrote it, upgrade Reverie; otherwise restore the database from a backup or pass ' +
        '--data-dir to start a new one.',
      data: { path: this.path, column },
      cause,
    });
  }
}

/**
 * Opens (creating if needed) a SQLite store and brings its schema up to date.
 *
 * @param options.path database file, or `':memory:'`; the parent directory is created when missing.
 * @throws ReverieError `STORE_CORRUPT` when the file is not a Reverie SQLite database (the file is left
 *   untouched), `STORE_MIGRATION_REQUIRED` when a newer Reverie wrote it, `STORE_FAILED` when it cannot be opened.
 * @example
 * const store = createSqliteStore({ path: join(dataDir, 'reverie.db') });
 * try { console.log(await store.countSessions()); } finally { await store.close(); }
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options);
}

function toMemoryFile(row: MemoryFileRow): MemoryFile {
  return { path: row.path, agent: row.agent, currentVersion: row.current_version };
}

function openDatabase(path: string): Database.Database {
  const isFile = path !== memoryPath;
  let database: Database.Database;
  try {
    if (isFile) mkdirSync(dirname(resolve(path)), { recursive: true });
    database = new Database(path);
  } catch (error) {
    throw new ReverieError({
      code: 'STORE_FAILED',
      message:
        `Cannot open the Reverie database ${path} (${error instanceof Error ? error.message : String(error)}). ` +
        'Check that the directory is writable, or pass --data-dir to use another one.',
      data: { path },
      cause: error,
    });
  }
  try {
    // Set before anything reads the file, so a concurrent writer is waited for rather than reported as an error.
    database.pragma(`busy_timeout = ${String(busyTimeoutMilliseconds)}`);
    // The first statement that reads the file: a foreign file fails here, before anything could write to it.
    const userVersion = readUserVersion(database);
    checkOwnership(database, path, userVersion);
    if (userVersion > latestSchemaVersion) {
      throw new ReverieError({
        code: 'STORE_MIGRATION_REQUIRED',
        message:
          `The database ${path} was written by a newer Reverie (schema version ${String(userVersion)}; this ` +
          `Reverie knows up to ${String(latestSchemaVersion)}). Upgrade Reverie, or pass --data-dir to use ` +
          'another directory.',
        data: { path, databaseVersion: userVersion, supportedVersion: latestSchemaVersion },
      });
    }
    if (isFile) database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    // Ingest writes hundreds of MB in large transactions: a 32 MB page cache and a checkpoint every ~40 MB of WAL
    // (instead of 4 MB) keep index pages from being written to the database file again and again (about 15% less
    // CPU on the ingest benchmark, for ~20 MB more memory; see docs/performance.md).
    database.pragma('wal_autocheckpoint = 10000');
    database.pragma('cache_size = -32000');
    database.pragma('foreign_keys = ON');
    migrate(database, path);
    return database;
  } catch (error) {
    database.close();
    throw translateSqliteError(error, path);
  }
}

function readUserVersion(database: Database.Database): number {
  return Number(database.pragma('user_version', { simple: true }));
}

/** Refuses a SQLite database some other program wrote, instead of adding our tables to it. */
function checkOwnership(database: Database.Database, path: string, userVersion: number): void {
  const applicationId = Number(database.pragma('application_id', { simple: true }));
  if (applicationId === reverieApplicationId) return;
  const objectCount =
    database.prepare<[], { count: number }>('SELECT count(*) AS count FROM sqlite_schema').get()?.count ?? 0;
  if (applicationId === 0 && userVersion === 0 && objectCount === 0) return;
  throw new ReverieError({
    code: 'STORE_CORRUPT',
    message:
      `${path} is a SQLite database, but not one Reverie wrote, so Reverie will not use it; it was left ` +
      'untouched. Move it aside, or pass --data-dir to keep Reverie\u2019s database elsewhere.',
    data: { path, applicationId, userVersion },
  });
}

function migrate(database: Database.Database, path: string): void {
  for (const migration of migrations) {
    try {
      database
        .transaction(() => {
          // Re-read inside the write lock: another process may have migrated since we looked.
          if (readUserVersion(database) >= migration.version) return;
          database.exec(migration.sql);
          database.pragma(`user_version = ${String(migration.version)}`);
        })
        .immediate();
    } catch (error) {
      if (isReverieError(error) || isNotADatabase(error)) throw error;
      throw new ReverieError({
        code: 'STORE_FAILED',
        message:
          `Migration ${String(migration.version)} (${migration.name}) of ${path} failed and was rolled back; the ` +
          `database is unchanged at schema version ${String(migration.version - 1)}. ` +
          (error instanceof Error ? error.message : String(error)),
        data: { path, migration: migration.version },
        cause: error,
      });
    }
  }
}

function isNotADatabase(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === 'SQLITE_NOTADB' || error.code === 'SQLITE_CORRUPT')
  );
}

/** Gives a raw SQLite failure a Reverie code and a next step; Reverie errors pass through. */
function translateSqliteError(error: unknown, path: string): unknown {
  if (isReverieError(error) || !(error instanceof Database.SqliteError)) return error;
  if (isNotADatabase(error)) {
    return new ReverieError({
      code: 'STORE_CORRUPT',
      message:
        `${path} exists but is not a readable SQLite database (${error.message}), so Reverie cannot use it; it ` +
        'was left untouched. Move it aside, or pass --data-dir to use another directory.',
      data: { path, sqliteCode: error.code },
      cause: error,
    });
  }
  const busy = error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED');
  return new ReverieError({
    code: 'STORE_FAILED',
    message: busy
      ? `The database ${path} stayed locked by another process for ${String(busyTimeoutMilliseconds / 1000)} s. ` +
        'Wait for the other Reverie command to finish, then retry.'
      : `The database ${path} failed: ${error.message} (${error.code}).`,
    data: { path, sqliteCode: error.code, retryable: busy },
    cause: error,
  });
}
