import type { SessionOutcome } from '../../domain/outcome.js';
import { capText } from '../cap-text.js';
import type { LangfuseScore } from './langfuse-schema.js';

/** A score that may become its session's outcome, with what decides between several. */
export interface OutcomeCandidate {
  /** 0: a BOOLEAN score; 1: a numeric score with a pass/fail name; 2: any other numeric score. Lower wins. */
  rank: number;
  /** The score's time (ms); among equal ranks the latest wins. */
  timeMs: number | null;
  id: string;
  outcome: SessionOutcome;
}

// Score names that mean "the task was done" (compared in lower case, `-` and spaces as `_`): a 1 passes, a 0 fails.
const PASS_FAIL_NAMES: ReadonlySet<string> = new Set([
  'success',
  'task_success',
  'task_completion',
  'completed',
  'passed',
  'pass',
  'resolved',
  'solved',
  'correct',
  'correctness',
  'is_correct',
]);
const MAX_DETAIL_BYTES = 2000;

/**
 * The outcome candidate of one score, or null when the score says nothing about the whole session: scores of one
 * observation or of a dataset run, categorical and text scores, corrections, scores without a number.
 *
 * The rule, so a session with several scores gets one outcome: a BOOLEAN score (`passed` = value 1) beats a numeric
 * score with a pass/fail name (`success`, `correctness`, `resolved`, ...: `passed` when the value is exactly 1 or
 * 0, else null), which beats any other numeric score (`passed` null: `toxicity` 0.8 is a measure, not a verdict).
 * Among equals the latest score wins. `score` is the value, `name` the score's name, `detail` its comment.
 */
export function langfuseOutcomeCandidate(score: LangfuseScore): OutcomeCandidate | null {
  if ((score.observationId ?? null) !== null || (score.datasetRunId ?? null) !== null) return null;
  const name = score.name ?? null;
  if (name === null || name.length === 0) return null;
  const dataType = (
    score.dataType ?? (score.value === null || score.value === undefined ? '' : 'NUMERIC')
  ).toUpperCase();
  let value = score.value ?? null;
  if (dataType === 'BOOLEAN' && value === null) {
    const text = (score.stringValue ?? '').toLowerCase();
    value = text === 'true' ? 1 : text === 'false' ? 0 : null;
  }
  if (value === null || !Number.isFinite(value) || (dataType !== 'BOOLEAN' && dataType !== 'NUMERIC'))
    return null;
  const rank =
    dataType === 'BOOLEAN' ? 0 : PASS_FAIL_NAMES.has(name.toLowerCase().replace(/[\s-]+/g, '_')) ? 1 : 2;
  const passed = rank === 2 ? null : value === 1 ? true : value === 0 ? false : null;
  const timeMs = score.timestamp == null ? null : Date.parse(score.timestamp);
  const comment = score.comment ?? null;
  return {
    rank,
    timeMs: timeMs === null || Number.isNaN(timeMs) ? null : timeMs,
    id: score.id ?? '',
    outcome: {
      passed,
      score: value,
      source: 'log',
      name,
      detail: comment === null || comment.length === 0 ? null : capText(comment, MAX_DETAIL_BYTES),
    },
  };
}

/** The better of two candidates by the rule of {@link langfuseOutcomeCandidate}. */
export function betterOutcomeCandidate(
  left: OutcomeCandidate | null,
  right: OutcomeCandidate | null,
): OutcomeCandidate | null {
  if (left === null) return right;
  if (right === null) return left;
  if (left.rank !== right.rank) return left.rank < right.rank ? left : right;
  const leftTime = left.timeMs ?? Number.NEGATIVE_INFINITY;
  const rightTime = right.timeMs ?? Number.NEGATIVE_INFINITY;
  if (leftTime !== rightTime) return leftTime > rightTime ? left : right;
  if (left.outcome.name !== right.outcome.name) return left.outcome.name < right.outcome.name ? left : right;
  return left.id <= right.id ? left : right;
}
