import { ReverieError } from '../domain/errors.js';
import type { Proposal } from '../domain/proposal.js';
import type { Store } from '../ports/store.js';

/**
 * Finds a proposal by its id or a unique prefix of it (people type `p-3f9a`, not the whole id).
 * @throws ReverieError PROPOSAL_NOT_FOUND, PROPOSAL_AMBIGUOUS
 */
export async function resolveProposal(store: Store, idOrPrefix: string): Promise<Proposal> {
  const exact = await store.getProposal(idOrPrefix);
  if (exact !== null) return exact;
  const matches = idOrPrefix.length >= 3 ? await store.findProposalsByPrefix(idOrPrefix) : [];
  if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  if (matches.length > 1) {
    throw new ReverieError({
      code: 'PROPOSAL_AMBIGUOUS',
      message: `"${idOrPrefix}" matches ${matches.length} proposals (${matches
        .slice(0, 5)
        .map((proposal) => proposal.id)
        .join(', ')}); type more of the id.`,
      data: { prefix: idOrPrefix, matches: matches.map((proposal) => proposal.id) },
    });
  }
  throw new ReverieError({
    code: 'PROPOSAL_NOT_FOUND',
    message: `No proposal ${idOrPrefix}. \`reverie proposals\` lists the pending ones.`,
    data: { id: idOrPrefix },
  });
}
