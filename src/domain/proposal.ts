/**
 * Proposals: small, typed edits to one memory file, with a unified diff, a one-line reason and verified evidence.
 */
import type { Evidence } from './finding.js';
import type { ScreenFlag } from './screening.js';

/** Managed entries carry a stable id, so later edits can name them. */
export type MemoryEdit =
  /** Add a new entry to Reverie's section of the file (the section is created if missing). */
  | { op: 'add'; entryId: string; text: string }
  /** Replace the text of an existing entry, keeping its id. */
  | { op: 'update'; entryId: string; text: string }
  /** Replace an entry by a new one with a new id; the old text stays in the version history. */
  | { op: 'supersede'; entryId: string; newEntryId: string; text: string }
  /** Remove an entry (stale, or merged into another); its text stays in the version history. */
  | { op: 'remove'; entryId: string };

export type ProposalStatus = 'pending' | 'approved' | 'rejected' | 'superseded' | 'applied' | 'apply-failed';

export const proposalStatuses: readonly ProposalStatus[] = [
  'pending',
  'approved',
  'rejected',
  'superseded',
  'applied',
  'apply-failed',
];

/** True when `value` names a proposal status. */
export function isProposalStatus(value: string): value is ProposalStatus {
  return (proposalStatuses as readonly string[]).includes(value);
}

export interface Proposal {
  id: string;
  dreamRunId: string;
  /** Absolute path of the memory file this edits. */
  memoryPath: string;
  /** The agent whose memory this edits, or null for the shared file. */
  agent: string | null;
  /** The version of the memory file the edit was made against. */
  baseVersion: number;
  edits: readonly MemoryEdit[];
  /** Unified diff from the base version's content to the proposed content. */
  diff: string;
  /** One line: why this change. */
  reason: string;
  /** One line: why this file (the agent's own file or the shared one). */
  routing: string;
  findingIds: readonly string[];
  evidence: readonly Evidence[];
  status: ProposalStatus;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  /** Why it was rejected, superseded, or why applying failed. */
  statusReason: string | null;
  /** The memory version created when the proposal was applied. */
  appliedVersion: number | null;
  /** What the injection screen found in it (see docs/security.md); empty when clean. */
  screening: readonly ScreenFlag[];
  /**
   * Why the approval policy keeps it for a person even under `approval: automatic` ("it removes an entry a person
   * wrote"); empty when nothing holds it.
   */
  holds: readonly string[];
}
