/**
 * The memory side of the path on a real SQLite store and real files: approve, history, rollback to the exact
 * bytes, hand edits kept as versions, stale proposals refused, siblings re-applied, one apply per proposal, crash
 * recovery of a half-done write, automatic approval, budgets, rejection memory.
 */
import { lstatSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reverie } from '../src/create-reverie.js';
import { InMemoryMemoryFileStore } from '../src/memory-files/in-memory-memory-file-store.js';
import type { Store } from '../src/ports/store.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { copyAllProjects, createWorkspace, oneAgentConfig, twoAgentConfig } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
let store: Store;
const original = '\uFEFF# Notes\r\n\r\n- Use pnpm, not npm.\r\n- No trailing newline at the end';

beforeEach(() => {
  workspace = createWorkspace();
  copyAllProjects(workspace);
  store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
});
afterEach(async () => {
  await store.close();
  workspace.remove();
});

async function pendingFor(reverie: Reverie, path: string) {
  return (await reverie.listProposals({ status: 'pending' })).filter(
    (proposal) => proposal.memoryPath === path,
  );
}

describe('approving, history and rollback', () => {
  it('applies an approved proposal as a new version and rolls back to the exact previous bytes', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const memory = workspace.write('CLAUDE.md', original);
    const reverie = workspace.open({ store });
    await reverie.dream();
    const [proposal] = await reverie.listProposals({ status: 'pending' });

    const [outcome] = await reverie.approve([proposal!.id.slice(0, 6)]);
    expect(outcome).toMatchObject({ ok: true, proposalId: proposal!.id, version: 2, rebasedOnto: null });
    const after = readFileSync(memory, 'utf8');
    expect(after.startsWith(original)).toBe(true);
    expect(after).toContain('<!-- reverie:entry read-before-edit -->\r\n- Before `Edit` or `Write`');
    expect((await reverie.getProposal(proposal!.id)).status).toBe('applied');

    const [history] = await reverie.history(memory);
    expect(
      history?.versions.map((version) => [version.version, version.actor.kind, version.proposalId]),
    ).toEqual([
      [1, 'initial', null],
      [2, 'reviewer', proposal!.id],
    ]);
    expect(await reverie.diffVersion(memory, 2)).toContain('+- Before `Edit` or `Write`');

    const rollback = await reverie.rollback(memory, 1);
    expect(rollback.version?.version).toBe(3);
    expect(readFileSync(memory)).toEqual(Buffer.from(original, 'utf8'));
    expect((await reverie.rollback(memory, 1)).version).toBeNull();
    await expect(reverie.rollback(memory, 9)).rejects.toMatchObject({ code: 'MEMORY_VERSION_NOT_FOUND' });
  });

  it('keeps a hand edit made between two dreams and refuses a proposal made before it', async () => {
    workspace.write('reverie.yaml', twoAgentConfig({ shared: false }));
    const memory = workspace.write('tools/CLAUDE.md', '# Tools\n');
    const reverie = workspace.open({ store });
    await reverie.dream();
    const [first, second] = await pendingFor(reverie, memory);
    expect(second).toBeDefined();
    await reverie.approve([first!.id]);

    const handEdited = `${readFileSync(memory, 'utf8')}\n- Deploys go through staging.\n`;
    writeFileSync(memory, handEdited);
    const [refused] = await reverie.approve([second!.id]);
    expect(refused).toMatchObject({ ok: false, code: 'MEMORY_VERSION_CONFLICT' });
    expect(refused?.ok === false && refused.message).toContain('v3 is an edit made outside Reverie');
    expect(readFileSync(memory, 'utf8')).toBe(handEdited);

    // The next dream replaces the stale proposal by one against the hand-edited file; applying it keeps the edit.
    const dream3 = await reverie.dream();
    const [fresh] = dream3.report!.proposals.filter((proposal) => proposal.memoryPath === memory);
    expect(fresh).toBeDefined();
    expect((await reverie.getProposal(second!.id)).status).toBe('superseded');
    expect((await reverie.getProposal(fresh!.id)).baseVersion).toBe(3);
    expect(await reverie.approve([fresh!.id])).toMatchObject([{ ok: true, version: 4, rebasedOnto: null }]);
    const final = readFileSync(memory, 'utf8');
    expect(final).toContain('- Deploys go through staging.');
    expect(final.match(/reverie:entry/g)).toHaveLength(2);
    const [history] = await reverie.history(memory);
    expect(history?.versions.map((version) => version.actor.kind)).toEqual([
      'initial',
      'reviewer',
      'external',
      'reviewer',
    ]);

    // A rejected change is not proposed again.
    writeFileSync(memory, handEdited);
    const dream4 = await reverie.dream();
    const [again] = dream4.report!.proposals.filter((proposal) => proposal.memoryPath === memory);
    await reverie.reject(again!.id, 'not wanted here');
    const dream5 = await reverie.dream();
    expect(dream5.report!.proposals.filter((proposal) => proposal.memoryPath === memory)).toEqual([]);
    expect(
      dream5.report!.skipped.some(
        (item) => item.reason.includes('rejected as') && item.reason.includes('not wanted here'),
      ),
    ).toBe(true);
  });

  it('keeps the wording of an entry a person reworded', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const memory = workspace.write('CLAUDE.md', '# Notes\n');
    const reverie = workspace.open({ store });
    await reverie.dream();
    const pending = await reverie.listProposals({ status: 'pending' });
    await reverie.approve(pending.map((proposal) => proposal.id));
    const reworded = readFileSync(memory, 'utf8').replace(
      /- Before `Edit` or `Write`[^\n]*/,
      '- ALWAYS Read a file before you Edit or Write it.',
    );
    writeFileSync(memory, reworded);
    const run = await reverie.dream();
    expect(run.report?.proposals).toEqual([]);
    expect(run.report?.skipped.map((item) => item.reason)).toContain(
      'entry read-before-edit was reworded by hand; Reverie keeps your wording',
    );
    expect(readFileSync(memory, 'utf8')).toBe(reworded);
  });

  it('re-applies a sibling proposal of the same dream onto the version its sibling created', async () => {
    workspace.write('reverie.yaml', twoAgentConfig({ shared: false }));
    const memory = workspace.write('tools/CLAUDE.md', '# Tools\n');
    const reverie = workspace.open({ store });
    await reverie.dream();
    const proposals = await pendingFor(reverie, memory);
    expect(proposals).toHaveLength(2);
    const outcomes = await reverie.approve(proposals.map((proposal) => proposal.id));
    expect(outcomes.map((outcome) => outcome.ok && [outcome.version, outcome.rebasedOnto])).toEqual([
      [2, null],
      [3, 2],
    ]);
    const content = readFileSync(memory, 'utf8');
    expect(content.match(/reverie:entry/g)).toHaveLength(2);
    expect(content.match(/reverie:begin/g)).toHaveLength(1);
  });

  it('applies a proposal once when it is approved twice, even concurrently', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const memory = workspace.write('CLAUDE.md', '# Notes\n');
    const reverie = workspace.open({ store });
    await reverie.dream();
    const [proposal] = await reverie.listProposals({ status: 'pending' });
    const otherStore = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
    const other = workspace.open({ store: otherStore });
    const outcomes = (
      await Promise.all([reverie.approve([proposal!.id]), other.approve([proposal!.id])])
    ).flat();
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.find((outcome) => !outcome.ok)).toMatchObject({ ok: false });
    const again = await reverie.approve([proposal!.id]);
    expect(again[0]).toMatchObject({ ok: false, code: 'PROPOSAL_INVALID_TRANSITION' });
    expect(readFileSync(memory, 'utf8').match(/reverie:entry read-before-edit/g)).toHaveLength(1);
    expect((await reverie.history(memory))[0]?.versions).toHaveLength(2);
    await otherStore.close();
  });

  it('writes through a symlinked memory file and keeps the link', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const target = workspace.write('AGENTS.md', '# Agents\n');
    symlinkSync('AGENTS.md', workspace.file('CLAUDE.md'));
    const reverie = workspace.open({ store });
    await reverie.dream();
    const [proposal] = await reverie.listProposals({ status: 'pending' });
    await reverie.approve([proposal!.id]);
    expect(lstatSync(workspace.file('CLAUDE.md')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(workspace.file('CLAUDE.md'))).toBe('AGENTS.md');
    expect(readFileSync(target, 'utf8')).toContain('reverie:entry read-before-edit');
  });
});

describe('automatic approval', () => {
  it('applies every proposal at the end of the dream and reports the versions', async () => {
    workspace.write('reverie.yaml', twoAgentConfig({ approval: 'automatic' }));
    const reverie = workspace.open({ store });
    const run = await reverie.dream();
    expect(run.report?.proposals.map((proposal) => [proposal.status, proposal.appliedVersion])).toEqual([
      ['applied', 2],
      ['applied', 2],
      ['applied', 2],
    ]);
    expect(readFileSync(workspace.file('AGENTS.shared.md'), 'utf8')).toContain(
      'reverie:entry read-before-edit',
    );
    const [history] = await reverie.history(workspace.file('AGENTS.shared.md'));
    expect(history?.versions[1]).toMatchObject({
      actor: { kind: 'dream', name: 'reverie' },
      dreamRunId: run.id,
    });
    expect(await reverie.listProposals({ status: 'pending' })).toEqual([]);
    const again = await reverie.dream();
    expect(again.report?.proposals).toEqual([]);
  });

  it('overrides the configured mode from the request', async () => {
    workspace.write('reverie.yaml', oneAgentConfig({ approval: 'automatic' }));
    const run = await workspace.open({ store }).dream({ approval: 'manual' });
    expect(run.approval).toBe('manual');
    expect(run.report?.proposals.every((proposal) => proposal.status === 'pending')).toBe(true);
  });
});

describe('failures leave the file and its history consistent', () => {
  it('leaves everything unchanged when the file cannot be written, and succeeds on retry', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const files = new InMemoryMemoryFileStore();
    const memory = workspace.file('CLAUDE.md');
    files.files.set(memory, '# Notes\n');
    const reverie = workspace.open({ store, memoryFiles: files });
    await reverie.dream();
    const [proposal] = await reverie.listProposals({ status: 'pending' });
    files.failNextWrite = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const [failed] = await reverie.approve([proposal!.id]);
    expect(failed).toMatchObject({ ok: false, code: 'MEMORY_WRITE_FAILED' });
    expect(files.files.get(memory)).toBe('# Notes\n');
    expect((await reverie.history(memory))[0]?.versions).toHaveLength(1);
    expect(await store.getPendingMemoryWrite(memory)).toBeNull();
    expect((await reverie.getProposal(proposal!.id)).status).toBe('pending');
    const [retried] = await reverie.approve([proposal!.id]);
    expect(retried).toMatchObject({ ok: true, version: 2 });
  });

  it('finishes a write that crashed after the file was replaced, and forgets one that crashed before', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const memory = workspace.write('CLAUDE.md', '# Notes\n');
    const reverie = workspace.open({ store });
    await reverie.dream();
    const [proposal] = await reverie.listProposals({ status: 'pending' });
    const draft = {
      path: memory,
      agent: 'coder',
      content: '# Notes\n- crashed write\n',
      exists: true,
      actor: { kind: 'reviewer' as const, name: 'me' },
      dreamRunId: null,
      proposalId: proposal!.id,
      reason: 'test',
      createdAt: '2025-12-01T00:00:00.000Z',
    };
    // Crash after the rename: the file holds the pending content.
    await store.beginMemoryWrite({ draft, expectedCurrent: 1 });
    writeFileSync(memory, draft.content);
    const history = await reverie.history(memory);
    expect(history[0]?.versions).toHaveLength(1);
    await reverie.rollback(memory, 1); // any command that reads the file recovers first
    const versions = (await reverie.history(memory))[0]!.versions;
    expect(versions.map((version) => [version.version, version.actor.kind])).toEqual([
      [1, 'initial'],
      [2, 'reviewer'],
      [3, 'rollback'],
    ]);
    expect((await reverie.getProposal(proposal!.id)).status).toBe('applied');

    // Crash before the rename: the file still holds the current version; the pending write is discarded.
    await store.beginMemoryWrite({
      draft: { ...draft, proposalId: null, content: 'never written' },
      expectedCurrent: 3,
    });
    await reverie.rollback(memory, 2);
    expect(readFileSync(memory, 'utf8')).toBe(draft.content);
    expect(await store.getPendingMemoryWrite(memory)).toBeNull();
  });

  it('refuses to touch a file another process is writing, and leaves its pending write alone', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const memory = workspace.write('CLAUDE.md', '# Notes\n');
    const reverie = workspace.open({ store });
    await reverie.dream();
    const [proposal] = await reverie.listProposals({ status: 'pending' });
    // Another process is between reserving its version and committing it.
    await store.acquireLock({
      name: `memory:${memory}`,
      owner: 'other-process',
      now: '2025-12-01T00:00:00.000Z',
      expiresAt: '2025-12-01T00:00:30.000Z',
    });
    const pending = await store.beginMemoryWrite({
      expectedCurrent: 1,
      draft: {
        path: memory,
        agent: 'coder',
        content: 'theirs',
        exists: true,
        actor: { kind: 'dream', name: 'reverie' },
        dreamRunId: null,
        proposalId: null,
        reason: 'live write',
        createdAt: '2025-12-01T00:00:00.000Z',
      },
    });
    const [outcome] = await reverie.approve([proposal!.id]);
    expect(outcome).toMatchObject({ ok: false, code: 'MEMORY_VERSION_CONFLICT' });
    expect(outcome?.ok === false && outcome.message).toContain('is being written by another Reverie process');
    expect(await store.getPendingMemoryWrite(memory)).toMatchObject({ version: pending.version });
    expect(readFileSync(memory, 'utf8')).toBe('# Notes\n');
  });

  it('records nothing in a dry run, not even a hand edit', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    const memory = workspace.write('CLAUDE.md', '# Notes\n');
    const reverie = workspace.open({ store });
    const dry = await reverie.dream({ dryRun: true });
    expect(dry.report?.proposals.length).toBe(3);
    await expect(reverie.history(memory)).rejects.toMatchObject({ code: 'MEMORY_FILE_UNKNOWN' });
    expect(await reverie.listRuns(10)).toEqual([]);
    expect(await reverie.listProposals()).toEqual([]);

    await reverie.dream();
    writeFileSync(memory, '# Notes\n- edited by hand\n');
    await reverie.dream({ dryRun: true });
    expect((await reverie.history(memory))[0]?.versions).toHaveLength(1);
    expect((await reverie.listRuns(10)).map((run) => run.dryRun)).toEqual([false]);
  });

  it('skips a lesson that would grow a file past its budget and says so', async () => {
    workspace.write('reverie.yaml', oneAgentConfig({ memory: '{ path: ./CLAUDE.md, max_lines: 10 }' }));
    const memory = workspace.write(
      'CLAUDE.md',
      Array.from({ length: 9 }, (_, index) => `- rule ${index}`).join('\n') + '\n',
    );
    const run = await workspace.open({ store }).dream();
    expect(run.report?.proposals).toEqual([]);
    expect(
      run.report?.skipped.filter((item) => item.reason.includes('over its budget of 10 lines')),
    ).toHaveLength(3);
    expect(readFileSync(memory, 'utf8').split('\n')).toHaveLength(10);
  });
});
