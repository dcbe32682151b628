/**
 * Lessons for converging workflows: a short numbered procedure that names each tool and the placeholders its input
 * takes, e.g. "To update reservation flights: 1. `get_reservation_details` {reservation_id} 2. …".
 *
 * The entry is built only from tool names, argument names, command heads and the finding's task words, never from
 * tool output: a procedure is an instruction, and text a tool returned must not become one.
 */
import type { WorkflowFinding, WorkflowStep } from '../domain/finding.js';
import { safeParseJson } from '../util/json.js';
import type { LessonResult } from './tool-error-lessons.js';

// What a tool name or an argument name looks like across the agents Reverie reads; anything else (spaces, sentences)
// is not a name and is not written into a memory file.
const namePattern = /^[A-Za-z_][\w.:-]{0,63}$/;
const commandPattern = /^[\w.@/+-]+(?: [\w.@/+-]+){0,3}(?: \{arguments\})?$/;
const taskPattern = /^(?:[a-z][a-z0-9 ]{0,60}|run `[\w.@/+ -]{1,60}`)(?: \([a-z, ]{1,80}\))?$/;

function code(text: string): string {
  return `\`${text}\``;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One step as the lesson shows it: "`get_reservation_details` {reservation_id}", "`Bash` `npm test {arguments}`",
 * "`Edit` {file_path} with `replace_all: true`". Null when the step holds something that is not a name.
 */
function renderStep(step: WorkflowStep): string | null {
  if (!namePattern.test(step.tool)) return null;
  if (step.input === '') return code(step.tool);
  const command = /^\{command: ("(?:[^"\\]|\\.)*")\}$/.exec(step.input)?.[1];
  if (command !== undefined) {
    const parsed = safeParseJson(command);
    const text = parsed.success ? parsed.value : null;
    return typeof text === 'string' && commandPattern.test(text) ? `${code(step.tool)} ${code(text)}` : null;
  }
  if (!step.input.startsWith('{') || !step.input.endsWith('}')) return null;
  const placeholders: string[] = [];
  const flags: string[] = [];
  for (const part of step.input.slice(1, -1).split(', ')) {
    const match = /^([^:]+): (\{[^{}]+\}|true|false)$/.exec(part);
    const name = match?.[1];
    const value = match?.[2];
    if (name === undefined || value === undefined || !namePattern.test(name)) return null;
    // Placeholders are named after their argument; anything else in braces is not ours.
    if (value.startsWith('{') && value !== `{${name}}`) return null;
    if (value.startsWith('{')) placeholders.push(value);
    else flags.push(code(`${name}: ${value}`));
  }
  const withPlaceholders =
    placeholders.length === 0 ? code(step.tool) : `${code(step.tool)} ${placeholders.join(', ')}`;
  return flags.length === 0 ? withPlaceholders : `${withPlaceholders} with ${flags.join(', ')}`;
}

function evidenceSummary(finding: WorkflowFinding): string {
  const sessions = new Set(finding.evidence.map((evidence) => evidence.sessionId)).size;
  const outcome =
    finding.successCount === 0
      ? 'no outcome was known for them (counted as not failed)'
      : `${finding.successCount} of them succeeded`;
  return `Followed in ${finding.sessionCount} sessions; ${outcome}; steps quoted from ${sessions} sessions.`;
}

/**
 * The lesson for a converging workflow, or why there is none.
 * @returns `{ lesson }` with the numbered procedure, or `{ skip: reason }` when a step holds something that is not a
 * tool or argument name
 * @example
 * const result = lessonForWorkflow(finding);
 * if ('lesson' in result) console.log(result.lesson.text);
 */
export function lessonForWorkflow(finding: WorkflowFinding): LessonResult {
  if (finding.steps.length < 2) return { skip: 'a workflow needs at least two steps' };
  const steps: string[] = [];
  for (const step of finding.steps) {
    const rendered = renderStep(step);
    if (rendered === null) {
      return {
        skip: `step ${code(step.tool.slice(0, 40))} is not a plain tool call, so it is not written down`,
      };
    }
    steps.push(rendered);
  }
  const task = taskPattern.test(finding.task) ? finding.task : 'do this task';
  const text = `To ${task}: ${steps.map((step, index) => `${index + 1}. ${step}`).join(' ')}.`;
  return {
    lesson: {
      entryId: finding.id,
      supersedes: [],
      text,
      reason: evidenceSummary(finding),
      // A hand-written line naming every tool of the procedure already describes it.
      coveredBy: [...new Set(finding.steps.map((step) => step.tool))].map(
        (tool) => new RegExp(`(^|[^\\w])${escapeRegExp(tool)}([^\\w]|$)`),
      ),
    },
  };
}
