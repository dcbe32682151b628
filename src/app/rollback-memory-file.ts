/**
 * Use-case: restore a memory file to an earlier version, as a new version (history is never rewritten). A hand
 * edit made since the last version is recorded first, so a rollback can itself be rolled back.
 */
import { ReverieError } from '../domain/errors.js';
import type { MemoryVersion } from '../domain/memory-version.js';
import type { AppContext } from './app-context.js';
import { withMemoryWriteLock } from './memory-write-lock.js';
import { syncMemoryFileLocked } from './sync-memory-file.js';
import { writeMemoryVersion } from './write-memory-version.js';

export interface RollbackResult {
  /** The new version, or null when the file already held that content. */
  version: MemoryVersion | null;
  restoredFrom: MemoryVersion;
  /** A hand edit recorded before rolling back. */
  externalEdit: MemoryVersion | null;
}

/**
 * Restores `path` to the bytes of version `toVersion`.
 * @throws ReverieError MEMORY_FILE_UNKNOWN, MEMORY_VERSION_NOT_FOUND
 */
export async function rollbackMemoryFile(
  context: AppContext,
  options: { path: string; toVersion: number; userName: string },
): Promise<RollbackResult> {
  const file = await context.store.getMemoryFile(options.path);
  if (file === null) {
    throw new ReverieError({
      code: 'MEMORY_FILE_UNKNOWN',
      message: `Reverie has no history for ${options.path}. \`reverie history\` lists the memory files it manages.`,
      data: { path: options.path },
    });
  }
  const target = await context.store.getMemoryVersion(options.path, options.toVersion);
  if (target === null) {
    throw new ReverieError({
      code: 'MEMORY_VERSION_NOT_FOUND',
      message: `${options.path} has no version ${options.toVersion} (it is at v${file.currentVersion}). \`reverie history ${options.path}\` lists its versions.`,
      data: { path: options.path, version: options.toVersion, current: file.currentVersion },
    });
  }
  return withMemoryWriteLock(context, options.path, async () => {
    const sync = await syncMemoryFileLocked(context, { path: options.path, agent: file.agent });
    if (sync.current.exists === target.exists && sync.current.content === target.content) {
      return { version: null, restoredFrom: target, externalEdit: sync.externalEdit };
    }
    const version = await writeMemoryVersion(context, {
      path: options.path,
      agent: file.agent,
      content: target.content,
      exists: target.exists,
      actor: { kind: 'rollback', name: options.userName },
      dreamRunId: null,
      proposal: null,
      reason: `rollback to v${target.version}`,
      expectedCurrent: sync.current.version,
    });
    return { version, restoredFrom: target, externalEdit: sync.externalEdit };
  });
}
