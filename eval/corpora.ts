/**
 * The three labelled corpora, read from fixtures/ only, and how each splits into chronological units: Claude Code
 * conversations (a session file with its sub-agent sidechains) by start time, aider launches by their header's time,
 * tau-bench runs by trial. The replay and the memory-growth runs write chosen units into a workspace's log folder.
 */
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSessionSources } from '../src/create-reverie.js';
import type { SessionFormat } from '../src/domain/session.js';
import { safeParseJson } from '../src/util/json.js';
import { aiderLabels } from './labels/aider.js';
import { claudeCodeLabels } from './labels/claude-code.js';
import { tauBenchLabels } from './labels/tau-bench.js';
import type { CorpusLabels, CorpusName } from './labels/types.js';

/** The repository root (this file is eval/corpora.ts, or dist-eval/eval/corpora.js once built). */
function findRepositoryRoot(): string {
  const parent = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  return path.basename(parent) === 'dist-eval' ? path.dirname(parent) : parent;
}

export const repositoryRoot = findRepositoryRoot();
export const fixturesRoot = path.join(repositoryRoot, 'fixtures');

/** A piece of a corpus that is written as a whole: one conversation, one launch, one trial. */
export interface CorpusUnit {
  /** When it started (ISO, or aider's local time as `YYYY-MM-DDTHH:MM:SS`), or null when the log has no time. */
  time: string | null;
  /** tau-bench: the trial; null elsewhere. */
  trial: number | null;
  /** What it is, for the report ("conversation 9e953218", "launch 2024-08-06 08:47:10", "trial 2"). */
  name: string;
  /** Writes (or appends) the unit under a log folder. */
  write(directory: string): void;
}

export interface Corpus {
  name: CorpusName;
  format: SessionFormat;
  labels: CorpusLabels;
  /** The memory file's name (in the workspace's `memory/` folder). */
  memoryFile: string;
  /** The fixture files the corpus is made of (the excerpts that repeat them are left out). */
  files: readonly string[];
  /** The units in chronological order. */
  loadUnits(): Promise<CorpusUnit[]>;
  /** How the replay splits the corpus into an earlier and a later part. */
  replaySplit: { description: string; isEarlier(unit: CorpusUnit): boolean };
}

function listFiles(directory: string, extension: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

const claudeCodeRoot = path.join(fixturesRoot, 'claude-code');

/**
 * Claude Code: one unit per conversation, i.e. a session file with the sidechain files whose parent it is (a
 * sidechain whose parent is not in the folder is a conversation of its own). Read with the Claude Code reader, which
 * knows each file's session and parent.
 */
async function loadClaudeCodeUnits(): Promise<CorpusUnit[]> {
  const source = createSessionSources().find((candidate) => candidate.format === 'claude-code');
  if (source === undefined) throw new Error('no Claude Code reader');
  const groups = new Map<string, { files: string[]; times: string[]; rootTime: string | null }>();
  for (const file of listFiles(claudeCodeRoot, '.jsonl')) {
    let root: string | null = null;
    const times: string[] = [];
    let rootTime: string | null = null;
    for await (const chunk of source.read({
      path: file,
      agent: 'eval',
      agentIsExplicit: true,
      cursor: null,
    })) {
      for (const session of chunk.sessions) {
        root ??= session.parentSessionId ?? session.id;
        if (session.startedAt !== null) times.push(session.startedAt);
        if (session.parentSessionId === null && session.startedAt !== null) rootTime = session.startedAt;
      }
    }
    // A file without a session (a summary-only file) is a unit of its own.
    const key = root ?? `file:${file}`;
    const group = groups.get(key) ?? { files: [], times: [], rootTime: null };
    group.files.push(file);
    group.times.push(...times);
    group.rootTime ??= rootTime;
    groups.set(key, group);
  }
  return [...groups.entries()]
    .map(([key, group]): CorpusUnit => {
      const time = group.rootTime ?? [...group.times].sort()[0] ?? null;
      return {
        time,
        trial: null,
        name: key.startsWith('file:')
          ? `file ${path.basename(key).slice(0, 8)} (no session)`
          : `conversation ${key.slice(0, 8)}`,
        write(directory) {
          for (const file of group.files) {
            const target = path.join(directory, path.relative(claudeCodeRoot, file));
            mkdirSync(path.dirname(target), { recursive: true });
            copyFileSync(file, target);
          }
        },
      };
    })
    .sort(compareUnits);
}

const aiderFile = path.join(fixturesRoot, 'aider', 'gauthier.aider.chat.history.md');
const aiderHeader = /^# aider chat started at (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\s*$/;

/**
 * aider: one unit per launch, cut at its `# aider chat started at` header; the text before the first header (the end
 * of an earlier session) is a unit without a time. Units are appended to one history file, as aider itself does.
 */
function loadAiderUnits(): Promise<CorpusUnit[]> {
  const lines = readFileSync(aiderFile, 'utf8').split('\n');
  const blocks: { time: string | null; lines: string[] }[] = [{ time: null, lines: [] }];
  lines.forEach((line, index) => {
    const header = aiderHeader.exec(line);
    if (header !== null) blocks.push({ time: `${header[1] ?? ''}T${header[2] ?? ''}`, lines: [] });
    const block = blocks[blocks.length - 1];
    // split('\n') leaves no newline on the last piece: keep the file's bytes exactly.
    block?.lines.push(index === lines.length - 1 ? line : `${line}\n`);
  });
  const units = blocks
    .filter((block) => block.lines.length > 0)
    .map((block): CorpusUnit => ({
      time: block.time,
      trial: null,
      name: block.time === null ? 'text before the first launch' : `launch ${block.time.replace('T', ' ')}`,
      write(directory) {
        mkdirSync(directory, { recursive: true });
        appendFileSync(path.join(directory, path.basename(aiderFile)), block.lines.join(''));
      },
    }));
  // File order, which is time order but for two interleaved launches: kept as aider wrote them.
  return Promise.resolve(units);
}

const tauBenchFile = path.join(fixturesRoot, 'tau-bench', 'gpt-4o-airline.tasks-0-39.json');

interface TauRun {
  trial: number;
}

function isTauRun(value: unknown): value is TauRun {
  return (
    typeof value === 'object' && value !== null && typeof (value as { trial?: unknown }).trial === 'number'
  );
}

/** tau-bench: one unit per trial (40 runs, one per task), written as a results file of its own. */
function loadTauBenchUnits(): Promise<CorpusUnit[]> {
  const parsed = safeParseJson(readFileSync(tauBenchFile, 'utf8'));
  if (!parsed.success || !Array.isArray(parsed.value)) throw new Error(`${tauBenchFile} is not a JSON array`);
  const runs = parsed.value.filter(isTauRun);
  const trials = [...new Set(runs.map((run) => run.trial))].sort((a, b) => a - b);
  return Promise.resolve(
    trials.map((trial): CorpusUnit => ({
      time: null,
      trial,
      name: `trial ${trial}`,
      write(directory) {
        mkdirSync(directory, { recursive: true });
        writeFileSync(
          path.join(directory, `airline.trial-${trial}.json`),
          JSON.stringify(runs.filter((run) => run.trial === trial)),
        );
      },
    })),
  );
}

function compareUnits(a: CorpusUnit, b: CorpusUnit): number {
  return (a.time ?? '').localeCompare(b.time ?? '') || a.name.localeCompare(b.name);
}

/** The cut of the Claude Code replay: June to September 2025 before it, October and November after. */
export const claudeCodeCut = '2025-10-01T00:00:00.000Z';
/** The cut of the aider replay: 5 to 12 August 2024 before it (536 launches), 13 to 22 August after (597). */
export const aiderCut = '2024-08-13T00:00:00';

export const corpora: readonly Corpus[] = [
  {
    name: 'claude-code',
    format: 'claude-code',
    labels: claudeCodeLabels,
    memoryFile: 'CLAUDE.md',
    files: listFiles(claudeCodeRoot, '.jsonl'),
    loadUnits: loadClaudeCodeUnits,
    replaySplit: {
      description: `conversations started before ${claudeCodeCut.slice(0, 10)} / from then on`,
      isEarlier: (unit) => unit.time === null || unit.time < claudeCodeCut,
    },
  },
  {
    name: 'aider',
    format: 'aider',
    labels: aiderLabels,
    memoryFile: 'AGENTS.md',
    files: [aiderFile],
    loadUnits: loadAiderUnits,
    replaySplit: {
      description: `launches before ${aiderCut.slice(0, 10)} / from then on`,
      isEarlier: (unit) => unit.time === null || unit.time < aiderCut,
    },
  },
  {
    name: 'tau-bench',
    format: 'tau-bench',
    labels: tauBenchLabels,
    memoryFile: 'AGENTS.md',
    files: [tauBenchFile],
    loadUnits: loadTauBenchUnits,
    replaySplit: {
      description: 'trials 0-1 / trials 2-3',
      isEarlier: (unit) => (unit.trial ?? 0) <= 1,
    },
  },
];

/** Copies a corpus's files under a log folder, whole (the labelled dream reads these). */
export function writeWholeCorpus(corpus: Corpus, directory: string): void {
  for (const file of corpus.files) {
    const relative =
      corpus.name === 'claude-code' ? path.relative(claudeCodeRoot, file) : path.basename(file);
    const target = path.join(directory, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
}
