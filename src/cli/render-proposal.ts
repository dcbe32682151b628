import type { Proposal } from '../domain/proposal.js';
import { displayPath, oneLine, renderTable, shortTime } from './render-table.js';

/** The list `reverie proposals` prints. */
export function renderProposalList(proposals: readonly Proposal[], cwd: string): string {
  if (proposals.length === 0) return 'No proposals.';
  return renderTable(
    ['ID', 'STATUS', 'FILE', 'CREATED', 'SESSIONS', 'CHANGE'],
    proposals.map((proposal) => [
      proposal.id,
      proposal.status === 'pending' && (proposal.holds.length > 0 || proposal.screening.length > 0)
        ? 'pending (held)'
        : proposal.status,
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
  if (proposal.holds.length > 0) {
    lines.push('', 'Held for a person because:');
    for (const hold of proposal.holds) lines.push(`  ! ${hold}`);
  }
  const entryFlags = proposal.screening.filter((flag) => flag.where !== 'evidence');
  if (entryFlags.length > 0) {
    lines.push('', 'Flagged by the injection screen (docs/security.md):');
    for (const flag of entryFlags) {
      lines.push(
        `  ! [${flag.kind}] in the ${flag.where === 'entry' ? 'text to write' : 'reason'}: »${flag.excerpt}« (${flag.reason})`,
      );
    }
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
    for (const flag of proposal.screening) {
      if (flag.where === 'evidence' && flag.eventId === item.eventId) {
        lines.push(
          `      ! [${flag.kind}] »${flag.excerpt}« (${flag.reason}; untrusted text, shown, never written)`,
        );
      }
    }
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
