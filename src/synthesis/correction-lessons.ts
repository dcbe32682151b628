/**
 * Lessons for user corrections: the person's own instruction, short and imperative, with the commands and code it
 * names in backticks ("Use `pnpm`, not `npm`."). Nothing is added that the person did not say: words that correct
 * without instructing ("why did you delete that?"), or that only make sense inside the conversation ("put it in the
 * class"), are skipped with the reason, because a vague rule makes agents worse, not better.
 */
import type { UserCorrectionFinding } from '../domain/finding.js';
import { hashText } from '../domain/hash.js';
import { parseCorrectionKey } from '../mining/user-correction-patterns.js';
import type { LessonResult } from './tool-error-lessons.js';

/** An entry longer than this is a paragraph, not a rule. */
const maxEntryLength = 200;

// "Put it in the class.", "Don't do that.", "Don't mess with its border.": the instruction's object is something
// only the conversation shows.
const contextBound =
  /^(?:(?:don'?t|do not|never|always|stop|avoid)\s+)?[\p{L}-]+\s+(?:that|this|those|these|one)\b(?!\s*[`"'])|\b(?:it|its|them|their)\b/iu;

/** The statement without its code and quotes, where a pronoun is only a word of code. */
function prose(statement: string): string {
  return statement.replace(/`[^`]*`|"[^"]*"/g, ' ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function describeReason(finding: UserCorrectionFinding): string {
  const once = finding.sessionCount === 1;
  if (finding.standing && once) {
    const times = finding.occurrenceCount === 1 ? 'once' : `${finding.occurrenceCount} times`;
    return `standing instruction given ${times} (session ${finding.sessionIds[0] ?? 'unknown'})`;
  }
  const standing = finding.standing ? ', stated as a standing instruction' : '';
  const tool = finding.correctedTool === null ? '' : `, answering \`${finding.correctedTool}\` calls`;
  return `${plural(finding.occurrenceCount, 'correction')} in ${plural(finding.sessionCount, 'session')}${standing}${tool}`;
}

/**
 * Patterns a hand-written line must all match to say the same thing: the instruction's object words (stems, so
 * "caching" matches "cache"), and its polarity: a negative instruction needs a negation, a positive one must not
 * negate its object.
 */
function coveringPatterns(negative: boolean, words: readonly string[]): RegExp[] {
  const terms = words.length > 1 ? words.slice(1) : words;
  const patterns = terms.map(
    (term) => new RegExp(`${/^\w/.test(term) ? '\\b' : ''}${escapeRegExp(term)}`, 'i'),
  );
  if (negative) {
    // Whole words only: the "no" of `--no-git` is not a negation.
    patterns.push(/(?<![\w-])(?:don'?t|do not|never|avoid|not|no)(?![\w-])/i);
  } else if (terms[0] !== undefined) {
    patterns.push(
      new RegExp(`^(?!.*\\b(?:don'?t|do not|never|avoid)\\s+(?:\\S+\\s+)?${escapeRegExp(terms[0])})`, 'i'),
    );
  }
  return patterns;
}

/** The memory-entry id of a correction's lesson: stable from its key, so a later dream updates it. */
export function correctionEntryId(key: string): string {
  return `pref-${hashText(key).slice(0, 10)}`;
}

/**
 * The lesson for a user correction, or why there is none.
 * @returns `{ lesson }` whose text is the person's instruction, or `{ skip: reason }`
 */
export function lessonForUserCorrection(finding: UserCorrectionFinding): LessonResult {
  const parsed = parseCorrectionKey(finding.key);
  const statement = finding.statement.trim();
  if (parsed.remark || statement.endsWith('?')) {
    return {
      skip: `the person's words correct without stating an instruction ("${statement}"); the finding stays in the report`,
    };
  }
  if (contextBound.test(prose(statement))) {
    return {
      skip: `the instruction refers to something only the conversation shows ("${statement}"), so it cannot stand alone as a rule`,
    };
  }
  if (statement.length > maxEntryLength) {
    return { skip: `the instruction is too long to be one memory entry (${statement.length} characters)` };
  }
  if (parsed.words.length === 0) {
    return { skip: `the instruction names nothing concrete ("${statement}")` };
  }
  return {
    lesson: {
      entryId: correctionEntryId(finding.key),
      supersedes: [],
      text: statement,
      reason: describeReason(finding),
      coveredBy: coveringPatterns(parsed.negative, parsed.words),
    },
  };
}
