/**
 * Incremental dreams: a dream reads the events of new or grown sessions only, and an error that keeps happening
 * after its entry was written gets the entry strengthened instead of repeated.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/runtime/fixed-clock.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/ports/store.js';
import { createWorkspace, oneAgentConfig, projects } from './support/workspace.js';
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

/** A Reverie JSONL session in which `Edit` fails because the file was not read, then recovers. */
function notReadSession(id: string, day: string): string {
  return (
    [
      { type: 'session', reverie: 1, id, agent: 'coder', started_at: `${day}T10:00:00Z` },
      {
        type: 'tool_call',
        call_id: 'c1',
        tool: 'Edit',
        input: { file_path: '/app/x.ts', old_string: 'a', new_string: 'b' },
        ts: `${day}T10:00:01Z`,
      },
      {
        type: 'tool_result',
        call_id: 'c1',
        ok: false,
        output:
          '<tool_use_error>File has not been read yet. Read it first before writing to it.</tool_use_error>',
        ts: `${day}T10:00:02Z`,
      },
      {
        type: 'tool_call',
        call_id: 'c2',
        tool: 'Read',
        input: { file_path: '/app/x.ts' },
        ts: `${day}T10:00:03Z`,
      },
      { type: 'tool_result', call_id: 'c2', ok: true, output: '1 a', ts: `${day}T10:00:04Z` },
      {
        type: 'tool_call',
        call_id: 'c3',
        tool: 'Edit',
        input: { file_path: '/app/x.ts', old_string: 'a', new_string: 'b' },
        ts: `${day}T10:00:05Z`,
      },
      { type: 'tool_result', call_id: 'c3', ok: true, output: 'ok', ts: `${day}T10:00:06Z` },
    ]
      .map((record) => JSON.stringify(record))
      .join('\n') + '\n'
  );
}

describe('incremental dreams', () => {
  it('reads only new or grown sessions', async () => {
    workspace.copyProject(projects.web);
    workspace.write('reverie.yaml', oneAgentConfig());
    workspace.write('CLAUDE.md', '# Notes\n');
    const reverie = workspace.open({ store });
    const first = await reverie.dream();
    expect(first.report?.sessionsAnalysed).toBe(first.report?.sessionsRead);
    const second = await reverie.dream();
    expect(second.report?.sessionsAnalysed).toBe(0);
    expect(second.report?.findings.map((finding) => finding.id)).toEqual(
      first.report?.findings.map((finding) => finding.id),
    );
    workspace.write('logs/extra/new.jsonl', notReadSession('extra-1', '2025-11-20'));
    const third = await reverie.dream();
    expect(third.report?.sessionsAnalysed).toBe(1);
    expect(third.report?.sessionsRead).toBe((first.report?.sessionsRead ?? 0) + 1);
  });

  it('strengthens an entry when the error keeps happening after it was written', async () => {
    workspace.write('logs/a.jsonl', notReadSession('s-1', '2025-11-01'));
    workspace.write('logs/b.jsonl', notReadSession('s-2', '2025-11-02'));
    workspace.write('reverie.yaml', oneAgentConfig().replace('type: claude-code', 'type: auto'));
    const memory = workspace.write('CLAUDE.md', '# Notes\n');
    const clock = new FixedClock('2025-11-10T00:00:00.000Z');
    const reverie = workspace.open({ store, clock });
    await reverie.dream();
    const [proposal] = await reverie.listProposals({ status: 'pending' });
    expect(proposal?.edits[0]).toMatchObject({ op: 'add', entryId: 'read-before-edit' });
    await reverie.approve([proposal!.id]);

    // The agent keeps making the same mistake after the entry was written.
    workspace.write('logs/c.jsonl', notReadSession('s-3', '2025-11-15'));
    workspace.write('logs/d.jsonl', notReadSession('s-4', '2025-11-16'));
    clock.set('2025-11-20T00:00:00.000Z');
    const run = await reverie.dream();
    const finding = run.report?.findings.find((candidate) => candidate.kind === 'recurring-tool-error');
    expect(finding).toMatchObject({
      recurredAfterEntry: { entryId: 'read-before-edit', occurrencesAfter: 2, sessionsAfter: 2 },
    });
    const [strengthen] = await reverie.listProposals({ status: 'pending' });
    expect(strengthen?.edits).toEqual([
      {
        op: 'update',
        entryId: 'read-before-edit',
        text: expect.stringMatching(/^IMPORTANT: Before `Edit`/) as string,
      },
    ]);
    expect(strengthen?.reason).toContain(
      'It kept happening after entry read-before-edit was written (2 times in 2 sessions',
    );
    await reverie.approve([strengthen!.id]);
    expect(readFileSync(memory, 'utf8').match(/reverie:entry read-before-edit/g)).toHaveLength(1);
    expect(readFileSync(memory, 'utf8')).toContain('- IMPORTANT: Before `Edit`');
  });
});
