/**
 * The acceptance path on the real Claude Code corpus: a dream finds the recurring Edit errors and proposes a
 * concrete Read-before-Edit entry with evidence from at least two sessions, every quote verbatim in the store.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecurringToolErrorFinding } from '../src/domain/finding.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/ports/store.js';
import { copyAllProjects, createWorkspace, oneAgentConfig, twoAgentConfig } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
let store: Store;
beforeEach(() => {
  workspace = createWorkspace();
  copyAllProjects(workspace);
  store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
});
afterEach(async () => {
  await store.close();
  workspace.remove();
});

describe('a dream over the real Claude Code corpus', () => {
  it('finds the recurring Edit errors and proposes a concrete Read-before-Edit entry with verified evidence', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    workspace.write('CLAUDE.md', '# Notes\n\n- Use pnpm.\n');
    const reverie = workspace.open({ store });
    const run = await reverie.dream();

    expect(run.status).toBe('succeeded');
    const report = run.report!;
    expect(report.ingest).toMatchObject({ filesScanned: 66, sessionsAdded: 65 });
    expect(report.sessionsRead).toBe(65);
    const toolErrors = report.findings.filter(
      (finding): finding is RecurringToolErrorFinding => finding.kind === 'recurring-tool-error',
    );
    const signatures = toolErrors.map((finding) => finding.signature);
    expect(signatures).toContain('File has not been read yet. Read it first before writing to it.');
    expect(signatures).toContain('Found <n> matches of the string to replace, but replace_all is false.');
    expect(signatures).toContain('String to replace not found in file.');
    const notRead = toolErrors.find((finding) => finding.signature.startsWith('File has not been read yet'))!;
    expect(notRead.sessionCount).toBe(4);
    expect(notRead.recovery?.steps).toEqual(['Read', 'Edit']);

    const proposals = await reverie.listProposals({ status: 'pending' });
    expect(proposals).toHaveLength(3);
    const readFirst = proposals.find((proposal) => proposal.findingIds.includes(notRead.id))!;
    expect(readFirst.edits).toEqual([
      {
        op: 'add',
        entryId: 'read-before-edit',
        text: 'Before `Edit` or `Write` on an existing file, `Read` it first in the same session: these tools refuse a file that has not been read.',
      },
    ]);
    expect(readFirst.diff).toContain('+- Before `Edit` or `Write` on an existing file, `Read` it first');
    expect(readFirst.reason).toContain('8 times in 4 sessions');

    const errorSessions = new Set(
      readFirst.evidence.filter((item) => item.role === 'error').map((item) => item.sessionId),
    );
    expect(errorSessions.size).toBeGreaterThanOrEqual(2);
    const events = new Map(
      (await store.getEvents(readFirst.evidence.map((item) => item.eventId))).map((event) => [
        event.id,
        event,
      ]),
    );
    for (const item of readFirst.evidence) {
      const event = events.get(item.eventId);
      expect(event?.sessionId).toBe(item.sessionId);
      expect(event?.text).toContain(item.quote);
      expect(item.timestamp).toMatch(/^2025-/);
    }
    // Manual approval: nothing was written to the memory file.
    expect(readFileSync(workspace.file('CLAUDE.md'), 'utf8')).toBe('# Notes\n\n- Use pnpm.\n');
  });

  it('routes a lesson seen in two agents to the shared file and the others to their agent', async () => {
    workspace.write('reverie.yaml', twoAgentConfig());
    const run = await workspace.open({ store }).dream();
    const byPath = new Map(run.report!.proposals.map((proposal) => [proposal.memoryPath, proposal]));
    expect([...byPath.keys()].sort()).toEqual(
      [
        workspace.file('AGENTS.shared.md'),
        workspace.file('tools/CLAUDE.md'),
        workspace.file('web/CLAUDE.md'),
      ].sort(),
    );
    expect(byPath.get(workspace.file('AGENTS.shared.md'))?.routing).toBe(
      'seen in 2 agents (tools, web), so it goes to the shared memory file',
    );
    expect(byPath.get(workspace.file('web/CLAUDE.md'))?.reason).toContain('String to replace not found');
  });

  it('says why when nothing recurs often enough', async () => {
    workspace.write('reverie.yaml', oneAgentConfig().replace('min_sessions: 2', 'min_sessions: 50'));
    const run = await workspace.open({ store }).dream();
    expect(run.report?.proposals).toEqual([]);
    expect(run.report?.nothingReason).toMatch(
      /^No miner found anything recurring in 65 sessions: tool-errors: 53 tool errors in \d+ signatures; 0 recurred in 50\+ sessions/,
    );
    // Every miner says what it looked at.
    expect(run.report?.miners?.map((miner) => miner.miner)).toEqual([
      'tool-errors',
      'user-corrections',
      'workflows',
      'outcome-contrasts',
      'memory-hygiene',
    ]);
  });

  it('says why when there are no sessions in the retention window', async () => {
    workspace.write('reverie.yaml', oneAgentConfig().replace('retention: 365d', 'retention: 3d'));
    const run = await workspace.open({ store }).dream();
    expect(run.report?.sessionsRead).toBe(0);
    expect(run.report?.nothingReason).toContain('No sessions of coder in the last 3 days');
  });

  it('proposes nothing new when a second dream sees the same sessions', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const reverie = workspace.open({ store });
    await reverie.dream();
    const second = await reverie.dream();
    expect(second.report?.ingest).toMatchObject({ sessionsAdded: 0, eventsAdded: 0, filesUnchanged: 66 });
    expect(second.report?.proposals).toEqual([]);
    expect(
      second.report?.skipped.filter((item) => item.reason.startsWith('already pending as p-')),
    ).toHaveLength(3);
  });
});
