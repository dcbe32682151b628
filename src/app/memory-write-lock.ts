/**
 * One writer per memory file at a time, across processes. A writer holds `memory:<path>` from the moment it reserves
 * a version until it commits or aborts it, so a pending version whose lock is free can only be a write that crashed
 * midway, and is safe to finish or discard. A crashed writer's lock expires after `memoryLockTtlMs`.
 */
import { ReverieError } from '../domain/errors.js';
import type { AppContext } from './app-context.js';
import { acquireLockTakingOverDead, lockOwner } from './locks.js';

export const memoryLockTtlMs = 30_000;

function lockName(path: string): string {
  return `memory:${path}`;
}

/**
 * Runs `action` holding the write lock of `path`.
 * @throws ReverieError MEMORY_VERSION_CONFLICT when another process is writing the file
 */
export async function withMemoryWriteLock<T>(
  context: AppContext,
  path: string,
  action: () => Promise<T>,
): Promise<T> {
  const owner = lockOwner(context, context.ids.next('writer-'));
  const now = context.clock.now();
  const acquired = await acquireLockTakingOverDead(context, {
    name: lockName(path),
    owner,
    now: now.toISOString(),
    expiresAt: new Date(now.getTime() + memoryLockTtlMs).toISOString(),
  });
  if (!acquired) {
    const holder = await context.store.getLock(lockName(path));
    throw new ReverieError({
      code: 'MEMORY_VERSION_CONFLICT',
      message: `${path} is being written by another Reverie process (since ${holder?.acquiredAt ?? '?'}). Retry in a moment; a crashed writer's lock expires at ${holder?.expiresAt ?? 'soon'}.`,
      data: { path, holder },
    });
  }
  try {
    return await action();
  } finally {
    await context.store.releaseLock({ name: lockName(path), owner });
  }
}
