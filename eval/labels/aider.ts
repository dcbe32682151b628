/**
 * Labelled set: the aider history (fixtures/aider/gauthier.aider.chat.history.md: Paul Gauthier working on aider
 * with aider 0.47 to 0.51, 5 to 22 August 2024, 1,133 launches; each launch is a session). The excerpt next to it
 * repeats 39 of its launches and is left out. No session has an outcome.
 *
 * How it was built. The 139 tool results flagged as errors (57 failed edits, 54 lint failures, 28 `/run` and
 * `/test` failures) were listed with their launch and raw text and read. The failed edits were split by what aider
 * said went wrong; the lint failures by the flake8 codes in them (every lint failure names at least one), counting
 * the launches each code appears in; the test runs by the failing test and exception. The corrections are the
 * occurrence-level set a careful reader wrote down for test/user-corrections.test.ts (`aiderCorrectionOccurrences`,
 * moved here from that test, which now imports it); the recurring labels are its `memory` groups seen in two or more
 * launches, checked against the history (`grep '^#### '`).
 *
 * What a careful human expects at the default gates:
 * - tool errors: SEARCH blocks that do not match the file (`SearchReplaceNoExactMatch`, 29 launches); replies that
 *   end the REPLACE section with `=======` instead of `>>>>>>> REPLACE` (7 launches); and the flake8 errors aider's
 *   lint step reports after an edit, each its own lesson: F401 unused import (14 launches), F821 undefined name
 *   (13), F841 unused local variable (11), F541 f-string without placeholders (4), E226 missing whitespace around
 *   an operator (3), F811 redefinition of an unused name (2);
 * - corrections: "use `GitTemporaryDirectory`" in tests (5 launches, 4 worded as corrections, one as "put it in a
 *   `GitTemporaryDirectory`") and "imports at the top of the file" (3 launches, worded as plain requests: "move the
 *   imports to the top"). "do not elide code in a S/R block" is a general rule from one launch: acceptable;
 * - workflows and outcome contrasts: nothing, since no session has an outcome;
 * - memory hygiene: the planted case below (the fixtures hold no memory file; docs/evaluation.md).
 *
 * Acceptable (recur in two launches, but are work in progress rather than a lesson): the same pip dependency
 * conflict in two launches three minutes apart, the same unfinished test (`'Incomplete' not found`) failing on two
 * consecutive days, and the same `TypeError: '>' not supported between instances of 'MagicMock' and 'int'` in
 * tests 13 days apart.
 *
 * What a careful human would NOT count: aider's own instruction "# Fix any errors below, if possible." or its
 * documentation URL as what went wrong (they head every lint failure and every failed edit); a line of the test's
 * source code as an error; the API failures (overloaded endpoints), which are the provider's; one-off test
 * failures; the ~30 task-level corrections ("don't modify `send_with_retries`") and the frustrations ("still 0!").
 */
import type { CorpusLabels, CorrectionOccurrence } from './types.js';

/** Every correction a careful reader marked in the history (one item per launch and wording). */
export const aiderCorrectionOccurrences: readonly CorrectionOccurrence[] = [
  {
    session: '0806T084710',
    text: "don't use `IgnorantTemporaryDirectory`",
    scope: 'content',
    memory: 'git-temp',
  },
  { session: '0806T085514', text: "don't use --no-git in those tests", scope: 'content' },
  { session: '0806T102159', text: 'i mean non-blank', scope: 'content' },
  { session: '0806T111310', text: 'no, i mean for processing', scope: 'content' },
  { session: '0807T074637', text: "no, don't mock completion", scope: 'content' },
  { session: '0807T074637', text: 'get not post', scope: 'content' },
  { session: '0807T074637', text: "don't modify `send_with_retries`", scope: 'content' },
  { session: '0807T132455', text: 'catch SuitableRepoNotFound', scope: 'content' },
  { session: '0808T095402', text: "don't replace the tree cache", scope: 'content' },
  { session: '0809T161642', text: 'instead, add a read_only_fnames param', scope: 'content' },
  { session: '0809T165114', text: 'use `GitTemporaryDirectory`', scope: 'content', memory: 'git-temp' },
  { session: '0809T171801', text: 'move the imports to the top', scope: 'content', memory: 'imports' },
  { session: '0809T172439', text: "don't paginate cmd_web from Coder", scope: 'content' },
  // The first turn of a launch, correcting what the previous launch wrote: no action in the session to tie it to.
  { session: '0809T173438', text: "don't use confirm(), just prompt()", scope: 'content' },
  { session: '0809T193247', text: 'again, catch ValueError on .head', scope: 'content' },
  { session: '0809T193247', text: 'no, in cmd_diff catch', scope: 'content' },
  { session: '0810T081435', text: "i don't want to modify the config", scope: 'content' },
  { session: '0810T090750', text: 'instead of mocking aider.sendchat', scope: 'content' },
  { session: '0810T102123', text: 'no, this happens even on wide desktop browsers', scope: 'content' },
  { session: '0811T165937', text: 'use a `GitTemporaryDirectory`', scope: 'content', memory: 'git-temp' },
  { session: '0812T162036', text: 'do if not self.mp: return instead', scope: 'content' },
  { session: '0812T182357', text: "don't log if not self.mp", scope: 'content' },
  {
    session: '0813T052457',
    text: 'put it in a `GitTemporaryDirectory`',
    scope: 'content',
    memory: 'git-temp',
  },
  { session: '0813T134245', text: 'i want the number of lines from `aider_total`', scope: 'content' },
  { session: '0814T200437', text: "i don't want to mess with its border", scope: 'content' },
  { session: '0815T100730', text: 'i just want to increase the height', scope: 'content' },
  { session: '0816T163418', text: 'should be a method of `ChatChunks`', scope: 'content' },
  { session: '0817T061907', text: "don't use TAGs_CACHE", scope: 'content' },
  { session: '0817T061907', text: 'move time import to top of file', scope: 'content', memory: 'imports' },
  { session: '0819T153056', text: 'not called with auto', scope: 'content' },
  { session: '0819T153701', text: 'do not elide code', scope: 'content', memory: 'elide' },
  { session: '0819T153701', text: '`import git` not os.system', scope: 'content', memory: 'git-temp' },
  {
    session: '0821T080840',
    text: 'move the `prompt_toolkit` imports to the top',
    scope: 'content',
    memory: 'imports',
  },
  { session: '0821T093103', text: 'keep the backticks for other autocompletes', scope: 'content' },
  { session: '0821T131144', text: 'put it in the class!', scope: 'content' },
  { session: '0821T214116', text: 'drop the `ApplyShellCommandsError` nonsense', scope: 'content' },
  { session: '0813T122822', text: 'That broke everything.', scope: 'frustration' },
  { session: '0813T134245', text: 'still 0!', scope: 'frustration' },
  { session: '0813T134245', text: 'You previous fix resulting in no tooltip', scope: 'frustration' },
];

/** The launches of a memory group of the occurrence set. */
function launchesOf(group: string): string[] {
  return [
    ...new Set(
      aiderCorrectionOccurrences.filter((item) => item.memory === group).map((item) => item.session),
    ),
  ];
}

/** A flake8 code reported by aider's lint step after an edit. */
function lintLabel(
  code: string,
  message: string,
  launches: readonly string[],
): CorpusLabels['labels'][number] {
  return {
    miner: 'tool-errors',
    id: `aider-lint-${code}`,
    description: `flake8 ${code} after an edit: "${message}"`,
    tools: ['lint'],
    signature: new RegExp(`\\b${code}\\b|${message}`, 'i'),
    sessions: launches,
    expectation: 'required',
  };
}

export const aiderLabels: CorpusLabels = {
  corpus: 'aider',
  labels: [
    {
      miner: 'tool-errors',
      id: 'aider-search-no-match',
      description: 'a SEARCH block that does not match the file exactly (`SearchReplaceNoExactMatch`)',
      tools: ['edit'],
      // "did not conform to the edit format" is aider's own first line of both kinds of failed edit: accepted here.
      signature: /SearchReplaceNoExactMatch|failed to (exactly )?match|did not conform to the edit format/i,
      sessions: [
        '20240806T085514',
        '20240806T094711',
        '20240806T141301',
        '20240807T132455',
        '20240808T152501',
        '20240808T165108',
        '20240809T171253',
        '20240809T172439',
        '20240809T181218',
        '20240809T183724',
        '20240809T190235',
        '20240810T061043',
        '20240810T102123',
        '20240812T111307',
        '20240812T150327',
        '20240812T160014',
        '20240812T203920',
        '20240813T053640',
        '20240813T143100',
        '20240814T200437',
        '20240816T163418',
        '20240817T064504',
        '20240817T065737',
        '20240818T130457',
        '20240819T160007',
        '20240820T125009',
        '20240821T083046',
        '20240821T090225',
        '20240821T215042',
      ],
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'aider-malformed-block',
      description: 'a REPLACE section closed with `=======` instead of `>>>>>>> REPLACE`',
      tools: ['edit'],
      signature: /Expected `?>>>>>>> REPLACE|did not conform to the edit format/i,
      sessions: [
        '20240806T095226',
        '20240810T085958',
        '20240810T145224',
        '20240812T164109',
        '20240813T070248',
        '20240813T072320',
        '20240821T090847',
      ],
      expectation: 'required',
    },
    lintLabel('F401', 'imported but unused', [
      '20240806T084710',
      '20240806T085514',
      '20240808T165108',
      '20240809T172439',
      '20240809T173438',
      '20240809T183444',
      '20240810T135209',
      '20240813T053640',
      '20240813T094713',
      '20240816T163418',
      '20240817T065737',
      '20240821T152023',
      '20240821T214537',
      '20240822T081806',
    ]),
    lintLabel('F821', 'undefined name', [
      '20240806T084710',
      '20240807T132455',
      '20240809T181218',
      '20240810T144227',
      '20240810T202540',
      '20240813T074359',
      '20240813T122822',
      '20240813T143100',
      '20240813T143639',
      '20240816T163418',
      '20240819T155043',
      '20240820T125009',
      '20240821T090847',
    ]),
    lintLabel('F841', 'is assigned to but never used', [
      '20240806T084710',
      '20240807T074637',
      '20240810T135209',
      '20240810T144110',
      '20240813T055407',
      '20240813T143100',
      '20240813T143639',
      '20240814T062009',
      '20240819T153549',
      '20240820T132442',
      '20240820T170414',
    ]),
    lintLabel('F541', 'f-string is missing placeholders', [
      '20240809T173303',
      '20240809T194703',
      '20240821T053754',
      '20240821T153629',
    ]),
    lintLabel('E226', 'missing whitespace around arithmetic operator', [
      '20240813T053420',
      '20240813T174208',
      '20240820T093431',
    ]),
    lintLabel('F811', 'redefinition of unused', ['20240812T203920', '20240821T131144']),
    {
      miner: 'tool-errors',
      id: 'aider-pip-conflict',
      description:
        '`pip install` of sentence-transformers with conflicting dependencies (two launches, minutes apart)',
      tools: ['run'],
      signature: /conflicting dependencies|Cannot install sentence-transformers/i,
      sessions: ['20240809T100535', '20240809T100830'],
      expectation: 'acceptable',
    },
    {
      miner: 'tool-errors',
      id: 'aider-unclosed-block-test',
      description: "the unfinished test_find_original_update_blocks_unclosed: 'Incomplete' not found",
      tools: ['run', 'test'],
      signature: /'?Incomplete'? not found|<str> not found in|test_find_original_update_blocks_unclosed/i,
      sessions: ['20240820T173718', '20240821T111605'],
      expectation: 'acceptable',
    },
    {
      miner: 'tool-errors',
      id: 'aider-magicmock-typeerror',
      description: "TypeError: '>' not supported between instances of 'MagicMock' and 'int' in base_coder.py",
      tools: ['run', 'test'],
      signature: /not supported between instances of|MagicMock/i,
      sessions: ['20240806T090627', '20240819T153056'],
      expectation: 'acceptable',
    },
    {
      miner: 'tool-errors',
      id: 'aider-instruction-as-error',
      description:
        'aider\'s instruction "# Fix any errors below, if possible." or its docs URL is not what went wrong',
      tools: null,
      signature: /^# Fix any errors below|^<url>$/,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'tool-errors',
      id: 'aider-api-errors',
      description: "API failures (overloaded endpoints, retries) are the provider's, not the agent's",
      tools: null,
      signature: /overloaded|rate.?limit|APIError|InternalServerError|retrying/i,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'user-corrections',
      id: 'aider-git-temp',
      description: 'use `GitTemporaryDirectory` in tests (not `IgnorantTemporaryDirectory`, not os.system)',
      words: ['GitTemporaryDirectory'],
      sessions: launchesOf('git-temp'),
      expectation: 'required',
    },
    {
      miner: 'user-corrections',
      id: 'aider-imports-top',
      description: 'imports at the top of the file ("move the imports to the top")',
      words: ['import', 'top'],
      sessions: launchesOf('imports'),
      expectation: 'required',
      note: 'worded as plain requests, never as a correction',
    },
    {
      miner: 'user-corrections',
      id: 'aider-do-not-elide',
      description:
        'do not elide code in a SEARCH/REPLACE block (one launch: below the gate, right if reported)',
      words: ['elide'],
      sessions: launchesOf('elide'),
      expectation: 'acceptable',
    },
    {
      miner: 'user-corrections',
      id: 'aider-frustrations',
      description: 'frustrations without content ("That broke everything.", "still 0!")',
      words: ['broke everything'],
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'workflows',
      id: 'aider-no-workflow',
      description: 'no workflow: no session is known to have succeeded',
      steps: null,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'outcome-contrasts',
      id: 'aider-no-contrast',
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
        id: 'aider-hygiene-copy',
        description:
          "the person pastes the GitTemporaryDirectory entry into their own notes: remove Reverie's copy",
        entry: /GitTemporaryDirectory/,
        wording: null,
        expectation: 'required',
      },
    ],
    neutralLines: ['Run `pytest` before every commit.'],
  },
};
