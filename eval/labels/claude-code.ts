/**
 * Labelled set: the Claude Code corpus (fixtures/claude-code: 66 files in 4 projects, CLI 1.0.24 to 2.0.55, June to
 * November 2025): 37 conversations, 20 with their session file and 17 known only from sub-agent sidechains whose
 * parent file is not in the folder, plus a summary-only file. No session has an outcome.
 *
 * How it was built. Every tool result flagged as an error was listed with its session, tool and raw text (66
 * results, 13 of them refusals), then read and grouped by cause, by hand, counting distinct conversations (a
 * sidechain counts with its parent, as the miners count it). The corrections are the occurrence-level set a
 * careful reader wrote down for test/user-corrections.test.ts (`claudeCodeCorrectionOccurrences` below, moved here
 * from that test, which now imports it): every correction in the person's turns and refusal reasons, with the ones
 * worth a memory entry marked.
 *
 * What a careful human expects at the default gates:
 * - tool errors: three Edit failures recur across conversations: "File has not been read yet" (8 times in 4:
 *   b45ad5d8, b25638d7, 9e953218, cb2e607c), "String to replace not found in file" (5 times in 3: 7acd37a8,
 *   9e953218, f852ad25) and "Found 2 matches of the string to replace, but replace_all is false" (6 times in 2,
 *   Edit and MultiEdit: 37f83ec9, 937c6e6b);
 * - corrections: nothing recurs. The one memory-worthy correction, "use pnpm" (7acd37a8, rejecting `npm install`),
 *   is in one conversation, so a finding is acceptable but not expected; no standing instruction anywhere;
 * - workflows and outcome contrasts: nothing, since no session is known to have succeeded or failed;
 * - memory hygiene: the fixtures hold no memory file, so the labelled case is planted on the entries a dream writes
 *   (`claudeCodeLabels.hygiene`, explained in docs/evaluation.md): a person pasting one entry into their own notes,
 *   restating a second, and paraphrasing a third.
 *
 * What a careful human would NOT count (the negatives below):
 * - the 13 refusals ("The user doesn't want to proceed with this tool use"): a person saying no, not a tool failing;
 * - what the person typed at a permission prompt, which CLI 2.0.5 returns as the Bash error text ("please add
 *   transformer.js too first", "Wait a sec, we need to copy ...", 9e953218): feedback, not an error;
 * - errors repeated inside one conversation only: pyright "Type of ... is unknown" (3 times in fe869ecb), `act`
 *   "Job 'test' failed" (fe869ecb), "No such file or directory" from grep, cd and ruff, and pytest "file or
 *   directory not found" (all 37f83ec9), `ty` warnings (326189cf), "No such tool available: AskUserQuestion"
 *   (cb2e607c), a killed shell (7acd37a8);
 * - failing pytest runs (12a546d1, 37f83ec9, aa5c5ada): different tests failing while the person develops, the
 *   test loop working, not one recurring error;
 * - the task-level corrections (everything in the occurrence set without a `memory` group) and the frustrations
 *   ("Still doesn't work"): nothing to learn beyond the task.
 */
import type { CorpusLabels, CorrectionOccurrence } from './types.js';

/** Every correction a careful reader marked in the corpus (one item per conversation and wording). */
export const claudeCodeCorrectionOccurrences: readonly CorrectionOccurrence[] = [
  { session: '7acd37a8', text: 'use pnpm', scope: 'content', memory: 'pnpm' },
  { session: '7acd37a8', text: "I don't want to make it only work for me", scope: 'content' },
  { session: '0d3a8e6f', text: 'You can set group.visible using the vis library', scope: 'content' },
  { session: '0d3a8e6f', text: "I don't think we need to loop through all items", scope: 'content' },
  { session: '0d3a8e6f', text: 'I think the library is setting it', scope: 'content' },
  {
    session: '37f83ec9',
    text: "I'd actually love that test to be saved a permanent unit test",
    scope: 'content',
  },
  { session: 'fe869ecb', text: 'Wait, does it only run on main?', scope: 'content' },
  { session: 'cb2e607c', text: "Let's keep the name of the py file", scope: 'content' },
  { session: '9e953218', text: 'please add transformer.js too first', scope: 'content' },
  { session: '9e953218', text: 'Wait a sec, we need to copy public/favicons/token.svg', scope: 'content' },
  { session: '9e953218', text: 'Are you sure the HTML is the issue?', scope: 'content' },
  { session: '9e953218', text: 'maybe we should use the https repo address?', scope: 'content' },
  { session: '9e953218', text: 'This basePath method does the job, but', scope: 'content' },
  { session: 'f852ad25', text: 'the v3 upgrade is already done', scope: 'content' },
  { session: '37f83ec9', text: 'Oh no, we lost the session navigation section', scope: 'frustration' },
  { session: '9e953218', text: "The redirection doesn't work", scope: 'frustration' },
  { session: '9e953218', text: "Still doesn't work", scope: 'frustration' },
];

export const claudeCodeLabels: CorpusLabels = {
  corpus: 'claude-code',
  labels: [
    {
      miner: 'tool-errors',
      id: 'cc-read-before-edit',
      description: '`Edit` on a file not read in the session: "File has not been read yet"',
      tools: ['Edit', 'MultiEdit', 'Write'],
      signature: /has not been read yet/i,
      sessions: ['b45ad5d8', 'b25638d7', '9e953218', 'cb2e607c'],
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'cc-string-not-found',
      description:
        '`Edit` with an `old_string` that is not in the file: "String to replace not found in file"',
      tools: ['Edit', 'MultiEdit'],
      signature: /string to replace not found/i,
      sessions: ['7acd37a8', '9e953218', 'f852ad25'],
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'cc-replace-all',
      description: '`Edit`/`MultiEdit` with an `old_string` found twice: "replace_all is false"',
      tools: ['Edit', 'MultiEdit'],
      signature: /matches of the string to replace, but replace_all is false/i,
      sessions: ['37f83ec9', '937c6e6b'],
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'cc-refusals',
      description: 'a person refusing a tool call is not a tool error',
      tools: null,
      signature: /doesn't want to (proceed|take this action)|tool use was rejected/i,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'tool-errors',
      id: 'cc-permission-feedback',
      description:
        'what the person typed at a permission prompt (the Bash "error" of CLI 2.0.5) is not a tool error',
      tools: ['Bash'],
      signature: /please add|wait a sec|so if i do/i,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'tool-errors',
      id: 'cc-one-conversation-only',
      description:
        'errors repeated within one conversation only (pyright, act, grep/cd/ruff, ty, AskUserQuestion)',
      tools: null,
      signature:
        /reportUnknownVariableType|Job <str> failed|no such file or directory|file or directory not found|ty is pre-release|No such tool available|cannot be killed/i,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'tool-errors',
      id: 'cc-pytest-failures',
      description: 'different tests failing in a pytest run are the test loop, not one recurring error',
      tools: ['Bash'],
      signature: /FAILED|test session starts|AssertionError/,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'user-corrections',
      id: 'cc-use-pnpm',
      description: '"use pnpm", refusing `npm install` (one conversation: below the gate, right if reported)',
      words: ['pnpm'],
      sessions: ['7acd37a8'],
      expectation: 'acceptable',
    },
    {
      miner: 'user-corrections',
      id: 'cc-frustrations',
      description: 'frustrations without content ("Still doesn\'t work", "Oh no, we lost ...")',
      words: ["doesn't work"],
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'workflows',
      id: 'cc-no-workflow',
      description: 'no workflow: no session is known to have succeeded',
      steps: null,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'outcome-contrasts',
      id: 'cc-no-contrast',
      description: 'no outcome contrast: no session has an outcome',
      feature: /./,
      direction: null,
      sessions: [],
      expectation: 'must-not-find',
    },
  ],
  hygiene: {
    plants: [
      {
        id: 'cc-hygiene-copy',
        description:
          "the person pastes the read-before-edit entry into their own notes: remove Reverie's copy",
        entry: /`Read` it first/,
        wording: null,
        expectation: 'required',
      },
      {
        id: 'cc-hygiene-restated',
        description: 'the person restates the replace_all entry, leaving out its last clause',
        entry: /replace_all: true/,
        wording:
          "When `Edit`'s `old_string` occurs more than once, include more surrounding lines so it matches exactly one, or pass `replace_all: true`.",
        expectation: 'required',
      },
      {
        id: 'cc-hygiene-paraphrase',
        description: 'the person says what the old_string entry says in their own words',
        entry: /never retype it from memory/,
        wording:
          'Re-read the file and copy `old_string` from it exactly before calling `Edit`; do not type it from memory.',
        expectation: 'acceptable',
        note: 'the hygiene miner merges near-identical wording only (src/mining/entry-similarity.ts): a free paraphrase is below its gate',
      },
    ],
    neutralLines: ['Keep commit messages under 72 characters.'],
  },
};
