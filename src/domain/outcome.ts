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

/** One criterion of a rubric, as graded. `passed: null` when it could not be evaluated (e.g. no workspace). */
export interface CriterionResult {
  criterion: string;
  passed: boolean | null;
  detail: string | null;
}

/** An outcome recorded for a session by a person (`reverie outcome`) or a rubric grader: append-only. */
export interface OutcomeRecord extends SessionOutcome {
  id: string;
  sessionId: string;
  recordedAt: string;
  /** The person, or the rubric's name for a grader. */
  recordedBy: string | null;
  /** A grader's per-criterion results; null for a person's verdict. */
  criteria: readonly CriterionResult[] | null;
  /** The session's event count when it was graded (a grown session is graded again). */
  eventCount: number | null;
}

const precedence: Record<OutcomeSource, number> = { cli: 3, grader: 2, log: 1 };

/**
 * The outcome a session counts with: a person's verdict wins over a grader's, which wins over what the log says;
 * within one source the latest record wins. A record that decides nothing (no pass or fail, no score: a rubric
 * whose criteria could not be evaluated) never hides one that does.
 */
export function effectiveOutcome(
  fromLog: SessionOutcome | null,
  records: readonly OutcomeRecord[],
): SessionOutcome | null {
  let best: SessionOutcome | null = fromLog;
  let bestRank = fromLog === null ? 0 : precedence[fromLog.source];
  let bestTime = '';
  for (const record of records) {
    const rank = precedence[record.source];
    const decides = record.passed !== null || record.score !== null;
    const bestDecides = best !== null && (best.passed !== null || best.score !== null);
    if (!decides && bestDecides) continue;
    if (
      (decides && !bestDecides) ||
      rank > bestRank ||
      (rank === bestRank && record.recordedAt >= bestTime)
    ) {
      best = {
        passed: record.passed,
        score: record.score,
        source: record.source,
        name: record.name,
        detail: record.detail,
      };
      bestRank = rank;
      bestTime = record.recordedAt;
    }
  }
  return best;
}
