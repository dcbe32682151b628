import type { DreamRun, RunWarning } from '../domain/dream-run.js';
import { describeFinding, describeRecovery } from '../domain/finding.js';
import { renderIngestWarning } from '../domain/ingest-warning.js';
import { renderRedactions } from './render-ingest.js';
import { displayPath, oneLine, renderTable, shortTime } from './render-table.js';

function renderRunWarning(warning: RunWarning, cwd: string): string {
  switch (warning.type) {
    case 'ingest':
      return renderIngestWarning(warning.warning);
    case 'evidence-rejected':
      return `evidence for ${warning.findingId} rejected: ${warning.message}`;
    case 'apply-failed':
      return `proposal ${warning.proposalId} could not be applied: ${warning.message}`;
    case 'memory-external-edit':
      return `${displayPath(warning.path, cwd)} was edited outside Reverie; recorded as v${warning.version} (kept, never overwritten)`;
    case 'source-missing':
      return `agent ${warning.agent}: source ${warning.path} does not exist (check agents.${warning.agent}.sources)`;
  }
}

/** The run report `reverie dream` and `reverie report` print. */
export function renderDreamRun(run: DreamRun, cwd: string, options: { maxWarnings?: number } = {}): string {
  const lines: string[] = [];
  const mode = `${run.approval}${run.dryRun ? ', dry run: nothing saved' : ''}`;
  lines.push(`Dream ${run.id} (${run.status}, ${run.trigger}, approval ${mode})`);
  lines.push(
    `  Started ${shortTime(run.startedAt)}, ended ${shortTime(run.endedAt)}; agents: ${run.agents.join(', ')}`,
  );
  if (run.error !== null) lines.push(`  Failed: ${run.error}`);
  const report = run.report;
  if (report === null) return lines.join('\n');

  if (report.ingest !== null) {
    const ingest = report.ingest;
    lines.push(
      `  Read logs: ${ingest.filesScanned} files (${ingest.filesRead} read, ${ingest.filesUnchanged} unchanged), +${ingest.sessionsAdded} sessions, +${ingest.eventsAdded} events`,
    );
    const redacted = renderRedactions(ingest.redactions);
    if (redacted !== null) lines.push(`  ${redacted}`);
  }
  lines.push(
    `  Analysed ${report.sessionsRead} sessions since ${shortTime(report.since)} (${report.sessionsAnalysed} new or changed since the last dream): ${report.eventsRead} events, ${report.toolErrorsRead} tool errors`,
  );

  for (const grade of report.grading) {
    lines.push(
      `  Graded with rubric ${grade.rubric}: ${grade.graded} sessions (${grade.passed} passed, ${grade.failed} failed, ${grade.undecided} undecided)`,
    );
  }

  if (report.miners !== undefined && report.miners.length > 0) {
    lines.push('', 'Miners:');
    for (const miner of report.miners) {
      lines.push(`  ${miner.miner}: ${miner.findings} findings (${miner.detail})`);
    }
  }

  lines.push('', `Findings (${report.findings.length}):`);
  if (report.findings.length === 0) lines.push('  none');
  for (const finding of report.findings) {
    lines.push(`  - ${finding.id}: ${describeFinding(finding)}`);
    if (finding.kind === 'recurring-tool-error') {
      const recovery = finding.recovery;
      lines.push(
        recovery === null
          ? '      recovery: none seen'
          : `      recovery: ${describeRecovery(recovery, finding.toolNames[0] ?? '')} (${recovery.count} of ${finding.occurrenceCount} times)`,
      );
      if (finding.recurredAfterEntry !== null) {
        lines.push(
          `      kept happening after entry ${finding.recurredAfterEntry.entryId} was written (${finding.recurredAfterEntry.occurrencesAfter}x in ${finding.recurredAfterEntry.sessionsAfter} sessions since ${shortTime(finding.recurredAfterEntry.since)})`,
        );
      }
    }
    if ('outcomes' in finding && finding.outcomes.failed + finding.outcomes.succeeded > 0) {
      lines.push(
        `      outcomes: ${finding.outcomes.failed} failed, ${finding.outcomes.succeeded} succeeded, ${finding.outcomes.unknown} unknown`,
      );
    }
  }

  lines.push('', `Proposals (${report.proposals.length}):`);
  if (report.proposals.length === 0) lines.push('  none');
  for (const proposal of report.proposals) {
    const applied = proposal.appliedVersion === null ? '' : ` → v${proposal.appliedVersion}`;
    lines.push(`  - ${proposal.id} [${proposal.status}${applied}] ${displayPath(proposal.memoryPath, cwd)}`);
    lines.push(`      why: ${oneLine(proposal.reason, 200)}`);
    lines.push(`      routing: ${proposal.routing}`);
    for (const hold of proposal.holds ?? []) lines.push(`      held for approval because ${hold}`);
  }

  if (report.blocked !== undefined && report.blocked.length > 0) {
    lines.push('', `Blocked by the injection screen (${report.blocked.length}):`);
    for (const item of report.blocked) {
      lines.push(`  - ${oneLine(item.subject.replaceAll(`${cwd}/`, ''), 200)}`, `      ${item.reason}`);
      if (item.sessionIds !== undefined && item.sessionIds.length > 0) {
        lines.push(`      sessions: ${oneLine(item.sessionIds.join(', '), 200)}`);
      }
    }
  }
  if (report.injections !== undefined && report.injections.events > 0) {
    const { injections } = report;
    lines.push(
      '',
      `Injection markers or redacted secrets in the logs: ${injections.events} events in ${injections.sessions} sessions (none is ever written without a person):`,
    );
    for (const item of injections.listed.slice(0, 10)) {
      const hits = item.hits.map((hit) => `${hit.kind} »${hit.excerpt}«`).join(', ');
      lines.push(
        `  - [${item.outcome}] ${item.eventKind} ${item.eventId} (session ${item.sessionId}): ${oneLine(hits, 160)}`,
      );
      lines.push(`      ${item.detail}`);
    }
    if (injections.events > 10) {
      lines.push(`  … ${injections.events - 10} more (\`reverie report ${run.id} --json\` lists up to 100)`);
    }
  }

  if (report.skipped.length > 0) {
    lines.push('', `Skipped (${report.skipped.length}):`);
    for (const item of report.skipped) {
      lines.push(
        `  - ${oneLine(item.subject.replaceAll(`${cwd}/`, ''), 200)}`,
        `      because ${item.reason}`,
      );
    }
  }
  if (report.warnings.length > 0) {
    const max = options.maxWarnings ?? 20;
    lines.push('', `Warnings (${report.warnings.length}):`);
    for (const warning of report.warnings.slice(0, max)) lines.push(`  - ${renderRunWarning(warning, cwd)}`);
    if (report.warnings.length > max) {
      lines.push(`  … ${report.warnings.length - max} more (\`reverie report ${run.id} --json\` lists all)`);
    }
  }
  if (report.nothingReason !== null) lines.push('', `Nothing proposed: ${report.nothingReason}`);
  const pending = report.proposals.filter((proposal) => proposal.status === 'pending');
  if (pending.length > 0 && !run.dryRun) {
    lines.push(
      '',
      `Review with \`reverie show <id>\`; apply with \`reverie approve ${pending.map((proposal) => proposal.id).join(' ')}\`.`,
    );
  }
  return lines.join('\n');
}

/** The list `reverie report --list` prints. */
export function renderRunList(runs: readonly DreamRun[]): string {
  if (runs.length === 0) return 'No dream has run yet.';
  return renderTable(
    ['RUN', 'STATUS', 'STARTED', 'TRIGGER', 'APPROVAL', 'SESSIONS', 'FINDINGS', 'PROPOSALS'],
    runs.map((run) => [
      run.id,
      run.status,
      shortTime(run.startedAt),
      run.trigger,
      run.approval,
      String(run.report?.sessionsRead ?? '-'),
      String(run.report?.findings.length ?? '-'),
      String(run.report?.proposals.length ?? '-'),
    ]),
  );
}
