import { describe, expect, it } from 'vitest';
import {
  aiderEditedFiles,
  aiderLintCommand,
  classifyAiderToolMessage,
  continuesAiderSegment,
  isFailedAiderRun,
} from './classify-aider-tool-message.js';

describe('classifyAiderToolMessage', () => {
  it.each([
    ['Tokens: 14,462 sent, 349 received. Cost: $0.05 request, $0.30 session.', 'tokens', true],
    ['Tokens: 7.3k sent, 523 received.', 'tokens', true],
    ['Applied edit to aider/coders/base_coder.py', 'edit', false],
    ['Did not apply edit to HISTORY.md (--dry-run)', 'edit', false],
    ['Commit 608a881 fix: Remove unexpected parameter from RepoMap constructor', 'commit', true],
    ['The LLM did not conform to the edit format.', 'edit-error', true],
    ['# 1 SEARCH/REPLACE block failed to match!', 'edit-error', false],
    [
      '## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in a.py',
      'edit-error',
      false,
    ],
    ['# Fix any errors below, if possible.', 'lint-error', true],
    ['Unexpected error: litellm.InternalServerError: AnthropicException - Overloaded.', 'api-error', false],
    ['litellm.APIConnectionError: b\'{"type":"error"}\'', 'api-error', false],
    ['BadRequestError: litellm.BadRequestError: LLM Provider NOT provided.', 'api-error', false],
    ['Retrying in 0.2 seconds...', 'api-error', false],
    ['Model claude-3-5-sonnet-20240620 has hit a token limit!', 'api-error', false],
    ['Attempt to fix lint errors? y', 'confirm', true],
    ['Add the output to the chat? (y/n/instructions): n', 'confirm', true],
    ['Add the output to the chat? (y/n/instructions) does it always return the tuple?', 'confirm', true],
    ['Add the output to the chat?', 'confirm', true],
    ['Run shell command? [Y/n] y', 'confirm', true],
    ["Open URL for more info? (Y)es/(N)o/(D)on't ask again [Yes]: n", 'confirm', true],
    ['Fix lint errors in /Users/gauthier/Projects/aider/aider/commands.py? y', 'confirm', true],
    ['^C again to exit', 'output', false],
    ['Only 3 reflections allowed, stopping.', 'output', false],
  ])('classifies %j', (content, kind, strong) => {
    expect(classifyAiderToolMessage(content)).toEqual({ kind, strong });
  });

  it.each([
    'Aider v0.50.2-dev',
    'Added aider/io.py to the chat.',
    'Did you mean one of these?',
    "NameError: name 'x' is not defined. Did you mean: 'y'?",
    'Would you like me to make any further modifications to this implementation?',
    'You can use /undo to revert and discard commit 608a881.',
  ])('leaves %j to the segment it is in', (content) => {
    expect(classifyAiderToolMessage(content)).toBeNull();
  });
});

describe('continuesAiderSegment', () => {
  it('keeps error reports and chains of the same kind together, and lets strong starts begin their own', () => {
    const didNotConform = classifyAiderToolMessage('The LLM did not conform to the edit format.');
    const failedToMatch = classifyAiderToolMessage('# 1 SEARCH/REPLACE block failed to match!');
    expect(continuesAiderSegment('edit-error', failedToMatch, '')).toBe(true);
    expect(continuesAiderSegment('edit-error', null, 'Did you mean one of these?')).toBe(true);
    expect(continuesAiderSegment('edit-error', didNotConform, '')).toBe(false);
    expect(
      continuesAiderSegment('commit', null, 'You can use /undo to undo and discard each aider commit.'),
    ).toBe(true);
    expect(continuesAiderSegment('commit', null, 'Added a.py to the chat.')).toBe(false);
    expect(continuesAiderSegment('edit', classifyAiderToolMessage('Applied edit to b.py'), '')).toBe(true);
  });

  it('treats command output as opaque up to aider speaking again', () => {
    expect(continuesAiderSegment('test', classifyAiderToolMessage('Commit 1234567 x'), '')).toBe(true);
    expect(continuesAiderSegment('test', null, 'FAILED tests/a.py::t')).toBe(true);
    expect(continuesAiderSegment('run', classifyAiderToolMessage('Add the output to the chat?'), '')).toBe(
      false,
    );
    expect(continuesAiderSegment('test', classifyAiderToolMessage('Retrying in 0.2 seconds...'), '')).toBe(
      false,
    );
  });
});

describe('isFailedAiderRun', () => {
  it.each([
    ['========================= 1 failed, 6 passed in 3.28s ==========================', true],
    ['============================== 2 errors in 8.57s ===============================', true],
    ['Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad', true],
    ["/bin/sh: -c: line 0: syntax error near unexpected token `newline'", true],
    ['ValueError: something bad happened', true],
    ['============================== 1 passed in 1.06s ===============================', false],
    ['Ran 37 tests in 5.663s\n\nOK', false],
    ['CNAME\nREADME.md', false],
  ])('reads %j as failed: %s', (output, failed) => {
    expect(isFailedAiderRun(output)).toBe(failed);
  });
});

describe('aiderEditedFiles and aiderLintCommand', () => {
  it('names the files an edit report mentions, once each', () => {
    expect(
      aiderEditedFiles(
        'Applied edit to a.py\nApplied edit to docs/b.md\nApplied edit to a.py\nDid not apply edit to c.md (--dry-run)',
      ),
    ).toEqual(['a.py', 'docs/b.md', 'c.md']);
    expect(
      aiderEditedFiles(
        'The LLM did not conform to the edit format.\n## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in tests/basic/test_main.py',
      ),
    ).toEqual(['tests/basic/test_main.py']);
  });

  it('finds the lint command', () => {
    expect(aiderLintCommand('# Fix any errors below, if possible.\n\n## Running: flake8 a.py\n')).toBe(
      'flake8 a.py',
    );
    expect(aiderLintCommand('# Fix any errors below, if possible.')).toBeNull();
  });
});
