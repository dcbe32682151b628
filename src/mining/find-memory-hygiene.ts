/**
 * Miner: problems with what memory files already say. Entries of Reverie's that no current finding supports any
 * more (stale), entries saying the same thing twice (duplicate), and entries that newer evidence contradicts
 * (contradicted). Pure and deterministic: the same input gives the same findings, ids and order.
 *
 * It errs towards keeping text. A wrong "stale" or "contradicted" deletes good knowledge, a missed one leaves a line
 * for the next dream. So only Reverie's own entries can be stale, a file whose agents were idle is never judged,
 * contradictions need a concrete signal (memory-hygiene-contradiction.ts) and evidence newer than the entry, from the
 * agents the file serves, and every entry appears in at most one finding per dream.
 */
import type { Evidence, Finding, MemoryHygieneFinding } from '../domain/finding.js';
import { hashText } from '../domain/hash.js';
import type { MemoryDocument } from '../memory/memory-document.js';
import { compareEntryTokens, tokenizeEntryText } from './entry-similarity.js';
import type { EntryTokens } from './entry-similarity.js';
import { findContradiction } from './memory-hygiene-contradiction.js';
import type { Contradiction } from './memory-hygiene-contradiction.js';

/** Who wrote an entry's current text. */
export type EntryAuthor = 'reverie' | 'person';

/** One entry of a memory file (between Reverie's markers), with where its current text came from. */
export interface RecordedMemoryEntry {
  id: string;
  /** The entry's text as `parseMemoryDocument` reads it. */
  text: string;
  /** When the memory version that added the entry, or last changed its text, was created (ISO). */
  writtenAt: string;
  /**
   * `reverie` when the text is one Reverie wrote for this entry (an applied proposal's text); `person` when someone
   * reworded the entry or added it by hand.
   */
  writtenBy: EntryAuthor;
  /** The finding the entry came from (the applied proposal's finding id), when Reverie wrote it. */
  findingKey: string | null;
  /** That finding's kind, when known. Entries from user corrections are a person's instruction: never stale. */
  findingKind: Finding['kind'] | null;
}

/** A line of a memory file outside Reverie's entries: the person's text. */
export interface HandWrittenLine {
  /** 1-based line number in the current content. */
  line: number;
  /** The whole line as it is in the file. */
  text: string;
  /** When the version that introduced the line was created (ISO); null when unknown: then it is never contradicted. */
  writtenAt: string | null;
}

/** What the miner needs to know about one memory file. */
export interface MemoryFileSnapshot {
  /** Absolute path, as in `MemoryTarget.path`. */
  path: string;
  /** The agent whose memory this is, or null for the shared file. */
  agent: string | null;
  entries: readonly RecordedMemoryEntry[];
  /**
   * Every line outside the entries, in any order ({@link listHandWrittenLines}). The miner picks the list items that
   * read like rules and skips code blocks, so it needs all of them, not only the list items.
   */
  handWrittenLines: readonly HandWrittenLine[];
  /** Sessions read in the retention window of the agents this file serves (all agents in scope, for the shared file). */
  sessionsInWindow: number;
}

/** A finding of this dream, with the memory entry its lesson maps to. */
export interface CurrentFinding {
  finding: Finding;
  /** The entry id the finding's lesson has (e.g. `read-before-edit`, or the finding id); null when it has no lesson. */
  entryId: string | null;
  /** The lesson's text; null when there is none. Without it a finding supports entries but contradicts none. */
  entryText: string | null;
  /** Time range of the finding's sessions (ISO); null when unknown. */
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface FindMemoryHygieneInput {
  files: readonly MemoryFileSnapshot[];
  /** The dream's findings, all kinds (memory-hygiene findings are ignored). */
  findings: readonly CurrentFinding[];
  /** The dream's time (ISO). */
  now: string;
  /** The retention window: evidence older than `now - retentionMs` does not count. */
  retentionMs: number;
  /**
   * A file whose agents had fewer sessions than this in the window has no stale entries: no evidence is expected
   * from idle agents. Default 5, the activity Claude Code's Auto Dream waits for before it consolidates.
   */
  minSessionsForStale?: number;
}

/** One entry or hand-written line a hygiene finding is about. */
export interface HygieneSubject {
  /** The entry id, or `line-<n>` for a hand-written line. */
  entryId: string;
  source: 'entry' | 'hand-written-line';
  writtenBy: EntryAuthor;
  writtenAt: string | null;
  text: string;
  /** 1-based line number of a hand-written line; null for an entry. */
  line: number | null;
  /** Whether a current finding's lesson maps to this entry. */
  supported: boolean;
}

/**
 * A memory-hygiene finding with what planning its edits needs (`planHygieneEdits`). It is a
 * `MemoryHygieneFinding`, so reports and stores take it as one.
 */
export interface HygieneFinding extends MemoryHygieneFinding {
  /**
   * The subjects, in this order: `stale`: the entry; `duplicate`: the one to remove, then the one to keep;
   * `contradicted`: the old ones (the replacement is in `replacement`).
   */
  subjects: readonly HygieneSubject[];
  /** For `contradicted`: the newer lesson that replaces the old subjects. */
  replacement: { entryId: string; text: string } | null;
}

const defaultMinSessionsForStale = 5;
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

interface Item {
  subject: HygieneSubject;
  entry: RecordedMemoryEntry | null;
  tokens: EntryTokens;
  /** Position for ordering: entries in the order given, then hand-written lines by line number. */
  rank: number;
  /** Current findings whose lesson maps to the entry (empty for hand-written lines). */
  support: readonly CurrentFinding[];
}

function timeOf(iso: string | null): number | null {
  if (iso === null) return null;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : time;
}

function dayOf(iso: string | null): string {
  return iso === null ? 'an unknown date' : iso.slice(0, 10);
}

function excerpt(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function describeRange(candidate: CurrentFinding): string {
  const first = candidate.firstSeen === null ? null : dayOf(candidate.firstSeen);
  const last = dayOf(candidate.lastSeen);
  return first === null || first === last ? `on ${last}` : `from ${first} to ${last}`;
}

function describeWindow(retentionMs: number): string {
  return retentionMs >= dayMs
    ? `${Math.round(retentionMs / dayMs)}-day window`
    : `${Math.round(retentionMs / hourMs)}-hour window`;
}

function describeSubject(subject: HygieneSubject): string {
  if (subject.source === 'hand-written-line') {
    return `line ${subject.line ?? '?'} ("${excerpt(subject.text, 60)}")`;
  }
  const how = subject.writtenBy === 'person' ? 'worded by hand' : 'written';
  return `entry ${subject.entryId} (${how} ${dayOf(subject.writtenAt)})`;
}

function describeKind(finding: Finding): string {
  switch (finding.kind) {
    case 'recurring-tool-error':
      return 'a recurring tool error';
    case 'user-correction':
      return finding.standing ? 'a standing instruction' : 'a user correction';
    case 'workflow':
      return 'a workflow';
    case 'outcome-contrast':
      return 'an outcome contrast';
    case 'memory-hygiene':
      return 'a memory-hygiene finding';
  }
}

/** A list item is what a person writes a rule as; a task box (`- [ ]`) is a to-do, not a rule. */
const listItemPattern = /^\s*(?:[-*+]|\d+[.)])\s+(?!\[[ xX]\]\s)\S/;
const fencePattern = /^\s*(`{3,}|~{3,})/;

/** The hand-written lines that read like rules: list items outside code blocks, with at least two content words. */
function ruleLikeLines(lines: readonly HandWrittenLine[]): HandWrittenLine[] {
  const sorted = [...lines].sort((a, b) => a.line - b.line);
  const rules: HandWrittenLine[] = [];
  let fence: string | null = null;
  for (const line of sorted) {
    const fenceMatch = fencePattern.exec(line.text);
    if (fenceMatch?.[1] !== undefined) {
      const marker = fenceMatch[1];
      if (fence === null) fence = marker;
      else if (marker.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null || !listItemPattern.test(line.text) || line.text.includes('<!--')) continue;
    // A bare "- npm" under a heading like "Tools we dropped" takes its meaning from the heading, which is not read.
    if (tokenizeEntryText(line.text).tokens.size < 2) continue;
    rules.push(line);
  }
  return rules;
}

/**
 * The lines of a document outside Reverie's entries, for {@link MemoryFileSnapshot.handWrittenLines}. `writtenAt`
 * is null: the caller fills it in from the version history when it knows it.
 */
export function listHandWrittenLines(document: MemoryDocument): HandWrittenLine[] {
  const managed = new Set<number>();
  for (const entry of document.entries) {
    for (let line = entry.markerLine; line < entry.endLine; line++) managed.add(line);
  }
  return document.lines.flatMap((text, index) =>
    managed.has(index) ? [] : [{ line: index + 1, text, writtenAt: null }],
  );
}

function supportOf(
  entry: RecordedMemoryEntry,
  current: readonly CurrentFinding[],
  windowStart: number,
): CurrentFinding[] {
  return current.filter((candidate) => {
    const maps =
      candidate.entryId === entry.id ||
      (entry.findingKey !== null && candidate.finding.id === entry.findingKey);
    const lastSeen = timeOf(candidate.lastSeen);
    // Unknown times count as support: wrongly keeping an entry costs less than wrongly removing it.
    return maps && (lastSeen === null || lastSeen >= windowStart);
  });
}

function itemsOf(file: MemoryFileSnapshot, current: readonly CurrentFinding[], windowStart: number): Item[] {
  const entries = file.entries.map((entry, index): Item => {
    const support = supportOf(entry, current, windowStart);
    return {
      subject: {
        entryId: entry.id,
        source: 'entry',
        writtenBy: entry.writtenBy,
        writtenAt: entry.writtenAt,
        text: entry.text,
        line: null,
        supported: support.length > 0,
      },
      entry,
      tokens: tokenizeEntryText(entry.text),
      rank: index,
      support,
    };
  });
  const lines = ruleLikeLines(file.handWrittenLines).map((line): Item => ({
    subject: {
      entryId: `line-${line.line}`,
      source: 'hand-written-line',
      writtenBy: 'person',
      writtenAt: line.writtenAt,
      text: line.text,
      line: line.line,
      supported: false,
    },
    entry: null,
    tokens: tokenizeEntryText(line.text),
    rank: file.entries.length + line.line,
    support: [],
  }));
  return [...entries, ...lines];
}

/** Stable across dreams: hand-written lines are keyed by their text, which survives lines moving. */
function findingId(parts: readonly string[]): string {
  return `hyg-${hashText(parts.join('\n')).slice(0, 10)}`;
}

function subjectKey(item: Item): string {
  return item.entry === null ? `line:${item.subject.text.trim()}` : `entry:${item.subject.entryId}`;
}

interface ContradictionMatch {
  item: Item;
  candidate: CurrentFinding;
  contradiction: Contradiction;
  lastSeen: number;
}

/** Quotes that say what a finding is about: the person's words and the action they corrected. */
function scopeQuotes(evidence: readonly Evidence[]): string[] {
  return evidence
    .filter((item) => item.role === 'correction' || item.role === 'corrected')
    .map((item) => item.quote);
}

/**
 * Evidence may only overrule the files it would be routed to: an agent's file by findings from that agent, the
 * shared file by findings seen in two or more agents. One project's "use pnpm" says nothing about another's npm.
 */
function appliesTo(file: MemoryFileSnapshot, finding: Finding): boolean {
  return file.agent === null ? finding.agents.length >= 2 : finding.agents.includes(file.agent);
}

function findContradictionFor(
  item: Item,
  file: MemoryFileSnapshot,
  current: readonly CurrentFinding[],
): ContradictionMatch | null {
  const writtenAt = timeOf(item.subject.writtenAt);
  if (writtenAt === null) return null;
  let best: ContradictionMatch | null = null;
  for (const candidate of current) {
    if (candidate.entryText === null || candidate.entryId === null) continue;
    const lastSeen = timeOf(candidate.lastSeen);
    if (lastSeen === null || !appliesTo(file, candidate.finding)) continue;
    if (
      candidate.entryId === item.subject.entryId &&
      candidate.entryText.trim() === item.subject.text.trim()
    ) {
      continue;
    }
    // The entry stands as of its writing, or of the newest other evidence still backing its text as written; only
    // later evidence can overrule it.
    let standing = writtenAt;
    for (const backing of item.support) {
      const backingSeen = timeOf(backing.lastSeen);
      if (backing === candidate || backingSeen === null) continue;
      if (backing.entryText?.trim() === item.subject.text.trim()) standing = Math.max(standing, backingSeen);
    }
    if (lastSeen <= standing) continue;
    const entry = item.entry;
    const sameLesson =
      entry !== null &&
      (candidate.entryId === entry.id ||
        (entry.findingKey !== null && candidate.finding.id === entry.findingKey));
    const contradiction = findContradiction({
      older: item.subject.text,
      newer: candidate.entryText,
      sameLesson,
      scopeTexts: scopeQuotes(candidate.finding.evidence),
    });
    if (contradiction === null) continue;
    if (best === null || lastSeen > best.lastSeen) best = { item, candidate, contradiction, lastSeen };
  }
  return best;
}

function contradictedFindings(
  file: MemoryFileSnapshot,
  items: readonly Item[],
  current: readonly CurrentFinding[],
  claimed: Set<Item>,
): HygieneFinding[] {
  const groups = new Map<string, ContradictionMatch[]>();
  for (const item of items) {
    const match = findContradictionFor(item, file, current);
    if (match === null) continue;
    // One finding per replacement: two proposals superseding entries by the same new entry could not both apply.
    const key = match.candidate.entryId ?? '';
    groups.set(key, [...(groups.get(key) ?? []), match]);
  }
  const results: HygieneFinding[] = [];
  for (const matches of groups.values()) {
    const newest = matches.reduce<ContradictionMatch | null>(
      (best, match) => (best === null || match.lastSeen > best.lastSeen ? match : best),
      null,
    );
    if (newest === null) continue;
    const { candidate } = newest;
    const replacement = { entryId: candidate.entryId ?? '', text: candidate.entryText ?? '' };
    for (const match of matches) claimed.add(match.item);
    const olds = matches.map((match) => match.item);
    const entryIds = olds.map((item) => item.subject.entryId);
    if (!entryIds.includes(replacement.entryId)) entryIds.push(replacement.entryId);
    const finding = candidate.finding;
    const what = matches
      .map((match) => `${describeSubject(match.item.subject)} ${match.contradiction.description}`)
      .join('; ');
    const sessions = finding.sessionIds.length;
    results.push({
      kind: 'memory-hygiene',
      id: findingId(['contradicted', file.path, finding.id, ...olds.map(subjectKey)]),
      problem: 'contradicted',
      memoryPath: file.path,
      entryIds,
      detail: `${what}: ${describeKind(finding)} seen ${describeRange(candidate)} in ${sessions} session${sessions === 1 ? '' : 's'} says "${excerpt(replacement.text)}"`,
      supersededBy: finding.id,
      evidence: finding.evidence,
      agents: finding.agents,
      sessionIds: finding.sessionIds,
      subjects: olds.map((item) => item.subject),
      replacement,
    });
  }
  return results;
}

/** Which of two duplicates goes: never the person's text; else the unsupported, then the older, then the later one. */
function chooseDrop(a: Item, b: Item): { drop: Item; keep: Item; why: string } {
  const aPerson = a.subject.writtenBy === 'person';
  const bPerson = b.subject.writtenBy === 'person';
  if (aPerson !== bPerson) {
    return aPerson
      ? { drop: b, keep: a, why: 'it is your wording' }
      : { drop: a, keep: b, why: 'it is your wording' };
  }
  if (aPerson) return { drop: b, keep: a, why: 'both are yours' };
  if (a.subject.supported !== b.subject.supported) {
    const why = 'a finding of this dream still supports it';
    return a.subject.supported ? { drop: b, keep: a, why } : { drop: a, keep: b, why };
  }
  const aTime = timeOf(a.subject.writtenAt) ?? 0;
  const bTime = timeOf(b.subject.writtenAt) ?? 0;
  if (aTime !== bTime) {
    return aTime > bTime
      ? { drop: b, keep: a, why: `it is newer (${dayOf(a.subject.writtenAt)})` }
      : { drop: a, keep: b, why: `it is newer (${dayOf(b.subject.writtenAt)})` };
  }
  return { drop: b, keep: a, why: 'it comes first' };
}

function duplicateFindings(
  file: MemoryFileSnapshot,
  items: readonly Item[],
  claimed: Set<Item>,
): HygieneFinding[] {
  const open = items.filter((item) => !claimed.has(item));
  const pairs: { a: Item; b: Item; score: number }[] = [];
  for (let first = 0; first < open.length; first++) {
    for (let second = first + 1; second < open.length; second++) {
      const a = open[first];
      const b = open[second];
      if (a === undefined || b === undefined) continue;
      const similarity = compareEntryTokens(a.tokens, b.tokens);
      if (similarity.nearDuplicate) pairs.push({ a, b, score: similarity.score });
    }
  }
  // Pairs with a person's text go first: it is kept whatever else happens, so Reverie's copies of it all go to it
  // rather than to each other.
  const personFirst = (pair: { a: Item; b: Item }): number =>
    (pair.a.subject.writtenBy === 'person') !== (pair.b.subject.writtenBy === 'person') ? 0 : 1;
  pairs.sort(
    (x, y) =>
      personFirst(x) - personFirst(y) || y.score - x.score || x.a.rank - y.a.rank || x.b.rank - y.b.rank,
  );
  const dropped = new Set<Item>();
  const kept = new Set<Item>();
  const results: HygieneFinding[] = [];
  const ranks = new Map(items.map((item) => [item.subject, item.rank]));
  const rankOf = (subject: HygieneSubject | undefined): number =>
    subject === undefined ? 0 : (ranks.get(subject) ?? 0);
  for (const pair of pairs) {
    if (dropped.has(pair.a) || dropped.has(pair.b)) continue;
    const { drop, keep, why } = chooseDrop(pair.a, pair.b);
    // A kept item is never dropped for a third one: its own duplicate might not resemble that third one at all.
    if (kept.has(drop)) continue;
    dropped.add(drop);
    kept.add(keep);
    results.push({
      kind: 'memory-hygiene',
      id: findingId(['duplicate', file.path, subjectKey(drop), subjectKey(keep)]),
      problem: 'duplicate',
      memoryPath: file.path,
      entryIds: [drop.subject.entryId, keep.subject.entryId],
      detail: `${describeSubject(drop.subject)} says the same as ${describeSubject(keep.subject)} (similarity ${pair.score.toFixed(2)}); keep ${keep.subject.entryId}: ${why}`,
      supersededBy: null,
      evidence: [],
      agents: file.agent === null ? [] : [file.agent],
      sessionIds: [],
      subjects: [drop.subject, keep.subject],
      replacement: null,
    });
  }
  for (const item of dropped) claimed.add(item);
  return results.sort((x, y) => rankOf(x.subjects[0]) - rankOf(y.subjects[0]));
}

function staleFindings(
  file: MemoryFileSnapshot,
  items: readonly Item[],
  claimed: ReadonlySet<Item>,
  options: { windowStart: number; retentionMs: number; minSessions: number },
): HygieneFinding[] {
  // Idle agents produce no evidence either way; absence of evidence means something only with activity.
  if (file.sessionsInWindow < options.minSessions) return [];
  const since = new Date(options.windowStart).toISOString();
  const results: HygieneFinding[] = [];
  for (const item of items) {
    const entry = item.entry;
    if (entry === null || claimed.has(item) || item.support.length > 0) continue;
    // A person's wording and a person's instruction stand until a person or newer evidence says otherwise.
    if (entry.writtenBy !== 'reverie' || entry.findingKind === 'user-correction') continue;
    const writtenAt = timeOf(entry.writtenAt);
    if (writtenAt === null || writtenAt >= options.windowStart) continue;
    results.push({
      kind: 'memory-hygiene',
      id: findingId(['stale', file.path, subjectKey(item)]),
      problem: 'stale',
      memoryPath: file.path,
      entryIds: [entry.id],
      detail: `${describeSubject(item.subject)} had no supporting finding in the ${describeWindow(options.retentionMs)} since ${dayOf(since)} (${file.sessionsInWindow} sessions read)`,
      supersededBy: null,
      evidence: [],
      agents: file.agent === null ? [] : [file.agent],
      sessionIds: [],
      subjects: [item.subject],
      replacement: null,
    });
  }
  return results;
}

/**
 * Finds stale, duplicate and contradicted entries in memory files.
 *
 * - **stale**: an entry Reverie wrote, older than the window, that no current finding maps to (by entry id or by
 *   the finding it came from), in a file whose agents had at least `minSessionsForStale` sessions in the window.
 * - **duplicate**: two entries, or an entry and a hand-written rule, in near-identical words
 *   (`measureEntrySimilarity`). The person's text is always the one kept.
 * - **contradicted**: an entry or hand-written rule that a current finding's lesson contradicts
 *   (`findContradiction`), when that finding was last seen after the entry was written and comes from the agents
 *   the file serves. The newest such finding wins; it is the finding's `supersededBy` and evidence.
 *
 * @returns findings sorted by file path, then contradicted, duplicate, stale, then position in the file
 * @example
 * findMemoryHygiene({ files: [snapshot], findings: [{ finding, entryId: 'use-pnpm', entryText: 'Use `pnpm`, not `npm`.', firstSeen, lastSeen }], now: clock.now().toISOString(), retentionMs: 30 * 86_400_000 })
 */
export function findMemoryHygiene(input: FindMemoryHygieneInput): HygieneFinding[] {
  const now = timeOf(input.now);
  if (now === null) throw new Error(`findMemoryHygiene: now is not an ISO time: ${input.now}`);
  const windowStart = now - input.retentionMs;
  const current = input.findings
    .filter((candidate) => candidate.finding.kind !== 'memory-hygiene')
    .sort((a, b) => (a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0));
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const results: HygieneFinding[] = [];
  for (const file of files) {
    const items = itemsOf(file, current, windowStart);
    const claimed = new Set<Item>();
    results.push(...contradictedFindings(file, items, current, claimed));
    results.push(...duplicateFindings(file, items, claimed));
    results.push(
      ...staleFindings(file, items, claimed, {
        windowStart,
        retentionMs: input.retentionMs,
        minSessions: input.minSessionsForStale ?? defaultMinSessionsForStale,
      }),
    );
  }
  return results;
}
