/**
 * Use-case: one dream. Read new logs, mine the sessions in the retention window, turn findings into small
 * evidence-checked proposals, and apply them when approval is automatic. Every run ends with a report that says
 * what was read, found, proposed, applied and skipped, and why, including "nothing" and why.
 *
 * Order of work: every miner's findings, then their lessons; memory hygiene (stale, duplicate, contradicted
 * entries) is proposed first, so a dream merges before it adds; then lessons, heaviest first, each routed to an
 * agent's file or the shared one, planned against what the dream already proposed (budgets hold for the sum).
 */
import type { AgentDefinition, MemoryTarget } from '../domain/agent.js';
import { minerNames } from '../domain/dream-run.js';
import type {
  ApprovalMode,
  BlockedItem,
  DreamRun,
  FlaggedEvent,
  DreamTrigger,
  IngestSummary,
  MinerName,
  MinerSummary,
  ReportProposal,
  RunReport,
  RunWarning,
  SkippedItem,
} from '../domain/dream-run.js';
import { ReverieError, isReverieError } from '../domain/errors.js';
import { describeFinding } from '../domain/finding.js';
import type { Evidence, Finding } from '../domain/finding.js';
import type { MemoryEdit, Proposal } from '../domain/proposal.js';
import type { Rubric } from '../domain/rubric.js';
import type { Session, SessionFormat } from '../domain/session.js';
import { screenProposal } from '../guard/screen-proposal.js';
import { verifyEvidence } from '../guard/verify-evidence.js';
import { applyMemoryEdits } from '../memory/apply-memory-edits.js';
import { findEntry, parseMemoryDocument } from '../memory/memory-document.js';
import type { MemoryDocument } from '../memory/memory-document.js';
import { renderUnifiedDiff } from '../memory/render-unified-diff.js';
import { measureEntrySimilarity } from '../mining/entry-similarity.js';
import { findMemoryHygiene, listHandWrittenLines } from '../mining/find-memory-hygiene.js';
import type { CurrentFinding, HygieneFinding } from '../mining/find-memory-hygiene.js';
import { countChangedLines, decideApproval, defaultApprovalPolicy } from '../review/approval-policy.js';
import type { ApprovalPolicy } from '../review/approval-policy.js';
import { proposalTransition } from '../review/transition-proposal.js';
import {
  lessonForFinding,
  lessonWeight,
  primaryEvidenceRole,
  requiredVerifiedSessions,
} from '../synthesis/lesson-for-finding.js';
import { planHygieneEdits } from '../synthesis/memory-hygiene-edits.js';
import { planMemoryEdit } from '../synthesis/plan-memory-edit.js';
import { routeLesson } from '../synthesis/route-finding.js';
import type { Route } from '../synthesis/route-finding.js';
import type { Lesson } from '../synthesis/tool-error-lessons.js';
import type { AppContext } from './app-context.js';
import { withEffectiveOutcomes } from './effective-outcomes.js';
import { gradeSessions } from './grade-sessions.js';
import { snapshotMemoryFile } from './memory-snapshot.js';
import { acquireLockTakingOverDead, describeLockOwner, lockOwner } from './locks.js';
import { mineWindow } from './mine-window.js';
import type { MinedWindow } from './mine-window.js';
import { applyProposal } from './apply-proposal.js';
import { drainIngestQueue } from './drain-ingest-queue.js';
import { ingestSessions } from './ingest-sessions.js';
import type { IngestResult } from './ingest-sessions.js';
import { syncMemoryFile } from './sync-memory-file.js';

export interface RunDreamOptions {
  /** The agents in scope. */
  agents: readonly AgentDefinition[];
  sharedMemory: MemoryTarget | null;
  approval: ApprovalMode;
  retentionMs: number;
  minSessions: number;
  trigger: DreamTrigger;
  /** Saves no proposal, run record or memory change (new logs are still read into the store). */
  dryRun: boolean;
  /** Read the agents' configured sources first. */
  ingest: boolean;
  /** How long a dream may hold its agents' locks before another process may take them over. */
  lockTtlMs?: number;
  /** The agent of a queued log file (from the configured sources), for the hook queue. */
  resolveAgent?: (path: string, format: SessionFormat) => string | null;
  /** Rubric graders to run on the window's sessions (not in a dry run: grades are recorded). */
  rubrics?: readonly Rubric[];
  /** The miners to run (`dreaming.miners`); all of them when absent. */
  miners?: readonly MinerName[];
  /** What automatic approval may apply on its own; the defaults when absent. */
  approvalPolicy?: ApprovalPolicy;
  /** The injection screen's allow-lists. */
  screening?: { allowedDomains?: readonly string[]; allowedCommands?: readonly string[] };
}

interface TargetState {
  target: MemoryTarget;
  agent: string | null;
  /** The version proposals are made against (0 in a dry run over a file Reverie has not recorded yet). */
  baseVersion: number;
  content: string;
  /** The content with every change this dream proposed so far applied: the budget holds for all of them. */
  projected: string;
  /** Lines this dream changed (or, under manual approval, proposed to change) in the file so far. */
  changedLines: number;
  proposals: Proposal[];
}

const defaultLockTtlMs = 2 * 60 * 60 * 1000;

async function acquireLocks(
  context: AppContext,
  names: readonly string[],
  owner: string,
  ttlMs: number,
): Promise<string[]> {
  const now = context.clock.now();
  const held: string[] = [];
  for (const name of [...names].sort()) {
    const lockName = `dream:${name}`;
    const acquired = await acquireLockTakingOverDead(context, {
      name: lockName,
      owner,
      now: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    });
    if (!acquired) {
      for (const lock of held) await context.store.releaseLock({ name: lock, owner });
      const holder = await context.store.getLock(lockName);
      throw new ReverieError({
        code: 'SCHEDULER_LOCK_HELD',
        message:
          `Another dream is running for agent ${name} (${holder === null ? 'unknown run' : describeLockOwner(holder.owner)}, since ${holder?.acquiredAt ?? '?'}). ` +
          `Wait for it to end (\`reverie report\` shows it), or retry after ${holder?.expiresAt ?? 'its lock expires'}.`,
        data: { agent: name, holder },
      });
    }
    held.push(lockName);
  }
  return held;
}

async function ingestSources(
  context: AppContext,
  agents: readonly AgentDefinition[],
  warnings: RunWarning[],
  resolveAgent: RunDreamOptions['resolveAgent'],
): Promise<IngestSummary> {
  const summary: IngestSummary = {
    filesScanned: 0,
    filesRead: 0,
    filesUnchanged: 0,
    sessionsAdded: 0,
    eventsAdded: 0,
    warningCount: 0,
    redactions: {},
  };
  const redactions: Record<string, number> = {};
  const add = (result: IngestResult): void => {
    summary.filesScanned += result.filesScanned;
    summary.filesRead += result.filesRead;
    summary.filesUnchanged += result.filesUnchanged;
    summary.sessionsAdded += result.sessionsAdded;
    summary.eventsAdded += result.eventsAdded;
    summary.warningCount += result.warnings.length;
    for (const [kind, count] of Object.entries(result.redactions))
      redactions[kind] = (redactions[kind] ?? 0) + count;
    for (const warning of result.warnings) warnings.push({ type: 'ingest', warning });
  };
  // Logs queued by agent hooks first (a session that just ended), then the configured sources.
  const queued = await drainIngestQueue(context, resolveAgent === undefined ? {} : { resolveAgent });
  if (queued !== null) add(queued);
  for (const agent of agents) {
    for (const source of agent.sources) {
      try {
        add(
          await ingestSessions(context, {
            inputs: [{ path: source.path, format: source.format, agent: agent.name }],
          }),
        );
      } catch (error) {
        if (isReverieError(error) && error.code === 'INGEST_PATH_NOT_FOUND') {
          warnings.push({ type: 'source-missing', agent: agent.name, path: source.path });
          continue;
        }
        throw error;
      }
    }
  }
  return { ...summary, redactions };
}

function sameEdits(a: readonly MemoryEdit[], b: readonly MemoryEdit[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The texts applied proposals gave an entry: Reverie's own wordings of it. */
function textsWrittenByReverie(proposals: readonly Proposal[], entryId: string): Set<string> {
  const texts = new Set<string>();
  for (const proposal of proposals) {
    if (proposal.status !== 'applied') continue;
    for (const edit of proposal.edits) {
      if (edit.op === 'remove') continue;
      const id = edit.op === 'supersede' ? edit.newEntryId : edit.entryId;
      if (id === entryId) texts.add(edit.text.trim());
    }
  }
  return texts;
}

/**
 * For each finding that already has an entry in one of the dream's memory files: the entry and when Reverie wrote
 * it (the first applied proposal for that finding whose entry is still in the file's current version).
 */
async function entriesByFinding(
  context: AppContext,
  options: RunDreamOptions,
): Promise<Map<string, { memoryPath: string; entryId: string; since: string }>> {
  const entries = new Map<string, { memoryPath: string; entryId: string; since: string }>();
  const targets = [
    ...options.agents.map((agent) => agent.memory),
    ...(options.sharedMemory === null ? [] : [options.sharedMemory]),
  ];
  for (const target of targets) {
    const file = await context.store.getMemoryFile(target.path);
    if (file === null) continue;
    const current = await context.store.getMemoryVersion(target.path, file.currentVersion);
    const present = new Set(parseMemoryDocument(current?.content ?? '').entries.map((entry) => entry.id));
    const applied = (await context.store.listProposals({ memoryPath: target.path, status: 'applied' })).sort(
      (a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? ''),
    );
    for (const proposal of applied) {
      for (const edit of proposal.edits) {
        const entryId = edit.op === 'supersede' ? edit.newEntryId : edit.entryId;
        if (edit.op === 'remove' || !present.has(entryId)) continue;
        for (const findingId of proposal.findingIds) {
          if (!entries.has(findingId)) {
            entries.set(findingId, {
              memoryPath: target.path,
              entryId,
              since: proposal.decidedAt ?? proposal.createdAt,
            });
          }
        }
      }
    }
  }
  return entries;
}

function editedEntryIds(edits: readonly MemoryEdit[]): string[] {
  return edits.flatMap((edit) =>
    edit.op === 'supersede' ? [edit.entryId, edit.newEntryId] : [edit.entryId],
  );
}

/**
 * Runs one dream.
 * @throws ReverieError SCHEDULER_LOCK_HELD when another dream holds one of the agents
 */
export async function runDream(context: AppContext, options: RunDreamOptions): Promise<DreamRun> {
  const { store, clock, ids } = context;
  const startedAt = clock.now();
  const agentNames = options.agents.map((agent) => agent.name);
  const run: DreamRun = {
    id: ids.next('run-'),
    trigger: options.trigger,
    approval: options.approval,
    dryRun: options.dryRun,
    agents: agentNames,
    status: 'running',
    startedAt: startedAt.toISOString(),
    endedAt: null,
    report: null,
    error: null,
  };
  const owner = lockOwner(context, run.id);
  const locks = await acquireLocks(context, agentNames, owner, options.lockTtlMs ?? defaultLockTtlMs);
  try {
    if (!options.dryRun) await store.saveDreamRun(run);
    const report = await dream(context, options, run);
    const ended: DreamRun = { ...run, status: 'succeeded', endedAt: clock.now().toISOString(), report };
    if (!options.dryRun) await store.saveDreamRun(ended);
    return ended;
  } catch (error) {
    const failed: DreamRun = {
      ...run,
      status: 'failed',
      endedAt: clock.now().toISOString(),
      error: error instanceof Error ? error.message : String(error),
    };
    if (!options.dryRun) await store.saveDreamRun(failed);
    throw error;
  } finally {
    for (const lock of locks) await store.releaseLock({ name: lock, owner });
  }
}

/** One change a dream may propose, before the checks every proposal goes through. */
interface ChangeRequest {
  /** What the report calls it when it is skipped. */
  subject: string;
  state: TargetState;
  route: Pick<Route, 'target' | 'agent' | 'reason'>;
  edits: MemoryEdit[];
  reason: string;
  finding: Finding;
  /** Evidence to verify against the store before the proposal is saved. */
  evidence: readonly Evidence[];
  /** Distinct sessions the verified evidence (of the finding's primary role) must still cover. */
  requiredSessions: number;
  /** Pieces of the entry text from untrusted origins (`Lesson.untrusted`): screened with the strict rules. */
  untrusted: readonly string[];
}

/** What a dream accumulates while it plans. */
interface DreamLedger {
  proposals: ReportProposal[];
  blocked: BlockedItem[];
  skipped: SkippedItem[];
  warnings: RunWarning[];
}

/** Checks, saves and (with automatic approval) applies one change; anything that fails a check is skipped with why. */
async function proposeChange(
  context: AppContext,
  options: RunDreamOptions,
  run: DreamRun,
  ledger: DreamLedger,
  change: ChangeRequest,
): Promise<void> {
  const { store, clock, ids } = context;
  const { state, route, edits, subject } = change;
  const where = `${subject} → ${route.target.path}`;
  const entryIds = editedEntryIds(edits);
  const related = state.proposals.filter((proposal) =>
    editedEntryIds(proposal.edits).some((id) => entryIds.includes(id)),
  );
  // A pending proposal made against an older version is stale (e.g. refused after a hand edit): replace it.
  const samePending = related.find(
    (proposal) =>
      proposal.status === 'pending' &&
      proposal.baseVersion === state.baseVersion &&
      sameEdits(proposal.edits, edits),
  );
  if (samePending !== undefined) {
    ledger.skipped.push({ subject: where, reason: `already pending as ${samePending.id}` });
    return;
  }
  const sameRejected = related.find(
    (proposal) => proposal.status === 'rejected' && sameEdits(proposal.edits, edits),
  );
  if (sameRejected !== undefined) {
    ledger.skipped.push({
      subject: where,
      reason: `the same change was rejected as ${sameRejected.id}${sameRejected.statusReason === null ? '' : ` ("${sameRejected.statusReason}")`}; it is proposed again only if the lesson changes`,
    });
    return;
  }

  let after: string;
  let projected: string;
  try {
    // The budget holds for everything this dream proposes to the file together, not for each change alone.
    projected = applyMemoryEdits({
      content: state.projected,
      edits,
      budget: route.target.budget,
      path: route.target.path,
    }).content;
    after = applyMemoryEdits({
      content: state.content,
      edits,
      budget: route.target.budget,
      path: route.target.path,
    }).content;
  } catch (error) {
    if (isReverieError(error) && error.code === 'MEMORY_BUDGET_EXCEEDED') {
      ledger.skipped.push({
        subject: where,
        reason: `declined: ${error.message.split('. Trim')[0] ?? error.message} with this dream's other changes`,
      });
      return;
    }
    if (isReverieError(error) && error.code === 'MEMORY_EDIT_PROTECTED') {
      ledger.skipped.push({ subject: where, reason: error.message });
      return;
    }
    if (isReverieError(error) && error.code === 'MEMORY_EDIT_INVALID') {
      ledger.skipped.push({
        subject: where,
        reason: `${error.message} (another change of this dream touches the same entry)`,
      });
      return;
    }
    throw error;
  }

  const events = await store.getEvents(change.evidence.map((item) => item.eventId));
  const checked = verifyEvidence(change.evidence, new Map(events.map((event) => [event.id, event])));
  for (const rejection of checked.rejected) {
    ledger.warnings.push({
      type: 'evidence-rejected',
      findingId: change.finding.id,
      message: rejection.reason,
    });
  }
  const primary = primaryEvidenceRole(change.finding);
  const verifiedSessions = new Set(
    checked.verified
      .filter((item) => primary === null || item.role === primary)
      .map((item) => item.sessionId),
  );
  if (verifiedSessions.size < change.requiredSessions) {
    ledger.skipped.push({
      subject: where,
      reason: 'its evidence could not be verified against the stored sessions',
    });
    return;
  }

  // Screen everything the proposal carries, redact secrets a second time, and let the approval policy decide.
  const screened = screenProposal({
    edits,
    reason: change.reason,
    diff: renderUnifiedDiff({ path: route.target.path, before: state.content, after }),
    evidence: checked.verified,
    untrusted: change.untrusted,
    options: options.screening ?? {},
  });
  const document = parseMemoryDocument(state.content);
  const humanEntryIds = edits
    .filter((edit) => edit.op !== 'add')
    .map((edit) => edit.entryId)
    .filter((entryId) => {
      const entry = findEntry(document, entryId);
      return entry !== undefined && !textsWrittenByReverie(state.proposals, entryId).has(entry.text);
    });
  const changedLines = countChangedLines(screened.diff);
  const decision = decideApproval({
    approval: options.approval,
    edits,
    humanEntryIds,
    screening: screened.flags,
    urls: screened.urls,
    commands: screened.commands,
    changedLines,
    changedLinesBefore: state.changedLines,
    staleRemoval: change.finding.kind === 'memory-hygiene' && change.finding.problem === 'stale',
    policy: options.approvalPolicy ?? defaultApprovalPolicy,
  });
  if (decision.decision === 'block') {
    ledger.blocked.push({
      subject: where,
      memoryPath: route.target.path,
      reason: decision.reason,
      flags: screened.flags,
      sessionIds: [...new Set(checked.verified.map((evidence) => evidence.sessionId))],
    });
    return;
  }
  state.projected = projected;
  if (decision.decision === 'apply' || options.approval === 'manual') state.changedLines += changedLines;

  const proposal: Proposal = {
    id: ids.next('p-'),
    dreamRunId: run.id,
    memoryPath: route.target.path,
    agent: route.agent,
    baseVersion: state.baseVersion,
    edits: screened.edits,
    diff: screened.diff,
    reason: screened.reason,
    routing: route.reason,
    findingIds: [change.finding.id],
    evidence: checked.verified,
    status: 'pending',
    createdAt: clock.now().toISOString(),
    decidedAt: null,
    decidedBy: null,
    statusReason: null,
    appliedVersion: null,
    screening: screened.flags,
    holds: decision.holds,
  };
  const reported: ReportProposal = {
    id: proposal.id,
    memoryPath: proposal.memoryPath,
    agent: proposal.agent,
    reason: proposal.reason,
    routing: proposal.routing,
    status: 'pending',
    diff: proposal.diff,
    appliedVersion: null,
    holds: proposal.holds,
    screening: proposal.screening,
  };
  ledger.proposals.push(reported);
  if (options.dryRun) return;

  await store.saveProposals([proposal]);
  state.proposals.push(proposal);
  for (const older of related.filter((candidate) => candidate.status === 'pending')) {
    const superseded = await store.transitionProposal({
      id: older.id,
      ...proposalTransition('supersede'),
      decidedAt: clock.now().toISOString(),
      decidedBy: 'reverie',
      statusReason: `replaced by ${proposal.id} from run ${run.id}`,
    });
    if (superseded !== null) older.status = superseded.status;
  }

  if (decision.decision !== 'apply') return;
  try {
    const result = await applyProposal(context, {
      proposal,
      target: route.target,
      actor: { kind: 'dream', name: 'reverie' },
      dreamRunId: run.id,
    });
    state.baseVersion = result.version.version;
    state.content = result.version.content;
    state.projected = result.version.content;
    proposal.status = 'applied';
    reported.status = 'applied';
    reported.appliedVersion = result.version.version;
  } catch (error) {
    if (!isReverieError(error)) throw error;
    const message = error.message;
    ledger.warnings.push({ type: 'apply-failed', proposalId: proposal.id, message });
    await store.transitionProposal({
      id: proposal.id,
      ...proposalTransition('fail'),
      decidedAt: clock.now().toISOString(),
      decidedBy: 'reverie',
      statusReason: message,
    });
    reported.status = 'apply-failed';
  }
}

/** A rule already in the file in near-identical words (an entry, or a line the person wrote): merge, don't add. */
function nearDuplicateOf(document: MemoryDocument, text: string): string | null {
  for (const entry of document.entries) {
    if (measureEntrySimilarity(entry.text, text).nearDuplicate) return `entry ${entry.id}`;
  }
  for (const line of listHandWrittenLines(document)) {
    const body = line.text.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '');
    if (body === line.text || body.trim() === '') continue;
    if (measureEntrySimilarity(body, text).nearDuplicate) {
      return `your line ${line.line} ("${body.trim().slice(0, 80)}")`;
    }
  }
  return null;
}

const maxFlaggedListed = 100;

/** The window's events with injection markers, and what became of each: held as evidence, or blocked. */
function reportInjections(
  injections: MinedWindow['injections'],
  ledger: DreamLedger,
): Pick<RunReport, 'injections'> {
  const heldBy = new Map<string, string>();
  for (const proposal of ledger.proposals) {
    if (proposal.status !== 'pending') continue;
    for (const flag of proposal.screening ?? []) {
      if (flag.eventId !== null) heldBy.set(flag.eventId, proposal.id);
    }
  }
  const blockedBy = new Map<string, string>();
  for (const item of ledger.blocked) {
    for (const flag of item.flags) if (flag.eventId !== null) blockedBy.set(flag.eventId, item.subject);
  }
  const listed: FlaggedEvent[] = [];
  let events = 0;
  for (const { session, digest } of injections) {
    for (const flagged of digest.flagged) {
      events++;
      if (listed.length >= maxFlaggedListed) continue;
      const held = heldBy.get(flagged.eventId);
      const blocked = blockedBy.get(flagged.eventId);
      const trusted = flagged.eventKind === 'user-message';
      const secretOnly = flagged.hits.every((hit) => hit.kind === 'secret');
      listed.push({
        sessionId: session.id,
        eventId: flagged.eventId,
        agent: session.agent,
        eventKind: flagged.eventKind,
        hits: flagged.hits,
        outcome: held === undefined ? 'blocked' : 'held',
        detail:
          held !== undefined
            ? `evidence of ${held}, which waits for a person`
            : blocked !== undefined
              ? `the change it fed was blocked (${blocked})`
              : secretOnly
                ? 'it held a secret, redacted at ingest: the value was never stored'
                : trusted
                  ? 'never a candidate for memory: not a recurring instruction of the person'
                  : `never a candidate for memory: ${flagged.eventKind} text is untrusted and never becomes an entry`,
      });
    }
  }
  return { injections: { events, sessions: injections.length, listed } };
}

function countByAgent(sessions: readonly Session[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const session of sessions) counts.set(session.agent, (counts.get(session.agent) ?? 0) + 1);
  return counts;
}

function explainNothing(
  options: RunDreamOptions,
  agentNames: readonly string[],
  sessionCount: number,
  findings: readonly Finding[],
  summaries: readonly MinerSummary[],
): string {
  if (sessionCount === 0) {
    return (
      `No sessions of ${agentNames.join(', ') || 'any agent'} in the last ${Math.round(options.retentionMs / 86_400_000)} days: ` +
      'add log sources to the agents in reverie.yaml or run `reverie ingest <path> --agent NAME`.'
    );
  }
  if (findings.length === 0) {
    return `No miner found anything recurring in ${sessionCount} sessions: ${summaries.map((summary) => `${summary.miner}: ${summary.detail}`).join('; ')}.`;
  }
  return `All ${findings.length} findings were skipped; the report lists each with its reason.`;
}

async function dream(context: AppContext, options: RunDreamOptions, run: DreamRun): Promise<RunReport> {
  const { store, clock } = context;
  const ledger: DreamLedger = { proposals: [], blocked: [], skipped: [], warnings: [] };
  const { skipped, warnings } = ledger;
  const agentNames = options.agents.map((agent) => agent.name);
  const miners = new Set<MinerName>(options.miners ?? minerNames);

  const ingest = options.ingest
    ? await ingestSources(context, options.agents, warnings, options.resolveAgent)
    : null;
  const now = clock.now();
  const since = new Date(now.getTime() - options.retentionMs).toISOString();
  const listed = await store.listSessions({ agents: agentNames, since });
  // Grades are outcomes: grade first, so the miners learn from them (a dry run records nothing, so grades nothing).
  const grading = options.dryRun
    ? []
    : await gradeSessions(context, { sessions: listed, rubrics: options.rubrics ?? [] });
  const sessions = await withEffectiveOutcomes(store, listed);
  const eventsRead = sessions.reduce((total, session) => total + session.eventCount, 0);
  const mined = await mineWindow(context, sessions, {
    minSessions: options.minSessions,
    miners,
    entries: await entriesByFinding(context, options),
  });
  if (mined.rejections > 0) {
    skipped.push({
      subject: `${mined.rejections} tool calls the user refused`,
      reason: 'a refusal is not a tool failure; it is not turned into a rule from the refusal alone',
    });
  }

  const targets = new Map(options.agents.map((agent) => [agent.name, agent.memory]));
  const states = new Map<string, TargetState>();
  const stateFor = async (target: MemoryTarget, agent: string | null): Promise<TargetState> => {
    const known = states.get(target.path);
    if (known !== undefined) return known;
    let baseVersion: number;
    let content: string;
    if (options.dryRun) {
      // A dry run records nothing, not even a hand edit: it reads the file as it is.
      const disk = await context.memoryFiles.read(target.path);
      baseVersion = (await store.getMemoryFile(target.path))?.currentVersion ?? 0;
      content = disk.content;
    } else {
      const sync = await syncMemoryFile(context, { path: target.path, agent });
      if (sync.externalEdit !== null) {
        warnings.push({
          type: 'memory-external-edit',
          path: target.path,
          version: sync.externalEdit.version,
        });
      }
      baseVersion = sync.current.version;
      content = sync.current.exists ? sync.current.content : '';
    }
    const state: TargetState = {
      target,
      agent,
      baseVersion,
      content,
      projected: content,
      changedLines: 0,
      proposals: await store.listProposals({ memoryPath: target.path }),
    };
    states.set(target.path, state);
    return state;
  };

  // Every finding's lesson first: memory hygiene needs them to tell supported entries from stale ones.
  const lessons: { finding: Finding; lesson: Lesson }[] = [];
  for (const finding of mined.findings) {
    const result = lessonForFinding(finding);
    if ('skip' in result) skipped.push({ subject: describeFinding(finding), reason: result.skip });
    else lessons.push({ finding, lesson: result.lesson });
  }

  // Merge before add: resolve stale, duplicate and contradicted entries before new lessons claim room.
  const hygieneFindings: HygieneFinding[] = [];
  if (miners.has('memory-hygiene')) {
    const byAgent = countByAgent(sessions);
    const files = [
      ...options.agents.map((agent) => ({ target: agent.memory, agent: agent.name })),
      ...(options.sharedMemory === null ? [] : [{ target: options.sharedMemory, agent: null }]),
    ].filter(
      (file, index, all) => all.findIndex((other) => other.target.path === file.target.path) === index,
    );
    const snapshots = [];
    for (const file of files) {
      const state = await stateFor(file.target, file.agent);
      snapshots.push(
        await snapshotMemoryFile(context, {
          path: file.target.path,
          agent: file.agent,
          content: state.content,
          proposals: state.proposals,
          sessionsInWindow: file.agent === null ? sessions.length : (byAgent.get(file.agent) ?? 0),
          now: now.toISOString(),
        }),
      );
    }
    const current: CurrentFinding[] = mined.findings.map((finding) => {
      const lesson = lessons.find((candidate) => candidate.finding === finding)?.lesson ?? null;
      const range =
        'firstSeen' in finding
          ? { firstSeen: finding.firstSeen, lastSeen: finding.lastSeen }
          : { firstSeen: null, lastSeen: null };
      return { finding, entryId: lesson?.entryId ?? null, entryText: lesson?.text ?? null, ...range };
    });
    hygieneFindings.push(
      ...findMemoryHygiene({
        files: snapshots,
        findings: current,
        now: now.toISOString(),
        retentionMs: options.retentionMs,
      }),
    );
    mined.summaries.push({
      miner: 'memory-hygiene',
      findings: hygieneFindings.length,
      detail:
        `${snapshots.reduce((total, file) => total + file.entries.length, 0)} entries in ${snapshots.length} files: ` +
        (['stale', 'duplicate', 'contradicted'] as const)
          .map(
            (problem) =>
              `${hygieneFindings.filter((finding) => finding.problem === problem).length} ${problem}`,
          )
          .join(', '),
    });
    for (const finding of hygieneFindings) {
      const state = states.get(finding.memoryPath);
      if (state === undefined) continue;
      const plan = planHygieneEdits(finding, parseMemoryDocument(state.content));
      if ('skip' in plan) {
        skipped.push({ subject: describeFinding(finding), reason: plan.skip });
        continue;
      }
      await proposeChange(context, options, run, ledger, {
        subject: describeFinding(finding),
        state,
        route: {
          target: state.target,
          agent: state.agent,
          reason: 'a memory-hygiene change stays in the file it is about',
        },
        edits: plan.edits,
        reason: plan.reason,
        finding,
        evidence: finding.evidence,
        requiredSessions: requiredVerifiedSessions(finding, options.minSessions, finding.evidence.length),
        untrusted: [],
      });
    }
  }

  // Heavier lessons first: a standing instruction, then what failed runs show, claim the budget before the rest.
  lessons.sort((a, b) => lessonWeight(b.finding) - lessonWeight(a.finding));
  for (const { finding, lesson } of lessons) {
    const subject = describeFinding(finding);
    if (!('agents' in finding)) continue;
    for (const route of routeLesson({ agents: finding.agents, targets, shared: options.sharedMemory })) {
      const state = await stateFor(route.target, route.agent);
      const where = `${subject} → ${route.target.path}`;
      const document = parseMemoryDocument(state.projected);
      const plan = planMemoryEdit(document, lesson, {
        textsWrittenByReverie: (entryId) => textsWrittenByReverie(state.proposals, entryId),
      });
      if ('skip' in plan) {
        skipped.push({ subject: where, reason: plan.skip });
        continue;
      }
      if (plan.edit.op === 'add') {
        const duplicate = nearDuplicateOf(document, lesson.text);
        if (duplicate !== null) {
          skipped.push({ subject: where, reason: `${duplicate} already says this in near-identical words` });
          continue;
        }
      }
      const evidence = finding.evidence.filter((item) => route.evidenceAgents.includes(item.agent));
      await proposeChange(context, options, run, ledger, {
        subject,
        state,
        route,
        edits: [plan.edit],
        reason: lesson.reason,
        finding,
        evidence,
        requiredSessions: requiredVerifiedSessions(
          finding,
          options.minSessions,
          new Set(evidence.map((item) => item.sessionId)).size,
        ),
        untrusted: lesson.untrusted ?? [],
      });
    }
  }

  const findings: Finding[] = [...mined.findings, ...hygieneFindings];
  return {
    ...reportInjections(mined.injections, ledger),
    agents: agentNames,
    since,
    ingest,
    sessionsRead: sessions.length,
    eventsRead,
    sessionsAnalysed: mined.sessionsAnalysed,
    toolErrorsRead: mined.toolErrors,
    miners: mined.summaries,
    grading,
    findings,
    proposals: ledger.proposals,
    blocked: ledger.blocked,
    skipped,
    warnings,
    nothingReason:
      ledger.proposals.length === 0
        ? explainNothing(options, agentNames, sessions.length, findings, mined.summaries)
        : null,
  };
}
