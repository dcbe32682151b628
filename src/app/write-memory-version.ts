/**
 * Use-case step: write a new version of a memory file so that the file and the store never disagree after a
 * crash. Write-ahead: the version is reserved as pending, the file is replaced atomically, then the version is
 * committed; `syncMemoryFile` finishes or discards a write interrupted between the steps.
 */
import type { Actor, MemoryVersion } from '../domain/memory-version.js';
import { ReverieError, isReverieError } from '../domain/errors.js';
import type { AppliedProposal } from '../ports/store.js';
import type { AppContext } from './app-context.js';

export interface WriteMemoryVersionOptions {
  path: string;
  agent: string | null;
  content: string;
  /** false writes "no file" (a rollback to before the file existed). */
  exists: boolean;
  actor: Actor;
  dreamRunId: string | null;
  proposal: AppliedProposal | null;
  reason: string;
  /** The version the new one is based on; the write fails if the file moved on. */
  expectedCurrent: number;
}

/**
 * Writes the file and records the version. The caller holds the file's write lock (`withMemoryWriteLock`).
 * @throws ReverieError MEMORY_VERSION_CONFLICT when another writer got there first; MEMORY_WRITE_FAILED when the
 * file could not be written (the store is left unchanged)
 */
export async function writeMemoryVersion(
  context: AppContext,
  options: WriteMemoryVersionOptions,
): Promise<MemoryVersion> {
  const pending = await context.store.beginMemoryWrite({
    expectedCurrent: options.expectedCurrent,
    draft: {
      path: options.path,
      agent: options.agent,
      content: options.exists ? options.content : '',
      exists: options.exists,
      actor: options.actor,
      dreamRunId: options.dreamRunId,
      proposalId: options.proposal?.id ?? null,
      reason: options.reason,
      createdAt: context.clock.now().toISOString(),
    },
  });
  try {
    if (options.exists) await context.memoryFiles.write(options.path, options.content);
    else await context.memoryFiles.remove(options.path);
  } catch (error) {
    await context.store.abortMemoryWrite({ path: options.path, version: pending.version });
    if (isReverieError(error)) throw error;
    throw new ReverieError({
      code: 'MEMORY_WRITE_FAILED',
      message: `Could not write ${options.path}: ${(error as Error).message}. The file and its history are unchanged; fix the cause (permissions, disk space) and retry.`,
      data: { path: options.path },
      cause: error,
    });
  }
  return context.store.commitMemoryWrite({
    path: options.path,
    version: pending.version,
    proposal: options.proposal,
  });
}
