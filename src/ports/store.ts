import type { DreamRun } from '../domain/dream-run.js';
import type { Actor, MemoryFile, MemoryVersion } from '../domain/memory-version.js';
import type { OutcomeRecord } from '../domain/outcome.js';
import type { Proposal, ProposalStatus } from '../domain/proposal.js';
import type { Session, SessionEvent, SessionFormat, SessionWithEvents } from '../domain/session.js';
import type { FileCursor } from './session-source.js';

/** What the store remembers about a log file between ingests. */
export interface SourceFileState {
  path: string;
  format: SessionFormat;
  agent: string;
  size: number;
  mtimeMs: number;
  headHash: string;
  headBytes: number;
  cursor: FileCursor;
  updatedAt: string;
}

/** What one chunk of a log file adds: its sessions, their events, and the file's cursor after them. */
export interface IngestChunk {
  sessions: readonly Session[];
  events: readonly SessionEvent[];
  file: SourceFileState;
}

export interface IngestChunkResult {
  sessionsAdded: number;
  eventsAdded: number;
}

export interface SessionFilter {
  agents?: readonly string[];
  /** Only these sessions. */
  sessionIds?: readonly string[];
  /** Sessions that ended (or started, when the end is unknown) at or after this ISO time. */
  since?: string;
  limit?: number;
}

export interface ProposalFilter {
  status?: ProposalStatus;
  memoryPath?: string;
  dreamRunId?: string;
}

/** A version about to be written: everything but the number, hash and time, which the store assigns. */
export interface MemoryVersionDraft {
  path: string;
  agent: string | null;
  content: string;
  exists: boolean;
  actor: Actor;
  dreamRunId: string | null;
  proposalId: string | null;
  reason: string;
  createdAt: string;
}

/** A proposal decision recorded in the same transaction as the version that applies it. */
export interface AppliedProposal {
  id: string;
  decidedBy: string;
  decidedAt: string;
}

export interface ProposalTransition {
  id: string;
  /** The transition happens only if the proposal's status is one of these (compare-and-set). */
  from: readonly ProposalStatus[];
  to: ProposalStatus;
  decidedAt: string;
  decidedBy: string | null;
  statusReason: string | null;
}

/**
 * Persistence. Every method is one atomic unit; methods that move a pointer take the value the caller expects and
 * fail with MEMORY_VERSION_CONFLICT / return null instead of overwriting a concurrent change.
 * Adapters: `storage/sqlite` (default), `storage/in-memory` (tests); all pass `store.contract.ts`.
 */
export interface Store {
  close(): Promise<void>;

  // Ingest
  getSourceFile(path: string): Promise<SourceFileState | null>;
  /**
   * Adds each chunk's sessions and events (ignoring ids already stored) and saves its file cursor, in order, in one
   * transaction: all of the chunks or none (the first bad chunk's error). An event may belong to a session of an
   * earlier chunk of the batch. One result per chunk; visible to other connections once it resolves.
   */
  saveIngestChunks(chunks: readonly IngestChunk[]): Promise<IngestChunkResult[]>;

  // Sessions
  listSessions(filter?: SessionFilter): Promise<Session[]>;
  getSession(id: string): Promise<Session | null>;
  loadSessionsWithEvents(filter?: SessionFilter): Promise<SessionWithEvents[]>;
  getEvents(ids: readonly string[]): Promise<SessionEvent[]>;
  countSessions(): Promise<{ sessions: number; events: number }>;

  // Digests: what each miner kept of each session, reused until the session changes
  /** Stored digests of `miner` at `version` for these sessions, by session id. */
  getDigests(input: {
    miner: string;
    version: number;
    sessionIds: readonly string[];
  }): Promise<Map<string, { eventCount: number; digest: unknown }>>;
  /** Replaces the digests of these sessions for `miner` (older versions included). */
  saveDigests(input: {
    miner: string;
    version: number;
    digests: readonly { sessionId: string; eventCount: number; digest: unknown }[];
  }): Promise<void>;

  // Outcomes recorded by people and graders (append-only)
  recordOutcome(record: OutcomeRecord): Promise<void>;
  /** Outcome records of these sessions (all when omitted), oldest first. */
  listOutcomes(filter?: { sessionIds?: readonly string[] }): Promise<OutcomeRecord[]>;

  // Dream runs
  saveDreamRun(run: DreamRun): Promise<void>;
  getDreamRun(id: string): Promise<DreamRun | null>;
  listDreamRuns(limit: number): Promise<DreamRun[]>;

  // Proposals
  saveProposals(proposals: readonly Proposal[]): Promise<void>;
  getProposal(id: string): Promise<Proposal | null>;
  /** Proposals whose id starts with `prefix` (for short ids typed by a person). */
  findProposalsByPrefix(prefix: string): Promise<Proposal[]>;
  listProposals(filter?: ProposalFilter): Promise<Proposal[]>;
  /** Returns the updated proposal, or null when its status was not in `from`. */
  transitionProposal(transition: ProposalTransition): Promise<Proposal | null>;

  // Memory files and versions
  getMemoryFile(path: string): Promise<MemoryFile | null>;
  listMemoryFiles(): Promise<MemoryFile[]>;
  getMemoryVersion(path: string, version: number): Promise<MemoryVersion | null>;
  listMemoryVersions(path: string): Promise<MemoryVersion[]>;
  /**
   * Appends a version whose content is already on disk (initial sighting, hand edit) and makes it current.
   * `expectedCurrent` null means the file must not be managed yet.
   */
  recordMemoryVersion(input: {
    draft: MemoryVersionDraft;
    expectedCurrent: number | null;
  }): Promise<MemoryVersion>;
  /**
   * First half of a write: reserves the next version as pending (write-ahead), before the file is written.
   * Fails with MEMORY_VERSION_CONFLICT when the current version is not `expectedCurrent` or a write is pending.
   */
  beginMemoryWrite(input: { draft: MemoryVersionDraft; expectedCurrent: number }): Promise<MemoryVersion>;
  /** Second half: the file now holds the pending version; make it current and, if given, mark the proposal applied. */
  commitMemoryWrite(input: {
    path: string;
    version: number;
    proposal: AppliedProposal | null;
  }): Promise<MemoryVersion>;
  /** The file write failed or never happened: forget the pending version. */
  abortMemoryWrite(input: { path: string; version: number }): Promise<void>;
  /** A write begun and neither committed nor aborted (a crash between the two halves). */
  getPendingMemoryWrite(path: string): Promise<MemoryVersion | null>;

  // Locks (one dream per agent at a time)
  /** Takes the named lock if it is free or expired. Returns false when someone else holds it. */
  acquireLock(input: { name: string; owner: string; now: string; expiresAt: string }): Promise<boolean>;
  releaseLock(input: { name: string; owner: string }): Promise<void>;
  getLock(name: string): Promise<{ owner: string; acquiredAt: string; expiresAt: string } | null>;
}
