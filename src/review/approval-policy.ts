/**
 * The approval policy: what a dream may apply on its own under `approval: automatic`, what waits for a person
 * (held: saved as pending, with the reasons), and what never becomes a proposal at all (blocked). Pure; see
 * docs/security.md.
 *
 * Always held: removing, superseding or rewording text a person wrote, and anything the injection screen flagged.
 * Held by default (configurable): entries with URLs, entries with shell command lines, removals of entries found
 * stale, and more than `maxChangedLines` changed lines in one file in one dream. Blocked under automatic approval: a screen hit in the
 * text that would enter the file (under manual approval a person sees it, flagged, instead).
 */
import type { ApprovalPolicy } from '../domain/approval-policy.js';
import type { ApprovalMode } from '../domain/dream-run.js';
import type { MemoryEdit } from '../domain/proposal.js';
import type { ScreenFlag } from '../domain/screening.js';

export { defaultApprovalPolicy } from '../domain/approval-policy.js';
export type { ApprovalPolicy } from '../domain/approval-policy.js';

export interface ApprovalInput {
  approval: ApprovalMode;
  edits: readonly MemoryEdit[];
  /** Entry ids among the edited ones whose current text a person wrote or reworded. */
  humanEntryIds: readonly string[];
  screening: readonly ScreenFlag[];
  /** URLs and command lines in the texts the edits would write. */
  urls: readonly string[];
  commands: readonly string[];
  /** Changed lines of this proposal's diff, and of the dream's earlier proposals to the same file. */
  changedLines: number;
  changedLinesBefore: number;
  /** The change removes entries found stale (memory hygiene). */
  staleRemoval?: boolean;
  policy: ApprovalPolicy;
}

export type ApprovalDecision =
  { decision: 'apply' | 'hold'; holds: string[] } | { decision: 'block'; reason: string };

function quoteList(items: readonly string[]): string {
  const shown = items.slice(0, 3).map((item) => `\`${item.length > 60 ? `${item.slice(0, 59)}…` : item}\``);
  return `${shown.join(', ')}${items.length > 3 ? ` and ${items.length - 3} more` : ''}`;
}

function describeFlags(flags: readonly ScreenFlag[]): string {
  return flags
    .slice(0, 3)
    .map((flag) => `${flag.kind} "${flag.excerpt}"`)
    .join('; ');
}

/** Lines added or removed in a unified diff (headers and context not counted). */
export function countChangedLines(diff: string): number {
  let count = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+') || line.startsWith('-')) count++;
  }
  return count;
}

/**
 * Decides what happens to one proposal.
 * @returns `apply` (automatic approval, nothing holds it), `hold` with the reasons (a person decides; under manual
 * approval every proposal waits anyway, and the reasons tell the reviewer what to look at), or `block`
 */
export function decideApproval(input: ApprovalInput): ApprovalDecision {
  const entryFlags = input.screening.filter((flag) => flag.where === 'entry');
  if (input.approval === 'automatic' && entryFlags.length > 0) {
    return {
      decision: 'block',
      reason: `blocked: the text it would write was flagged by the injection screen (${describeFlags(entryFlags)})`,
    };
  }
  const holds: string[] = [];
  if (entryFlags.length > 0) {
    holds.push(`the text it would write was flagged by the injection screen: ${describeFlags(entryFlags)}`);
  }
  const otherFlags = input.screening.filter((flag) => flag.where !== 'entry');
  if (otherFlags.length > 0) {
    holds.push(`its evidence or reason was flagged by the injection screen: ${describeFlags(otherFlags)}`);
  }
  if (input.humanEntryIds.length > 0) {
    const ops = new Set(
      input.edits
        .filter((edit) => input.humanEntryIds.includes(edit.entryId))
        .map((edit) =>
          edit.op === 'remove' ? 'removes' : edit.op === 'supersede' ? 'supersedes' : 'rewrites',
        ),
    );
    holds.push(
      `it ${[...ops].join(' and ')} text a person wrote (${input.humanEntryIds.map((id) => `entry ${id}`).join(', ')})`,
    );
  }
  if (input.policy.holdStaleRemovals && input.staleRemoval === true) {
    holds.push(
      'it removes an entry for lack of recent evidence, which may mean the entry works; approval_policy.hold_stale_removals is on',
    );
  }
  if (input.policy.holdUrls && input.urls.length > 0) {
    holds.push(`it adds a URL (${quoteList(input.urls)}); approval_policy.hold_urls is on`);
  }
  if (input.policy.holdShellCommands && input.commands.length > 0) {
    holds.push(
      `it adds a shell command (${quoteList(input.commands)}); approval_policy.hold_shell_commands is on`,
    );
  }
  const total = input.changedLinesBefore + input.changedLines;
  if (total > input.policy.maxChangedLines) {
    holds.push(
      `this dream would change ${total} lines of the file, more than approval_policy.max_changed_lines (${input.policy.maxChangedLines})`,
    );
  }
  return { decision: input.approval === 'automatic' && holds.length === 0 ? 'apply' : 'hold', holds };
}
