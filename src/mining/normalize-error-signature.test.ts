import { describe, expect, it } from 'vitest';
import {
  abstractValues,
  commandHead,
  normalizeErrorSignature,
  pickErrorLine,
} from './normalize-error-signature.js';

// Error texts below are verbatim from the Claude Code transcripts in fixtures/claude-code/.
describe('normalizeErrorSignature', () => {
  it('unwraps tool_use_error and keeps the message', () => {
    const result = normalizeErrorSignature({
      text: '<tool_use_error>File has not been read yet. Read it first before writing to it.</tool_use_error>',
      toolName: 'Edit',
      input: { file_path: '/Users/dain/workspace/x/public/tokenizer.js' },
    });
    expect(result.signature).toBe('File has not been read yet. Read it first before writing to it.');
    expect(result.command).toBeNull();
  });

  it('abstracts counts and cuts long messages at the first sentence', () => {
    const result = normalizeErrorSignature({
      text: 'Found 2 matches of the string to replace, but replace_all is false. To replace all occurrences, set replace_all to true. To replace only one occurrence, please provide more context to uniquely identify the instance.\nString:     </div>',
      toolName: 'Edit',
      input: {},
    });
    expect(result.signature).toBe('Found <n> matches of the string to replace, but replace_all is false.');
    expect(result.line.startsWith('Found 2 matches')).toBe(true);
  });

  it('gives the same signature to the same error on different values', () => {
    const a = normalizeErrorSignature({
      text: 'grep: claude_code_log/renderer.py: No such file or directory',
      toolName: 'Bash',
      input: { command: 'grep -n "def x" claude_code_log/renderer.py' },
    });
    const b = normalizeErrorSignature({
      text: 'grep: src/app/main.ts: No such file or directory',
      toolName: 'Bash',
      input: { command: 'grep -rn foo src/app/main.ts' },
    });
    expect(a.signature).toBe(b.signature);
    expect(a.command).toBe('grep');
  });

  it('takes the exception line of a Python traceback', () => {
    const result = normalizeErrorSignature({
      text: "Traceback (most recent call last):\n  File \"<string>\", line 5, in <module>\nImportError: cannot import name 'parse_jsonl_file' from 'claude_code_log.parser' (/Users/dain/workspace/claude-code-log/test/../claude_code_log/parser.py)",
      toolName: 'Bash',
      input: { command: 'cd test && uv run python -c "import x"' },
    });
    expect(result.signature).toBe('ImportError: cannot import name <str> from <str> (<path>)');
    expect(result.command).toBe('uv run python');
  });

  it('strips the exit code of shell tools and records it', () => {
    const result = normalizeErrorSignature({
      text: 'Exit code 1\n❌ No PR found for the current branch.\n\nTo use this tool, either:',
      toolName: 'Bash',
      input: { command: 'cd /tmp && coderabbit-extract' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.command).toBe('coderabbit-extract');
    expect(result.signature).toBe('❌ No PR found for the current branch.');
  });

  it('falls back to the exit code when a command printed nothing', () => {
    expect(
      normalizeErrorSignature({ text: 'Exit code 2\n', toolName: 'Bash', input: { command: 'false' } })
        .signature,
    ).toBe('exit code 2');
  });
});

describe('commandHead', () => {
  it('keeps what ran and drops arguments', () => {
    expect(commandHead('uv run pytest test/test_cache.py -v')).toBe('uv run pytest');
    expect(commandHead('npm test')).toBe('npm test');
    expect(commandHead('cd /x && npm install --save-dev vite')).toBe('npm install');
    expect(commandHead('FOO=1 git commit -m "x"')).toBe('git commit');
    expect(commandHead('npx vitest run src')).toBe('npx vitest');
    expect(commandHead('./scripts/build.sh --fast')).toBe('build.sh');
    expect(commandHead('')).toBeNull();
  });
});

describe('abstractValues', () => {
  it('abstracts paths, urls, ids, quoted values and numbers', () => {
    expect(abstractValues('cannot open /a/b/c.txt at https://x.example/y?z=1 id 3f9a1c2d7 "v" 42')).toBe(
      'cannot open <path> at <url> id <id> <str> <n>',
    );
    expect(abstractValues('converter.py:184:17 - error: Type of "text_value" is unknown')).toBe(
      '<path>:<n>:<n> - error: Type of <str> is unknown',
    );
  });

  it('abstracts record codes and the numbers of named records, not versions or encodings', () => {
    // tau-bench airline tool errors (fixtures/tau-bench).
    expect(abstractValues('not enough seats on flight HAT290')).toBe('not enough seats on flight <id>');
    expect(abstractValues('not enough balance in payment method gift_card_5094406')).toBe(
      'not enough balance in payment method gift_card_<id>',
    );
    expect(abstractValues('unsupported encoding utf8 in es2022 target, sha256 expected')).toBe(
      'unsupported encoding utf8 in es2022 target, sha256 expected',
    );
  });
});

describe('pickErrorLine', () => {
  it('skips banners and prefers a line that names an error', () => {
    expect(
      pickErrorLine('==========\nplatform darwin\nERROR: file or directory not found: test/x.py\n'),
    ).toBe('ERROR: file or directory not found: test/x.py');
    expect(pickErrorLine('just output\nmore')).toBe('just output');
  });

  it('does not take an error word inside a URL for an error, nor a bare URL for the message', () => {
    expect(
      pickErrorLine(
        'The LLM did not conform to the edit format.\nhttps://aider.chat/docs/troubleshooting/edit-errors.html\n# 1 SEARCH/REPLACE block failed to match!',
      ),
    ).toBe('# 1 SEARCH/REPLACE block failed to match!');
    expect(pickErrorLine('https://example.com/errors\nsomething odd happened')).toBe(
      'something odd happened',
    );
  });

  it("prefers a linter's or compiler's diagnostic line over the text around it", () => {
    const flake8 = [
      '# Fix any errors below, if possible.',
      'flake8...................................................................Failed',
      '- exit code: 1',
      "tests/basic/test_repomap.py:332:20: F821 undefined name 'GitRepo'",
    ].join('\n');
    expect(pickErrorLine(flake8)).toBe("tests/basic/test_repomap.py:332:20: F821 undefined name 'GitRepo'");
    expect(pickErrorLine("Build failed\nsrc/a.ts(3,7): error TS2322: Type 'string' is not assignable")).toBe(
      "src/a.ts(3,7): error TS2322: Type 'string' is not assignable",
    );
    expect(pickErrorLine('main.c: In function main\nmain.c:4:5: error: expected ; before return')).toBe(
      'main.c:4:5: error: expected ; before return',
    );
  });

  it("prefers pytest's E line to the failing source line above it", () => {
    const pytest = [
      '    def test_weak(self):',
      '>       if weak_model is not main_model:',
      "E       TypeError: '>' not supported between instances of 'MagicMock' and 'int'",
      'FAILED tests/test_models.py::test_weak',
    ].join('\n');
    expect(pickErrorLine(pytest)).toBe(
      "E       TypeError: '>' not supported between instances of 'MagicMock' and 'int'",
    );
  });
});
