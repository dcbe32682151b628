/**
 * Rules and errors every Store adapter shares, so two adapters cannot drift apart in what they accept or in how
 * they explain a refusal. Adapters must not import each other; they import this.
 */
import { ReverieError } from '../domain/errors.js';
import type { ProposalStatus } from '../domain/proposal.js';

/** Statuses from which `commitMemoryWrite` may mark a proposal applied. */
export const applicableProposalStatuses: readonly ProposalStatus[] = ['pending', 'approved', 'apply-failed'];

/** The caller expected `expected` to be the current version of `path`, but it is `actual`. */
export function memoryVersionConflictError(options: {
  path: string;
  expected: number | null;
  actual: number | null;
}): ReverieError {
  const { path, expected, actual } = options;
  let message: string;
  if (actual === null) {
    message =
      `${path} is not managed by Reverie yet, but the write expected it at version ${String(expected)}. ` +
      'Record the file as it is now (its initial version) before writing to it.';
  } else if (expected === null) {
    message =
      `${path} is already managed by Reverie (current version ${String(actual)}), but the write expected a new ` +
      'file. Reload the file and retry against its current version.';
  } else {
    message =
      `${path} is at version ${String(actual)}, but the write expected version ${String(expected)}: someone ` +
      'changed it meanwhile. Reload the current version and retry (for a proposal, run `reverie dream` again).';
  }
  return new ReverieError({ code: 'MEMORY_VERSION_CONFLICT', message, data: { path, expected, actual } });
}

/** A write to `path` was begun (version `pendingVersion`) and neither committed nor aborted. */
export function pendingWriteConflictError(options: {
  path: string;
  expected: number | null;
  actual: number | null;
  pendingVersion: number;
}): ReverieError {
  const { path, pendingVersion } = options;
  return new ReverieError({
    code: 'MEMORY_VERSION_CONFLICT',
    message:
      `${path} has a write in progress (version ${String(pendingVersion)}, begun and neither committed nor ` +
      'aborted, possibly by a run that was interrupted). Resolve it first: commit it if the file on disk holds ' +
      'that version, otherwise abort it; then retry.',
    data: { ...options },
  });
}

/** `commitMemoryWrite` named a version that is not pending. */
export function noPendingWriteError(options: {
  path: string;
  version: number;
  state: 'committed' | null;
}): ReverieError {
  const { path, version, state } = options;
  const what =
    state === 'committed'
      ? `version ${String(version)} of ${path} is already committed`
      : `no write of version ${String(version)} of ${path} is pending (it was never begun, or was aborted)`;
  return new ReverieError({
    code: 'MEMORY_VERSION_CONFLICT',
    message: `Cannot commit: ${what}. Check getPendingMemoryWrite(${JSON.stringify(path)}) for the write in progress.`,
    data: { path, version, state },
  });
}

/** `commitMemoryWrite` named a proposal the store does not have. */
export function proposalNotFoundError(options: {
  proposalId: string;
  path: string;
  version: number;
}): ReverieError {
  const { proposalId, path, version } = options;
  return new ReverieError({
    code: 'PROPOSAL_NOT_FOUND',
    message:
      `Proposal ${proposalId} does not exist, so version ${String(version)} of ${path} was not committed ` +
      '(it is still pending). Commit it without a proposal, or abort it.',
    data: { proposalId, path, version },
  });
}

/** `commitMemoryWrite` would mark applied a proposal whose status does not allow it. */
export function proposalNotApplicableError(options: {
  proposalId: string;
  status: ProposalStatus;
  path: string;
  version: number;
}): ReverieError {
  const { proposalId, status, path, version } = options;
  return new ReverieError({
    code: 'PROPOSAL_INVALID_TRANSITION',
    message:
      `Proposal ${proposalId} is ${status} and cannot become applied (only ` +
      `${applicableProposalStatuses.join(', ')} can). Nothing was committed: version ${String(version)} of ` +
      `${path} is still pending; abort it, or commit it without the proposal.`,
    data: { proposalId, from: status, to: 'applied', path, version },
  });
}

/** `saveProposals` got an id that is already stored or repeated in the batch. */
export function duplicateProposalError(proposalId: string): ReverieError {
  return new ReverieError({
    code: 'STORE_FAILED',
    message:
      `Proposal ${proposalId} already exists (or appears twice in the batch); proposal ids must be unique. ` +
      'Nothing from this batch was saved. This is a bug in whatever generated the ids.',
    data: { proposalId },
  });
}

/** `saveIngestChunks` got an event whose session is neither in the chunk nor stored. */
export function unknownEventSessionError(options: {
  eventId: string;
  sessionId: string;
  path: string;
}): ReverieError {
  const { eventId, sessionId, path } = options;
  return new ReverieError({
    code: 'STORE_FAILED',
    message:
      `Event ${eventId} from ${path} belongs to session ${sessionId}, which is neither in the same chunk nor ` +
      'stored. Nothing from this chunk was saved. This is a bug in the session source of that format.',
    data: { eventId, sessionId, path },
  });
}

/** Rows to return for a caller-supplied limit (`undefined`: all; negative: none). */
export function normalizeLimit(limit: number | undefined): number | undefined {
  return limit === undefined ? undefined : Math.max(0, Math.floor(limit));
}

/** `recordOutcome` got an id that is already stored. */
export function duplicateOutcomeError(outcomeId: string): ReverieError {
  return new ReverieError({
    code: 'STORE_FAILED',
    message: `Outcome ${outcomeId} already exists; outcome ids must be unique. Nothing was saved. This is a bug in whatever generated the id.`,
    data: { outcomeId },
  });
}
