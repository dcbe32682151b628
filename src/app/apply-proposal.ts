/**
 * Use-case step: apply one proposal to its memory file, as a new version.
 *
 * A proposal is made against one version of the file. If the file has moved on since:
 * - and every version in between was another Reverie proposal being applied (typically a sibling from the same
 *   dream), the proposal's typed edits are re-applied to the current content, which is safe because they name
 *   entries by id and the no-loss and budget checks run again ("rebased");
 * - otherwise (a hand edit, a rollback) it is refused with what changed and what to do: a person changed the file
 *   after the proposal was reviewed, so it must be looked at again, never applied blindly.
 */
import type { MemoryTarget } from '../domain/agent.js';
import { ReverieError } from '../domain/errors.js';
import type { Actor, MemoryVersion } from '../domain/memory-version.js';
import type { Proposal } from '../domain/proposal.js';
import { applyMemoryEdits } from '../memory/apply-memory-edits.js';
import { assertProposalTransition } from '../review/transition-proposal.js';
import type { AppContext } from './app-context.js';
import { withMemoryWriteLock } from './memory-write-lock.js';
import { syncMemoryFileLocked } from './sync-memory-file.js';
import { writeMemoryVersion } from './write-memory-version.js';

export interface ApplyProposalResult {
  proposalId: string;
  version: MemoryVersion;
  /** The version the edits were re-applied onto, when the proposal was rebased. */
  rebasedOnto: number | null;
}

function describeActor(version: MemoryVersion): string {
  switch (version.actor.kind) {
    case 'external':
      return `v${version.version} is an edit made outside Reverie (recorded ${version.createdAt})`;
    case 'rollback':
      return `v${version.version} is a rollback (${version.reason})`;
    case 'initial':
      return `v${version.version} is the file as first seen`;
    case 'reviewer':
    case 'dream':
      return `v${version.version} applied proposal ${version.proposalId ?? '?'}`;
  }
}

/**
 * Applies `proposal` to `target`.
 * @throws ReverieError MEMORY_VERSION_CONFLICT (stale and not rebasable), PROPOSAL_INVALID_TRANSITION,
 * MEMORY_BUDGET_EXCEEDED / MEMORY_EDIT_INVALID (the edits no longer fit the file)
 */
export async function applyProposal(
  context: AppContext,
  options: { proposal: Proposal; target: MemoryTarget; actor: Actor; dreamRunId: string | null },
): Promise<ApplyProposalResult> {
  assertProposalTransition(options.proposal, 'approve');
  return withMemoryWriteLock(context, options.target.path, () => applyProposalLocked(context, options));
}

async function applyProposalLocked(
  context: AppContext,
  options: { proposal: Proposal; target: MemoryTarget; actor: Actor; dreamRunId: string | null },
): Promise<ApplyProposalResult> {
  const { proposal, target } = options;
  const sync = await syncMemoryFileLocked(context, { path: target.path, agent: proposal.agent });
  const current = sync.current;

  let rebasedOnto: number | null = null;
  if (current.version !== proposal.baseVersion) {
    const versions = await context.store.listMemoryVersions(target.path);
    const between = versions.filter(
      (version) => version.version > proposal.baseVersion && version.version <= current.version,
    );
    const blocking = between.filter(
      (version) => version.actor.kind !== 'reviewer' && version.actor.kind !== 'dream',
    );
    if (current.version < proposal.baseVersion || blocking.length > 0) {
      const reasons = blocking.map(describeActor).join('; ');
      throw new ReverieError({
        code: 'MEMORY_VERSION_CONFLICT',
        message:
          `Proposal ${proposal.id} was made against ${target.path} v${proposal.baseVersion}, but the file is now at ` +
          `v${current.version} (${reasons || 'history changed'}). It was not applied. Run \`reverie dream\` for a ` +
          `fresh proposal against the current file, or \`reverie reject ${proposal.id}\`.`,
        data: {
          proposalId: proposal.id,
          path: target.path,
          expected: proposal.baseVersion,
          actual: current.version,
        },
      });
    }
    rebasedOnto = current.version;
  }

  const applied = applyMemoryEdits({
    content: current.exists ? current.content : '',
    edits: proposal.edits,
    budget: target.budget,
    path: target.path,
  });
  const version = await writeMemoryVersion(context, {
    path: target.path,
    agent: proposal.agent,
    content: applied.content,
    exists: true,
    actor: options.actor,
    dreamRunId: options.dreamRunId,
    proposal: {
      id: proposal.id,
      decidedBy: options.actor.name ?? options.actor.kind,
      decidedAt: context.clock.now().toISOString(),
    },
    reason: rebasedOnto === null ? proposal.reason : `${proposal.reason} (rebased onto v${rebasedOnto})`,
    expectedCurrent: current.version,
  });
  return { proposalId: proposal.id, version, rebasedOnto };
}
