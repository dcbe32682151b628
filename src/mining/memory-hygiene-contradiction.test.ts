import { describe, expect, it } from 'vitest';
import { findContradiction, findRejectedNames } from './memory-hygiene-contradiction.js';

function rejected(text: string): [string, string | null][] {
  return findRejectedNames(text).map((name) => [name.rejected, name.preferred]);
}

describe('findRejectedNames', () => {
  it('reads "use X, not Y", "X instead of Y", "instead of Y, use X" and "never use Y"', () => {
    expect(rejected('Use pnpm, not npm.')).toEqual([['npm', 'pnpm']]);
    expect(rejected('Run `pnpm` and not `npm`.')).toEqual([['`npm`', '`pnpm`']]);
    expect(rejected('Use `rg` instead of `grep` to search.')).toEqual([['`grep`', '`rg`']]);
    expect(rejected('Instead of npm, use pnpm.')).toEqual([['npm', 'pnpm']]);
    expect(rejected("Don't run `git push --force` on shared branches.")).toEqual([
      ['`git push --force`', null],
    ]);
    expect(rejected('Never use yarn here.')).toEqual([['yarn', null]]);
  });

  it('rejects nothing in vague or explanatory negations', () => {
    expect(rejected('Never push to main.')).toEqual([]);
    expect(rejected('Do not edit files you have not read.')).toEqual([]);
    expect(rejected('These tools refuse a file that has not been read.')).toEqual([]);
    expect(rejected('Check the tests, not the build.')).toEqual([]);
    expect(rejected('Use it, not just the docs.')).toEqual([]);
  });
});

describe('findContradiction', () => {
  const pnpm = 'Use pnpm, not npm.';

  it('finds an entry recommending the rejected name, on the same subject', () => {
    expect(findContradiction({ older: 'Use `npm`.', newer: pnpm, sameLesson: false })).toEqual({
      kind: 'rejected-name',
      description: 'recommends npm, which the newer evidence rejects in favour of pnpm',
    });
    expect(
      findContradiction({
        older: 'Install dependencies with `npm install`.',
        newer: 'Use pnpm, not npm, to install dependencies.',
        sameLesson: false,
      }),
    ).not.toBeNull();
  });

  it('takes the subject from the corrected action the evidence quotes', () => {
    const older = 'Install dependencies with `npm install`.';
    expect(findContradiction({ older, newer: pnpm, sameLesson: false })).toBeNull();
    expect(
      findContradiction({ older, newer: pnpm, sameLesson: false, scopeTexts: ['npm install lodash'] }),
    ).not.toBeNull();
    // The corrections miner writes statements with code in backticks.
    expect(
      findContradiction({
        older,
        newer: 'Use `pnpm`, not `npm`.',
        sameLesson: false,
        scopeTexts: ['npm install lodash'],
      }),
    ).toEqual({
      kind: 'rejected-name',
      description: 'recommends `npm`, which the newer evidence rejects in favour of `pnpm`',
    });
  });

  it('leaves another rule that merely mentions the name', () => {
    for (const older of [
      'Run `npm test` before every commit.',
      'Use `npm` workspaces for the monorepo packages.',
      '`npm ci` is faster than `npm install` in CI.',
    ]) {
      expect(
        findContradiction({ older, newer: pnpm, sameLesson: false, scopeTexts: ['npm install'] }),
      ).toBeNull();
    }
  });

  it('leaves an entry that already agrees, names both, or negates anything', () => {
    for (const older of [
      'Use pnpm.',
      'Use `npm` to publish and `pnpm` for everything else.',
      "Don't use npm.",
      '`npm` is not available on the CI runners.',
    ]) {
      expect(findContradiction({ older, newer: pnpm, sameLesson: false })).toBeNull();
    }
  });

  it('does not match across different tools', () => {
    expect(findContradiction({ older: 'Use `yarn`.', newer: pnpm, sameLesson: false })).toBeNull();
    expect(
      findContradiction({
        older: 'Use `rg` to search.',
        newer: 'Use `fd` instead of `find`.',
        sameLesson: false,
      }),
    ).toBeNull();
  });

  it('finds a changed recommendation of the same lesson, but not new counts or an added tool', () => {
    const older =
      'When `Bash` (`uv run pytest`) fails with "ERROR: file or directory not found: <path>", what worked was `Glob`, then `Bash` again (2 of 7 times).';
    const changed = older.replace('`Glob`', '`Read`').replace('2 of 7', '5 of 9');
    expect(findContradiction({ older, newer: changed, sameLesson: true })).toEqual({
      kind: 'changed-recommendation',
      description: 'recommends `glob` where the same lesson now recommends `read`',
    });
    expect(findContradiction({ older, newer: changed, sameLesson: false })).toBeNull();
    expect(
      findContradiction({ older, newer: older.replace('2 of 7', '6 of 11'), sameLesson: true }),
    ).toBeNull();
    const readFirst =
      'Before `Edit` or `Write` on an existing file, `Read` it first in the same session: these tools refuse a file that has not been read.';
    const withMultiEdit = readFirst.replace('`Edit` or `Write`', '`Edit`, `MultiEdit` or `Write`');
    expect(findContradiction({ older: readFirst, newer: withMultiEdit, sameLesson: true })).toBeNull();
  });

  it('returns null for the same text', () => {
    expect(findContradiction({ older: pnpm, newer: ` ${pnpm} `, sameLesson: true })).toBeNull();
  });
});
