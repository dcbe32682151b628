import type { SessionOutcome } from '../domain/outcome.js';

/** `passed (reward 1)`, `failed`, `score 0.4 (grader tests-pass)`, or `unknown`. */
export function renderOutcome(outcome: SessionOutcome | null): string {
  if (outcome === null) return 'unknown';
  const verdict = outcome.passed === true ? 'passed' : outcome.passed === false ? 'failed' : 'score';
  const score = outcome.score === null ? '' : ` ${String(outcome.score)}`;
  const label =
    verdict === 'score'
      ? `score${score}`
      : `${verdict}${outcome.score === null ? '' : ` (${outcome.name}${score})`}`;
  return outcome.source === 'grader' ? `${label} [grader ${outcome.name}]` : label;
}
