/**
 * An evaluation workspace: a fresh temporary folder with a generated reverie.yaml (one agent for the corpus, its
 * logs under `logs/`, its memory file under `memory/`), a SQLite store in `.reverie/`, and a Reverie built over it
 * through the same loader the CLI uses, with a fixed clock and sequential ids so every run gives the same figures.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { createReverie } from '../src/create-reverie.js';
import type { Reverie } from '../src/create-reverie.js';
import type { MemoryBudget } from '../src/domain/agent.js';
import { measureMemory } from '../src/memory/apply-memory-edits.js';
import { parseMemoryDocument } from '../src/memory/memory-document.js';
import type { Store } from '../src/ports/store.js';
import { FixedClock } from '../src/runtime/fixed-clock.js';
import { SequentialIdGenerator } from '../src/runtime/sequential-id-generator.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Corpus } from './corpora.js';

/** After every log of the corpora (the last Claude Code sidechain is from 27 November 2025). */
export const evaluationNow = '2026-01-01T00:00:00.000Z';

/** The budget of reverie.yaml when none is given (src/config/config-schema.ts). */
export const defaultBudget: MemoryBudget = { maxLines: 200, maxBytes: 25_600 };

export interface EvalWorkspace {
  root: string;
  /** The agent's log folder (its only source). */
  logs: string;
  /** Absolute path of the agent's memory file. */
  memoryPath: string;
  budget: MemoryBudget;
  agent: string;
  store: Store;
  clock: FixedClock;
  reverie: Reverie;
  /** The memory file's size and entries now (zero when it does not exist yet). */
  measureMemoryFile(): MemoryFileSize;
  close(): Promise<void>;
}

export interface MemoryFileSize {
  entries: number;
  lines: number;
  bytes: number;
}

/** Size of a memory file's content: Reverie's entries, and lines and bytes as budgets count them. */
export function measureMemoryContent(content: string): MemoryFileSize {
  return { entries: parseMemoryDocument(content).entries.length, ...measureMemory(content) };
}

/**
 * Creates a workspace for one corpus. Approval is given per dream (`reverie.dream({ approval })`); the window is
 * ten years, so every session of the corpus is in it.
 */
export function createEvalWorkspace(corpus: Corpus, options: { budget?: MemoryBudget } = {}): EvalWorkspace {
  const root = mkdtempSync(path.join(tmpdir(), `reverie-eval-${corpus.name}-`));
  const budget = options.budget ?? defaultBudget;
  const agent = corpus.name;
  writeFileSync(
    path.join(root, 'reverie.yaml'),
    `agents:
  ${agent}:
    sources: [{ type: ${corpus.format}, path: ./logs }]
    memory: { path: ./memory/${corpus.memoryFile}, max_lines: ${budget.maxLines}, max_bytes: ${budget.maxBytes} }
dreaming:
  approval: manual
  retention: 3650d
  min_sessions: 2
`,
  );
  const config = loadConfig({ cwd: root, env: {}, homeDir: root });
  const store = createSqliteStore({ path: path.join(root, '.reverie', 'reverie.db') });
  const clock = new FixedClock(evaluationNow);
  const reverie = createReverie(config, { store, clock, ids: new SequentialIdGenerator(), queue: null });
  const memoryPath = path.join(root, 'memory', corpus.memoryFile);
  return {
    root,
    logs: path.join(root, 'logs'),
    memoryPath,
    budget,
    agent,
    store,
    clock,
    reverie,
    measureMemoryFile() {
      return existsSync(memoryPath)
        ? measureMemoryContent(readFileSync(memoryPath, 'utf8'))
        : { entries: 0, lines: 0, bytes: 0 };
    },
    async close() {
      await reverie.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
