/**
 * Use-case step: grade the dream's sessions with the configured rubrics. A session is graded once per rubric
 * definition and graded again when it grows; each grade is an outcome record (source `grader`) with every
 * criterion's result, so the outcome a dream learns from can be traced to the criteria that decided it.
 */
import type { GradingSummary } from '../domain/dream-run.js';
import type { CriterionResult, OutcomeRecord } from '../domain/outcome.js';
import { hashText } from '../domain/hash.js';
import type { Rubric } from '../domain/rubric.js';
import type { Session } from '../domain/session.js';
import { gradeSession } from '../grading/grade-session.js';
import type { CommandResult } from '../grading/grade-session.js';
import { redactSecrets } from '../guard/redact-secrets.js';
import type { AppContext } from './app-context.js';

/** Who recorded a grade: the rubric and a hash of its definition (a changed rubric grades again). */
function graderName(rubric: Rubric): string {
  return `rubric ${rubric.name}@${hashText(JSON.stringify(rubric)).slice(0, 8)}`;
}

const batchSize = 50;

/** Grades every session that has no current grade from each applicable rubric. */
export async function gradeSessions(
  context: AppContext,
  options: { sessions: readonly Session[]; rubrics: readonly Rubric[] },
): Promise<GradingSummary[]> {
  const summaries: GradingSummary[] = [];
  if (options.rubrics.length === 0 || options.sessions.length === 0) return summaries;
  const existing = await context.store.listOutcomes({
    sessionIds: options.sessions.map((session) => session.id),
  });
  for (const rubric of options.rubrics) {
    const grader = graderName(rubric);
    const summary: GradingSummary = { rubric: rubric.name, graded: 0, passed: 0, failed: 0, undecided: 0 };
    const current = new Set(
      existing
        .filter((record) => record.source === 'grader' && record.recordedBy === grader)
        .map((record) => `${record.sessionId}\u0000${String(record.eventCount)}`),
    );
    const due = options.sessions.filter(
      (session) =>
        (rubric.agents === null || rubric.agents.includes(session.agent)) &&
        !current.has(`${session.id}\u0000${String(session.eventCount)}`),
    );
    for (let start = 0; start < due.length; start += batchSize) {
      const batch = await context.store.loadSessionsWithEvents({
        sessionIds: due.slice(start, start + batchSize).map((session) => session.id),
      });
      for (const session of batch) {
        const commandResults = new Map<number, CommandResult>();
        for (const [index, criterion] of rubric.criteria.entries()) {
          if (criterion.type !== 'command') continue;
          commandResults.set(
            index,
            session.cwd === null
              ? null
              : await context.commands.run({
                  command: criterion.command,
                  cwd: session.cwd,
                  timeoutMs: criterion.timeoutMs,
                }),
          );
        }
        const grade = gradeSession(session, rubric, commandResults);
        // Command output is stored with the grade: it may hold secrets like any log.
        const criteria: CriterionResult[] = grade.criteria.map((result) => ({
          ...result,
          detail: result.detail === null ? null : redactSecrets(result.detail),
        }));
        const record: OutcomeRecord = {
          id: context.ids.next('o-'),
          sessionId: session.id,
          source: 'grader',
          name: rubric.name,
          passed: grade.passed,
          score: grade.score,
          detail: `${criteria.filter((result) => result.passed === true).length} of ${criteria.length} criteria passed`,
          criteria,
          eventCount: session.eventCount,
          recordedAt: context.clock.now().toISOString(),
          recordedBy: grader,
        };
        await context.store.recordOutcome(record);
        summary.graded++;
        if (grade.passed === true) summary.passed++;
        else if (grade.passed === false) summary.failed++;
        else summary.undecided++;
      }
    }
    summaries.push(summary);
  }
  return summaries;
}
