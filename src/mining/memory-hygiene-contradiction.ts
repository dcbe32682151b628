/**
 * Whether a newer lesson contradicts an older memory entry. Scoped tightly on purpose: a false contradiction
 * replaces knowledge that was right (Graphiti's global search retired 41% of facts, many wrongly), a missed one only
 * leaves an outdated line until the next dream. So a contradiction needs one of two concrete signals:
 *
 * - **a rejected name**: the newer text rejects a name ("Use `pnpm`, not `npm`", "never use `git push --force`",
 *   "pnpm instead of npm") and the older entry recommends exactly that name, without negating it and without
 *   naming the preferred one, and is about the same thing (most of its other words appear in the newer lesson or
 *   in the corrected action the evidence quotes). "Install dependencies with `npm install`" is contradicted by
 *   "Use pnpm, not npm" corrected on `npm install`; "Run `npm test` before every commit" is not, it is another rule;
 * - **a changed recommendation of the same lesson**: the two texts come from the same finding or entry id, and each
 *   names a tool or command the other does not (`Glob` then `Bash` became `Read` then `Bash`). A tool merely added
 *   to the list, a reordering or new counts are updates, not contradictions.
 */
import { tokenizeEntryText } from './entry-similarity.js';
import type { EntryTokens } from './entry-similarity.js';

/** A name a text rejects, with the one it prefers when it says so. */
export interface RejectedName {
  /** As written, with backticks when it had them ("`npm`"). */
  rejected: string;
  preferred: string | null;
  rejectedTokens: readonly string[];
  preferredTokens: readonly string[] | null;
}

/** Why an older entry is contradicted, in one phrase for a finding's detail. */
export interface Contradiction {
  kind: 'rejected-name' | 'changed-recommendation';
  /** E.g. "recommends `npm`, which the newer evidence rejects in favour of `pnpm`". */
  description: string;
}

// A name: a span in backticks, or one bare word that looks like a command or package ("pnpm", "uv", "node@20"),
// without the sentence's trailing punctuation.
const name = '(`[^`\\n]+`|[A-Za-z0-9](?:[\\w.@/+-]*[A-Za-z0-9_@+])?)';
const verb = '(?:use|using|run|running|call|calling|invoke|invoking|prefer|choose|pick)';
const patterns: readonly {
  regex: RegExp;
  rejected: number;
  preferred: number | null;
  verb: number | null;
}[] = [
  // "Use pnpm, not npm" / "run `pnpm` and not `npm`"
  {
    regex: new RegExp(`\\b(${verb}\\s+)?${name}\\s*,?\\s*(?:and\\s+)?not\\s+${name}`, 'gi'),
    preferred: 2,
    rejected: 3,
    verb: 1,
  },
  // "Use pnpm instead of npm" / "`rg` rather than `grep`"
  {
    regex: new RegExp(`\\b(${verb}\\s+)?${name}\\s+(?:instead\\s+of|rather\\s+than)\\s+${name}`, 'gi'),
    preferred: 2,
    rejected: 3,
    verb: 1,
  },
  // "Instead of npm, use pnpm"
  {
    regex: new RegExp(`\\b(?:instead\\s+of|rather\\s+than)\\s+${name}\\s*,\\s*(${verb}\\s+)${name}`, 'gi'),
    rejected: 1,
    preferred: 3,
    verb: 2,
  },
  // "Never use npm" / "don't run `git push --force`" / "avoid `sudo`"
  {
    regex: new RegExp(`\\b(?:don't|do\\s+not|never|avoid)\\s+(${verb}\\s+)?${name}`, 'gi'),
    rejected: 2,
    preferred: null,
    verb: 1,
  },
];

function isQuoted(text: string): boolean {
  return text.startsWith('`');
}

/** Verbs every rule uses; they say nothing about what the rule is about. */
const genericVerbs = new Set(['us', 'run', 'call', 'invok', 'prefer', 'choos', 'pick']);

/**
 * The names a text rejects. A bare word counts only after a verb ("use npm") or beside a name in backticks, so
 * "the tests, not the build" or "never push to main" reject nothing: too vague to replace anything with.
 */
export function findRejectedNames(text: string): RejectedName[] {
  const found: RejectedName[] = [];
  const plain = text.replace(/[\u2018\u2019]/g, "'");
  for (const pattern of patterns) {
    for (const match of plain.matchAll(pattern.regex)) {
      const rejected = match[pattern.rejected];
      if (rejected === undefined) continue;
      const preferred = pattern.preferred === null ? null : (match[pattern.preferred] ?? null);
      const hasVerb = pattern.verb !== null && match[pattern.verb] !== undefined;
      if (!hasVerb && !isQuoted(rejected) && (preferred === null || !isQuoted(preferred))) continue;
      const rejectedTokens = tokenizeEntryText(rejected).sequence;
      if (rejectedTokens.length === 0 || rejectedTokens.every((token) => genericVerbs.has(token))) continue;
      const preferredTokens = preferred === null ? null : tokenizeEntryText(preferred).sequence;
      if (found.some((known) => sameSequence(known.rejectedTokens, rejectedTokens))) continue;
      found.push({ rejected, preferred, rejectedTokens, preferredTokens });
    }
  }
  return found;
}

function sameSequence(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((token, index) => token === b[index]);
}

/** Whether `sequence` contains `part` as consecutive tokens. */
function containsSequence(sequence: readonly string[], part: readonly string[]): boolean {
  if (part.length === 0) return false;
  for (let start = 0; start + part.length <= sequence.length; start++) {
    if (part.every((token, offset) => sequence[start + offset] === token)) return true;
  }
  return false;
}

/**
 * Share of the older entry's words, other than the rejected name and generic verbs, that the newer side also has.
 * An entry that is nothing but "use X" is entirely about X.
 */
function subjectOverlap(older: EntryTokens, rejected: readonly string[], scope: ReadonlySet<string>): number {
  const rest = [...older.tokens].filter((token) => !rejected.includes(token) && !genericVerbs.has(token));
  if (rest.length === 0) return 1;
  return rest.filter((token) => scope.has(token)).length / rest.length;
}

/** Minimum share of the older entry's other words found on the newer side for it to be about the same thing. */
export const subjectOverlapThreshold = 0.5;

/** Lowercased names in backticks, for naming what changed. */
function quotedNames(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((match) => (match[1] ?? '').trim().toLowerCase());
}

function listNames(names: readonly string[]): string {
  return names.map((text) => `\`${text}\``).join(', ');
}

/**
 * Whether `newer` contradicts `older` (see the file comment for the two signals).
 * @param options.sameLesson the two come from the same finding or entry id: a changed recommendation counts
 * @param options.scopeTexts other words of the newer evidence that say what it is about (e.g. the quoted action a
 * correction answered); they widen the subject check, never the names
 * @returns what contradicts, or null
 */
export function findContradiction(options: {
  older: string;
  newer: string;
  sameLesson: boolean;
  scopeTexts?: readonly string[];
}): Contradiction | null {
  const { older, newer, sameLesson } = options;
  if (older.trim() === newer.trim()) return null;
  const olderTokens = tokenizeEntryText(older);
  const newerTokens = tokenizeEntryText(newer);
  const scope = new Set(newerTokens.tokens);
  for (const text of options.scopeTexts ?? []) {
    for (const token of tokenizeEntryText(text).tokens) scope.add(token);
  }

  for (const rejection of findRejectedNames(newer)) {
    // An entry that negates anything may already say "not X"; reading its polarity is beyond word matching.
    if (olderTokens.negations > 0) continue;
    if (!containsSequence(olderTokens.sequence, rejection.rejectedTokens)) continue;
    if (
      rejection.preferredTokens !== null &&
      containsSequence(olderTokens.sequence, rejection.preferredTokens)
    ) {
      continue;
    }
    if (
      !sameLesson &&
      subjectOverlap(olderTokens, rejection.rejectedTokens, scope) < subjectOverlapThreshold
    ) {
      continue;
    }
    const preferred = rejection.preferred === null ? '' : ` in favour of ${rejection.preferred}`;
    return {
      kind: 'rejected-name',
      description: `recommends ${rejection.rejected}, which the newer evidence rejects${preferred}`,
    };
  }

  if (sameLesson) {
    const removed = [...olderTokens.strong].filter((token) => !newerTokens.strong.has(token));
    const added = [...newerTokens.strong].filter((token) => !olderTokens.strong.has(token));
    if (removed.length > 0 && added.length > 0) {
      const olderNames = quotedNames(older);
      const newerNames = quotedNames(newer);
      const was = olderNames.filter((text) => !newerNames.includes(text));
      const now = newerNames.filter((text) => !olderNames.includes(text));
      return {
        kind: 'changed-recommendation',
        description: `recommends ${listNames(was.length > 0 ? was : removed)} where the same lesson now recommends ${listNames(now.length > 0 ? now : added)}`,
      };
    }
  }
  return null;
}
