/**
 * `reverie ingest --watch` as a real process, killed (SIGKILL) at random moments while a real session log grows,
 * sometimes in the middle of a line, then restarted: the store ends up with exactly the events of one clean read of
 * the final file, with no duplicate and no gap.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { createWorkspace, fixturesRoot, projects } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

const bin = fileURLToPath(new URL('../bin/reverie.js', import.meta.url));
const source = path.join(fixturesRoot, projects.log, '37f83ec9-f2ea-42a9-925e-0d5c105cb6e8.jsonl');

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

let workspace: Workspace;
beforeEach(() => {
  workspace = createWorkspace();
});
afterEach(() => {
  workspace.remove();
});

async function eventIds(dataDir: string): Promise<{ ids: string[]; counted: number }> {
  const store = createSqliteStore({ path: path.join(dataDir, 'reverie.db') });
  try {
    const sessions = await store.loadSessionsWithEvents();
    return {
      ids: sessions.flatMap((session) => session.events.map((event) => event.id)).sort(),
      counted: sessions.reduce((total, session) => total + session.eventCount, 0),
    };
  } finally {
    await store.close();
  }
}

describe('reverie ingest --watch', () => {
  it('stops quietly when the reader of its output goes away (`--json | head -1`)', async () => {
    workspace.write('logs/session.jsonl', readFileSync(source, 'utf8'));
    const watcher = spawn(
      process.execPath,
      [bin, 'ingest', 'logs', '--watch', '--json', '--interval', '0.05'],
      {
        cwd: workspace.root,
        env: { PATH: process.env['PATH'] ?? '', HOME: workspace.root },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    watcher.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => {
      watcher.on('exit', (code) => {
        resolve(code);
      });
    });
    // Read the first line of output, then close the pipe, as `head -1` does; keep the log growing.
    await new Promise<void>((resolve) => {
      watcher.stdout.once('data', () => {
        resolve();
      });
    });
    watcher.stdout.destroy();
    for (let round = 0; round < 40 && watcher.exitCode === null; round++) {
      appendFileSync(workspace.file('logs/session.jsonl'), readFileSync(source, 'utf8'));
      await sleep(100);
    }
    if (watcher.exitCode === null) watcher.kill('SIGKILL');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|Unhandled|Error:/);
  }, 30_000);

  it('resumes after being killed at random points, without duplicates or gaps', async () => {
    // Built by `npm test` before the tests run (test/bin.test.ts rebuilds a stale build).
    const next = random(20261126);
    const lines = readFileSync(source, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    const target = workspace.write('logs/session.jsonl', '');
    const env = { PATH: process.env['PATH'] ?? '', HOME: workspace.root };
    let watcher: ChildProcess | null = null;
    let kills = 0;
    const start = () => {
      watcher = spawn(
        process.execPath,
        [bin, 'ingest', 'logs', '--watch', '--interval', '0.05', '--agent', 'coder'],
        {
          cwd: workspace.root,
          env,
          stdio: 'ignore',
        },
      );
    };
    start();
    let written = 0;
    let pendingTail = '';
    while (written < lines.length) {
      const count = 1 + Math.floor(next() * 25);
      const batch = lines.slice(written, written + count);
      written += batch.length;
      let text = pendingTail + batch.map((line) => `${line}\n`).join('');
      pendingTail = '';
      if (written < lines.length && next() < 0.3) {
        // Leave the next line half-written, as a writer caught mid-line would.
        const line = lines[written]!;
        const cut = Math.floor(line.length / 2);
        text += line.slice(0, cut);
        pendingTail = line.slice(cut) + '\n';
        written++;
      }
      appendFileSync(target, text);
      if (written === 120)
        workspace.write(
          'logs/second.jsonl',
          readFileSync(
            path.join(fixturesRoot, projects.web, 'b25638d7-b104-4f06-a797-70ac33d069ed.jsonl'),
            'utf8',
          ),
        );
      await sleep(20 + next() * 150);
      if (next() < 0.4) {
        (watcher as ChildProcess | null)?.kill('SIGKILL');
        kills++;
        await sleep(next() * 30);
        start();
      }
    }
    if (pendingTail !== '') appendFileSync(target, pendingTail);
    workspace.write(
      'logs/second.jsonl',
      readFileSync(
        path.join(fixturesRoot, projects.web, 'b25638d7-b104-4f06-a797-70ac33d069ed.jsonl'),
        'utf8',
      ),
    );
    // Let the last watcher catch up, then stop it the polite way.
    await sleep(1500);
    const last = watcher as ChildProcess | null;
    const exited = new Promise((resolve) => last?.on('exit', resolve));
    last?.kill('SIGTERM');
    await exited;
    expect(kills).toBeGreaterThanOrEqual(3);

    const watched = await eventIds(workspace.file('.reverie'));
    const clean = createWorkspace();
    try {
      clean.write('logs/session.jsonl', readFileSync(target, 'utf8'));
      clean.write('logs/second.jsonl', readFileSync(workspace.file('logs/second.jsonl'), 'utf8'));
      const reverie = clean.open();
      await reverie.ingest({ paths: [clean.file('logs')], agent: 'coder' });
      await reverie.close();
      const expected = await eventIds(clean.file('.reverie'));
      expect(watched.ids.length).toBe(expected.ids.length);
      expect(watched.ids).toEqual(expected.ids);
      expect(watched.counted).toBe(watched.ids.length);
    } finally {
      clean.remove();
    }
  }, 120_000);
});
