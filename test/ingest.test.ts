/**
 * Ingest through the public surface on real logs: idempotent re-ingest, growth read incrementally, corrupted copies
 * reported line by line with every good line kept.
 */
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderIngestWarning } from '../src/domain/ingest-warning.js';
import { createInMemoryStore } from '../src/storage/in-memory/in-memory-store.js';
import { createWorkspace, fixturesRoot, projects } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
beforeEach(() => {
  workspace = createWorkspace();
});
afterEach(() => {
  workspace.remove();
});

const realSession = path.join(fixturesRoot, projects.web, 'b25638d7-b104-4f06-a797-70ac33d069ed.jsonl');

describe('ingest', () => {
  it('adds nothing when the same directory is ingested again', async () => {
    const logs = workspace.copyProject(projects.log);
    const reverie = workspace.open();
    const first = await reverie.ingest({ paths: [logs] });
    expect(first.sessionsAdded).toBe(16);
    expect(first.eventsAdded).toBeGreaterThan(500);
    expect(first.warnings).toEqual([]);
    const second = await reverie.ingest({ paths: [logs] });
    expect(second).toMatchObject({ sessionsAdded: 0, eventsAdded: 0, filesUnchanged: first.filesRead });
    expect((await reverie.listSessions()).length).toBe(16);
    await reverie.close();
  });

  it('reads only the new lines of a file that grew', async () => {
    const lines = readFileSync(realSession, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    const target = workspace.write(
      'logs/b25638d7-b104-4f06-a797-70ac33d069ed.jsonl',
      `${lines.slice(0, 20).join('\n')}\n`,
    );
    const reverie = workspace.open();
    const first = await reverie.ingest({ paths: [target], agent: 'coder' });
    appendFileSync(target, `${lines.slice(20).join('\n')}\n`);
    const second = await reverie.ingest({ paths: [target], agent: 'coder' });
    expect(first.sessionsAdded).toBe(1);
    expect(second.sessionsAdded).toBe(0);
    expect(second.files[0]?.status).toBe('resumed');

    const fresh = createWorkspace();
    try {
      const copy = fresh.write('all.jsonl', readFileSync(realSession, 'utf8'));
      const all = await fresh.open().ingest({ paths: [copy], agent: 'coder' });
      expect(first.eventsAdded + second.eventsAdded).toBe(all.eventsAdded);
    } finally {
      fresh.remove();
    }
    const [session] = await reverie.listSessions();
    expect(session?.eventCount).toBe(first.eventsAdded + second.eventsAdded);
    await reverie.close();
  });

  it('keeps every good line of a corrupted copy and reports each bad one with its line number', async () => {
    const lines = readFileSync(realSession, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    const corrupted = [...lines];
    corrupted[4] = (lines[4] ?? '').slice(0, 60); // truncated line
    corrupted[9] = '\u0000\u0001garbage\uFFFD\u0007'; // garbage bytes
    corrupted[14] = '{"type":"totally-new-record","uuid":"x"}'; // unknown record type
    const target = workspace.write('logs/corrupted.jsonl', `${corrupted.join('\n')}\n`);
    const store = createInMemoryStore();
    const result = await workspace.open({ store }).ingest({ paths: [target], agent: 'coder' });
    expect(result.warnings.map(renderIngestWarning)).toEqual([
      expect.stringMatching(/corrupted\.jsonl:5: (truncated line|invalid JSON)/),
      expect.stringMatching(/corrupted\.jsonl:10: binary or non-UTF-8 content/),
      expect.stringMatching(/corrupted\.jsonl:15: unknown record type "totally-new-record"/),
    ]);
    expect(result.filesRead).toBe(1);

    // Every event of every other line is there, exactly as from the clean file.
    const cleanStore = createInMemoryStore();
    const clean = workspace.write(
      'clean/b25638d7-b104-4f06-a797-70ac33d069ed.jsonl',
      `${lines.join('\n')}\n`,
    );
    await workspace.open({ store: cleanStore }).ingest({ paths: [clean], agent: 'coder' });
    const linesOf = async (from: typeof store) =>
      (await from.loadSessionsWithEvents()).flatMap((session) =>
        session.events.map((event) => event.source.line),
      );
    const cleanLines = new Set(await linesOf(cleanStore));
    const keptLines = new Set(await linesOf(store));
    expect([...cleanLines].filter((line) => !keptLines.has(line)).sort((a, b) => a - b)).toEqual([5, 10]);
    expect(keptLines.has(15)).toBe(true); // the unknown record is kept as an `other` event
  });

  it('reports an empty file and an unknown file, and keeps going', async () => {
    const empty = workspace.write('logs/empty.jsonl', '');
    const notes = workspace.write('logs/notes.txt', 'hello');
    copyFileSync(realSession, workspace.file('logs/good.jsonl'));
    const reverie = workspace.open();
    const result = await reverie.ingest({ paths: [workspace.file('logs')], agent: 'coder' });
    expect(result.sessionsAdded).toBe(1);
    expect(result.filesSkipped).toBe(1);
    expect(result.warnings.map(renderIngestWarning)).toEqual([`${empty}: empty file; nothing to read`]);
    expect(notes).toContain('notes.txt');
    await reverie.close();
  });

  it('fails for a path that does not exist', async () => {
    const reverie = workspace.open();
    await expect(reverie.ingest({ paths: [workspace.file('missing')] })).rejects.toMatchObject({
      code: 'INGEST_PATH_NOT_FOUND',
    });
    await reverie.close();
  });

  it('reads Reverie JSONL logs of a custom agent, which name their own agent', async () => {
    const log = workspace.write(
      'bot.jsonl',
      [
        '{"type":"session","reverie":1,"id":"s-1","agent":"support-bot","started_at":"2025-11-01T10:00:00Z"}',
        '{"type":"message","role":"user","text":"refund order 42","ts":"2025-11-01T10:00:01Z"}',
        '{"type":"tool_call","call_id":"c1","tool":"refund","input":{"order":42},"ts":"2025-11-01T10:00:02Z"}',
        '{"type":"tool_result","call_id":"c1","ok":false,"output":"order 42 is not refundable","ts":"2025-11-01T10:00:03Z"}',
      ].join('\n') + '\n',
    );
    const reverie = workspace.open();
    const result = await reverie.ingest({ paths: [log] });
    expect(result).toMatchObject({ sessionsAdded: 1, eventsAdded: 3 });
    expect(await reverie.listSessions()).toMatchObject([
      { id: 's-1', agent: 'support-bot', format: 'reverie-jsonl' },
    ]);
    await reverie.close();

    // An agent named by the person (--agent, or a configured source) wins over the one in the log.
    const other = createWorkspace();
    try {
      const copy = other.write('bot.jsonl', readFileSync(log, 'utf8'));
      const named = other.open();
      await named.ingest({ paths: [copy], agent: 'helpdesk' });
      expect(await named.listSessions()).toMatchObject([{ id: 's-1', agent: 'helpdesk' }]);
      await named.close();
    } finally {
      other.remove();
    }
  });
});
