/**
 * One entry point from any session finding to its lesson, and the order lessons claim room in a memory file:
 * lessons are weighted by outcomes, so evidence from failed sessions counts toward "what to avoid" and from
 * successful ones toward "what to repeat".
 */
import type { Finding, OutcomeTally } from '../domain/finding.js';
import { lessonForUserCorrection } from './correction-lessons.js';
import { lessonForOutcomeContrast } from './outcome-contrast-lessons.js';
import { lessonForToolError } from './tool-error-lessons.js';
import type { LessonResult } from './tool-error-lessons.js';
import { lessonForWorkflow } from './workflow-lessons.js';

/** "; of its 5 sessions with a known outcome, 4 failed" — empty when no outcome is known. */
export function describeOutcomes(outcomes: OutcomeTally): string {
  const known = outcomes.failed + outcomes.succeeded;
  if (known === 0) return '';
  return ` Outcomes: ${outcomes.failed} of its ${known} sessions with a known outcome failed, ${outcomes.succeeded} succeeded.`;
}

function withOutcomes(result: LessonResult, outcomes: OutcomeTally): LessonResult {
  if ('skip' in result) return result;
  return { lesson: { ...result.lesson, reason: `${result.lesson.reason}${describeOutcomes(outcomes)}` } };
}

/**
 * The lesson a finding teaches, or why it teaches none.
 * @returns `{ lesson }` or `{ skip: reason }`; memory-hygiene findings are planned by `planHygieneEdits` instead
 */
export function lessonForFinding(finding: Finding): LessonResult {
  switch (finding.kind) {
    case 'recurring-tool-error':
      return withOutcomes(lessonForToolError(finding), finding.outcomes);
    case 'user-correction':
      return withOutcomes(lessonForUserCorrection(finding), finding.outcomes);
    case 'workflow':
      return lessonForWorkflow(finding);
    case 'outcome-contrast':
      return lessonForOutcomeContrast(finding);
    case 'memory-hygiene':
      return { skip: 'memory-hygiene findings are edits of the file, not lessons' };
  }
}

/**
 * How much a finding's lesson deserves room, higher first: a person's standing instruction, then evidence from
 * failed runs (what to avoid) and from successful ones (what to repeat), then plain recurrence.
 */
export function lessonWeight(finding: Finding): number {
  switch (finding.kind) {
    case 'recurring-tool-error':
      return finding.sessionCount + 2 * finding.outcomes.failed;
    case 'user-correction':
      return (finding.standing ? 100 : 0) + finding.sessionCount + 2 * finding.outcomes.failed;
    case 'workflow':
      return finding.sessionCount + finding.successCount;
    case 'outcome-contrast':
      return finding.direction === 'avoid'
        ? finding.failedWith - finding.succeededWith + finding.failedTotal
        : finding.succeededWith - finding.failedWith + finding.succeededTotal;
    case 'memory-hygiene':
      return 0;
  }
}

/** The evidence role that shows a finding happened in a session (what a verified session must quote). */
export function primaryEvidenceRole(finding: Finding): string | null {
  switch (finding.kind) {
    case 'recurring-tool-error':
      return 'error';
    case 'user-correction':
      return 'correction';
    case 'workflow':
      return 'step';
    case 'outcome-contrast':
      return 'contrast';
    case 'memory-hygiene':
      return null;
  }
}

/** Distinct sessions a lesson's verified evidence must still cover (a standing instruction needs its one session). */
export function requiredVerifiedSessions(
  finding: Finding,
  minSessions: number,
  candidateSessions: number,
): number {
  if (finding.kind === 'memory-hygiene') return candidateSessions === 0 ? 0 : 1;
  if (finding.kind === 'user-correction' && finding.standing) return 1;
  return Math.max(1, Math.min(minSessions, candidateSessions));
}
