/**
 * Dreams on a schedule, and never two at once for the same agent, across processes sharing a data directory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DreamRun } from '../src/domain/dream-run.js';
import { RandomIdGenerator } from '../src/runtime/random-id-generator.js';
import { SystemClock } from '../src/runtime/system-clock.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { createWorkspace, oneAgentConfig, projects } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
beforeEach(() => {
  workspace = createWorkspace();
  workspace.copyProject(projects.web);
  workspace.write('CLAUDE.md', '# Notes\n');
});
afterEach(() => {
  workspace.remove();
});

describe('one dream per agent at a time', () => {
  it('refuses a second dream while another holds the agent, and says who holds it', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const path = workspace.file('.reverie/reverie.db');
    const first = createSqliteStore({ path });
    const second = createSqliteStore({ path });
    // Two processes: their run ids (the lock owners) differ.
    const [a, b] = [
      workspace.open({ store: first }),
      workspace.open({ store: second, ids: new RandomIdGenerator() }),
    ];
    const results = await Promise.allSettled([a.dream(), b.dream()]);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ code: 'SCHEDULER_LOCK_HELD' });
    expect((rejected[0]?.reason as Error).message).toMatch(
      /^Another dream is running for agent coder \(run-0001, process \d+ on .+, since /,
    );
    // The lock is released at the end: the next dream runs.
    expect((await b.dream()).status).toBe('succeeded');
    await first.close();
    await second.close();
  });

  it('takes over a lock whose holder died (expired), and releases locks when a dream fails', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
    await store.acquireLock({
      name: 'dream:coder',
      owner: 'crashed',
      now: '2025-11-30T00:00:00.000Z',
      expiresAt: '2025-11-30T01:00:00.000Z',
    });
    const reverie = workspace.open({ store });
    expect((await reverie.dream()).status).toBe('succeeded');
    expect(await store.getLock('dream:coder')).toBeNull();
    await store.close();
  });
});

describe('reverie daemon', () => {
  it('runs dreams on the schedule and reports each run', async () => {
    workspace.write(
      'reverie.yaml',
      oneAgentConfig().replace('dreaming:', 'dreaming:\n  schedule: "* * * * * *"'),
    );
    const reverie = workspace.open({ clock: new SystemClock() });
    const run = await new Promise<DreamRun>((resolve, reject) => {
      const schedule = reverie.startDaemon({
        onRunEnd: (ended) => {
          schedule.stop();
          resolve(ended);
        },
        onError: (error) => {
          schedule.stop();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      });
      expect(schedule.nextRun()).toBeInstanceOf(Date);
    });
    expect(run).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
    expect((await reverie.report(run.id)).id).toBe(run.id);
    await reverie.close();
  });
});
