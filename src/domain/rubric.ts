/**
 * Rubric graders declared in `reverie.yaml`: deterministic criteria a session is graded on. A grade is an outcome
 * (source `grader`) with each criterion's result.
 */

export type Criterion =
  /** The agent's last message matches this regular expression. */
  | { type: 'final-message-matches'; pattern: string }
  /** The session called this tool at least once. */
  | { type: 'tool-used'; tool: string }
  /** The session never called this tool. */
  | { type: 'tool-not-used'; tool: string }
  /** At most this many tool failures (refusals by the user do not count). */
  | { type: 'max-tool-errors'; max: number }
  /** This shell command exits 0 when run in the session's working directory. */
  | { type: 'command'; command: string; timeoutMs: number };

export interface Rubric {
  name: string;
  /** The agents whose sessions it grades; null for every agent. */
  agents: readonly string[] | null;
  /** `all` criteria must pass, `any` one, or at least this many. */
  pass: 'all' | 'any' | number;
  criteria: readonly Criterion[];
}

/** How a criterion reads in reports and grades. */
export function describeCriterion(criterion: Criterion): string {
  switch (criterion.type) {
    case 'final-message-matches':
      return `final message matches /${criterion.pattern}/`;
    case 'tool-used':
      return `uses \`${criterion.tool}\``;
    case 'tool-not-used':
      return `does not use \`${criterion.tool}\``;
    case 'max-tool-errors':
      return `at most ${criterion.max} tool errors`;
    case 'command':
      return `\`${criterion.command}\` exits 0`;
  }
}
