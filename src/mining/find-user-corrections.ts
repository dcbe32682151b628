/**
 * Miner: a person correcting the agent ("no, use pnpm", "don't modify `send_with_retries`", "why did you ...?") or
 * stating a standing preference ("from now on always run the linter"), tied to the agent action it answers and
 * clustered across sessions. Per the reflection loops that do this by hand (Letta's reflection subagent ranks
 * "corrections and frustrations" high; claude-reflect queues "no, use X" turns), these are the one kind of
 * lesson whose words come from the person, so they are the safest to write down.
 *
 * In two steps, so a dream's cost grows with its new sessions: `digestUserCorrections` keeps, once per session,
 * each correction with its key, statement and quotes; `findUserCorrections` clusters the digests of every session in
 * the window. Both are pure and deterministic. The wording rules live in `user-correction-patterns.ts`.
 */
import type { DigestInput } from '../domain/digest.js';
import type { Evidence, UserCorrectionFinding } from '../domain/finding.js';
import { hashText } from '../domain/hash.js';
import { rootSessionId } from '../domain/session.js';
import type { Session, SessionEvent, SessionWithEvents } from '../domain/session.js';
import type { QuotedEvent } from './find-recurring-tool-errors.js';
import { tallyOutcomes } from './find-recurring-tool-errors.js';
import { quoteFrom } from './quote-from.js';
import { extractRejectionReason, matchUserCorrection, personText } from './user-correction-patterns.js';
import type { CorrectionPattern } from './user-correction-patterns.js';
import { spreadByAgent } from './spread-by-agent.js';

/** Bumped when what a digest holds changes: older digests are then computed again. */
export const userCorrectionDigestVersion = 1;

/** The agent action a correction answers. */
export interface CorrectedAction extends QuotedEvent {
  /** The tool called, or null when the agent had only replied. */
  toolName: string | null;
}

/** One correction of one session. */
export interface DigestedCorrection extends QuotedEvent {
  key: string;
  statement: string;
  standing: boolean;
  pattern: CorrectionPattern;
  /** `turn`: a message the person typed; `rejection`: the reason they gave for refusing a tool call. */
  origin: 'turn' | 'rejection';
  corrected: CorrectedAction | null;
}

/** What the corrections miner keeps of a session: small, JSON-serialisable. */
export interface UserCorrectionDigest {
  /** Messages a person typed (not injected text, slash commands or a simulated user). */
  personTurns: number;
  /** Refused tool calls that carried the person's reason. */
  rejectionReasons: number;
  corrections: DigestedCorrection[];
}

export interface FindUserCorrectionsOptions {
  /** A correction needs at least this many distinct conversations; a standing instruction needs one. */
  minSessions: number;
  /** At most this many corrections are quoted as evidence (each adds the correction and the corrected action). */
  maxEvidence?: number;
}

/** Statistics of a mining pass, for the run report. */
export interface UserCorrectionStats {
  personTurns: number;
  rejectionReasons: number;
  corrections: number;
  /** Corrections worded as standing instructions. */
  standing: number;
  clusters: number;
  /** Clusters seen in fewer conversations than `minSessions` and never stated as standing. */
  belowThreshold: number;
}

// Claude Code writes these as plain (subtype null) user lines; the person typed neither.
const interruptMarker = /^\s*\[Request interrupted by user[^\]]*\]\s*$/;

// Aider (0.47-0.51) commits and lints by itself after every edit: those calls are never what a person corrects.
const automaticTools = new Set(['git-commit', 'lint']);

const shellInputKeys = ['command', 'cmd', 'script'];

function shellCommand(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const record = input as Record<string, unknown>;
  for (const key of shellInputKeys) {
    const value = record[key];
    if (typeof value === 'string') return value.split('\n')[0]?.trim() ?? null;
    // Codex-style argv, often `["bash", "-lc", "npm install"]`: the script is the last element.
    if (Array.isArray(value) && value.every((part): part is string => typeof part === 'string')) {
      const parts: readonly string[] = value;
      const script =
        parts.length >= 3 && /^-\w*c$/.test(parts[1] ?? '') ? parts[parts.length - 1] : parts.join(' ');
      return script?.split('\n')[0]?.trim() ?? null;
    }
  }
  return null;
}

/** A message a person typed, in a conversation a person had (a sidechain's "user" is the parent agent). */
function isPersonTurn(event: SessionEvent, sidechain: boolean): boolean {
  return (
    !sidechain &&
    event.kind === 'user-message' &&
    event.subtype === null &&
    !interruptMarker.test(event.text) &&
    personText(event.text) !== ''
  );
}

/** A call the agent chose to make: not one the person ran with a slash command, nor one the harness made itself. */
function isAgentCall(events: readonly SessionEvent[], index: number): boolean {
  const event = events[index];
  if (event?.kind !== 'tool-call') return false;
  if (event.toolName !== null && automaticTools.has(event.toolName)) return false;
  for (let previous = index - 1; previous >= 0; previous--) {
    const before = events[previous];
    if (before === undefined || before.kind === 'assistant-message') return true;
    if (before.kind === 'user-message') return before.subtype !== 'command';
  }
  return true;
}

function isAgentReply(event: SessionEvent): boolean {
  return event.kind === 'assistant-message' && event.subtype !== 'thinking' && event.text.trim() !== '';
}

function quoted(event: SessionEvent, preferred: string): QuotedEvent {
  return { eventId: event.id, timestamp: event.timestamp, quote: quoteFrom(event.text, preferred) };
}

function correctedFrom(call: SessionEvent): { action: CorrectedAction; command: string | null } {
  const command = shellCommand(call.toolInput);
  return { action: { ...quoted(call, command ?? ''), toolName: call.toolName }, command };
}

/** The agent's last tool call since the person's previous turn, else its last reply. */
function correctedBefore(
  events: readonly SessionEvent[],
  index: number,
  sidechain: boolean,
): { action: CorrectedAction; command: string | null } | null {
  let reply: SessionEvent | null = null;
  for (let previous = index - 1; previous >= 0; previous--) {
    const event = events[previous];
    if (event === undefined || isPersonTurn(event, sidechain)) break;
    if (isAgentCall(events, previous)) return correctedFrom(event);
    if (reply === null && isAgentReply(event)) reply = event;
  }
  return reply === null ? null : { action: { ...quoted(reply, ''), toolName: null }, command: null };
}

/**
 * Claude Code 2.0.x (seen in 2.0.5 in fixtures/claude-code) stores feedback typed at a permission prompt as the
 * whole content of an `is_error` tool result, without the usual rejection wording ("please add transformer.js too
 * first"), so the reader cannot mark it as a rejection. Only seen on shell calls, whose real failures are command
 * output, never one line of prose; other tools fail with sentences of their own ("File has not been read yet. Read
 * it first before writing to it."), so they are left out.
 */
function looksLikeTypedFeedback(
  session: Session,
  event: SessionEvent,
  call: SessionEvent | undefined,
): boolean {
  if (session.format !== 'claude-code' || !event.isError || event.isRejection) return false;
  if (shellCommand(call?.toolInput) === null) return false;
  const text = event.text.trim();
  return (
    text.length <= 300 &&
    !text.includes('\n') &&
    /^[A-Za-z]/.test(text) &&
    text.split(/\s+/).length >= 2 &&
    !/<\/?[a-z_]+>|\w:\d|error|exception|traceback|exit code|no such|not found|denied|failed|cannot|can't|unable|invalid/i.test(
      text,
    )
  );
}

/** The reason a person gave for refusing a tool call, or '' when the result is not such a refusal. */
function refusalReason(session: Session, event: SessionEvent, call: SessionEvent | undefined): string {
  if (event.kind !== 'tool-result' || !event.isError) return '';
  if (event.isRejection) return extractRejectionReason(event.text);
  return looksLikeTypedFeedback(session, event, call) ? event.text.trim() : '';
}

/** Keeps, for one session, each correction with its key, statement, quote and the action it answers. */
export function digestUserCorrections(session: SessionWithEvents): UserCorrectionDigest {
  const digest: UserCorrectionDigest = { personTurns: 0, rejectionReasons: 0, corrections: [] };
  const sidechain = session.parentSessionId !== null;
  const calls = new Map<string, SessionEvent>();
  let agentActed = false;
  const read = (
    event: SessionEvent,
    text: string,
    origin: DigestedCorrection['origin'],
    corrected: { action: CorrectedAction; command: string | null } | null,
  ) => {
    const match = matchUserCorrection(text, {
      origin,
      // A refusal always answers the call it refuses.
      followsAgentAction: origin === 'rejection' || agentActed,
      correctedCommand: corrected?.command ?? null,
    });
    if (match === null) return;
    digest.corrections.push({
      ...quoted(event, match.sentence),
      key: match.key,
      statement: match.statement,
      standing: match.standing,
      pattern: match.pattern,
      origin,
      corrected: corrected?.action ?? null,
    });
  };
  session.events.forEach((event, index) => {
    if (event.kind === 'tool-call' && event.toolCallId !== null) calls.set(event.toolCallId, event);
    if (isPersonTurn(event, sidechain)) {
      digest.personTurns++;
      read(event, event.text, 'turn', correctedBefore(session.events, index, sidechain));
    } else if (event.kind === 'tool-result') {
      const call = event.toolCallId === null ? undefined : calls.get(event.toolCallId);
      const reason = refusalReason(session, event, call);
      if (reason !== '') {
        digest.rejectionReasons++;
        read(event, reason, 'rejection', call === undefined ? null : correctedFrom(call));
      }
    }
    if (event.kind === 'tool-call' || isAgentReply(event)) agentActed = true;
  });
  return digest;
}

interface Occurrence extends DigestedCorrection {
  session: Session;
  rootId: string;
}

/** The id a cluster's finding gets: stable across dreams, so entries and proposals can name it. */
export function userCorrectionFindingId(key: string): string {
  return `corr-${hashText(key).slice(0, 10)}`;
}

/** When a correction was given: its event's time, or its session's start when the log times only sessions (aider). */
function seenAt(occurrence: Occurrence): string | null {
  return occurrence.timestamp ?? occurrence.session.startedAt;
}

function compareOccurrences(a: Occurrence, b: Occurrence): number {
  const time = (seenAt(a) ?? '').localeCompare(seenAt(b) ?? '');
  return time !== 0 ? time : a.eventId.localeCompare(b.eventId);
}

/**
 * The wording the finding states: the most frequent, then one naming an alternative ("..., not X"), then the
 * plainest (one instruction, the shortest: it carries the least beside the shared instruction), then the latest.
 */
function pickStatement(occurrences: readonly Occurrence[]): string {
  const counts = new Map<string, { count: number; latest: string }>();
  for (const occurrence of occurrences) {
    const entry = counts.get(occurrence.statement) ?? { count: 0, latest: '' };
    entry.count++;
    const time = seenAt(occurrence) ?? '';
    if (time > entry.latest) entry.latest = time;
    counts.set(occurrence.statement, entry);
  }
  const namesAlternative = (statement: string) => (statement.includes(', not ') ? 1 : 0);
  // "Use X and Y, not Z" carries a second instruction the other corrections did not give.
  const joinsAnother = (statement: string) => (statement.includes(' and ') ? 1 : 0);
  return (
    [...counts.entries()].sort(
      ([a, left], [b, right]) =>
        right.count - left.count ||
        namesAlternative(b) - namesAlternative(a) ||
        joinsAnother(a) - joinsAnother(b) ||
        a.length - b.length ||
        right.latest.localeCompare(left.latest) ||
        a.localeCompare(b),
    )[0]?.[0] ?? ''
  );
}

/** The tool the corrections answered, when one accounts for at least half of them. */
function pickCorrectedTool(occurrences: readonly Occurrence[]): string | null {
  const counts = new Map<string, number>();
  for (const occurrence of occurrences) {
    const name = occurrence.corrected?.toolName;
    if (name !== undefined && name !== null) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return best !== undefined && best[1] * 2 >= occurrences.length ? best[0] : null;
}

/** Evidence from distinct conversations first (earliest correction of each), then further corrections. */
function pickEvidence(occurrences: readonly Occurrence[], max: number): Evidence[] {
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
      role: 'correction',
    });
    if (occurrence.corrected !== null) {
      evidence.push({
        sessionId: session.id,
        eventId: occurrence.corrected.eventId,
        agent: session.agent,
        timestamp: occurrence.corrected.timestamp,
        quote: occurrence.corrected.quote,
        role: 'corrected',
      });
    }
  }
  return evidence;
}

/**
 * Finds the corrections that recur in at least `minSessions` distinct conversations, and the standing instructions
 * (which need only one).
 * @param inputs every session in the window with its corrections digest
 * @returns findings (standing and widespread first) and statistics for the report
 */
export function findUserCorrections(
  inputs: readonly DigestInput<UserCorrectionDigest>[],
  options: FindUserCorrectionsOptions,
): { findings: UserCorrectionFinding[]; stats: UserCorrectionStats } {
  const stats: UserCorrectionStats = {
    personTurns: 0,
    rejectionReasons: 0,
    corrections: 0,
    standing: 0,
    clusters: 0,
    belowThreshold: 0,
  };
  const clusters = new Map<string, Occurrence[]>();
  for (const { session, digest } of inputs) {
    stats.personTurns += digest.personTurns;
    stats.rejectionReasons += digest.rejectionReasons;
    for (const correction of digest.corrections) {
      stats.corrections++;
      if (correction.standing) stats.standing++;
      const cluster = clusters.get(correction.key) ?? [];
      cluster.push({ ...correction, session, rootId: rootSessionId(session) });
      clusters.set(correction.key, cluster);
    }
  }
  stats.clusters = clusters.size;

  const findings: UserCorrectionFinding[] = [];
  for (const [key, occurrences] of clusters) {
    const sessionIds = [...new Set(occurrences.map((occurrence) => occurrence.rootId))].sort();
    const standing = occurrences.some((occurrence) => occurrence.standing);
    if (sessionIds.length < options.minSessions && !standing) {
      stats.belowThreshold++;
      continue;
    }
    const times = occurrences
      .map(seenAt)
      .filter((time): time is string => time !== null)
      .sort();
    findings.push({
      kind: 'user-correction',
      id: userCorrectionFindingId(key),
      statement: pickStatement(occurrences),
      key,
      standing,
      correctedTool: pickCorrectedTool(occurrences),
      occurrenceCount: occurrences.length,
      sessionCount: sessionIds.length,
      sessionIds,
      agents: [...new Set(occurrences.map((occurrence) => occurrence.session.agent))].sort(),
      firstSeen: times[0] ?? null,
      lastSeen: times[times.length - 1] ?? null,
      evidence: pickEvidence(occurrences, options.maxEvidence ?? 6),
      outcomes: tallyOutcomes(occurrences.map((occurrence) => occurrence.session)),
    });
  }
  findings.sort(
    (a, b) =>
      b.sessionCount - a.sessionCount ||
      b.occurrenceCount - a.occurrenceCount ||
      Number(b.standing) - Number(a.standing) ||
      a.key.localeCompare(b.key),
  );
  return { findings, stats };
}

/** Digests every session and finds the corrections: for callers that hold whole sessions (tests, evaluation). */
export function findUserCorrectionsInSessions(
  sessions: readonly SessionWithEvents[],
  options: FindUserCorrectionsOptions,
): { findings: UserCorrectionFinding[]; stats: UserCorrectionStats } {
  return findUserCorrections(
    sessions.map((session) => ({ session, digest: digestUserCorrections(session) })),
    options,
  );
}
