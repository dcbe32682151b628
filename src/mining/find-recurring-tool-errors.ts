/**
 * Miner: tool errors that recur across sessions, clustered by signature, with the recovery that followed.
 *
 * In two steps, so a dream's cost grows with its new sessions: `digestToolErrors` keeps, once per session, each
 * tool error with its signature, quote and recovery; `findRecurringToolErrors` clusters the digests of every session
 * in the window. Both are pure and deterministic: the same sessions give the same findings, ids and order.
 */
import type { DigestInput } from '../domain/digest.js';
import type {
  Evidence,
  OutcomeTally,
  RecurrenceAfterEntry,
  Recovery,
  RecurringToolErrorFinding,
} from '../domain/finding.js';
import { changedMarker } from '../domain/finding.js';
import { hashText } from '../domain/hash.js';
import { rootSessionId } from '../domain/session.js';
import type { Session, SessionEvent, SessionWithEvents } from '../domain/session.js';
import { normalizeErrorSignature } from './normalize-error-signature.js';
import { quoteFrom } from './quote-from.js';
import { spreadByAgent } from './spread-by-agent.js';

/** Bumped when what a digest holds changes: older digests are then computed again. */
export const toolErrorDigestVersion = 3;

/** A quoted event: enough to make evidence without the event itself. */
export interface QuotedEvent {
  eventId: string;
  timestamp: string | null;
  quote: string;
}

/** One tool error of one session. */
export interface ToolErrorOccurrence extends QuotedEvent {
  toolName: string;
  signature: string;
  command: string | null;
  /** What fixed it: the tools called until the same tool succeeded on the same target, and the retried call. */
  recovery: { steps: string[]; inputChange: string | null; event: QuotedEvent } | null;
}

/** What the tool-error miner keeps of a session. */
export interface ToolErrorDigest {
  occurrences: ToolErrorOccurrence[];
  /** Tool calls the user refused: not tool failures. */
  rejections: number;
}

export interface FindRecurringToolErrorsOptions {
  /** A cluster needs at least this many distinct sessions (sidechains count with their parent). */
  minSessions: number;
  /** At most this many occurrences are quoted as evidence (each adds an error quote and a recovery quote). */
  maxEvidence?: number;
  /**
   * Entries already written for a finding (by finding id), with when: the finding then reports whether the error
   * kept happening after the entry existed.
   */
  entries?: ReadonlyMap<string, { memoryPath: string; entryId: string; since: string }>;
}

/** Statistics of a mining pass, for the run report. */
export interface ToolErrorStats {
  toolErrors: number;
  /** Errors that were the user refusing a tool call: not tool failures, left to the corrections miner. */
  rejections: number;
  clusters: number;
  /** Clusters seen in fewer sessions than `minSessions`. */
  belowThreshold: number;
}

/** How many events after an error are searched for the recovery. */
const recoveryWindow = 40;

/**
 * Tools that only let the model write a note (Anthropic's and tau-bench's `think`): never a step of a recovery.
 */
const noteTools = new Set(['think']);

/** File-path-like keys tools use; a retry "of the same thing" must touch the same file. */
const pathKeys = ['file_path', 'path', 'filePath', 'notebook_path', 'filename'];

function targetPath(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const record = input as Record<string, unknown>;
  for (const key of pathKeys) {
    const value = record[key];
    if (typeof value === 'string') return value;
  }
  return null;
}

/**
 * Free-form arguments: a retry that changes one of these (another command, another text) says nothing general.
 */
const freeFormArguments = new Set([
  'command', 'cmd', 'script', 'code', 'content', 'contents', 'text', 'query', 'prompt', 'input', 'new_string',
  'old_string', 'edits', 'patch', 'diff', 'pattern', 'description', 'summary', 'message', 'reason', 'thought',
  'expression', 'sql', 'body', 'title',
]); // prettier-ignore

/**
 * What the retry changed: a boolean flag it turned on (`replace_all: true`: often the whole fix), else one or two
 * structured arguments it gave other values (`flights: <changed>`: another flight, another payment method). Free-form
 * arguments and wholesale changes (more than two arguments) are not a change worth naming.
 */
function inputChange(failed: unknown, retried: unknown): string | null {
  if (typeof retried !== 'object' || retried === null) return null;
  const before = typeof failed === 'object' && failed !== null ? (failed as Record<string, unknown>) : {};
  const after = retried as Record<string, unknown>;
  for (const [key, value] of Object.entries(after)) {
    if (typeof value === 'boolean' && before[key] !== value) return `${key}: ${String(value)}`;
  }
  if (typeof failed !== 'object' || failed === null) return null;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
  if (changed.length === 0 || changed.length > 2 || changed.some((key) => freeFormArguments.has(key)))
    return null;
  return `${changed.join(', ')}: ${changedMarker}`;
}

function quoted(event: SessionEvent, preferred = ''): QuotedEvent {
  return { eventId: event.id, timestamp: event.timestamp, quote: quoteFrom(event.text, preferred) };
}

/** What the agent did after the error until the same tool succeeded on the same target. */
function findRecovery(
  events: readonly SessionEvent[],
  errorIndex: number,
  failedCall: SessionEvent | null,
  toolName: string,
): ToolErrorOccurrence['recovery'] {
  const target = targetPath(failedCall?.toolInput);
  const calls = new Map<string, SessionEvent>();
  const steps: string[] = [];
  const end = Math.min(events.length, errorIndex + 1 + recoveryWindow);
  for (let index = errorIndex + 1; index < end; index++) {
    const event = events[index];
    if (event === undefined) break;
    // A person stepping in ends the agent's own recovery.
    if (event.kind === 'user-message' && event.subtype === null) return null;
    if (event.kind === 'tool-call' && event.toolCallId !== null) {
      calls.set(event.toolCallId, event);
      continue;
    }
    if (event.kind !== 'tool-result' || event.toolCallId === null) continue;
    const call = calls.get(event.toolCallId);
    const name = event.toolName ?? call?.toolName ?? null;
    if (name === null || event.isError || noteTools.has(name.toLowerCase())) continue;
    const sameTarget = target === null || targetPath(call?.toolInput) === target;
    if (name === toolName && sameTarget) {
      steps.push(name);
      return {
        steps,
        inputChange: inputChange(failedCall?.toolInput, call?.toolInput),
        event: quoted(call ?? event),
      };
    }
    if (steps[steps.length - 1] !== name) steps.push(name);
  }
  return null;
}

/** Keeps, for one session, every tool error with its signature, quote and recovery. */
export function digestToolErrors(session: SessionWithEvents): ToolErrorDigest {
  const digest: ToolErrorDigest = { occurrences: [], rejections: 0 };
  const calls = new Map<string, SessionEvent>();
  session.events.forEach((event, index) => {
    if (event.kind === 'tool-call' && event.toolCallId !== null) calls.set(event.toolCallId, event);
    if (event.kind !== 'tool-result' || !event.isError) return;
    if (event.isRejection) {
      digest.rejections++;
      return;
    }
    const call = event.toolCallId === null ? null : (calls.get(event.toolCallId) ?? null);
    const toolName = event.toolName ?? call?.toolName ?? 'unknown tool';
    const signature = normalizeErrorSignature({ text: event.text, toolName, input: call?.toolInput });
    digest.occurrences.push({
      ...quoted(event, signature.line),
      toolName,
      signature: signature.signature,
      command: signature.command,
      recovery: findRecovery(session.events, index, call, toolName),
    });
  });
  return digest;
}

interface Occurrence extends ToolErrorOccurrence {
  session: Session;
  rootId: string;
}

interface Cluster {
  key: string;
  toolKey: string;
  command: string | null;
  /** Signatures merged into this cluster, with their counts. */
  signatures: Map<string, number>;
  occurrences: Occurrence[];
}

/** Signatures with little text ("<path>", "exit code <n>") only cluster within one tool. */
function clusterKey(signature: string, command: string | null, toolName: string): string {
  const words = signature.match(/[A-Za-z]{2,}/g) ?? [];
  const tool = command !== null || words.length < 3 ? toolName : '';
  return [tool, command ?? '', signature].join('\u0000');
}

function tokens(signature: string): Set<string> {
  return new Set(signature.toLowerCase().match(/[a-z][a-z0-9_]+|<[a-z]+>/g) ?? []);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * Near-identical messages of the same tool (and command) are one error: "FAILED test_a" and "FAILED test_b" after
 * abstraction differ in one identifier. Merging needs most words shared and enough words to judge by, so distinct
 * errors that share a few words ("File has not been read yet" / "File does not exist") stay apart.
 */
const mergeSimilarity = 0.7;
const mergeMinimumTokens = 4;

function mergeNearIdentical(clusters: Cluster[]): Cluster[] {
  const byTool = new Map<string, Cluster[]>();
  for (const cluster of clusters) {
    const group = byTool.get(`${cluster.toolKey}\u0000${cluster.command ?? ''}`) ?? [];
    group.push(cluster);
    byTool.set(`${cluster.toolKey}\u0000${cluster.command ?? ''}`, group);
  }
  const merged: Cluster[] = [];
  for (const group of byTool.values()) {
    // Largest first, so each cluster joins the most common wording of its error.
    group.sort((a, b) => b.occurrences.length - a.occurrences.length || a.key.localeCompare(b.key));
    const kept: { cluster: Cluster; tokens: Set<string> }[] = [];
    for (const cluster of group) {
      const clusterTokens = tokens(primarySignature(cluster));
      const home =
        clusterTokens.size >= mergeMinimumTokens
          ? kept.find(
              (candidate) =>
                candidate.tokens.size >= mergeMinimumTokens &&
                jaccard(candidate.tokens, clusterTokens) >= mergeSimilarity,
            )
          : undefined;
      if (home === undefined) {
        kept.push({ cluster, tokens: clusterTokens });
        continue;
      }
      home.cluster.occurrences.push(...cluster.occurrences);
      for (const [signature, count] of cluster.signatures) {
        home.cluster.signatures.set(signature, (home.cluster.signatures.get(signature) ?? 0) + count);
      }
    }
    merged.push(...kept.map((entry) => entry.cluster));
  }
  return merged;
}

function primarySignature(cluster: Cluster): string {
  return (
    [...cluster.signatures.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? ''
  );
}

function mostCommonRecovery(occurrences: readonly Occurrence[]): Recovery | null {
  const counts = new Map<string, { steps: string[]; inputChange: string | null; count: number }>();
  let recoveredCount = 0;
  for (const occurrence of occurrences) {
    if (occurrence.recovery === null) continue;
    recoveredCount++;
    const key = `${occurrence.recovery.steps.join('>')}|${occurrence.recovery.inputChange ?? ''}`;
    const entry = counts.get(key) ?? {
      steps: occurrence.recovery.steps,
      inputChange: occurrence.recovery.inputChange,
      count: 0,
    };
    entry.count++;
    counts.set(key, entry);
  }
  const best = [...counts.values()].sort(
    (a, b) =>
      b.count - a.count || a.steps.length - b.steps.length || a.steps.join().localeCompare(b.steps.join()),
  )[0];
  return best === undefined
    ? null
    : { steps: best.steps, inputChange: best.inputChange, count: best.count, recoveredCount };
}

function compareOccurrences(a: Occurrence, b: Occurrence): number {
  const time = (a.timestamp ?? '').localeCompare(b.timestamp ?? '');
  return time !== 0 ? time : a.eventId.localeCompare(b.eventId);
}

/** Evidence from distinct sessions first (earliest occurrence of each), then further occurrences. */
function pickEvidence(
  occurrences: readonly Occurrence[],
  recovery: Recovery | null,
  max: number,
): Evidence[] {
  const sorted = [...occurrences].sort(compareOccurrences);
  const firstPerSession: Occurrence[] = [];
  const rest: Occurrence[] = [];
  const seen = new Set<string>();
  for (const occurrence of sorted) {
    if (seen.has(occurrence.rootId)) rest.push(occurrence);
    else {
      seen.add(occurrence.rootId);
      firstPerSession.push(occurrence);
    }
  }
  const evidence: Evidence[] = [];
  const byAgent = (occurrence: Occurrence): string => occurrence.session.agent;
  for (const occurrence of [
    ...spreadByAgent(firstPerSession, byAgent),
    ...spreadByAgent(rest, byAgent),
  ].slice(0, max)) {
    const { session } = occurrence;
    evidence.push({
      sessionId: session.id,
      eventId: occurrence.eventId,
      agent: session.agent,
      timestamp: occurrence.timestamp,
      quote: occurrence.quote,
      role: 'error',
    });
    const matchesBest =
      recovery !== null && occurrence.recovery?.steps.join('>') === recovery.steps.join('>');
    if (matchesBest && occurrence.recovery !== null) {
      const event = occurrence.recovery.event;
      evidence.push({
        sessionId: session.id,
        eventId: event.eventId,
        agent: session.agent,
        timestamp: event.timestamp,
        quote: event.quote,
        role: 'recovery',
      });
    }
  }
  return evidence;
}

/** Distinct sessions (by conversation) that failed, succeeded or have no known outcome. */
export function tallyOutcomes(sessions: readonly Session[]): OutcomeTally {
  const byRoot = new Map<string, boolean | null>();
  for (const session of sessions) {
    const root = rootSessionId(session);
    const passed = session.outcome?.passed ?? null;
    // A sidechain has no outcome of its own; the conversation's known outcome wins.
    if (!byRoot.has(root) || byRoot.get(root) === null) byRoot.set(root, passed);
  }
  const tally: OutcomeTally = { failed: 0, succeeded: 0, unknown: 0 };
  for (const passed of byRoot.values()) {
    if (passed === true) tally.succeeded++;
    else if (passed === false) tally.failed++;
    else tally.unknown++;
  }
  return tally;
}

function recurrence(
  occurrences: readonly Occurrence[],
  entry: { memoryPath: string; entryId: string; since: string } | undefined,
): RecurrenceAfterEntry | null {
  if (entry === undefined) return null;
  const after = occurrences.filter((occurrence) => (occurrence.timestamp ?? '') > entry.since);
  if (after.length === 0) return null;
  return {
    memoryPath: entry.memoryPath,
    entryId: entry.entryId,
    since: entry.since,
    occurrencesAfter: after.length,
    sessionsAfter: new Set(after.map((occurrence) => occurrence.rootId)).size,
  };
}

/** The id a cluster's finding gets: stable across dreams, so entries and proposals can name it. */
export function toolErrorFindingId(signature: string, command: string | null, toolName: string): string {
  return `err-${hashText(clusterKey(signature, command, toolName)).slice(0, 10)}`;
}

/**
 * Finds tool errors that recur in at least `minSessions` distinct sessions.
 * @param inputs every session in the window with its tool-error digest
 * @returns findings (most widespread first) and statistics for the report
 */
export function findRecurringToolErrors(
  inputs: readonly DigestInput<ToolErrorDigest>[],
  options: FindRecurringToolErrorsOptions,
): { findings: RecurringToolErrorFinding[]; stats: ToolErrorStats } {
  const stats: ToolErrorStats = { toolErrors: 0, rejections: 0, clusters: 0, belowThreshold: 0 };
  const exact = new Map<string, Cluster>();
  for (const { session, digest } of inputs) {
    stats.rejections += digest.rejections;
    for (const occurrence of digest.occurrences) {
      stats.toolErrors++;
      const key = clusterKey(occurrence.signature, occurrence.command, occurrence.toolName);
      const cluster = exact.get(key) ?? {
        key,
        toolKey: key.split('\u0000')[0] === '' ? occurrence.toolName : (key.split('\u0000')[0] ?? ''),
        command: occurrence.command,
        signatures: new Map<string, number>(),
        occurrences: [],
      };
      cluster.signatures.set(occurrence.signature, (cluster.signatures.get(occurrence.signature) ?? 0) + 1);
      cluster.occurrences.push({ ...occurrence, session, rootId: rootSessionId(session) });
      exact.set(key, cluster);
    }
  }
  const clusters = mergeNearIdentical([...exact.values()]);
  stats.clusters = clusters.length;

  const findings: RecurringToolErrorFinding[] = [];
  for (const cluster of clusters) {
    const sessionIds = [...new Set(cluster.occurrences.map((occurrence) => occurrence.rootId))].sort();
    if (sessionIds.length < options.minSessions) {
      stats.belowThreshold++;
      continue;
    }
    const toolCounts = new Map<string, number>();
    for (const occurrence of cluster.occurrences) {
      toolCounts.set(occurrence.toolName, (toolCounts.get(occurrence.toolName) ?? 0) + 1);
    }
    const toolNames = [...toolCounts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([name]) => name);
    const times = cluster.occurrences
      .map((occurrence) => occurrence.timestamp)
      .filter((time): time is string => time !== null)
      .sort();
    const recovery = mostCommonRecovery(cluster.occurrences);
    const signature = primarySignature(cluster);
    const id = toolErrorFindingId(signature, cluster.command, toolNames[0] ?? cluster.toolKey);
    findings.push({
      kind: 'recurring-tool-error',
      id,
      toolNames,
      signature,
      command: cluster.command,
      occurrenceCount: cluster.occurrences.length,
      sessionCount: sessionIds.length,
      sessionIds,
      agents: [...new Set(cluster.occurrences.map((occurrence) => occurrence.session.agent))].sort(),
      firstSeen: times[0] ?? null,
      lastSeen: times[times.length - 1] ?? null,
      recovery,
      evidence: pickEvidence(cluster.occurrences, recovery, options.maxEvidence ?? 6),
      recurredAfterEntry: recurrence(cluster.occurrences, options.entries?.get(id)),
      outcomes: tallyOutcomes(cluster.occurrences.map((occurrence) => occurrence.session)),
    });
  }
  findings.sort(
    (a, b) =>
      b.sessionCount - a.sessionCount ||
      b.occurrenceCount - a.occurrenceCount ||
      a.signature.localeCompare(b.signature) ||
      a.id.localeCompare(b.id),
  );
  return { findings, stats };
}

/** Digests every session and finds the recurring errors: for callers that hold whole sessions (tests, evaluation). */
export function findRecurringToolErrorsInSessions(
  sessions: readonly SessionWithEvents[],
  options: FindRecurringToolErrorsOptions,
): { findings: RecurringToolErrorFinding[]; stats: ToolErrorStats } {
  return findRecurringToolErrors(
    sessions.map((session) => ({ session, digest: digestToolErrors(session) })),
    options,
  );
}
