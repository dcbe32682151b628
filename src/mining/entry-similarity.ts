/**
 * Whether two memory entries say the same thing, by their wording: normalised tokens compared with a weighted
 * Jaccard index, where names in backticks (tools, commands, flags) weigh double and decide on their own when they
 * differ. Meant for near-identical wording only: a false match removes a rule someone relies on, a missed match
 * only leaves a redundant line, so every doubt resolves to "not the same".
 *
 * Calibration (each pair is a test in entry-similarity.test.ts):
 *
 * | A | B | score | same? |
 * |---|---|---|---|
 * | Read before Edit | Always read a file before editing | 0.75 | yes (B only adds "file") |
 * | Read before `Edit` | Always read a file before editing | 0.80 | yes |
 * | Run `npm test` before every commit. | Run the tests (`npm test`) before each commit. | 1.00 | yes |
 * | Use pnpm, not npm, to install packages. | Use `pnpm`, not `npm`, to install packages. | 1.00 | yes |
 * | Use pnpm | Use npm | 0.33 | no |
 * | Use `pnpm` to install | Use `npm` to install | 0.33 | no (a name in backticks swapped) |
 * | Run the tests before every commit | Run the linter before every commit | 0.60 | no (a word swapped: needs 0.8) |
 * | Always push to main | Never push to main | 1.00 | no (one is negated) |
 * | At most 3 retries | At most 5 retries | 0.50 | no |
 * | Use `npm` | Use `npm` only for publishing | 0.60 | no (B narrows the rule) |
 *
 * Hence the two thresholds: 0.7 when one text only adds words to the other (an elaboration, like "a file"), and
 * 0.8 when each has words the other lacks (a substitution: "tests" for "linter" keeps most words and changes the
 * rule). Short rules sit far from both; only long ones differing by one plain word can pass 0.8, and a swapped
 * name in backticks or a number never does.
 */

/** The comparable parts of an entry's text. */
export interface EntryTokens {
  /** Normalised content words (stop words and negations left out). */
  tokens: ReadonlySet<string>;
  /** The subset that appeared inside backticks: tool names, commands, flags, paths. */
  strong: ReadonlySet<string>;
  /** Content words in order, for finding a multi-word name (`git push --force`) inside a text. */
  sequence: readonly string[];
  /** How many negations ("not", "never", "don't", "avoid", ...) the text has. */
  negations: number;
}

/** How alike two entry texts are. */
export interface EntrySimilarity {
  /** Weighted Jaccard index of the two token sets, 0 to 1. */
  score: number;
  /** True when the two say the same thing in near-identical words. */
  nearDuplicate: boolean;
}

/** Score at or above which a text that only adds words to the other is the same rule. */
export const elaborationThreshold = 0.7;
/** Score at or above which two texts that each have words the other lacks are the same rule. */
export const substitutionThreshold = 0.8;

const strongWeight = 2;

// Function words and emphasis: they change neither the subject nor the instruction ("Always read" = "Read").
// "before", "after", "first", "again", "only" and "same" stay: they carry the order or scope of a rule.
// prettier-ignore
const stopWords = new Set([
  'a', 'all', 'also', 'always', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'been', 'being', 'by', 'can',
  'could', 'do', 'does', 'each', 'every', 'for', 'from', 'has', 'have', 'i', 'if', 'in', 'into', 'is', 'it',
  'its', 'just', 'make', 'me', 'must', 'my', 'of', 'on', 'or', 'our', 'please', 'should', 'so', 'sure',
  'than', 'that', 'the', 'their', 'them', 'then', 'these', 'they', 'this', 'those', 'to', 'us', 'was', 'we',
  'were', 'when', 'will', 'with', 'would', 'you', 'your',
]);

// prettier-ignore
const negationWords = new Set([
  'not', 'no', 'never', 'nor', 'avoid', 'cannot', "don't", "doesn't", "didn't", "won't", "can't", "shouldn't",
  "mustn't", "isn't", "aren't", "wasn't", "weren't",
]);

/**
 * Light suffix stripping, so "editing", "edited" and "edits" meet "edit". The stems need not be words, only agree
 * across inflections ("use", "used", "uses" and "using" all become "us"). Names with digits, dots or underscores
 * (`old_string`, `v2`) are left as they are.
 */
function stem(word: string): string {
  if (!/^[a-z]+$/.test(word)) return word;
  let result = word;
  if (result.length > 4 && result.endsWith('ies')) result = `${result.slice(0, -3)}y`;
  else if (/(ss|sh|ch|x|z)es$/.test(result)) result = result.slice(0, -2);
  else if (result.length > 3 && result.endsWith('s') && !/(ss|us|is)$/.test(result))
    result = result.slice(0, -1);
  // A stem keeps a vowel: "string" and "thing" are not "str" + "ing".
  const ending = /(ing|ed)$/.exec(result)?.[1];
  if (ending !== undefined) {
    const rest = result.slice(0, -ending.length);
    if (rest.length >= 2 && /[aeiouy]/.test(rest)) result = rest;
  }
  if (result.length >= 3 && result.endsWith('e')) result = result.slice(0, -1);
  // "committing" → "committ" → "commit", "running" → "runn" → "run".
  if (/([b-df-hj-np-tv-z])\1$/.test(result) && !/(ll|ss|zz)$/.test(result)) result = result.slice(0, -1);
  return result;
}

/** Words of plain prose: contractions kept whole so "don't" counts as a negation. */
function proseWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9_]+(?:'[a-z]+)?/g) ?? [];
}

/** Words of a name in backticks: flags and paths stay whole (`--no-verify`, `src/app.ts`), leading dashes dropped. */
function nameWords(span: string): string[] {
  return span
    .toLowerCase()
    .split(/[^a-z0-9_.\-/@+]+/)
    .map((word) => word.replace(/^[-./]+|[-./]+$/g, ''))
    .filter((word) => word !== '');
}

/**
 * Splits an entry's text into comparable tokens. The list bullet and Markdown emphasis are ignored.
 * @param text an entry's text or a hand-written list item, with or without its bullet
 */
export function tokenizeEntryText(text: string): EntryTokens {
  const body = text
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
    .replace(/\*\*|__|~~/g, '')
    .replace(/[\u2018\u2019]/g, "'");
  const tokens = new Set<string>();
  const strong = new Set<string>();
  const sequence: string[] = [];
  let negations = 0;
  const addWord = (word: string, isStrong: boolean): void => {
    if (negationWords.has(word)) {
      negations++;
      return;
    }
    if (!isStrong && stopWords.has(word)) return;
    const token = stem(word);
    tokens.add(token);
    sequence.push(token);
    if (isStrong) strong.add(token);
  };
  // Odd parts of the split are the insides of backtick pairs; an unpaired backtick leaves plain text.
  const parts = body.split('`');
  const paired = parts.length % 2 === 1 ? parts : [...parts.slice(0, -2), parts.slice(-2).join('`')];
  paired.forEach((part, index) => {
    const words = index % 2 === 1 ? nameWords(part) : proseWords(part);
    for (const word of words) addWord(word, index % 2 === 1);
  });
  return { tokens, strong, sequence, negations };
}

function weight(token: string, a: EntryTokens, b: EntryTokens): number {
  return a.strong.has(token) || b.strong.has(token) ? strongWeight : 1;
}

/** Tokens of `a` that `b` lacks. */
function difference(a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  return [...a].filter((token) => !b.has(token));
}

/**
 * Compares two entry texts (see the calibration table at the top of this file).
 * @example measureEntrySimilarity('Read before Edit', 'Always read a file before editing') // { score: 0.75, nearDuplicate: true }
 */
export function measureEntrySimilarity(a: string, b: string): EntrySimilarity {
  return compareEntryTokens(tokenizeEntryText(a), tokenizeEntryText(b));
}

/** {@link measureEntrySimilarity} over texts already tokenised (to compare many pairs without re-tokenising). */
export function compareEntryTokens(a: EntryTokens, b: EntryTokens): EntrySimilarity {
  let shared = 0;
  let total = 0;
  for (const token of new Set([...a.tokens, ...b.tokens])) {
    const tokenWeight = weight(token, a, b);
    total += tokenWeight;
    if (a.tokens.has(token) && b.tokens.has(token)) shared += tokenWeight;
  }
  const score = total === 0 ? 0 : shared / total;
  const onlyA = difference(a.tokens, b.tokens);
  const onlyB = difference(b.tokens, a.tokens);
  // A name in backticks is what a rule is about: `pnpm` for `npm` is a different rule, however alike the rest.
  const strongSwapped =
    onlyA.some((token) => weight(token, a, b) === strongWeight) &&
    onlyB.some((token) => weight(token, a, b) === strongWeight);
  const threshold = onlyA.length > 0 && onlyB.length > 0 ? substitutionThreshold : elaborationThreshold;
  const nearDuplicate =
    total > 0 && !strongSwapped && a.negations === b.negations && score >= threshold - 1e-9;
  return { score, nearDuplicate };
}
