/**
 * Outcomes: how a session went, by some measure. Logs carry some (tau-bench `reward`, SWE-agent `exit_status`,
 * Langfuse scores); people and graders add more.
 */

export type OutcomeSource = 'log' | 'cli' | 'grader';

/** One measure of how a session went. */
export interface SessionOutcome {
  /** Pass or fail when the measure says so; null when it is only a score. */
  passed: boolean | null;
  /** A numeric score when there is one (tau-bench reward 0..1, a Langfuse score's value). */
  score: number | null;
  source: OutcomeSource;
  /** The measure's name: `reward`, `exit_status`, a Langfuse score name. */
  name: string;
  /** A short note (the exit status text, a grader's comment), or null. */
  detail: string | null;
}
