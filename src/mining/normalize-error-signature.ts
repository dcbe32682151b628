/**
 * Turns a tool's error output into a signature that recurs across sessions: the line that says what went wrong,
 * with the values that vary between occurrences (paths, numbers, ids, quoted values, URLs) abstracted.
 */

/** Tools that run shell commands, across the agents Reverie reads. */
const shellToolNames = new Set([
  'bash',
  'shell',
  'sh',
  'exec_command',
  'local_shell',
  'run_shell_command',
  'execute_bash',
  'execute_command',
  'run_command',
  'terminal',
  'cmd',
  'powershell',
]);

/** Runners whose next word names what actually ran (`npx vitest`, `uv run pytest`). */
const runnerPrefixes = [
  ['uv', 'run'],
  ['poetry', 'run'],
  ['pipenv', 'run'],
  ['bundle', 'exec'],
  ['npm', 'run'],
  ['pnpm', 'run'],
  ['yarn', 'run'],
  ['python', '-m'],
  ['python3', '-m'],
  ['npx'],
  ['pnpx'],
  ['bunx'],
  ['sudo'],
];

const errorLinePattern =
  /\b(error|errors|failed|failure|fail|fatal|exception|not found|no such|denied|cannot|can't|could not|couldn't|unable|invalid|refused|timed out|timeout|not allowed|not permitted|unexpected|missing|does not exist|doesn't exist|is not|not a)\b/i;
const bannerPattern = /^[\s=\-*#_~.+|]*$/;
const tracebackStart = 'Traceback (most recent call last)';
const exceptionLine = /^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b.*$/;

/** True for a tool that runs shell commands, by name or by the shape of its input. */
export function isShellTool(toolName: string, input: unknown): boolean {
  if (shellToolNames.has(toolName.toLowerCase())) return true;
  return commandFromInput(input) !== null && !/^(read|write|edit|grep|glob)/i.test(toolName);
}

/** The command string of a shell tool call, when its input has one. */
export function commandFromInput(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const record = input as Record<string, unknown>;
  for (const key of ['command', 'cmd', 'script']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (Array.isArray(value) && value.every((part) => typeof part === 'string')) return value.join(' ');
  }
  return null;
}

/**
 * The head of a shell command: what ran, without its arguments. `cd x && uv run pytest -v tests/` → `uv run pytest`.
 * Returns null when nothing recognisable is left.
 */
export function commandHead(command: string): string | null {
  const segments = command
    .split(/&&|\|\||;|\||\n/)
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '');
  const segment =
    segments.find((candidate) => !/^(cd|export|set|source|\.)\s/.test(candidate)) ?? segments[0];
  if (segment === undefined) return null;
  const tokens = segment.split(/\s+/).filter((token) => !/^\w+=/.test(token)); // drop VAR=value prefixes
  const head: string[] = [];
  let limit = 2;
  for (const prefix of runnerPrefixes) {
    if (prefix.every((word, index) => tokens[index] === word)) {
      limit = prefix.length + 1;
      break;
    }
  }
  for (const token of tokens) {
    if (head.length >= limit) break;
    if (/^[-'"$`(<>{]/.test(token) || token.includes('/') || /\.\w{1,5}$/.test(token) || /^\d/.test(token)) {
      // Arguments (flags, paths, files, quoted text, numbers) vary between calls; the head is what ran.
      if (head.length === 0 && token.includes('/')) head.push(token.split('/').pop() ?? token);
      break;
    }
    head.push(token);
  }
  return head.length === 0 ? null : head.join(' ');
}

/** Replaces the parts of an error line that vary between occurrences by placeholders. */
export function abstractValues(line: string): string {
  return (
    line
      .replace(/\b[a-z][\w+.-]*:\/\/[^\s'"`<>)]+/gi, '<url>')
      .replace(/"[^"\n]{0,300}"|'[^'\n]{0,300}'|`[^`\n]{0,300}`|“[^”\n]{0,300}”/g, '<str>')
      .replace(/[A-Za-z]:\\[^\s:'"]+/g, '<path>')
      .replace(/(?:~|\.{1,2}|\b[\w.@+-]+)?(?:\/[\w.@+~-]+)+\/?/g, (match) =>
        // Relative paths need two separators or a file extension: "and/or" is not a path.
        /^[/~.]/.test(match) || (match.match(/\//g) ?? []).length >= 2 || /\.\w{1,6}$/.test(match)
          ? '<path>'
          : match,
      )
      .replace(
        /\b[\w.-]+\.(?:py|js|mjs|cjs|ts|tsx|jsx|json|jsonl|md|rs|go|java|rb|c|h|cc|cpp|hpp|css|scss|html|yml|yaml|toml|txt|sh|lock|sql|xml|csv|ini|cfg|env)\b/g,
        '<path>',
      )
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
      .replace(/\b(?:toolu|msg|req|call|chatcmpl|run|resp|sess)_[A-Za-z0-9]+\b/g, '<id>')
      .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b/gi, '<id>')
      // Record codes such as a flight `HAT290` or a ticket `PROJ1234`, and the number of a named record such as
      // `gift_card_5094406`: the name stays, the number varies.
      .replace(/\b[A-Z]{2,}\d{3,}\b/g, '<id>')
      .replace(/(?<=[A-Za-z][_-])\d{3,}\b/g, '<id>')
      .replace(/(?<![\w<])[-+]?\d+(?:\.\d+)?(?![\w>])/g, '<n>')
      // Paths joined to line/column numbers (`<path>:<n>:<n>`) stay as they are: that shape is the signal.
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Strips wrappers tools put around an error message. */
function unwrap(text: string): string {
  return text
    .replace(/<\/?tool_use_error>/g, '')
    .replace(/^\s*Error:\s*/, '')
    .trim();
}

/**
 * Lines that state one diagnosis in a standard shape, preferred over any other line of the output:
 * - a linter's or compiler's `path:line[:col]: CODE message` (flake8, ruff, pylint, eslint's unix format, gcc, rustc)
 *   or `path(line,col): error TS1234: ...` (tsc);
 * - pytest's `E   SomeError: ...` (the exception under the failing source lines it shows first).
 */
const diagnosticLine =
  /^(?:\S+?:\d+(?::\d+)?:?\s+(?:[A-Z]{1,4}\d{2,5}\b|(?:fatal )?error\b)|\S+?\(\d+,\d+\):\s+error\s+TS\d+|E\s+[A-Za-z_][\w.]*(?:Error|Exception)\b)/;
const urlPattern = /\b[a-z][\w+.-]*:\/\/\S+/gi;

/** True when a line names an error in its own words (a URL such as `.../edit-errors.html` does not count). */
function namesError(line: string): boolean {
  return errorLinePattern.test(line.replace(urlPattern, ' '));
}

/** Picks the line of an error output that says what went wrong. */
export function pickErrorLine(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const diagnostic = lines.find((line) => diagnosticLine.test(line));
  if (diagnostic !== undefined) return diagnostic;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.startsWith(tracebackStart)) {
      // Python: the exception is on the last line of the traceback block.
      for (let end = index + 1; end < lines.length; end++) {
        const candidate = lines[end] ?? '';
        if (exceptionLine.test(candidate)) return candidate;
      }
      continue;
    }
    if (bannerPattern.test(line)) continue;
    if (namesError(line)) return line;
  }
  return lines.find((line) => !bannerPattern.test(line) && line.replace(urlPattern, '').trim() !== '') ?? '';
}

export interface ErrorSignature {
  /** The abstracted error line. */
  signature: string;
  /** The verbatim line it came from (a substring of the original text, usable as an evidence quote). */
  line: string;
  /** Head of the shell command that failed, for shell tools. */
  command: string | null;
  /** Exit code reported by a shell tool, when present. */
  exitCode: number | null;
}

const maxSignatureLength = 140;

function shorten(signature: string): string {
  if (signature.length <= maxSignatureLength) return signature;
  // Prefer the first sentence: "Found <n> matches ..., but replace_all is false." says it all.
  const sentenceEnd = signature.indexOf('. ', 30);
  if (sentenceEnd !== -1 && sentenceEnd < maxSignatureLength) return signature.slice(0, sentenceEnd + 1);
  return `${signature.slice(0, maxSignatureLength)}…`;
}

/**
 * The signature of one tool error.
 * @param options.text the tool result's text
 * @param options.toolName the failing tool
 * @param options.input the failing call's input (gives the command for shell tools)
 */
export function normalizeErrorSignature(options: {
  text: string;
  toolName: string;
  input: unknown;
}): ErrorSignature {
  let text = unwrap(options.text);
  const shell = isShellTool(options.toolName, options.input);
  let exitCode: number | null = null;
  if (shell) {
    const exit = /^Exit code (\d+)\s*\n?/.exec(text);
    if (exit?.[1] !== undefined) {
      exitCode = Number(exit[1]);
      text = text.slice(exit[0].length);
    }
  }
  const line = pickErrorLine(text);
  const command = shell ? commandHead(commandFromInput(options.input) ?? '') : null;
  // pytest's `E` margin is layout, not part of the message.
  let signature = shorten(abstractValues(line.replace(/^E\s+(?=[A-Za-z_][\w.]*(?:Error|Exception)\b)/, '')));
  if (signature === '') signature = exitCode === null ? 'failed with no output' : `exit code ${exitCode}`;
  return { signature, line, command, exitCode };
}
