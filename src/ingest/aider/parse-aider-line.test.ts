import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { TOOL_RESULT_MAX_BYTES } from '../cap-text.js';
import { aiderParserStateSchema, createAiderParserState, parseAiderLine } from './parse-aider-line.js';
import type { AiderParserState, AiderSessionMeta, ParseAiderLineResult } from './parse-aider-line.js';

const path = '/home/u/app/.aider.chat.history.md';
const context = { sessionPrefix: 'aider-0000abcd' };

/** Feeds lines through the parser from line 1 (or after `state`), as `read-lines.ts` would. */
function parseAll(
  lines: readonly string[],
  state: AiderParserState = createAiderParserState(),
  firstLine = 1,
): {
  state: AiderParserState;
  results: ParseAiderLineResult[];
  events: SessionEvent[];
  sessions: Map<string, AiderSessionMeta>;
} {
  const results: ParseAiderLineResult[] = [];
  const sessions = new Map<string, AiderSessionMeta>();
  let current = state;
  lines.forEach((text, index) => {
    const result = parseAiderLine(
      current,
      { text, line: firstLine + index, path, binary: false, terminated: true },
      context,
    );
    results.push(result);
    for (const session of result.sessions) sessions.set(session.id, session);
    current = result.state;
  });
  return { state: current, results, events: results.flatMap((result) => result.events), sessions };
}

/** The short form of events the tests compare. */
const brief = (events: readonly SessionEvent[]) =>
  events.map((event) => [event.kind, event.subtype, event.toolName, event.isError, event.text]);

// Lines as aider 0.50 writes them (from the shared history file), ending with the two-space hard break.
const header = '# aider chat started at 2024-08-09 18:20:03';
const banner = [
  '> /Users/gauthier/Projects/aider/.venv/bin/aider aider/commands.py  ',
  '> Aider v0.48.2-dev  ',
  '> Added aider/commands.py to the chat.  ',
];

describe('parseAiderLine', () => {
  it('starts a session per header, with a local start time and an id from the prefix and the time', () => {
    const { sessions, results } = parseAll(['', header, '', ...banner]);
    expect([...sessions.values()]).toEqual([
      { id: 'aider-0000abcd-20240809T182003', headerLine: 2, startedAt: '2024-08-09T18:20:03', title: null },
    ]);
    expect(results.map((result) => result.startsBlock)).toEqual([false, true, false, true, false, false]);
  });

  it('numbers a repeated start time', () => {
    const { sessions } = parseAll([header, '', '#### hi  ', '', header, '', '#### hi  ', '', header]);
    expect([...sessions.keys()]).toEqual([
      'aider-0000abcd-20240809T182003',
      'aider-0000abcd-20240809T182003-2',
      'aider-0000abcd-20240809T182003-3',
    ]);
  });

  it('emits a block once the next block starts, so the last block of a file waits in the state', () => {
    const first = parseAll([header, '', '#### hi  ']);
    expect(first.events).toEqual([]);
    expect(first.state.block).toMatchObject({ kind: 'user', line: 3 });
    const second = parseAll(['', 'Hello! How can I help?', ''], first.state, 4);
    expect(brief(second.events)).toEqual([['user-message', null, null, false, 'hi']]);
    expect(second.events[0]).toMatchObject({
      id: 'aider-0000abcd-20240809T182003:L2',
      sessionId: 'aider-0000abcd-20240809T182003',
      sequence: 5,
      timestamp: null,
      source: { path, line: 3 },
    });
  });

  it('reads multi-line input, commands and the messages aider types for the person', () => {
    const { events, sessions } = parseAll([
      header,
      '',
      '#### /add aider/io.py  ',
      '> Added aider/io.py to the chat.  ',
      '',
      '#### Rename the function  ',
      '####   ',
      '#### and update its callers.  ',
      '',
      '#### # Fix any errors below, if possible.  ',
      '####   ',
      '#### ## Running: flake8 aider/io.py  ',
      '',
      '#### <blank>  ',
      '',
      header,
    ]);
    expect(brief(events.filter((event) => event.kind === 'user-message'))).toEqual([
      ['user-message', 'command', null, false, '/add aider/io.py'],
      ['user-message', null, null, false, 'Rename the function\n\nand update its callers.'],
      [
        'user-message',
        'meta',
        null,
        false,
        '# Fix any errors below, if possible.\n\n## Running: flake8 aider/io.py',
      ],
      ['user-message', null, null, false, '<blank>'],
    ]);
    // The title is the first line the person typed (not a command, not aider's own text).
    expect(sessions.get('aider-0000abcd-20240809T182003')?.title).toBe('Rename the function');
  });

  it('keeps a reply verbatim, with its inner blank lines and without the trailing ones', () => {
    const reply = [
      'Certainly! Here is the change:',
      '',
      'aider/io.py',
      '```python',
      '<<<<<<< SEARCH',
      '    pass',
      '=======',
      '    return None',
      '>>>>>>> REPLACE',
      '```',
      '',
      '#### A heading the model wrote',
      '',
      'As the docs say:',
      '> a quote the model wrote',
      'that goes on  ',
    ];
    const { events } = parseAll([
      header,
      '',
      '#### fix it  ',
      '',
      ...reply,
      '',
      '',
      '> Tokens: 1 sent  ',
      '',
    ]);
    expect(brief(events)).toEqual([
      ['user-message', null, null, false, 'fix it'],
      ['assistant-message', null, null, false, reply.join('\n')],
    ]);
  });

  it('keeps a quote in a reply (in the text or in a fenced file) in the reply, unless the line is aider speaking', () => {
    const { events } = parseAll([
      header,
      '',
      '#### quote it  ',
      '',
      'As the docs say:',
      '',
      '> a quote the model wrote',
      '',
      '```markdown',
      '> quoted in the file',
      '```',
      '',
      '> Tokens: 7.3k sent, 523 received.',
      'Cost: $0.03 message, $0.06 session.  ',
      '> Applied edit to aider/io.py  ',
      '',
    ]);
    expect(brief(events)).toEqual([
      ['user-message', null, null, false, 'quote it'],
      [
        'assistant-message',
        null,
        null,
        false,
        'As the docs say:\n\n> a quote the model wrote\n\n```markdown\n> quoted in the file\n```',
      ],
      ['tool-call', 'derived', 'edit', false, 'edit aider/io.py'],
      ['tool-result', null, 'edit', false, 'Applied edit to aider/io.py'],
    ]);
  });

  it('reads a quote ending in a Markdown hard break as aider output: aider ends its lines the same way', () => {
    const { events } = parseAll([
      header,
      '',
      '#### hi  ',
      '',
      'Hello.',
      '',
      '> a quote  ',
      '',
      'More.',
      '',
      header,
    ]);
    expect(brief(events).map(([kind]) => kind)).toEqual([
      'user-message',
      'assistant-message',
      'system',
      'assistant-message',
    ]);
  });

  it('splits a run of output into edit, commit, lint, question and plain events, and drops token reports', () => {
    const { events } = parseAll([
      header,
      '',
      '> Tokens: 14,462 sent, 349 received. Cost: $0.05 request, $0.30 session.  ',
      '> Applied edit to tests/basic/test_repomap.py  ',
      '> Commit 608a881 fix: Remove unexpected parameter  ',
      '> You can use /undo to revert and discard commit 608a881.  ',
      '>  ',
      '> # Fix any errors below, if possible.  ',
      '>  ',
      '> ## Running: /Users/gauthier/Projects/aider/tmp.lint.sh tests/basic/test_repomap.py  ',
      '>  ',
      "> tests/basic/test_repomap.py:333:13: F841 local variable 'repo' is assigned to but never used  ",
      '>  ',
      '> Attempt to fix lint errors? y  ',
      '> ^C again to exit  ',
      '',
    ]);
    expect(brief(events)).toEqual([
      ['tool-call', 'derived', 'edit', false, 'edit tests/basic/test_repomap.py'],
      ['tool-result', null, 'edit', false, 'Applied edit to tests/basic/test_repomap.py'],
      ['tool-call', 'derived', 'git-commit', false, 'git commit'],
      [
        'tool-result',
        null,
        'git-commit',
        false,
        'Commit 608a881 fix: Remove unexpected parameter\nYou can use /undo to revert and discard commit 608a881.',
      ],
      [
        'tool-call',
        'derived',
        'lint',
        false,
        'lint: /Users/gauthier/Projects/aider/tmp.lint.sh tests/basic/test_repomap.py',
      ],
      [
        'tool-result',
        null,
        'lint',
        true,
        "# Fix any errors below, if possible.\n\n## Running: /Users/gauthier/Projects/aider/tmp.lint.sh tests/basic/test_repomap.py\n\ntests/basic/test_repomap.py:333:13: F841 local variable 'repo' is assigned to but never used",
      ],
      ['system', 'confirm', null, false, 'Attempt to fix lint errors? y'],
      ['system', null, null, false, '^C again to exit'],
    ]);
    const [call, result] = events;
    expect(call).toMatchObject({
      id: 'aider-0000abcd-20240809T182003:L3:call',
      sequence: 6,
      toolCallId: 'aider-0000abcd-20240809T182003:L3',
      toolInput: { file_path: 'tests/basic/test_repomap.py' },
    });
    expect(result).toMatchObject({ id: 'aider-0000abcd-20240809T182003:L3', sequence: 7 });
    expect(result?.toolCallId).toBe(call?.toolCallId);
    expect(events[4]?.toolInput).toEqual({
      command: '/Users/gauthier/Projects/aider/tmp.lint.sh tests/basic/test_repomap.py',
    });
  });

  it('reports a SEARCH block that did not match as a failed edit, with the whole report', () => {
    const report = [
      '> The LLM did not conform to the edit format.  ',
      '> https://aider.chat/docs/troubleshooting/edit-errors.html  ',
      '> # 1 SEARCH/REPLACE block failed to match!  ',
      '>   ',
      '> ## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in tests/basic/test_main.py  ',
      '> <<<<<<< SEARCH  ',
      '>     def test_lint_option(self):  ',
      '> =======  ',
      '>     def test_map_tokens_option(self):  ',
      '> >>>>>>> REPLACE  ',
      '>   ',
      '> The SEARCH section must exactly match an existing block of lines including all white space  ',
    ];
    const { events } = parseAll([header, '', ...report, '', 'I apologize for the error.', '']);
    expect(brief(events)).toEqual([
      ['tool-call', 'derived', 'edit', false, 'edit tests/basic/test_main.py'],
      [
        'tool-result',
        null,
        'edit',
        true,
        report.map((line) => line.slice(2).replace(/ {2}$/, '').trimEnd()).join('\n'),
      ],
    ]);
  });

  it('reads the output of /run and /test, with its unprefixed lines, as a run or test result', () => {
    const { events } = parseAll([
      header,
      '',
      '#### /test pytest tests/basic/test_repomap.py  ',
      '> ============================= test session starts ==============================',
      'collected 7 items',
      '',
      '>           repo = GitRepo(io, None, temp_dir, subtree_only=True)',
      "E           NameError: name 'GitRepo' is not defined",
      '    ',
      '========================= 1 failed, 6 passed in 3.28s ==========================  ',
      '',
      '#### !ls  ',
      '> CNAME',
      'README.md  ',
      '> Add the output to the chat?',
      '(y/n/instructions) n  ',
      '',
    ]);
    expect(brief(events)).toEqual([
      ['user-message', 'command', null, false, '/test pytest tests/basic/test_repomap.py'],
      ['tool-call', 'derived', 'test', false, 'pytest tests/basic/test_repomap.py'],
      [
        'tool-result',
        null,
        'test',
        true,
        "============================= test session starts ==============================\ncollected 7 items\n\n>           repo = GitRepo(io, None, temp_dir, subtree_only=True)\nE           NameError: name 'GitRepo' is not defined\n    \n========================= 1 failed, 6 passed in 3.28s ==========================",
      ],
      ['user-message', 'command', null, false, '!ls'],
      ['tool-call', 'derived', 'run', false, 'ls'],
      ['tool-result', null, 'run', false, 'CNAME\nREADME.md'],
      ['system', 'confirm', null, false, 'Add the output to the chat?\n(y/n/instructions) n'],
    ]);
    expect(events[1]?.toolInput).toEqual({ command: 'pytest tests/basic/test_repomap.py' });
  });

  it('marks model call failures as api-error and keeps a retry chain together', () => {
    const { events } = parseAll([
      header,
      '',
      '#### hi  ',
      '> litellm.InternalServerError: VertexAIException InternalServerError - File was not found.  ',
      '> Retrying in 0.2 seconds...  ',
      '> litellm.InternalServerError: VertexAIException InternalServerError - File was not found.  ',
      '> Retrying in 0.5 seconds...  ',
      '>  ',
      '> ^C again to exit  ',
      '',
    ]);
    expect(brief(events).slice(1)).toEqual([
      [
        'system',
        'api-error',
        null,
        false,
        'litellm.InternalServerError: VertexAIException InternalServerError - File was not found.\nRetrying in 0.2 seconds...\nlitellm.InternalServerError: VertexAIException InternalServerError - File was not found.\nRetrying in 0.5 seconds...',
      ],
      ['system', null, null, false, '^C again to exit'],
    ]);
  });

  it('puts lines before the first header into a preamble session and skips an Emacs modeline', () => {
    const { events, sessions } = parseAll([
      '-*- mode: fundamental -*-',
      '> ^C KeyboardInterrupt  ',
      '',
      header,
    ]);
    expect(brief(events)).toEqual([['system', null, null, false, '^C KeyboardInterrupt']]);
    expect(events[0]?.id).toBe('aider-0000abcd-preamble:L2');
    expect(sessions.get('aider-0000abcd-preamble')).toEqual({
      id: 'aider-0000abcd-preamble',
      headerLine: 0,
      startedAt: null,
      title: null,
    });
  });

  it('warns about and skips a header without a valid time, a binary line, and a line still being written', () => {
    const state = parseAll([header, '', '#### hi  ']).state;
    const invalid = parseAiderLine(
      state,
      { text: '# aider chat started at sometime', line: 4, path, binary: false, terminated: true },
      context,
    );
    expect(invalid).toMatchObject({ state, events: [], incomplete: false });
    expect(invalid.warnings).toEqual([
      {
        type: 'invalid-record',
        path,
        line: 4,
        message: 'session header without a "YYYY-MM-DD HH:MM:SS" start time',
      },
    ]);
    const binary = parseAiderLine(
      state,
      { text: '\uFFFD\uFFFD', line: 4, path, binary: true, terminated: true },
      context,
    );
    expect(binary).toMatchObject({
      state,
      events: [],
      warnings: [{ type: 'binary-content', path, line: 4 }],
    });
    const partial = parseAiderLine(
      state,
      { text: '#### and mo', line: 4, path, binary: false, terminated: false },
      context,
    );
    expect(partial).toMatchObject({
      incomplete: true,
      warnings: [{ type: 'truncated-line', path, line: 4 }],
    });
  });

  it('caps a block at 64 KiB and says how much was cut', () => {
    const line = 'x'.repeat(1000);
    const lines = Array.from({ length: 100 }, () => `> ${line}  `);
    const { events, state } = parseAll([header, '', '#### /run cat big.txt  ', ...lines, '']);
    const result = events.find((event) => event.kind === 'tool-result');
    const kept = result?.text.split('\n…[truncated ')[0] ?? '';
    expect(Buffer.byteLength(kept)).toBe(TOOL_RESULT_MAX_BYTES);
    expect(
      result?.text.endsWith(`…[truncated ${String(100 * 1001 - 1 - TOOL_RESULT_MAX_BYTES)} bytes]`),
    ).toBe(true);
    expect(state.block).toBeNull();
  });

  it('keeps a state that survives a JSON round trip and decodes with its schema', () => {
    const { state } = parseAll([header, '', '#### /run pytest  ', '> collected 1 item', '']);
    expect(state.block).toMatchObject({ kind: 'tool', segment: { kind: 'run', command: 'pytest' } });
    expect(state.toolMessageOpen).toBe(true);
    const copy: unknown = JSON.parse(JSON.stringify(state));
    expect(aiderParserStateSchema.parse(copy)).toEqual(state);
  });

  it('never mutates the state it is given', () => {
    const { state } = parseAll([header, '', '#### hi  ', '', 'Hello', '']);
    const frozen = structuredClone(state);
    parseAll(['more text', '> Applied edit to a.py  ', '', header], state, 7);
    expect(state).toEqual(frozen);
  });
});
