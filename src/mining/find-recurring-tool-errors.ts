/**
 * Miner: tool errors that recur across sessions, clustered by signature, with the recovery that followed.
 * Pure and deterministic: the same sessions give the same findings, with the same ids, in the same order.
 */
import type { Evidence, OutcomeTally, Recovery, RecurringToolErrorFinding } from '../domain/finding.js';
import { hashText } from '../domain/hash.js';
import { rootSessionId } from '../domain/session.js';
import type { SessionEvent, SessionWithEvents } from '../domain/session.js';
import { normalizeErrorSignature } from './normalize-error-signature.js';
import { quoteFrom } from './quote-from.js';

export interface FindRecurringToolErrorsOptions {
  /** A cluster needs at least this many distinct sessions (sidechains count with their parent). */
  minSessions: number;
  /** At most this many occurrences are quoted as evidence (each adds an error quote and a recovery quote). */
  maxEvidence?: number;
  /** How many events after an error are searched for the recovery. */
  recoveryWindow?: number;
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

interface Occurrence {
  session: SessionWithEvents;
  rootId: string;
  result: SessionEvent;
  call: SessionEvent | null;
  toolName: string;
  signature: string;
  command: string | null;
  line: string;
  recovery: { steps: string[]; inputChange: string | null; event: SessionEvent } | null;
}

interface Cluster {
  key: string;
  signature: string;
  command: string | null;
  occurrences: Occurrence[];
}

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

/** A boolean flag the retry turned on, e.g. `replace_all: true`: often the whole fix. */
function inputChange(failed: unknown, retried: unknown): string | null {
  if (typeof retried !== 'object' || retried === null) return null;
  const before = typeof failed === 'object' && failed !== null ? (failed as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(retried as Record<string, unknown>)) {
    if (typeof value === 'boolean' && before[key] !== value) return `${key}: ${String(value)}`;
  }
  return null;
}

/** What the agent did after the error until the same tool succeeded on the same target. */
function findRecovery(
  events: readonly SessionEvent[],
  errorIndex: number,
  failedCall: SessionEvent | null,
  toolName: string,
  window: number,
): Occurrence['recovery'] {
  const target = targetPath(failedCall?.toolInput);
  const calls = new Map<string, SessionEvent>();
  const steps: string[] = [];
  const end = Math.min(events.length, errorIndex + 1 + window);
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
    if (name === null || event.isError) continue;
    const sameTarget = target === null || targetPath(call?.toolInput) === target;
    if (name === toolName && sameTarget) {
      steps.push(name);
      return {
        steps,
        inputChange: inputChange(failedCall?.toolInput, call?.toolInput),
        event: call ?? event,
      };
    }
    if (steps[steps.length - 1] !== name) steps.push(name);
  }
  return null;
}

function collectOccurrences(
  sessions: readonly SessionWithEvents[],
  window: number,
  stats: ToolErrorStats,
): Occurrence[] {
  const occurrences: Occurrence[] = [];
  for (const session of sessions) {
    const calls = new Map<string, SessionEvent>();
    session.events.forEach((event, index) => {
      if (event.kind === 'tool-call' && event.toolCallId !== null) calls.set(event.toolCallId, event);
      if (event.kind !== 'tool-result' || !event.isError) return;
      if (event.isRejection) {
        stats.rejections++;
        return;
      }
      stats.toolErrors++;
      const call = event.toolCallId === null ? null : (calls.get(event.toolCallId) ?? null);
      const toolName = event.toolName ?? call?.toolName ?? 'unknown tool';
      const signature = normalizeErrorSignature({ text: event.text, toolName, input: call?.toolInput });
      occurrences.push({
        session,
        rootId: rootSessionId(session),
        result: event,
        call,
        toolName,
        signature: signature.signature,
        command: signature.command,
        line: signature.line,
        recovery: findRecovery(session.events, index, call, toolName, window),
      });
    });
  }
  return occurrences;
}

/** Signatures with little text ("<path>", "exit code <n>") only cluster within one tool. */
function clusterKey(signature: string, command: string | null, toolName: string): string {
  const words = signature.match(/[A-Za-z]{2,}/g) ?? [];
  const tool = command !== null || words.length < 3 ? toolName : '';
  return [tool, command ?? '', signature].join('\u0000');
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
  const time = (a.result.timestamp ?? '').localeCompare(b.result.timestamp ?? '');
  return time !== 0 ? time : a.result.id.localeCompare(b.result.id);
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
  for (const occurrence of [...firstPerSession, ...rest].slice(0, max)) {
    evidence.push({
      sessionId: occurrence.session.id,
      eventId: occurrence.result.id,
      agent: occurrence.session.agent,
      timestamp: occurrence.result.timestamp,
      quote: quoteFrom(occurrence.result.text, occurrence.line),
      role: 'error',
    });
    const matchesBest =
      recovery !== null && occurrence.recovery?.steps.join('>') === recovery.steps.join('>');
    if (matchesBest && occurrence.recovery !== null) {
      const event = occurrence.recovery.event;
      evidence.push({
        sessionId: occurrence.session.id,
        eventId: event.id,
        agent: occurrence.session.agent,
        timestamp: event.timestamp,
        quote: quoteFrom(event.text, ''),
        role: 'recovery',
      });
    }
  }
  return evidence;
}

/** Distinct sessions (by conversation) that failed, succeeded or have no known outcome. */
export function tallyOutcomes(sessions: readonly SessionWithEvents[]): OutcomeTally {
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

/**
 * Finds tool errors that recur in at least `minSessions` distinct sessions.
 * @returns findings (most widespread first) and statistics for the report
 */
export function findRecurringToolErrors(
  sessions: readonly SessionWithEvents[],
  options: FindRecurringToolErrorsOptions,
): { findings: RecurringToolErrorFinding[]; stats: ToolErrorStats } {
  const stats: ToolErrorStats = { toolErrors: 0, rejections: 0, clusters: 0, belowThreshold: 0 };
  const occurrences = collectOccurrences(sessions, options.recoveryWindow ?? 40, stats);
  const clusters = new Map<string, Cluster>();
  for (const occurrence of occurrences) {
    const key = clusterKey(occurrence.signature, occurrence.command, occurrence.toolName);
    const cluster = clusters.get(key) ?? {
      key,
      signature: occurrence.signature,
      command: occurrence.command,
      occurrences: [],
    };
    cluster.occurrences.push(occurrence);
    clusters.set(key, cluster);
  }
  stats.clusters = clusters.size;

  const findings: RecurringToolErrorFinding[] = [];
  for (const cluster of clusters.values()) {
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
      .map((occurrence) => occurrence.result.timestamp)
      .filter((time): time is string => time !== null)
      .sort();
    const recovery = mostCommonRecovery(cluster.occurrences);
    findings.push({
      kind: 'recurring-tool-error',
      id: `err-${hashText(cluster.key).slice(0, 10)}`,
      toolNames,
      signature: cluster.signature,
      command: cluster.command,
      occurrenceCount: cluster.occurrences.length,
      sessionCount: sessionIds.length,
      sessionIds,
      agents: [...new Set(cluster.occurrences.map((occurrence) => occurrence.session.agent))].sort(),
      firstSeen: times[0] ?? null,
      lastSeen: times[times.length - 1] ?? null,
      recovery,
      evidence: pickEvidence(cluster.occurrences, recovery, options.maxEvidence ?? 6),
      recurredAfterEntry: null,
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
