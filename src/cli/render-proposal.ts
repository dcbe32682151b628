import type { Proposal } from '../domain/proposal.js';
import { displayPath, oneLine, renderTable, shortTime } from './render-table.js';

/** The list `reverie proposals` prints. */
export function renderProposalList(proposals: readonly Proposal[], cwd: string): string {
  if (proposals.length === 0) return 'No proposals.';
  return renderTable(
    ['ID', 'STATUS', 'FILE', 'CREATED', 'SESSIONS', 'CHANGE'],
    proposals.map((proposal) => [
      proposal.id,
      proposal.status,
      displayPath(proposal.memoryPath, cwd),
      shortTime(proposal.createdAt),
      String(new Set(proposal.evidence.map((item) => item.sessionId)).size),
      oneLine(
        proposal.edits
          .map((edit) => `${edit.op} ${edit.op === 'supersede' ? edit.newEntryId : edit.entryId}`)
          .join(', '),
        40,
      ),
    ]),
  );
}

/** Everything about one proposal: why, where, evidence with verbatim quotes, and the diff approving would make. */
export function renderProposal(proposal: Proposal, cwd: string): string {
  const lines: string[] = [];
  lines.push(`Proposal ${proposal.id} (${proposal.status})`);
  lines.push(`  File:     ${displayPath(proposal.memoryPath, cwd)} (against v${proposal.baseVersion})`);
  lines.push(`  Why:      ${proposal.reason}`);
  lines.push(`  Routing:  ${proposal.routing}`);
  lines.push(`  Run:      ${proposal.dreamRunId}, ${shortTime(proposal.createdAt)}`);
  if (proposal.decidedAt !== null) {
    lines.push(
      `  Decided:  ${shortTime(proposal.decidedAt)} by ${proposal.decidedBy ?? '?'}${proposal.statusReason === null ? '' : `: ${proposal.statusReason}`}`,
    );
  } else if (proposal.statusReason !== null) {
    lines.push(`  Note:     ${proposal.statusReason}`);
  }
  const sessions = new Set(proposal.evidence.map((item) => item.sessionId));
  lines.push(
    '',
    `Evidence (${proposal.evidence.length} quotes from ${sessions.size} sessions, each checked against the stored session):`,
  );
  for (const item of proposal.evidence) {
    lines.push(
      `  - [${item.role}] session ${item.sessionId}, event ${item.eventId}, ${shortTime(item.timestamp)} (agent ${item.agent})`,
    );
    lines.push(`      "${oneLine(item.quote, 160)}"`);
  }
  lines.push('', 'Diff:', proposal.diff.trimEnd());
  if (proposal.status === 'pending') {
    lines.push(
      '',
      `Apply it with \`reverie approve ${proposal.id}\`, or \`reverie reject ${proposal.id} --reason "..."\`.`,
    );
  }
  return lines.join('\n');
}
