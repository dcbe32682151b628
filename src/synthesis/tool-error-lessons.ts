/**
 * Lessons for recurring tool errors: short, concrete entries that name the tool and what to do.
 *
 * Known errors of widely used agent tools get a preventive rule written for them (these messages are the tools'
 * own, the same for every user). Any other error gets a factual entry built from the observed recovery, or no entry
 * at all when nothing concrete was learnt: a vague rule makes agents worse, not better.
 */
import { describeRecovery } from '../domain/finding.js';
import type { RecurringToolErrorFinding } from '../domain/finding.js';

/** A lesson ready to become a memory entry. */
export interface Lesson {
  /** Stable entry id: the same lesson always gets the same id, so later dreams update it instead of repeating it. */
  entryId: string;
  /** Entries this lesson replaces when present (e.g. the generic entry a known lesson improves on). */
  supersedes: readonly string[];
  text: string;
  /** One line: why this change. */
  reason: string;
  /** A hand-written line matching all of these already says the same thing. */
  coveredBy: readonly RegExp[];
  /**
   * Pieces of the text that come from untrusted origins (a tool's error message, a tool input): screened with the
   * strict rules, which refuse anything worded as an instruction (docs/security.md, trust by origin).
   */
  untrusted?: readonly string[];
}

export type LessonResult = { lesson: Lesson } | { skip: string };

const writeTools = ['Edit', 'MultiEdit', 'Write', 'NotebookEdit', 'str_replace_editor', 'apply_patch'];

function code(name: string): string {
  return `\`${name}\``;
}

function joinOr(names: readonly string[]): string {
  const quoted = names.map(code);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1] ?? ''}`;
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}

function evidenceSummary(finding: RecurringToolErrorFinding): string {
  const tools = finding.toolNames.map(code).join('/');
  const base = `${tools} failed with "${finding.signature}" ${times(finding.occurrenceCount)} in ${finding.sessionCount} sessions`;
  const recovery = finding.recovery;
  if (recovery === null) return `${base}.`;
  const failedTool = finding.toolNames[0] ?? '';
  return `${base}; ${describeRecovery(recovery, failedTool)} fixed it ${recovery.count} of ${finding.occurrenceCount} times.`;
}

interface KnownLesson {
  id: string;
  /** A more specific entry id, when one lesson id would cover different facts (one per unavailable tool). */
  entryIdFor?: (finding: RecurringToolErrorFinding) => string;
  matches: RegExp;
  text: (finding: RecurringToolErrorFinding) => string | null;
  coveredBy: readonly RegExp[];
}

/**
 * The file-writing tools a lesson names: those seen failing, plus `Edit` and `Write` when the failures came from
 * Claude Code's edit tools, which share the read-first rule and its error message ("... before writing to it").
 */
function failingWriteTools(finding: RecurringToolErrorFinding): string[] {
  const seen = finding.toolNames.filter((name) => writeTools.includes(name));
  const claudeCodeFamily = ['Edit', 'MultiEdit', 'Write', 'NotebookEdit'];
  if (seen.length === 0 || seen.every((name) => claudeCodeFamily.includes(name))) {
    return claudeCodeFamily.filter((name) => seen.includes(name) || name === 'Edit' || name === 'Write');
  }
  return seen;
}

const knownLessons: readonly KnownLesson[] = [
  {
    // Claude Code Edit/Write/MultiEdit (1.0.x to 2.0.x in fixtures/claude-code): "File has not been read yet. Read it
    // first before writing to it."
    id: 'read-before-edit',
    matches: /has not been read yet/i,
    text: (finding) => {
      const tools = failingWriteTools(finding);
      const verb = tools.length === 1 ? 'refuses' : 'refuse';
      return `Before ${joinOr(tools)} on an existing file, \`Read\` it first in the same session: ${tools.length === 1 ? 'the tool' : 'these tools'} ${verb} a file that has not been read.`;
    },
    coveredBy: [/\bread\b/i, /\b(edit|writ)/i, /\b(before|first)\b/i],
  },
  {
    // Claude Code 1.x/2.x (formats.md 1.4): "File has been modified since read, either by the user or by a linter."
    id: 'reread-after-change',
    matches: /modified since (it was )?read/i,
    text: (finding) =>
      `When a file may have changed since you read it (a formatter, a hook or the user), \`Read\` it again before ${joinOr(failingWriteTools(finding))}.`,
    coveredBy: [/\bread\b/i, /\bagain\b|\bre-?read\b/i, /\bchang|modif/i],
  },
  {
    // Claude Code Edit/MultiEdit (1.0.51 to 2.0.x in fixtures/claude-code): "Found N matches of the string to replace,
    // but replace_all is false."
    id: 'edit-unique-old-string',
    matches: /matches of the string to replace, but replace_all is false/i,
    text: (finding) => {
      const tool = finding.toolNames.find((name) => writeTools.includes(name)) ?? 'Edit';
      const flagFirst = finding.recovery?.inputChange === 'replace_all: true';
      return flagFirst
        ? `When ${code(tool)}'s \`old_string\` occurs more than once, pass \`replace_all: true\` to change every occurrence, or include more surrounding lines so it matches exactly one.`
        : `When ${code(tool)}'s \`old_string\` occurs more than once, include more surrounding lines so it matches exactly one, or pass \`replace_all: true\` to change every occurrence.`;
    },
    coveredBy: [/old_string|replace_all/i, /unique|more than once|occurrence/i],
  },
  {
    // Claude Code Edit (1.0.128 to 2.0.42 in fixtures/claude-code): "String to replace not found in file."
    id: 'edit-copy-old-string',
    matches: /string to replace not found/i,
    text: (finding) => {
      const tool = finding.toolNames.find((name) => writeTools.includes(name)) ?? 'Edit';
      return `Copy ${code(tool)}'s \`old_string\` exactly from a fresh \`Read\` of the file (same indentation, quotes and line breaks); never retype it from memory.`;
    },
    coveredBy: [/old_string/i, /exact/i],
  },
  {
    // Claude Code Read 1.x/2.x: "File content (N tokens) exceeds maximum allowed tokens (25000)."
    id: 'read-large-files-in-parts',
    matches: /exceeds maximum allowed (tokens|size)/i,
    text: () =>
      "Read large files in parts with `Read`'s `offset` and `limit`, or find the relevant lines with `Grep` first.",
    coveredBy: [/offset|limit|in parts/i, /\bread\b/i, /large/i],
  },
  {
    // aider 0.47-0.51 (fixtures/aider), diff edit format: "# 1 SEARCH/REPLACE block failed to match!" and
    // "SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in <file>".
    id: 'search-block-exact',
    matches:
      /SEARCH\/REPLACE block failed to match|SearchReplaceNoExactMatch|SEARCH block failed to exactly match/i,
    text: () =>
      "A SEARCH block must match the file's current lines exactly, character for character (indentation, comments and docstrings included): copy them from the file as it is now, not as you remember it, and keep the block short.",
    coveredBy: [/SEARCH/, /exact/i],
  },
  {
    // aider 0.47-0.51 (fixtures/aider): a REPLACE section closed by `=======` ("Expected `>>>>>>> REPLACE` not
    // `=======`"); aider reports it as "The LLM did not conform to the edit format."
    id: 'search-block-format',
    matches: /did not conform to the edit format|Expected `?>>>>>>> REPLACE/i,
    text: () =>
      'Write every edit as a complete block: the file path, then `<<<<<<< SEARCH`, the lines to find, `=======`, the new lines, and `>>>>>>> REPLACE`; never end a block at `=======`.',
    coveredBy: [/SEARCH/, /REPLACE/],
  },
  {
    // Claude Code 2.0.37 (fixtures/claude-code): "<tool_use_error>Error: No such tool available: X</tool_use_error>"
    id: 'unavailable-tool',
    entryIdFor: (finding) =>
      `unavailable-tool-${(/no such tool available:\s*([A-Za-z_][\w.-]{0,63})/i.exec(finding.signature)?.[1] ?? 'unknown').toLowerCase()}`,
    matches: /no such tool available/i,
    text: (finding) => {
      const name = /no such tool available:\s*([A-Za-z_][\w.-]{0,63})\s*$/i.exec(finding.signature)?.[1];
      return name === undefined
        ? null
        : `The tool ${code(name)} is not available in this environment; do not call it.`;
    },
    coveredBy: [/not available|unavailable|does not exist/i],
  },
];

/** Marks an entry the agent kept ignoring. Claude Code's memory docs recommend this kind of emphasis. */
const emphasis = 'IMPORTANT: ';

/**
 * The lesson for a recurring tool error, or why there is none. When an entry for it already existed and the error
 * kept happening, the lesson is the same entry strengthened (emphasised), not a repeat.
 * @returns `{ lesson }`, or `{ skip: reason }` when nothing concrete can be said
 */
export function lessonForToolError(finding: RecurringToolErrorFinding): LessonResult {
  const result = baseLessonForToolError(finding);
  const after = finding.recurredAfterEntry;
  if (!('lesson' in result) || after === null) return result;
  const text = result.lesson.text.startsWith(emphasis)
    ? result.lesson.text
    : `${emphasis}${result.lesson.text}`;
  return {
    lesson: {
      ...result.lesson,
      entryId: after.entryId,
      text,
      reason: `${result.lesson.reason} It kept happening after entry ${after.entryId} was written (${after.occurrencesAfter} times in ${after.sessionsAfter} sessions since ${after.since.slice(0, 10)}), so the entry is strengthened.`,
    },
  };
}

function isPlainRetry(
  recovery: NonNullable<RecurringToolErrorFinding['recovery']>,
  failedTool: string,
): boolean {
  return recovery.steps.length === 1 && recovery.steps[0] === failedTool && recovery.inputChange === null;
}

// A linter's or compiler's diagnostic with a rule code, as the signature keeps it: `<path>:<n>:<n>: F401 <message>`.
const lintSignature = /^<path>:<n>(?::<n>)?:?\s+([A-Z]{1,4}\d{2,5})\s+(.{3,100}?)\.?$/;

/**
 * A recurring linter diagnostic is a lesson by itself, recovery or not: the rule's code and message say what to
 * avoid, and the agent knows the rule ("avoid F401 (imported but unused)"). The message is the linter's, untrusted.
 */
function lintDiagnostic(finding: RecurringToolErrorFinding): { lesson: Lesson } | null {
  const match = lintSignature.exec(finding.signature);
  if (match === null) return null;
  const [, rule = '', message = ''] = match;
  const tool = finding.command === null ? code(finding.toolNames[0] ?? 'the linter') : code(finding.command);
  return {
    lesson: {
      entryId: `lint-${rule.toLowerCase()}`,
      supersedes: [finding.id],
      text: `Check your edits for ${code(rule)} (${message}) before finishing: ${tool} reported it ${times(finding.occurrenceCount)} in ${finding.sessionCount} sessions.`,
      reason: evidenceSummary(finding),
      coveredBy: [new RegExp(`\\b${rule}\\b`)],
      untrusted: [message],
    },
  };
}

function baseLessonForToolError(finding: RecurringToolErrorFinding): LessonResult {
  const genericId = finding.id;
  for (const known of knownLessons) {
    if (!known.matches.test(finding.signature)) continue;
    const text = known.text(finding);
    if (text === null) break;
    return {
      lesson: {
        entryId: known.entryIdFor?.(finding) ?? known.id,
        supersedes: [genericId],
        text,
        reason: evidenceSummary(finding),
        coveredBy: known.coveredBy,
      },
    };
  }
  const recovery = finding.recovery;
  const failedTool = finding.toolNames[0] ?? 'the tool';
  const diagnostic = lintDiagnostic(finding);
  if (diagnostic !== null && (recovery === null || isPlainRetry(recovery, failedTool))) return diagnostic;
  if (recovery === null) {
    return {
      skip: 'no successful recovery was seen, so there is no concrete fix to write down (the finding stays in the report)',
    };
  }
  if (isPlainRetry(recovery, failedTool)) {
    return { skip: `the recovery was a plain retry of ${code(failedTool)}, which is not a lesson` };
  }
  const command = finding.command === null ? '' : ` (${code(finding.command)})`;
  const text = `When ${code(failedTool)}${command} fails with "${finding.signature}", what worked was ${describeRecovery(recovery, failedTool)} (${recovery.count} of ${finding.occurrenceCount} times).`;
  return {
    lesson: {
      entryId: genericId,
      supersedes: [],
      text,
      reason: evidenceSummary(finding),
      coveredBy: [],
      untrusted: [finding.signature, finding.command ?? '', recovery.inputChange ?? ''].filter(
        (piece) => piece !== '',
      ),
    },
  };
}
