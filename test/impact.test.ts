/**
 * `reverie impact`: after a lesson is applied, the targeted error and the outcomes before vs after it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/runtime/fixed-clock.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/ports/store.js';
import { createWorkspace, oneAgentConfig } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
let store: Store;
beforeEach(() => {
  workspace = createWorkspace();
  store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
});
afterEach(async () => {
  await store.close();
  workspace.remove();
});

function session(id: string, day: string, options: { error: boolean; passed: boolean }): string {
  const records: object[] = [
    { type: 'session', reverie: 1, id, agent: 'coder', started_at: `${day}T10:00:00Z` },
  ];
  if (options.error) {
    records.push(
      {
        type: 'tool_call',
        call_id: 'c1',
        tool: 'Edit',
        input: { file_path: '/a.ts' },
        ts: `${day}T10:00:01Z`,
      },
      {
        type: 'tool_result',
        call_id: 'c1',
        ok: false,
        output: 'File has not been read yet. Read it first before writing to it.',
        ts: `${day}T10:00:02Z`,
      },
      {
        type: 'tool_call',
        call_id: 'c2',
        tool: 'Read',
        input: { file_path: '/a.ts' },
        ts: `${day}T10:00:03Z`,
      },
      { type: 'tool_result', call_id: 'c2', ok: true, output: 'x', ts: `${day}T10:00:04Z` },
    );
  }
  records.push(
    { type: 'tool_call', call_id: 'c3', tool: 'Edit', input: { file_path: '/a.ts' }, ts: `${day}T10:00:05Z` },
    { type: 'tool_result', call_id: 'c3', ok: true, output: 'ok', ts: `${day}T10:00:06Z` },
    { type: 'outcome', passed: options.passed, name: 'tests' },
  );
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

describe('reverie impact', () => {
  it('shows fewer targeted errors and more passing sessions after the lesson', async () => {
    for (const [index, day] of ['2025-11-01', '2025-11-02', '2025-11-03', '2025-11-04'].entries()) {
      workspace.write(
        `logs/before-${index}.jsonl`,
        session(`before-${index}`, day, { error: true, passed: index === 0 }),
      );
    }
    workspace.write('reverie.yaml', oneAgentConfig().replace('type: claude-code', 'type: auto'));
    const memory = workspace.write('CLAUDE.md', '# Notes\n');
    const clock = new FixedClock('2025-11-05T00:00:00.000Z');
    const reverie = workspace.open({ store, clock });
    await reverie.dream();
    const [proposal] = await reverie.listProposals({ status: 'pending' });
    await reverie.approve([proposal!.id]);

    expect((await reverie.impact(memory))[0]?.rows[0]?.verdict).toBe('too few sessions');
    // The minimum is the caller's: the explanation says which (no session after the lesson yet, so none before
    // either: the windows have the same length).
    expect((await reverie.impact(memory, { minSessions: 1 }))[0]?.rows[0]?.explanation).toBe(
      'needs 1 session on each side (0 before, 0 after)',
    );
    await expect(reverie.impact(memory, { minSessions: 0 })).rejects.toMatchObject({ code: 'USAGE_INVALID' });

    for (const [index, day] of ['2025-11-06', '2025-11-07', '2025-11-08', '2025-11-09'].entries()) {
      workspace.write(
        `logs/after-${index}.jsonl`,
        session(`after-${index}`, day, { error: index === 0, passed: index !== 0 }),
      );
    }
    clock.set('2025-11-10T00:00:00.000Z');
    await reverie.ingest({ paths: [] });
    const [impact] = await reverie.impact(memory);
    expect(impact?.rows).toMatchObject([
      {
        version: 2,
        proposalId: proposal!.id,
        before: { sessions: 4, withTargetedError: 4, passed: 1, failed: 3 },
        after: { sessions: 4, withTargetedError: 1, passed: 3, failed: 1 },
        verdict: 'better',
        explanation: 'targeted errors in 100% of sessions before, 25% after; passed 25% before, 75% after',
      },
    ]);
  });
});
