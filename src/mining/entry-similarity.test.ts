import { describe, expect, it } from 'vitest';
import {
  elaborationThreshold,
  measureEntrySimilarity,
  substitutionThreshold,
  tokenizeEntryText,
} from './entry-similarity.js';

describe('tokenizeEntryText', () => {
  it('drops the bullet, emphasis, stop words and emphasis words, and stems inflections', () => {
    const tokens = tokenizeEntryText('- **Always** read the files before editing them.');
    expect([...tokens.tokens]).toEqual(['read', 'fil', 'befor', 'edit']);
    expect(tokens.strong.size).toBe(0);
    expect(tokens.negations).toBe(0);
  });

  it('keeps names in backticks as strong tokens, flags and paths whole', () => {
    const tokens = tokenizeEntryText(
      'Run `git push --force-with-lease` from `src/app.ts`, never `--no-verify`.',
    );
    expect([...tokens.strong]).toEqual(['git', 'push', 'force-with-lease', 'src/app.ts', 'no-verify']);
    expect(tokens.negations).toBe(1);
  });

  it('counts negations, curly apostrophes included, and leaves them out of the tokens', () => {
    const tokens = tokenizeEntryText('Don’t use npm; do not run yarn, avoid bun.');
    expect(tokens.negations).toBe(3);
    expect(tokens.tokens.has('not')).toBe(false);
    expect([...tokens.tokens]).toEqual(['us', 'npm', 'run', 'yarn', 'bun']);
  });

  it('brings the inflections of a word to one stem', () => {
    const stems = (words: string) => [...tokenizeEntryText(words).tokens];
    expect(new Set(stems('use uses used using'))).toEqual(new Set(['us']));
    expect(new Set(stems('commit commits committed committing'))).toEqual(new Set(['commit']));
    expect(new Set(stems('edit edits edited editing'))).toEqual(new Set(['edit']));
    expect(new Set(stems('string strings'))).toEqual(new Set(['string']));
    expect(stems('`old_string` `replace_all`')).toEqual(['old_string', 'replace_all']);
  });

  it('reads an unpaired backtick as plain text', () => {
    expect(tokenizeEntryText('Use `npm here').strong.size).toBe(0);
  });
});

describe('measureEntrySimilarity', () => {
  // The calibration table in entry-similarity.ts: each row is asserted here.
  const calibration: [string, string, number, boolean][] = [
    ['Read before Edit', 'Always read a file before editing', 0.75, true],
    ['Read before `Edit`', 'Always read a file before editing', 0.8, true],
    ['Run `npm test` before every commit.', 'Run the tests (`npm test`) before each commit.', 1, true],
    ['Use pnpm, not npm, to install packages.', 'Use `pnpm`, not `npm`, to install packages.', 1, true],
    ['Use pnpm', 'Use npm', 1 / 3, false],
    ['Use `pnpm` to install', 'Use `npm` to install', 1 / 3, false],
    ['Run the tests before every commit', 'Run the linter before every commit', 0.6, false],
    ['Always push to main', 'Never push to main', 1, false],
    ['At most 3 retries', 'At most 5 retries', 0.5, false],
    ['Use `npm`', 'Use `npm` only for publishing', 0.6, false],
  ];
  it.each(calibration)('scores "%s" against "%s" as %d (same: %s)', (a, b, score, same) => {
    const result = measureEntrySimilarity(a, b);
    expect(result.score).toBeCloseTo(score, 5);
    expect(result.nearDuplicate).toBe(same);
  });

  it('is symmetric', () => {
    for (const [a, b] of calibration) {
      expect(measureEntrySimilarity(b, a)).toEqual(measureEntrySimilarity(a, b));
    }
  });

  it('needs the higher threshold when each text has words the other lacks', () => {
    expect(substitutionThreshold).toBeGreaterThan(elaborationThreshold);
    // 10 of 12 plain words shared (0.83 ≥ 0.8): a long rule with one plain word changed still matches...
    const long = 'Run the full unit test suite locally with coverage before you push any branch upstream';
    expect(measureEntrySimilarity(long, long.replace('locally', 'quietly')).nearDuplicate).toBe(true);
    // ...but never when the swapped word is a name in backticks.
    const named =
      'Run the full unit test suite with `vitest` and coverage before you push any branch upstream';
    expect(measureEntrySimilarity(named, named.replace('vitest', 'jest')).nearDuplicate).toBe(false);
  });

  it('never matches texts without content words', () => {
    expect(measureEntrySimilarity('Do it.', 'Do it.')).toEqual({ score: 0, nearDuplicate: false });
  });

  it('matches Reverie wording against the same rule written as a hand list item', () => {
    const entry =
      "Copy `Edit`'s `old_string` exactly from a fresh `Read` of the file (same indentation, quotes and line breaks); never retype it from memory.";
    const hand =
      "- Copy `Edit`'s `old_string` exactly from a fresh `Read` of the file (same indentation and quotes); never retype it from memory.";
    expect(measureEntrySimilarity(entry, hand).nearDuplicate).toBe(true);
  });
});
