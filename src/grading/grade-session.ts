/**
 * Grades a session against a rubric: pure, deterministic criteria over its events, plus the results of the rubric's
 * shell commands, which the shell runs beforehand (`commandResults`).
 */
import type { CriterionResult } from '../domain/outcome.js';
import { describeCriterion } from '../domain/rubric.js';
import type { Criterion, Rubric } from '../domain/rubric.js';
import type { SessionWithEvents } from '../domain/session.js';

/** What running a command gave; null when it could not run (no workspace). */
export type CommandResult = { exitCode: number | null; output: string; timedOut: boolean } | null;

export interface Grade {
  /** null when a criterion that decides could not be evaluated. */
  passed: boolean | null;
  /** Share of criteria passed (evaluated ones only). */
  score: number | null;
  criteria: CriterionResult[];
}

function finalMessage(session: SessionWithEvents): string | null {
  for (let index = session.events.length - 1; index >= 0; index--) {
    const event = session.events[index];
    if (event?.kind === 'assistant-message' && event.subtype !== 'thinking' && event.text.trim() !== '')
      return event.text;
  }
  return null;
}

function evaluate(
  session: SessionWithEvents,
  criterion: Criterion,
  commandResult: CommandResult,
): CriterionResult {
  const name = describeCriterion(criterion);
  switch (criterion.type) {
    case 'final-message-matches': {
      const message = finalMessage(session);
      if (message === null)
        return { criterion: name, passed: false, detail: 'the agent sent no final message' };
      const passed = new RegExp(criterion.pattern, 'u').test(message);
      return { criterion: name, passed, detail: null };
    }
    case 'tool-used':
    case 'tool-not-used': {
      const calls = session.events.filter(
        (event) => event.kind === 'tool-call' && event.toolName === criterion.tool,
      ).length;
      const passed = criterion.type === 'tool-used' ? calls > 0 : calls === 0;
      return { criterion: name, passed, detail: `${calls} calls` };
    }
    case 'max-tool-errors': {
      const errors = session.events.filter(
        (event) => event.kind === 'tool-result' && event.isError && !event.isRejection,
      ).length;
      return { criterion: name, passed: errors <= criterion.max, detail: `${errors} tool errors` };
    }
    case 'command': {
      if (commandResult === null) {
        return {
          criterion: name,
          passed: null,
          detail: 'not run: the session has no working directory on this machine',
        };
      }
      if (commandResult.timedOut) {
        return { criterion: name, passed: false, detail: `timed out after ${criterion.timeoutMs / 1000} s` };
      }
      const tail = commandResult.output.trim().split('\n').slice(-3).join('\n');
      return {
        criterion: name,
        passed: commandResult.exitCode === 0,
        detail: `exit code ${String(commandResult.exitCode)}${tail === '' ? '' : `: ${tail.slice(0, 300)}`}`,
      };
    }
  }
}

/**
 * Grades `session` on `rubric`.
 * @param commandResults the result of each `command` criterion, by its index in `rubric.criteria`
 */
export function gradeSession(
  session: SessionWithEvents,
  rubric: Rubric,
  commandResults: ReadonlyMap<number, CommandResult> = new Map(),
): Grade {
  const criteria = rubric.criteria.map((criterion, index) =>
    evaluate(session, criterion, commandResults.get(index) ?? null),
  );
  const passedCount = criteria.filter((result) => result.passed === true).length;
  const failedCount = criteria.filter((result) => result.passed === false).length;
  const unknownCount = criteria.length - passedCount - failedCount;
  const needed = rubric.pass === 'all' ? criteria.length : rubric.pass === 'any' ? 1 : rubric.pass;
  let passed: boolean | null;
  if (passedCount >= needed) passed = true;
  else if (passedCount + unknownCount < needed) passed = false;
  else passed = null;
  const evaluated = passedCount + failedCount;
  return { passed, score: evaluated === 0 ? null : passedCount / evaluated, criteria };
}
