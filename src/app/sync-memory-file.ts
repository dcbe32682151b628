/**
 * Use-case: make the store's view of a memory file match the disk before anything reads or writes it.
 *
 * - A write interrupted between its two halves is finished (the file holds the pending version) or forgotten (it
 *   does not), so the pointer and the file always agree.
 * - A file Reverie has never seen gets version 1 ("initial"), even when it does not exist yet.
 * - A file that differs from the current version was edited by hand: that edit becomes a version of its own
 *   ("external"), so nothing a person wrote is ever overwritten or lost.
 */
import { ReverieError } from '../domain/errors.js';
import type { MemoryFile, MemoryVersion } from '../domain/memory-version.js';
import type { AppContext } from './app-context.js';
import { withMemoryWriteLock } from './memory-write-lock.js';

export interface SyncMemoryFileResult {
  file: MemoryFile;
  current: MemoryVersion;
  /** The version recorded for a hand edit, if there was one. */
  externalEdit: MemoryVersion | null;
  /** A write that a crash had left half-done and that this sync finished or discarded. */
  recoveredWrite: { version: number; outcome: 'committed' | 'discarded' } | null;
}

/**
 * Records what is on disk for `path`, holding the file's write lock (see memory-write-lock.ts).
 * @param options.agent the owning agent, or null for the shared file
 * @throws ReverieError MEMORY_VERSION_CONFLICT while another process writes the file
 */
export async function syncMemoryFile(
  context: AppContext,
  options: { path: string; agent: string | null },
): Promise<SyncMemoryFileResult> {
  return withMemoryWriteLock(context, options.path, () => syncMemoryFileLocked(context, options));
}

/** `syncMemoryFile` for a caller that already holds the file's write lock. */
export async function syncMemoryFileLocked(
  context: AppContext,
  options: { path: string; agent: string | null },
): Promise<SyncMemoryFileResult> {
  const { store, memoryFiles, clock } = context;
  const disk = await memoryFiles.read(options.path);
  let recoveredWrite: SyncMemoryFileResult['recoveredWrite'] = null;

  const pending = await store.getPendingMemoryWrite(options.path);
  if (pending !== null) {
    const landed = disk.exists === pending.exists && (!disk.exists || disk.content === pending.content);
    if (landed) {
      await store.commitMemoryWrite({
        path: options.path,
        version: pending.version,
        proposal:
          pending.proposalId === null
            ? null
            : {
                id: pending.proposalId,
                decidedBy: pending.actor.name ?? 'reverie',
                decidedAt: pending.createdAt,
              },
      });
      recoveredWrite = { version: pending.version, outcome: 'committed' };
    } else {
      await store.abortMemoryWrite({ path: options.path, version: pending.version });
      recoveredWrite = { version: pending.version, outcome: 'discarded' };
    }
  }

  const now = clock.now().toISOString();
  const known = await store.getMemoryFile(options.path);
  if (known === null) {
    const initial = await store.recordMemoryVersion({
      expectedCurrent: null,
      draft: {
        path: options.path,
        agent: options.agent,
        content: disk.content,
        exists: disk.exists,
        actor: { kind: 'initial', name: null },
        dreamRunId: null,
        proposalId: null,
        reason: disk.exists ? 'first seen by Reverie' : 'first seen by Reverie (file did not exist yet)',
        createdAt: now,
      },
    });
    const file = await store.getMemoryFile(options.path);
    if (file === null) throw new Error(`store lost memory file ${options.path}`);
    return { file, current: initial, externalEdit: null, recoveredWrite };
  }

  const current = await store.getMemoryVersion(options.path, known.currentVersion);
  if (current === null) {
    throw new ReverieError({
      code: 'STORE_CORRUPT',
      message: `The store points ${options.path} at version ${known.currentVersion}, which it does not hold. Restore the data directory from a backup, or move it aside to start over.`,
      data: { path: options.path, version: known.currentVersion },
    });
  }
  const same = disk.exists === current.exists && disk.content === current.content;
  if (same) return { file: known, current, externalEdit: null, recoveredWrite };

  const externalEdit = await store.recordMemoryVersion({
    expectedCurrent: current.version,
    draft: {
      path: options.path,
      agent: options.agent,
      content: disk.content,
      exists: disk.exists,
      actor: { kind: 'external', name: null },
      dreamRunId: null,
      proposalId: null,
      reason: disk.exists ? 'edited outside Reverie' : 'deleted outside Reverie',
      createdAt: now,
    },
  });
  const file = (await store.getMemoryFile(options.path)) ?? known;
  return { file, current: externalEdit, externalEdit, recoveredWrite };
}
