import type { Proposal } from '../domain/proposal.js';
import { ReverieError } from '../domain/errors.js';
import { assertProposalTransition, proposalTransition } from '../review/transition-proposal.js';
import type { AppContext } from './app-context.js';
import { resolveProposal } from './resolve-proposal.js';

/**
 * Use-case: a person rejects a proposal, optionally saying why. The same change is not proposed again by later
 * dreams unless the lesson changes.
 * @throws ReverieError PROPOSAL_NOT_FOUND, PROPOSAL_INVALID_TRANSITION
 */
export async function rejectProposal(
  context: AppContext,
  options: { id: string; reason: string | null; userName: string },
): Promise<Proposal> {
  const proposal = await resolveProposal(context.store, options.id);
  assertProposalTransition(proposal, 'reject');
  const updated = await context.store.transitionProposal({
    id: proposal.id,
    ...proposalTransition('reject'),
    decidedAt: context.clock.now().toISOString(),
    decidedBy: options.userName,
    statusReason: options.reason,
  });
  if (updated === null) {
    // Someone else decided it between our read and our write.
    const now = await resolveProposal(context.store, proposal.id);
    assertProposalTransition(now, 'reject');
    throw new ReverieError({
      code: 'PROPOSAL_INVALID_TRANSITION',
      message: `Proposal ${proposal.id} changed while it was being rejected; run the command again.`,
      data: { proposalId: proposal.id },
    });
  }
  return updated;
}
