/**
 * The proposal state machine. Pure: the shell checks a transition here, then records it with a compare-and-set in
 * the store, so two people (or two processes) approving the same proposal apply it once.
 *
 *   pending ──approve──▶ applied        pending ──reject──▶ rejected
 *      │  └──fail──▶ apply-failed ──approve──▶ applied
 *      └──supersede──▶ superseded       apply-failed ──reject──▶ rejected
 */
import { ReverieError } from '../domain/errors.js';
import type { Proposal, ProposalStatus } from '../domain/proposal.js';

export type ProposalAction = 'approve' | 'reject' | 'fail' | 'supersede';

const transitions: Record<ProposalAction, { from: readonly ProposalStatus[]; to: ProposalStatus }> = {
  approve: { from: ['pending', 'approved', 'apply-failed'], to: 'applied' },
  reject: { from: ['pending', 'approved', 'apply-failed'], to: 'rejected' },
  fail: { from: ['pending', 'approved', 'apply-failed'], to: 'apply-failed' },
  supersede: { from: ['pending'], to: 'superseded' },
};

/** The statuses an action may start from and the status it leads to. */
export function proposalTransition(action: ProposalAction): {
  from: readonly ProposalStatus[];
  to: ProposalStatus;
} {
  return transitions[action];
}

const explanations: Partial<Record<ProposalStatus, string>> = {
  applied: 'it is already applied; `reverie history` shows the version it created',
  rejected: 'it was rejected; the next `reverie dream` proposes again only if the evidence changes',
  superseded: 'a newer proposal replaced it; see `reverie proposals`',
};

/**
 * Checks that `action` is allowed on `proposal`.
 * @throws ReverieError PROPOSAL_INVALID_TRANSITION with what to do instead
 */
export function assertProposalTransition(
  proposal: Pick<Proposal, 'id' | 'status'>,
  action: ProposalAction,
): void {
  const { from } = transitions[action];
  if (from.includes(proposal.status)) return;
  const why = explanations[proposal.status] ?? `its status is ${proposal.status}`;
  throw new ReverieError({
    code: 'PROPOSAL_INVALID_TRANSITION',
    message: `Cannot ${action} proposal ${proposal.id}: ${why}.`,
    data: { proposalId: proposal.id, status: proposal.status, action },
  });
}
