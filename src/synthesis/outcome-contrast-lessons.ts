/**
 * Lessons for outcome contrasts: a concrete rule, only where the contrast supports one. The one rule a tool sequence
 * supports without knowing the domain is "do the look-up (or check) before the action": "Before `book_reservation`,
 * call `get_user_details`." It is written when failed runs took the action without the look-up first, or took it
 * before the look-up, or when successful runs did the look-up first. Everything else (a tool used at all, an error
 * that goes with failure, two look-ups in some order) is skipped with the reason: which task was asked, or what the
 * error-recovery lesson already says, is not a rule the contrast can state.
 *
 * The entry names tools and commands only; the numbers go in the reason. Tool output never becomes entry text.
 */
import type { OutcomeContrastFinding } from '../domain/finding.js';
import { hashText } from '../domain/hash.js';
import { parseOutcomeContrastKey } from '../mining/find-outcome-contrasts.js';
import { classifyToolRole } from '../mining/outcome-contrast-tool-roles.js';
import type { ToolRole } from '../mining/outcome-contrast-tool-roles.js';
import type { LessonResult } from './tool-error-lessons.js';

const namePattern = /^[A-Za-z_][\w.-]{0,63}$/;
const commandPattern = /^[\w.@/+-]+(?: [\w.@/+-]+){0,3}$/;

function code(text: string): string {
  return `\`${text}\``;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A step key (`get_user_details`, `Bash: npm test`) split into tool and command, or null when it is not a name. */
function parseStep(step: string): { tool: string; command: string | null } | null {
  const separator = step.indexOf(': ');
  const tool = separator === -1 ? step : step.slice(0, separator);
  const command = separator === -1 ? null : step.slice(separator + 2);
  if (!namePattern.test(tool) || (command !== null && !commandPattern.test(command))) return null;
  return { tool, command };
}

function describeRole(role: ToolRole): string {
  switch (role) {
    case 'look-up':
      return 'a look-up';
    case 'action':
      return 'an action';
    case 'unknown':
      return 'neither a known look-up nor a known action';
  }
}

/** "call `get_user_details`" or "run `npm test`". */
function doStep(step: { tool: string; command: string | null }): string {
  return step.command === null ? `call ${code(step.tool)}` : `run ${code(step.command)}`;
}

/** "`book_reservation`" or "running `git commit`". */
function nameStep(step: { tool: string; command: string | null }): string {
  return step.command === null ? code(step.tool) : `running ${code(step.command)}`;
}

function evidenceSummary(finding: OutcomeContrastFinding): string {
  return `${finding.feature.description}: in ${finding.failedWith} of ${finding.failedTotal} failed runs, ${finding.succeededWith} of ${finding.succeededTotal} successful (two-sided exact test p=${finding.pValue.toPrecision(2)}).`;
}

/**
 * The lesson for an outcome contrast, or why there is none.
 * @returns `{ lesson }` with a "Before X, call Y." rule, or `{ skip: reason }`
 * @example
 * const result = lessonForOutcomeContrast(finding);
 * if ('skip' in result) report.skipped.push(result.skip);
 */
export function lessonForOutcomeContrast(finding: OutcomeContrastFinding): LessonResult {
  const key = parseOutcomeContrastKey(finding.feature.key);
  if (key === null)
    return { skip: `the feature key ${code(finding.feature.key.slice(0, 60))} is not one Reverie makes` };
  switch (key.type) {
    case 'tool-used':
      return {
        skip:
          finding.direction === 'avoid'
            ? 'whether a tool is needed depends on the task; that failed runs used it says which tasks fail, not what to do'
            : 'whether a tool is needed depends on the task; that successful runs used it is not a rule on its own',
      };
    case 'error':
      return {
        skip:
          finding.direction === 'avoid'
            ? 'the error goes with failed runs, but its fix is the recurring-error lesson; this finding only weights it'
            : 'an error seen more in successful runs is not something to repeat',
      };
    case 'order':
    case 'tool-missing':
      break;
  }
  if (key.type === 'tool-missing' && finding.direction === 'repeat') {
    return { skip: 'successful runs more often skipped this step; no rule follows from leaving a step out' };
  }
  // The rule puts first what the contrast says should come first: the step that was missing, the step failed runs
  // did second, or the step successful runs did first.
  const reversed = key.type === 'order' && finding.direction === 'avoid';
  const firstKey = reversed ? key.after : key.before;
  const secondKey = reversed ? key.before : key.after;
  const first = parseStep(firstKey);
  const second = parseStep(secondKey);
  if (first === null || second === null)
    return { skip: 'a step of this feature is not a tool or command name' };
  const firstRole = classifyToolRole(firstKey);
  const secondRole = classifyToolRole(secondKey);
  if (firstRole !== 'look-up' || secondRole !== 'action') {
    if (reversed && firstRole === 'action' && secondRole === 'look-up') {
      return {
        skip: `failed runs did the look-up ${nameStep(second)} before the action ${nameStep(first)}, the usual order: what went wrong is not the order`,
      };
    }
    return {
      skip: `only "look up before acting" is written as a rule; here ${nameStep(first)} is ${describeRole(firstRole)} and ${nameStep(second)} is ${describeRole(secondRole)}`,
    };
  }
  return {
    lesson: {
      // The same rule from a missing step or from an order gets the same entry.
      entryId: `contrast-${hashText(`before|${firstKey}|${secondKey}`).slice(0, 10)}`,
      supersedes: [],
      text: `Before ${nameStep(second)}, ${doStep(first)}.`,
      reason: evidenceSummary(finding),
      coveredBy: [
        new RegExp(escapeRegExp(first.command ?? first.tool)),
        new RegExp(escapeRegExp(second.command ?? second.tool)),
        /\b(before|first)\b/i,
      ],
    },
  };
}
