/**
 * Use-case helper: take a named lock in the store, taking over one whose holder is a process that no longer runs
 * (a crash left it). A lock's owner is `<owner id> <process tag>`.
 */
import type { AppContext } from './app-context.js';

/** The owner string recorded for `owner` in this process. */
export function lockOwner(context: AppContext, owner: string): string {
  return context.processes === undefined ? owner : `${owner} ${context.processes.tag}`;
}

/**
 * Tries to take `name` for `owner` (as made by {@link lockOwner}) until `expiresAt`.
 * @returns true when taken; false when a live (or unknown) holder has it
 */
export async function acquireLockTakingOverDead(
  context: AppContext,
  input: { name: string; owner: string; now: string; expiresAt: string },
): Promise<boolean> {
  if (await context.store.acquireLock(input)) return true;
  const holder = await context.store.getLock(input.name);
  const tag = holder?.owner.split(' ').at(1);
  if (holder === null || tag === undefined || context.processes?.isAlive(tag) !== false) return false;
  // Only that holder's lock is released: if someone else took it meanwhile, this is a no-op and the retry fails.
  await context.store.releaseLock({ name: input.name, owner: holder.owner });
  return context.store.acquireLock(input);
}

/** A lock owner for people: `run-1 123@host` → `run-1, process 123 on host`. */
export function describeLockOwner(owner: string): string {
  const [id, tag] = owner.split(' ');
  const match = /^(\d+)@(.+)$/.exec(tag ?? '');
  return match === null ? owner : `${id ?? owner}, process ${match[1] ?? '?'} on ${match[2] ?? '?'}`;
}
