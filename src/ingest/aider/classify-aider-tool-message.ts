/**
 * What one Aider tool message (a `> ` line of `.aider.chat.history.md`, with its unprefixed continuation lines) says.
 * Aider logs no explicit tool calls: it prints the outcome of what it did (apply edits, lint, commit, run a command,
 * call the model) as `> ` output, so the kind of a run of output is recognised from the wording of its first message.
 * Wording checked against aider 0.47-0.51 (the shared history file) and aider's `io.py`, `base_coder.py`,
 * `commands.py`; unknown wording falls back to plain output (a `system` event), never to an error.
 */

/** The kinds of output segments the Aider reader tells apart. */
export type AiderSegmentKind =
  /** Anything else: startup banner, `/add` and `/diff` output, `^C`; a `system` event. */
  | 'output'
  /** `Tokens: … sent, … received. Cost: …`: dropped (cost accounting, not conversation). */
  | 'tokens'
  /** A question Aider asked and the answer typed (`Attempt to fix lint errors? y`): `system`/`confirm`. */
  | 'confirm'
  /** `Applied edit to <file>`: a successful edit. */
  | 'edit'
  /** `The LLM did not conform to the edit format` and the failure report after it: a failed edit. */
  | 'edit-error'
  /** `# Fix any errors below, if possible.` and the linter output after it: a lint failure. */
  | 'lint-error'
  /** `Commit <hash> <message>`: Aider committed. */
  | 'commit'
  /** `litellm.…Error`, `Unexpected error: …`, `Retrying in …`: the model call failed; `system`/`api-error`. */
  | 'api-error'
  /** Output of a `/run` (or `!`) command. */
  | 'run'
  /** Output of a `/test` command. */
  | 'test';

/**
 * A message that begins a segment. `strong`: it always begins a new one (each `Commit` is its own event). Weak: it
 * begins one only when the current segment is of another kind, so a chain of the same kind stays one event (the
 * `# 1 SEARCH/REPLACE block failed to match!` under `The LLM did not conform…`, an API retry chain, several
 * `Applied edit to` lines after one reply).
 */
export interface AiderSegmentStart {
  kind: AiderSegmentKind;
  strong: boolean;
}

const starts: readonly { pattern: RegExp; start: AiderSegmentStart }[] = [
  { pattern: /^Tokens: /, start: { kind: 'tokens', strong: true } },
  { pattern: /^(?:Applied edit to|Did not apply edit to) /, start: { kind: 'edit', strong: false } },
  { pattern: /^Commit [0-9a-f]{7,40}\b/, start: { kind: 'commit', strong: true } },
  { pattern: /^The LLM did not conform to the edit format/, start: { kind: 'edit-error', strong: true } },
  {
    // The report lines under "did not conform" (aider 0.40+), and older or other coders' wording.
    pattern:
      /^(?:# \d+ SEARCH\/REPLACE blocks? failed to match|#* ?SearchReplaceNoExactMatch|Malformed (?:response|SEARCH\/REPLACE block)|Failed to apply edit to )/,
    start: { kind: 'edit-error', strong: false },
  },
  { pattern: /^# Fix any errors below, if possible/, start: { kind: 'lint-error', strong: true } },
  {
    pattern:
      /^(?:Unexpected error: |(?:litellm|openai|anthropic)\.\w*(?:Error|Exception)|litellm\.[\w.]+Error|\w+(?:Error|Exception): litellm\.|Retrying in [\d.]+ seconds|The API provider |Model .+ has hit a token limit)/,
    start: { kind: 'api-error', strong: false },
  },
  {
    pattern: /^(?:\^C (?:again to exit|KeyboardInterrupt)|Only \d+ reflections allowed)/,
    start: { kind: 'output', strong: false },
  },
];

// `<question>? [options] <answer>` as `confirm_ask`/`prompt_ask` log it (`{question} {answer}`): the answer is a
// one-word y/n (aider 0.47: `Attempt to fix lint errors? y`; 0.50: `Run shell command? [Y/n] y`), or free text after
// an options marker (`Add the output to the chat? (y/n/instructions) fix it`).
const confirmWithAnswer =
  /\?(?: \((?:[^()]|\([^()]*\))*\))?(?: \[[^\]]*\])?:? (?:y|n|a|s|d|yes|no|all|skip|don't)$/i;
const confirmWithOptions = /\? (?:\((?:y\/n|Y\/n|y\/N|Y\)es)|\[(?:Y\/n|y\/N|Yes|No)\])/;
// aider 0.48-0.51 put the options of this one question on a second line (a multi-line message).
const confirmOnTwoLines = /^Add (?:the )?output to the chat\?$/;

/** How a tool message's first line (without its `> ` prefix) starts a segment, or null when it continues one. */
export function classifyAiderToolMessage(content: string): AiderSegmentStart | null {
  for (const { pattern, start } of starts) if (pattern.test(content)) return start;
  if (
    confirmWithAnswer.test(content) ||
    confirmWithOptions.test(content) ||
    confirmOnTwoLines.test(content)
  ) {
    return { kind: 'confirm', strong: true };
  }
  return null;
}

/**
 * Whether a message that starts no segment of its own (`start` null) or a weak one of the same kind stays in the
 * current segment. Short segments take only their own follow-ups; error reports and command output take everything
 * up to the next message that starts something else.
 */
export function continuesAiderSegment(
  current: AiderSegmentKind,
  start: AiderSegmentStart | null,
  content: string,
): boolean {
  switch (current) {
    case 'tokens':
    case 'confirm':
      return false;
    case 'edit':
      return start?.kind === 'edit';
    case 'commit':
      return start === null && content.startsWith('You can use /undo to ');
    case 'run':
    case 'test':
      // Command output is opaque: it ends only where aider speaks again (its question, a token report, `^C`, or
      // the model call that failed after a `/test` handed the output to the model).
      return start === null || !['confirm', 'tokens', 'output', 'api-error'].includes(start.kind);
    case 'output':
    case 'edit-error':
    case 'lint-error':
    case 'api-error':
      return start === null || (!start.strong && start.kind === current);
  }
}

// Signs of a failed command in its output. Aider does not log the exit status of `/run` and `/test` (0.47-0.51),
// so failure is read from the output: a traceback, pytest's summary, compiler and shell errors.
const failureSigns: readonly RegExp[] = [
  /Traceback \(most recent call last\)/,
  /^(?:FAILED|ERROR)\b/m,
  /\b[1-9]\d* (?:failed|errors?)\b/,
  /^[\w.]*(?:Error|Exception): /m,
  /: command not found\b/,
  /No such file or directory/,
  /\bexit (?:code|status):? [1-9]/i,
  /^npm ERR!/m,
  /^(?:error|fatal)(?:\[\w+\])?: /m,
  /^(?:\/bin\/)?(?:ba|z|da)?sh: /m,
];

/** Whether the output of a `/run` or `/test` command shows a failure (a heuristic: Aider logs no exit status). */
export function isFailedAiderRun(output: string): boolean {
  return failureSigns.some((sign) => sign.test(output));
}

/** The files an edit segment names (`Applied edit to X`, `…failed to exactly match lines in X`), in order. */
export function aiderEditedFiles(text: string): string[] {
  const files: string[] = [];
  const pattern =
    /^(?:Applied edit to (.+)|Did not apply edit to (.+?) \(--dry-run\)|#* ?SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in (.+))$/gm;
  for (const match of text.matchAll(pattern)) {
    const file = (match[1] ?? match[2] ?? match[3] ?? '').trim();
    if (file !== '' && !files.includes(file)) files.push(file);
  }
  return files;
}

/** The lint command of a lint report (`## Running: <command>`), or null. */
export function aiderLintCommand(text: string): string | null {
  const match = /^## Running: (.+)$/m.exec(text);
  return match?.[1]?.trim() ?? null;
}
