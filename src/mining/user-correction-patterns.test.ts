import { describe, expect, it } from 'vitest';
import {
  commandHead,
  extractRejectionReason,
  matchUserCorrection,
  parseCorrectionKey,
} from './user-correction-patterns.js';
import type { CorrectionContext } from './user-correction-patterns.js';

const followUp: CorrectionContext = { origin: 'turn', followsAgentAction: true, correctedCommand: null };
const firstTurn: CorrectionContext = { ...followUp, followsAgentAction: false };

function match(text: string, context: CorrectionContext = followUp) {
  return matchUserCorrection(text, context);
}

// Quoted turns come from fixtures/aider/gauthier.aider.chat.history.md (aider) and fixtures/claude-code (Claude Code)
// unless marked as written for the test.
describe('matchUserCorrection', () => {
  it('turns "don\'t use X use Y" into the instruction with its alternative', () => {
    expect(match("don't use `IgnorantTemporaryDirectory` use GitTemporaryDirectory")).toEqual({
      pattern: 'negative',
      sentence: "don't use `IgnorantTemporaryDirectory` use GitTemporaryDirectory",
      standing: false,
      statement: 'Use `GitTemporaryDirectory`, not `IgnorantTemporaryDirectory`.',
      key: 'us gittemporarydirectory',
    });
    expect(match("don't use confirm(), just prompt()")).toMatchObject({
      statement: 'Use `prompt()`, not `confirm()`.',
      key: 'us prompt',
    });
    expect(match("don't use TAGs_CACHE, use self.map_cache")).toMatchObject({
      statement: 'Use `self.map_cache`, not `TAGs_CACHE`.',
      key: 'us self.map_cache',
    });
  });

  it('does not take a reason after the comma for the alternative', () => {
    // Written for the test.
    expect(match("don't use npm, it breaks the lockfile")).toMatchObject({
      statement: "Don't use npm, it breaks the lockfile.",
      key: 'not us npm',
    });
    expect(match("but don't assume english as a fallback, just omit the language info.")).toMatchObject({
      statement: "Don't assume english as a fallback, just omit the language info.",
      key: 'not assum english',
    });
  });

  it('gives rewordings of the same instruction one key', () => {
    const keys = [
      "don't use `IgnorantTemporaryDirectory` use GitTemporaryDirectory",
      'use `GitTemporaryDirectory`',
      'use a `GitTemporaryDirectory`',
      'use `GitTemporaryDirectory` and `import git` not os.system',
    ].map((text) => match(text)?.key);
    expect(new Set(keys)).toEqual(new Set(['us gittemporarydirectory']));
    // Written for the test: a stop, a don't and a never say the same thing.
    expect(match('Stop adding comments to every line.')?.key).toBe('not add comment');
    expect(match("Don't add comments to every line")?.key).toBe('not add comment');
    expect(match('I told you to use pnpm')?.key).toBe(match('use pnpm')?.key);
  });

  it('never gives an instruction and its negation the same key', () => {
    expect(match('use npm')?.key).toBe('us npm');
    expect(match("don't use npm")?.key).toBe('not us npm');
    expect(match('Always push to main.')?.key).not.toBe(match('Never push to main.')?.key);
  });

  it('takes the sentence that carries the instruction, verbatim', () => {
    const text =
      "no, don't mock completion. mock the httpx library which completion uses to actually make the http request";
    expect(match(text)).toMatchObject({
      pattern: 'no',
      sentence: "no, don't mock completion.",
      statement: "Don't mock completion.",
      key: 'not mock completion',
    });
    const clause = match(
      "I have both Node and Python, but I don't want to make it only work for me or make assumptions about people's env. Would there be a cross-platform solution?",
    );
    expect(clause).toMatchObject({
      pattern: 'unwanted',
      sentence: "but I don't want to make it only work for me or make assumptions about people's env.",
    });
  });

  it('reads contrasts, "instead" and "I don\'t want to"', () => {
    expect(match('catch SuitableRepoNotFound not `FileNotFoundError`')).toMatchObject({
      pattern: 'not-but',
      statement: 'Catch `SuitableRepoNotFound`, not `FileNotFoundError`.',
      key: 'catch suitablereponotfound',
    });
    expect(
      match(
        'there is no abs_read_only_fnames param to __init__. instead, add a read_only_fnames param, and use it when doing the from_coder init',
      ),
    ).toMatchObject({ pattern: 'instead', key: 'add read_only_fnames param' });
    expect(match("i don't want to modify the config")).toMatchObject({
      pattern: 'unwanted',
      statement: "Don't modify the config.",
      key: 'not modify config',
    });
    expect(match('keep the backticks for other autocompletes, just not filenames')).toMatchObject({
      statement: 'Keep the backticks for other autocompletes, not filenames.',
    });
  });

  it('keeps code the person typed, and puts other code in backticks', () => {
    expect(match('do not elide code in a S/R block with "#... (existing test code"')).toMatchObject({
      statement: 'Do not elide code in a `S/R` block with "#... (existing test code".',
      key: 'not elid cod',
    });
    expect(match("don't use --no-git in those tests")).toMatchObject({
      statement: "Don't use `--no-git` in those tests.",
      key: 'not us --no-git',
    });
  });

  it('names the command a bare "use X" replaces', () => {
    const rejection: CorrectionContext = {
      origin: 'rejection',
      followsAgentAction: true,
      correctedCommand: 'npm install',
    };
    // Claude Code 2.0.x rejection reason in fixtures/claude-code (JSSoundRecorder).
    expect(match(' use pnpm', rejection)).toMatchObject({
      pattern: 'use',
      sentence: 'use pnpm',
      statement: 'Use `pnpm`, not `npm`.',
      key: 'us pnpm',
    });
    expect(match('use pnpm', { ...rejection, correctedCommand: 'npx vite' })?.statement).toBe('Use pnpm.');
  });

  it('marks standing instructions, which need no earlier agent action', () => {
    // Written for the test: the corpora hold no standing instruction.
    expect(match('From now on, always run `npm test` before committing.', firstTurn)).toMatchObject({
      pattern: 'standing',
      standing: true,
      statement: 'Always run `npm test` before committing.',
      key: 'run npm test',
    });
    expect(match('In this repo we use pnpm, not npm.', firstTurn)).toMatchObject({
      standing: true,
      statement: 'Use pnpm, not npm.',
      key: 'us pnpm',
    });
    expect(match('Never push to main.', firstTurn)).toMatchObject({ standing: true, key: 'not push main' });
    expect(match('Going forward, never commit directly to main.', firstTurn)).toMatchObject({
      standing: true,
      statement: 'Never commit directly to main.',
      key: 'not commit main',
    });
    expect(match('Please remember to update the CHANGELOG.', firstTurn)).toMatchObject({
      pattern: 'remember',
      standing: true,
      statement: 'Update the CHANGELOG.',
    });
  });

  it('does not take "always" late in a turn for a standing rule', () => {
    const text =
      'the main prompt sometimes shows 1 file right before the >, and shows multiple files on the line before. always show on line before, even 1 file';
    expect(match(text)).toMatchObject({ pattern: 'always-never', standing: false });
  });

  it('keeps reproaches and clarifications as remarks, with no instruction', () => {
    expect(match('Why did you delete the tests?')).toMatchObject({
      pattern: 'reproach',
      statement: 'Why did you delete the tests?',
      key: 'remark: why delet test',
    });
    expect(match('no, i mean for processing that run inside the image')).toMatchObject({
      pattern: 'clarification',
      statement: 'I mean for processing that run inside the image.',
    });
    // OpenHands fixture.
    expect(match("No, I mean by Goldbach's conjecture!")?.key).toMatch(/^remark: /);
    expect(match('no. i just want to increase the height if we are on a small screen.')).toMatchObject({
      pattern: 'no',
      sentence: 'i just want to increase the height if we are on a small screen.',
    });
    expect(match('you forgot to run the tests')).toMatchObject({
      statement: 'Run the tests.',
      key: 'run test',
    });
  });

  it('ignores questions, chit-chat, agreement and dismay', () => {
    for (const text of [
      'Do we even need _generate_html_with_combined_link then?',
      'Never mind! But I\'d like to ask you to add a `<details>` element with the title "Implementation details"',
      'Oh no, we lost the session navigation section from the combined transcript somehow :(',
      'yes do that, rather than just guessing based on the content',
      "Don't worry about reading the figures for now. Focus on the text",
      'thanks!',
      'no',
      'hi',
    ]) {
      expect(match(text), text).toBeNull();
    }
  });

  it('ignores task steps that only look like corrections', () => {
    for (const text of [
      'use them in models.py',
      'use `get_head` in `cmd_diff`',
      'change show_undo_hint to only show it if the current head is not `commit_before_message`',
      'add a /read command that will load a filename from anywhere (not just the git repo) and add it to abs_read_only_fnames.',
      'add tests for --map-tokens: use with gpt-4o and --map-tokens 0. mock RepoMap and ensure it is not called',
    ]) {
      expect(match(text), text).toBeNull();
    }
  });

  it('ignores corrections before the agent did anything', () => {
    expect(match("don't use confirm(), just prompt()", firstTurn)).toBeNull();
  });

  it('ignores long turns: a correction is a sentence or two', () => {
    const pasted = [
      "don't use --no-git in those tests",
      '>       mock_get.assert_called_once()',
      'tests/basic/test_sendchat.py:52:',
      'E   AssertionError: Expected mock to have been called once. Called 0 times.',
      '_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _',
      'FAILED tests/basic/test_sendchat.py::TestSendChat::test_send_with_retries',
      '1 failed, 3 passed in 0.52s',
    ].join('\n');
    expect(match(pasted)).toBeNull();
    expect(match(`Don't use npm. ${'Here is what the build does. '.repeat(15)}`)).toBeNull();
  });

  it('drops what Claude Code injects into a typed message', () => {
    const text =
      '<ide_selection>The user selected the lines 1 to 1 from /repo/a.py:\nimport os\n\nThis may or may not be related to the current task.</ide_selection>use pnpm';
    expect(match(text)).toMatchObject({ sentence: 'use pnpm', key: 'us pnpm' });
    expect(match('[Request interrupted by user for tool use]')).toBeNull();
  });
});

describe('extractRejectionReason', () => {
  it("keeps only the person's words of a Claude Code rejection", () => {
    expect(
      extractRejectionReason(
        "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). The user provided the following reason for the rejection:  use pnpm",
      ),
    ).toBe('use pnpm');
    expect(
      extractRejectionReason(
        "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). To tell you how to proceed, the user said:\nuse pnpm",
      ),
    ).toBe('use pnpm');
  });

  it('returns nothing when the person gave no reason', () => {
    expect(
      extractRejectionReason(
        "The user doesn't want to take this action right now. STOP what you are doing and wait for the user to tell you how to proceed.",
      ),
    ).toBe('');
    expect(extractRejectionReason('[Request interrupted by user for tool use]')).toBe('');
  });
});

describe('commandHead', () => {
  it('finds the command past environment assignments and wrappers', () => {
    expect(commandHead('npm install')).toBe('npm');
    expect(commandHead('CI=1 sudo pnpm i')).toBe('pnpm');
    expect(commandHead('$(which npm) install')).toBeNull();
  });
});

describe('parseCorrectionKey', () => {
  it('splits a key into polarity and words', () => {
    expect(parseCorrectionKey('not us npm')).toEqual({ remark: false, negative: true, words: ['us', 'npm'] });
    expect(parseCorrectionKey('us pnpm')).toEqual({ remark: false, negative: false, words: ['us', 'pnpm'] });
    expect(parseCorrectionKey('remark: why delet test')).toEqual({ remark: true });
  });
});
