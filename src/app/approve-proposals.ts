/**
 * Use-case: a person approves proposals; each is applied as a new version of its memory file.
 * Proposals are handled one by one, in the order given: one that cannot be applied does not stop the others,
 * and each outcome is reported.
 */
import type { MemoryTarget } from '../domain/agent.js';
import { ReverieError, isReverieError } from '../domain/errors.js';
import type { ReverieErrorCode } from '../domain/errors.js';
import type { AppContext } from './app-context.js';
import { applyProposal } from './apply-proposal.js';
import { resolveProposal } from './resolve-proposal.js';

export type ApproveOutcome =
  | {
      id: string;
      ok: true;
      proposalId: string;
      memoryPath: string;
      version: number;
      rebasedOnto: number | null;
    }
  | { id: string; ok: false; code: ReverieErrorCode; message: string };

/**
 * Approves and applies proposals.
 * @param options.ids proposal ids or unique prefixes
 * @param options.targetFor the configured memory target for a path, or null when the file is no longer configured
 * @param options.userName recorded as the reviewer
 */
export async function approveProposals(
  context: AppContext,
  options: { ids: readonly string[]; targetFor: (path: string) => MemoryTarget | null; userName: string },
): Promise<ApproveOutcome[]> {
  const outcomes: ApproveOutcome[] = [];
  for (const id of options.ids) {
    try {
      const proposal = await resolveProposal(context.store, id);
      const target = options.targetFor(proposal.memoryPath);
      if (target === null) {
        throw new ReverieError({
          code: 'MEMORY_FILE_UNKNOWN',
          message: `Proposal ${proposal.id} edits ${proposal.memoryPath}, which is no longer a memory file in reverie.yaml. Add it back, or \`reverie reject ${proposal.id}\`.`,
          data: { proposalId: proposal.id, path: proposal.memoryPath },
        });
      }
      const result = await applyProposal(context, {
        proposal,
        target,
        actor: { kind: 'reviewer', name: options.userName },
        dreamRunId: proposal.dreamRunId,
      });
      outcomes.push({
        id,
        ok: true,
        proposalId: proposal.id,
        memoryPath: proposal.memoryPath,
        version: result.version.version,
        rebasedOnto: result.rebasedOnto,
      });
    } catch (error) {
      if (!isReverieError(error)) throw error;
      outcomes.push({ id, ok: false, code: error.code, message: error.message });
    }
  }
  return outcomes;
}
