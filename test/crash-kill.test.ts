/**
 * Crash safety: a child process dreams, approves and rolls back in a loop over the real tau-bench runs, and is
 * killed with SIGKILL at random points (at least 200). After every kill the memory file equals one complete stored
 * version (the current one, or the one a write had reserved), the store is consistent and passes SQLite's integrity
 * check, and the next process finishes or discards the interrupted write and carries on (a dead process's locks do
 * not block it).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RandomIdGenerator } from '../src/runtime/random-id-generator.js';
import { SystemClock } from '../src/runtime/system-clock.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { createWorkspace } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

const child = fileURLToPath(new URL('./support/crash-child.mjs', import.meta.url));
const tauBench = fileURLToPath(
  new URL('../fixtures/tau-bench/gpt-4o-airline.tasks-0-39.json', import.meta.url),
);

/** Kills per workspace; two workspaces run side by side (the machine has two cores). */
const killsPerWorkspace = 105;

/** A deterministic pseudo-random sequence, so a failing kill point can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface KillResult {
  kills: number;
  /** What the child had printed when it was killed: which steps it had got through. */
  progress: string[];
  errors: string[];
  /** Kills that left a write half-done (a pending version), finished or discarded by the next process. */
  interruptedWrites: number;
}

function setUp(workspace: Workspace): string {
  workspace.write('logs/airline.json', readFileSync(tauBench, 'utf8'));
  workspace.write(
    'reverie.yaml',
    `agents:
  airline:
    sources: [{ type: tau-bench, path: ./logs }]
    memory: ./AGENTS.md
dreaming:
  approval: manual
  retention: 36500d
  min_sessions: 2
`,
  );
  return workspace.file('AGENTS.md');
}

/** Runs the child until `delayMs` after it is ready, then kills it with SIGKILL. */
function runAndKill(cwd: string, memoryPath: string, delayMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [child, cwd, memoryPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    process_.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      if (timer === undefined && output.includes('ready\n')) {
        timer = setTimeout(() => process_.kill('SIGKILL'), delayMs);
      }
    });
    process_.stderr.on('data', (data: Buffer) => {
      output += data.toString();
    });
    process_.on('error', reject);
    process_.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (${code}): ${output}`));
      else resolve(output);
    });
  });
}

/** The invariants after a kill, before anything repairs it. Returns whether a write was left half-done. */
async function checkConsistent(databasePath: string, memoryPath: string): Promise<boolean> {
  const raw = new Database(databasePath, { readonly: true });
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    raw.close();
  }
  const store = createSqliteStore({ path: databasePath });
  try {
    const file = await store.getMemoryFile(memoryPath);
    if (file === null) {
      // Killed before the first sync recorded the file: Reverie has not touched it.
      expect(existsSync(memoryPath)).toBe(false);
      return false;
    }
    const versions = await store.listMemoryVersions(memoryPath);
    // Versions are 1..current, each the child of the one before.
    expect(versions.map((version) => version.version)).toEqual(versions.map((_, index) => index + 1));
    for (const version of versions.slice(1)) expect(version.parentVersion).toBe(version.version - 1);
    expect(file.currentVersion).toBe(versions.length);
    const current = versions[versions.length - 1];
    const pending = await store.getPendingMemoryWrite(memoryPath);
    const disk = existsSync(memoryPath) ? readFileSync(memoryPath, 'utf8') : null;
    const matches = (version: { exists: boolean; content: string } | null | undefined): boolean =>
      version !== null &&
      version !== undefined &&
      (version.exists ? disk === version.content : disk === null);
    // The file is one complete stored version: the current one, or the one a write had reserved.
    expect(matches(current) || matches(pending)).toBe(true);
    // Every applied proposal points at the version that applied it, and every such version at its proposal.
    const applied = await store.listProposals({ status: 'applied' });
    for (const proposal of applied) {
      const version = versions.find((candidate) => candidate.version === proposal.appliedVersion);
      expect(version?.proposalId).toBe(proposal.id);
    }
    for (const version of versions.filter((candidate) => candidate.proposalId !== null)) {
      expect(applied.find((proposal) => proposal.id === version.proposalId)?.appliedVersion).toBe(
        version.version,
      );
    }
    return pending !== null;
  } finally {
    await store.close();
  }
}

async function killRepeatedly(workspace: Workspace, seed: number): Promise<KillResult> {
  const memoryPath = setUp(workspace);
  // Read the logs and digest the sessions once, so the kills land in dreams and applies rather than in the first
  // ingest (killing an ingest is test/watch.test.ts's subject).
  const reverie = workspace.open({ clock: new SystemClock(), ids: new RandomIdGenerator() });
  await reverie.dream({ dryRun: true });
  await reverie.close();
  const next = random(seed);
  const result: KillResult = { kills: 0, progress: [], errors: [], interruptedWrites: 0 };
  const databasePath = workspace.file('.reverie/reverie.db');
  for (let kill = 0; kill < killsPerWorkspace; kill++) {
    const output = await runAndKill(workspace.root, memoryPath, Math.floor(next() * 500));
    result.kills++;
    result.progress.push(output.replace(/^ready\n/, '').replace(/\nerror[^\n]*\n/g, 'E'));
    for (const line of output.split('\n')) if (line.startsWith('error')) result.errors.push(line);
    if (await checkConsistent(databasePath, memoryPath)) result.interruptedWrites++;
  }
  return result;
}

describe('SIGKILL at random points of dreams and applies', () => {
  const workspaces: Workspace[] = [];
  let results: KillResult[] = [];

  beforeAll(async () => {
    workspaces.push(createWorkspace(), createWorkspace());
    results = await Promise.all(workspaces.map((workspace, index) => killRepeatedly(workspace, 7 + index)));
  }, 600_000);

  afterAll(() => {
    for (const workspace of workspaces) workspace.remove();
  });

  it('leaves the file equal to one complete stored version and the store consistent after every kill', () => {
    const kills = results.reduce((total, result) => total + result.kills, 0);
    expect(kills).toBeGreaterThanOrEqual(200);
    // The kills landed all over the loop: before the first step, and after each kind of step.
    const progress = results.flatMap((result) => result.progress);
    expect(progress.some((printed) => printed === '')).toBe(true);
    expect(progress.some((printed) => printed.includes('d'))).toBe(true);
    expect(progress.some((printed) => printed.includes('a'))).toBe(true);
    expect(progress.some((printed) => printed.includes('r'))).toBe(true);
    // Some kills interrupted a write between its halves: that is the case the write-ahead exists for.
    const interrupted = results.reduce((total, result) => total + result.interruptedWrites, 0);
    console.log(
      `${kills} kills; ${interrupted} left a write half-done; steps completed per kill: ${progress.map((printed) => printed.length).join(' ')}`,
    );
    // Crashed processes' locks never block the next one, and no step failed other than by a clean refusal.
    const unexpected = results
      .flatMap((result) => result.errors)
      .filter((line) => !line.includes('MEMORY_VERSION_CONFLICT'));
    expect(unexpected).toEqual([]);
  });

  it('the next process finishes or discards an interrupted write and goes on', async () => {
    for (const workspace of workspaces) {
      const reverie = workspace.open({ clock: new SystemClock(), ids: new RandomIdGenerator() });
      const run = await reverie.dream({ approval: 'automatic' });
      expect(run.status).toBe('succeeded');
      const [history] = await reverie.history(workspace.file('AGENTS.md'));
      await reverie.close();
      const store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
      const path = workspace.file('AGENTS.md');
      expect(await store.getPendingMemoryWrite(path)).toBeNull();
      const current = history?.versions.at(-1);
      expect(current?.exists ? readFileSync(path, 'utf8') : null).toBe(
        current?.exists ? current.content : null,
      );
      await store.close();
    }
  });
});
