/**
 * Locks left by crashed processes: a dream or memory write lock whose holder process is gone is taken over at once;
 * one whose holder is alive (or on another host) is respected until it expires.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/app-context.js';
import { acquireLockTakingOverDead, lockOwner } from '../src/app/locks.js';
import { OsProcessIdentity } from '../src/runtime/os-process-identity.js';
import {
  createInMemoryStore,
  FixedClock,
  InMemoryMemoryFileStore,
  SequentialIdGenerator,
} from '../src/test-doubles.js';

function contextWith(processes: OsProcessIdentity): AppContext {
  return {
    store: createInMemoryStore(),
    memoryFiles: new InMemoryMemoryFileStore(),
    logFiles: { list: () => Promise.reject(new Error('unused')) } as unknown as AppContext['logFiles'],
    sources: [],
    clock: new FixedClock('2025-12-01T00:00:00.000Z'),
    ids: new SequentialIdGenerator(),
    queue: null,
    commands: { run: () => Promise.reject(new Error('unused')) },
    processes,
  };
}

const lock = { name: 'dream:coder', now: '2025-12-01T00:00:00.000Z', expiresAt: '2025-12-01T02:00:00.000Z' };

describe('locks of crashed processes', () => {
  const identity = new OsProcessIdentity();

  it('tells a running process from one that exited, and does not judge other hosts', () => {
    expect(identity.isAlive(identity.tag)).toBe(true);
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = exited.stdout.toString();
    expect(identity.isAlive(`${pid}@${identity.tag.split('@')[1] ?? ''}`)).toBe(false);
    expect(identity.isAlive(`${pid}@some-other-host`)).toBeNull();
    expect(identity.isAlive('run-1')).toBeNull();
  });

  it('takes over a lock whose holder process is gone', async () => {
    const context = contextWith(identity);
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadTag = `${exited.stdout.toString()}@${identity.tag.split('@')[1] ?? ''}`;
    expect(await context.store.acquireLock({ ...lock, owner: `run-old ${deadTag}` })).toBe(true);
    const owner = lockOwner(context, 'run-new');
    expect(await acquireLockTakingOverDead(context, { ...lock, owner })).toBe(true);
    expect((await context.store.getLock(lock.name))?.owner).toBe(owner);
  });

  it('respects a lock whose holder is alive, or unknown', async () => {
    const context = contextWith(identity);
    expect(await context.store.acquireLock({ ...lock, owner: `run-live ${identity.tag}` })).toBe(true);
    expect(await acquireLockTakingOverDead(context, { ...lock, owner: lockOwner(context, 'run-2') })).toBe(
      false,
    );
    const other = contextWith(identity);
    expect(await other.store.acquireLock({ ...lock, owner: 'run-elsewhere 1@another-host' })).toBe(true);
    expect(await acquireLockTakingOverDead(other, { ...lock, owner: lockOwner(other, 'run-3') })).toBe(false);
  });
});
