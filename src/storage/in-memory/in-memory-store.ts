/**
 * A Store in plain Maps: the test double for everything built on the Store port, and the reference the contract
 * suite holds the SQLite adapter to. It keeps no state between instances and survives no process.
 *
 * Every value is copied on the way in and on the way out, so a caller can neither change stored state by mutating
 * an object it saved or got back, nor observe a later change through an old result. Every method checks all of
 * its preconditions before changing anything, which is what makes each one atomic without transactions.
 */
import type { DreamRun } from '../../domain/dream-run.js';
import type { MemoryFile, MemoryVersion } from '../../domain/memory-version.js';
import type { OutcomeRecord } from '../../domain/outcome.js';
import type { Proposal } from '../../domain/proposal.js';
import type { Session, SessionEvent, SessionWithEvents } from '../../domain/session.js';
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

interface StoredVersion {
  version: MemoryVersion;
  state: 'pending' | 'committed';
}

interface StoredLock {
  owner: string;
  acquiredAt: string;
  expiresAt: string;
}

/**
 * The in-memory Store adapter. Same semantics as the SQLite store (both pass `store.contract.ts`); use it in
 * tests of code that takes a `Store`.
 */
export class InMemoryStore implements Store {
  readonly #sessions = new Map<string, Session>();
  readonly #events = new Map<string, SessionEvent>();
  readonly #sourceFiles = new Map<string, SourceFileState>();
  readonly #dreamRuns = new Map<string, DreamRun>();
  readonly #proposals = new Map<string, Proposal>();
  readonly #memoryFiles = new Map<string, MemoryFile>();
  /** Per path, by version number. */
  readonly #memoryVersions = new Map<string, Map<number, StoredVersion>>();
  readonly #locks = new Map<string, StoredLock>();
  readonly #outcomes: OutcomeRecord[] = [];
  readonly #digests = new Map<string, { version: number; eventCount: number; digest: string }>();

  close(): Promise<void> {
    return settle(() => undefined);
  }

  // Ingest

  getSourceFile(path: string): Promise<SourceFileState | null> {
    return settle(() => {
      const file = this.#sourceFiles.get(path);
      return file === undefined ? null : copySourceFile(file);
    });
  }

  saveIngestChunks(chunks: readonly IngestChunk[]): Promise<IngestChunkResult[]> {
    return settle(() => {
      // Checked before any write, so a bad chunk leaves no trace of the batch (as the SQLite transaction does).
      const known = new Set<string>();
      for (const input of chunks) {
        for (const session of input.sessions) known.add(session.id);
        for (const event of input.events) {
          if (!known.has(event.sessionId) && !this.#sessions.has(event.sessionId)) {
            throw unknownEventSessionError({
              eventId: event.id,
              sessionId: event.sessionId,
              path: input.file.path,
            });
          }
        }
      }
      return chunks.map((input) => this.#saveChunk(input));
    });
  }

  #saveChunk(input: IngestChunk): IngestChunkResult {
    let sessionsAdded = 0;
    for (const incoming of input.sessions) {
      const existing = this.#sessions.get(incoming.id);
      if (existing === undefined) {
        this.#sessions.set(incoming.id, { ...copySession(incoming), eventCount: 0 });
        sessionsAdded++;
        continue;
      }
      // Only time range, title and first-seen context widen; agent, format and source stay as first read.
      this.#sessions.set(incoming.id, {
        ...existing,
        startedAt: earliest(existing.startedAt, incoming.startedAt),
        endedAt: latest(existing.endedAt, incoming.endedAt),
        title: incoming.title ?? existing.title,
        cwd: existing.cwd ?? incoming.cwd,
        parentSessionId: existing.parentSessionId ?? incoming.parentSessionId,
        outcome: incoming.outcome ?? existing.outcome,
      });
    }
    let eventsAdded = 0;
    for (const event of input.events) {
      if (this.#events.has(event.id)) continue;
      this.#events.set(event.id, copyEvent(event));
      eventsAdded++;
      const session = this.#sessions.get(event.sessionId);
      if (session !== undefined)
        this.#sessions.set(session.id, { ...session, eventCount: session.eventCount + 1 });
    }
    this.#sourceFiles.set(input.file.path, copySourceFile(input.file));
    return { sessionsAdded, eventsAdded };
  }

  // Sessions

  listSessions(filter: SessionFilter = {}): Promise<Session[]> {
    return settle(() => this.#selectSessions(filter).map(copySession));
  }

  getSession(id: string): Promise<Session | null> {
    return settle(() => {
      const session = this.#sessions.get(id);
      return session === undefined ? null : copySession(session);
    });
  }

  loadSessionsWithEvents(filter: SessionFilter = {}): Promise<SessionWithEvents[]> {
    return settle(() => {
      const sessions = this.#selectSessions(filter);
      const eventsBySession = new Map<string, SessionEvent[]>(sessions.map((session) => [session.id, []]));
      for (const event of this.#events.values()) eventsBySession.get(event.sessionId)?.push(copyEvent(event));
      return sessions.map((session) => ({
        ...copySession(session),
        events: (eventsBySession.get(session.id) ?? []).sort(
          (left, right) => left.sequence - right.sequence || compareText(left.id, right.id),
        ),
      }));
    });
  }

  /** Returns the stored events among `ids`, in no particular order; unknown ids are left out. */
  getEvents(ids: readonly string[]): Promise<SessionEvent[]> {
    return settle(() => {
      const found: SessionEvent[] = [];
      for (const id of new Set(ids)) {
        const event = this.#events.get(id);
        if (event !== undefined) found.push(copyEvent(event));
      }
      return found;
    });
  }

  countSessions(): Promise<{ sessions: number; events: number }> {
    return settle(() => ({ sessions: this.#sessions.size, events: this.#events.size }));
  }

  // Dream runs

  saveDreamRun(run: DreamRun): Promise<void> {
    return settle(() => {
      this.#dreamRuns.set(run.id, copyDreamRun(run));
    });
  }

  getDreamRun(id: string): Promise<DreamRun | null> {
    return settle(() => {
      const run = this.#dreamRuns.get(id);
      return run === undefined ? null : copyDreamRun(run);
    });
  }

  /** The `limit` most recent runs, newest (by start time) first. */
  listDreamRuns(limit: number): Promise<DreamRun[]> {
    return settle(() =>
      [...this.#dreamRuns.values()]
        .sort((left, right) => compareText(right.startedAt, left.startedAt) || compareText(right.id, left.id))
        .slice(0, normalizeLimit(limit))
        .map((run) => copyDreamRun(run)),
    );
  }

  // Proposals

  /** Inserts all proposals or none; an id already stored (or repeated) fails the whole batch. */
  saveProposals(proposals: readonly Proposal[]): Promise<void> {
    return settle(() => {
      const seen = new Set<string>();
      for (const proposal of proposals) {
        if (seen.has(proposal.id) || this.#proposals.has(proposal.id))
          throw duplicateProposalError(proposal.id);
        seen.add(proposal.id);
      }
      for (const proposal of proposals) this.#proposals.set(proposal.id, copyProposal(proposal));
    });
  }

  getProposal(id: string): Promise<Proposal | null> {
    return settle(() => {
      const proposal = this.#proposals.get(id);
      return proposal === undefined ? null : copyProposal(proposal);
    });
  }

  /** Proposals whose id starts with `prefix` (case-sensitive), oldest first. */
  findProposalsByPrefix(prefix: string): Promise<Proposal[]> {
    return settle(() =>
      sortProposals([...this.#proposals.values()].filter((proposal) => proposal.id.startsWith(prefix))),
    );
  }

  /** Proposals matching every given field of `filter`, ordered by creation time, then id. */
  listProposals(filter: ProposalFilter = {}): Promise<Proposal[]> {
    return settle(() =>
      sortProposals(
        [...this.#proposals.values()].filter(
          (proposal) =>
            (filter.status === undefined || proposal.status === filter.status) &&
            (filter.memoryPath === undefined || proposal.memoryPath === filter.memoryPath) &&
            (filter.dreamRunId === undefined || proposal.dreamRunId === filter.dreamRunId),
        ),
      ),
    );
  }

  transitionProposal(transition: ProposalTransition): Promise<Proposal | null> {
    return settle(() => {
      const proposal = this.#proposals.get(transition.id);
      if (proposal === undefined || !transition.from.includes(proposal.status)) return null;
      const updated: Proposal = {
        ...proposal,
        status: transition.to,
        decidedAt: transition.decidedAt,
        decidedBy: transition.decidedBy,
        statusReason: transition.statusReason,
      };
      this.#proposals.set(updated.id, updated);
      return copyProposal(updated);
    });
  }

  // Memory files and versions

  getMemoryFile(path: string): Promise<MemoryFile | null> {
    return settle(() => {
      const file = this.#memoryFiles.get(path);
      return file === undefined ? null : copyMemoryFile(file);
    });
  }

  /** Every managed memory file, ordered by path. */
  listMemoryFiles(): Promise<MemoryFile[]> {
    return settle(() =>
      [...this.#memoryFiles.values()]
        .sort((left, right) => compareText(left.path, right.path))
        .map(copyMemoryFile),
    );
  }

  /** A committed version, or null (pending versions are only visible through `getPendingMemoryWrite`). */
  getMemoryVersion(path: string, version: number): Promise<MemoryVersion | null> {
    return settle(() => {
      const stored = this.#memoryVersions.get(path)?.get(version);
      return stored?.state === 'committed' ? copyVersion(stored.version) : null;
    });
  }

  /** The committed versions of `path`, oldest first. */
  listMemoryVersions(path: string): Promise<MemoryVersion[]> {
    return settle(() =>
      [...(this.#memoryVersions.get(path)?.values() ?? [])]
        .filter((stored) => stored.state === 'committed')
        .map((stored) => copyVersion(stored.version))
        .sort((left, right) => left.version - right.version),
    );
  }

  recordMemoryVersion(input: {
    draft: MemoryVersionDraft;
    expectedCurrent: number | null;
  }): Promise<MemoryVersion> {
    return settle(() => {
      const { draft, expectedCurrent } = input;
      this.#checkWritable(draft.path, expectedCurrent);
      const version = this.#insertVersion(draft, expectedCurrent, 'committed');
      const file = this.#memoryFiles.get(draft.path);
      this.#memoryFiles.set(draft.path, {
        path: draft.path,
        agent: file === undefined ? draft.agent : file.agent,
        currentVersion: version.version,
      });
      return copyVersion(version);
    });
  }

  beginMemoryWrite(input: { draft: MemoryVersionDraft; expectedCurrent: number }): Promise<MemoryVersion> {
    return settle(() => {
      this.#checkWritable(input.draft.path, input.expectedCurrent);
      return copyVersion(this.#insertVersion(input.draft, input.expectedCurrent, 'pending'));
    });
  }

  commitMemoryWrite(input: {
    path: string;
    version: number;
    proposal: AppliedProposal | null;
  }): Promise<MemoryVersion> {
    return settle(() => {
      const { path, version, proposal } = input;
      const stored = this.#memoryVersions.get(path)?.get(version);
      if (stored?.state !== 'pending') {
        throw noPendingWriteError({ path, version, state: stored === undefined ? null : 'committed' });
      }
      if (proposal !== null) {
        const current = this.#proposals.get(proposal.id);
        if (current === undefined) throw proposalNotFoundError({ proposalId: proposal.id, path, version });
        if (!applicableProposalStatuses.includes(current.status)) {
          throw proposalNotApplicableError({
            proposalId: proposal.id,
            status: current.status,
            path,
            version,
          });
        }
        this.#proposals.set(proposal.id, {
          ...current,
          status: 'applied',
          decidedAt: proposal.decidedAt,
          decidedBy: proposal.decidedBy,
          statusReason: null,
          appliedVersion: version,
        });
      }
      stored.state = 'committed';
      const file = this.#memoryFiles.get(path);
      if (file !== undefined) this.#memoryFiles.set(path, { ...file, currentVersion: version });
      return copyVersion(stored.version);
    });
  }

  /** Forgets a pending write; does nothing when that version is not pending (already committed or aborted). */
  abortMemoryWrite(input: { path: string; version: number }): Promise<void> {
    return settle(() => {
      const versions = this.#memoryVersions.get(input.path);
      if (versions?.get(input.version)?.state === 'pending') versions.delete(input.version);
    });
  }

  getPendingMemoryWrite(path: string): Promise<MemoryVersion | null> {
    return settle(() => {
      const pending = this.#findPending(path);
      return pending === undefined ? null : copyVersion(pending.version);
    });
  }

  // Locks

  acquireLock(input: { name: string; owner: string; now: string; expiresAt: string }): Promise<boolean> {
    return settle(() => {
      const held = this.#locks.get(input.name);
      if (held === undefined || held.expiresAt <= input.now) {
        this.#locks.set(input.name, {
          owner: input.owner,
          acquiredAt: input.now,
          expiresAt: input.expiresAt,
        });
        return true;
      }
      if (held.owner !== input.owner) return false;
      this.#locks.set(input.name, { ...held, expiresAt: input.expiresAt });
      return true;
    });
  }

  /** Releases the lock if `owner` holds it; a lock held by someone else is left alone. */
  releaseLock(input: { name: string; owner: string }): Promise<void> {
    return settle(() => {
      if (this.#locks.get(input.name)?.owner === input.owner) this.#locks.delete(input.name);
    });
  }

  getLock(name: string): Promise<{ owner: string; acquiredAt: string; expiresAt: string } | null> {
    return settle(() => {
      const lock = this.#locks.get(name);
      return lock === undefined ? null : { ...lock };
    });
  }

  // Internals

  recordOutcome(record: OutcomeRecord): Promise<void> {
    return settle(() => {
      if (this.#outcomes.some((existing) => existing.id === record.id))
        throw duplicateOutcomeError(record.id);
      this.#outcomes.push(structuredClone(record));
    });
  }

  listOutcomes(filter: { sessionIds?: readonly string[] } = {}): Promise<OutcomeRecord[]> {
    return settle(() => {
      const ids = filter.sessionIds === undefined ? null : new Set(filter.sessionIds);
      return this.#outcomes
        .filter((record) => ids === null || ids.has(record.sessionId))
        .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.id.localeCompare(b.id))
        .map((record) => structuredClone(record));
    });
  }

  getDigests(input: {
    miner: string;
    version: number;
    sessionIds: readonly string[];
  }): Promise<Map<string, { eventCount: number; digest: unknown }>> {
    return settle(() => {
      const found = new Map<string, { eventCount: number; digest: unknown }>();
      for (const sessionId of input.sessionIds) {
        const stored = this.#digests.get(`${input.miner}\u0000${sessionId}`);
        // Stored as JSON text, like the SQLite adapter: what comes back is a copy, never the caller's object.
        if (stored?.version === input.version) {
          found.set(sessionId, { eventCount: stored.eventCount, digest: parseJson(stored.digest) });
        }
      }
      return found;
    });
  }

  saveDigests(input: {
    miner: string;
    version: number;
    digests: readonly { sessionId: string; eventCount: number; digest: unknown }[];
  }): Promise<void> {
    return settle(() => {
      for (const item of input.digests) {
        this.#digests.set(`${input.miner}\u0000${item.sessionId}`, {
          version: input.version,
          eventCount: item.eventCount,
          digest: JSON.stringify(item.digest),
        });
      }
    });
  }

  #selectSessions(filter: SessionFilter): Session[] {
    const agents = filter.agents === undefined ? undefined : new Set(filter.agents);
    const ids = filter.sessionIds === undefined ? undefined : new Set(filter.sessionIds);
    const since = filter.since;
    const selected = [...this.#sessions.values()]
      .filter((session) => agents === undefined || agents.has(session.agent))
      .filter((session) => ids === undefined || ids.has(session.id))
      .filter((session) => {
        if (since === undefined) return true;
        // Sessions without any time are kept: a log without timestamps must never hide its session.
        const time = session.endedAt ?? session.startedAt;
        return time === null || time >= since;
      })
      .sort(compareSessions);
    const limit = normalizeLimit(filter.limit);
    return limit === undefined ? selected : selected.slice(0, limit);
  }

  #checkWritable(path: string, expectedCurrent: number | null): void {
    const actual = this.#memoryFiles.get(path)?.currentVersion ?? null;
    if (actual !== expectedCurrent)
      throw memoryVersionConflictError({ path, expected: expectedCurrent, actual });
    const pending = this.#findPending(path);
    if (pending !== undefined) {
      throw pendingWriteConflictError({
        path,
        expected: expectedCurrent,
        actual,
        pendingVersion: pending.version.version,
      });
    }
  }

  #findPending(path: string): StoredVersion | undefined {
    for (const stored of this.#memoryVersions.get(path)?.values() ?? []) {
      if (stored.state === 'pending') return stored;
    }
    return undefined;
  }

  /** Stores the next version of the draft's path; a number freed by an abort is reused (it was never committed). */
  #insertVersion(
    draft: MemoryVersionDraft,
    parentVersion: number | null,
    state: 'pending' | 'committed',
  ): MemoryVersion {
    let versions = this.#memoryVersions.get(draft.path);
    if (versions === undefined) {
      versions = new Map();
      this.#memoryVersions.set(draft.path, versions);
    }
    const number = Math.max(0, ...versions.keys()) + 1;
    const version: MemoryVersion = {
      path: draft.path,
      version: number,
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
    versions.set(number, { version, state });
    return version;
  }
}

/**
 * Creates an empty in-memory Store.
 *
 * @example
 * const store = createInMemoryStore();
 * await runDream({ store, ... });
 * expect(await store.listProposals({ status: 'pending' })).toHaveLength(1);
 */
export function createInMemoryStore(): InMemoryStore {
  return new InMemoryStore();
}

/** Runs `operation` and settles a promise with its result, so a throw becomes a rejection as in an async adapter. */
function settle<T>(operation: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(operation());
  });
}

/** Order of the SQL `ORDER BY started_at IS NULL, started_at, id`: untimed sessions last. */
function compareSessions(left: Session, right: Session): number {
  if (left.startedAt !== right.startedAt) {
    if (left.startedAt === null) return 1;
    if (right.startedAt === null) return -1;
    return compareText(left.startedAt, right.startedAt);
  }
  return compareText(left.id, right.id);
}

function sortProposals(proposals: Proposal[]): Proposal[] {
  return proposals
    .sort((left, right) => compareText(left.createdAt, right.createdAt) || compareText(left.id, right.id))
    .map((proposal) => copyProposal(proposal));
}

/** Binary comparison, like SQLite's default collation (ISO times compare correctly as text). */
function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function earliest(left: string | null, right: string | null): string | null {
  if (left === null) return right;
  if (right === null) return left;
  return left <= right ? left : right;
}

function latest(left: string | null, right: string | null): string | null {
  if (left === null) return right;
  if (right === null) return left;
  return left >= right ? left : right;
}

/**
 * Copies a JSON value the way a database column round-trips it: `undefined` becomes null and what JSON cannot
 * hold (functions, class instances, `undefined` properties) is lost, exactly as in the SQLite store.
 */
function copyJsonValue(value: unknown): unknown {
  return value === undefined || value === null ? null : parseJson(JSON.stringify(value));
}

function copyJson<T>(value: T): T {
  return copyJsonValue(value) as T;
}

// The copies below name every field, like the columns of a table: extra properties a caller's object happens to
// carry (a SessionWithEvents passed as a Session) are not stored.

function copySession(session: Session): Session {
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
    eventCount: session.eventCount,
    outcome: session.outcome === null ? null : { ...session.outcome },
  };
}

function copyEvent(event: SessionEvent): SessionEvent {
  return {
    id: event.id,
    sessionId: event.sessionId,
    sequence: event.sequence,
    kind: event.kind,
    subtype: event.subtype,
    timestamp: event.timestamp,
    text: event.text,
    messageId: event.messageId,
    toolName: event.toolName,
    toolCallId: event.toolCallId,
    toolInput: copyJsonValue(event.toolInput),
    isError: event.isError,
    isRejection: event.isRejection,
    source: { path: event.source.path, line: event.source.line },
  };
}

function copySourceFile(file: SourceFileState): SourceFileState {
  return {
    path: file.path,
    format: file.format,
    agent: file.agent,
    size: file.size,
    mtimeMs: file.mtimeMs,
    headHash: file.headHash,
    headBytes: file.headBytes,
    cursor: { offset: file.cursor.offset, line: file.cursor.line, state: copyJsonValue(file.cursor.state) },
    updatedAt: file.updatedAt,
  };
}

function copyDreamRun(run: DreamRun): DreamRun {
  return {
    id: run.id,
    trigger: run.trigger,
    approval: run.approval,
    dryRun: run.dryRun,
    agents: copyJson(run.agents),
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    report: run.report === null ? null : copyJson(run.report),
    error: run.error,
  };
}

function copyProposal(proposal: Proposal): Proposal {
  return {
    id: proposal.id,
    dreamRunId: proposal.dreamRunId,
    memoryPath: proposal.memoryPath,
    agent: proposal.agent,
    baseVersion: proposal.baseVersion,
    edits: copyJson(proposal.edits),
    diff: proposal.diff,
    reason: proposal.reason,
    routing: proposal.routing,
    findingIds: copyJson(proposal.findingIds),
    evidence: copyJson(proposal.evidence),
    status: proposal.status,
    createdAt: proposal.createdAt,
    decidedAt: proposal.decidedAt,
    decidedBy: proposal.decidedBy,
    statusReason: proposal.statusReason,
    appliedVersion: proposal.appliedVersion,
    screening: copyJson(proposal.screening),
    holds: copyJson(proposal.holds),
  };
}

function copyMemoryFile(file: MemoryFile): MemoryFile {
  return { path: file.path, agent: file.agent, currentVersion: file.currentVersion };
}

function copyVersion(version: MemoryVersion): MemoryVersion {
  return {
    path: version.path,
    version: version.version,
    parentVersion: version.parentVersion,
    content: version.content,
    exists: version.exists,
    contentHash: version.contentHash,
    actor: { kind: version.actor.kind, name: version.actor.name },
    dreamRunId: version.dreamRunId,
    proposalId: version.proposalId,
    reason: version.reason,
    createdAt: version.createdAt,
  };
}
