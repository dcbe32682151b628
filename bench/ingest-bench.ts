/**
 * `npm run bench:ingest`: ingest speed and memory against a baseline measured in the same run.
 *
 *   node dist-bench/bench/ingest-bench.js [--size-mb 1024] [--other-copies 20] [--dir /tmp/reverie-bench-corpus]
 *
 * Targets (issue "Read every major agent's logs"): ingest time / baseline time <= 2.0, and peak RSS <= 300 MB
 * whatever the corpus size. The baseline reads the same files and JSON.parses every line, nothing else.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './generate-corpus.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

const sizeMb = Number(option('size-mb', '1024'));
const otherCopies = Number(option('other-copies', '20'));
const directory = option('dir', path.join(tmpdir(), `reverie-bench-corpus-${sizeMb}`));
const root = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('./ingest-child.js', import.meta.url));

interface ChildResult {
  mode: string;
  ms: number;
  bytes: number;
  maxRssMb: number;
  sessions?: number;
  events?: number;
  records?: number;
  warnings?: number;
  redactions?: number;
}

function run(arguments_: string[]): ChildResult {
  const output = execFileSync(process.execPath, [child, ...arguments_], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ChildResult;
}

console.log(
  `Generating the corpus in ${directory} (Claude Code: ${sizeMb} MB; other formats: ${otherCopies} copies)…`,
);
const corpus = generateCorpus({
  fixtures: path.join(root, 'fixtures'),
  directory,
  claudeCodeBytes: sizeMb * 1024 * 1024,
  otherCopies,
});
const totalMb = (corpus.claudeCodeBytes + corpus.otherBytes) / 1048576;
console.log(
  `Corpus: ${corpus.files} files, ${totalMb.toFixed(0)} MB (${(corpus.claudeCodeBytes / 1048576).toFixed(0)} MB Claude Code JSONL).`,
);

// The first baseline run warms the page cache, so both measured runs read from memory, not disk.
run(['baseline', directory]);
const base = run(['baseline', directory]);
const dataDir = mkdtempSync(path.join(tmpdir(), 'reverie-bench-store-'));
let ingest: ChildResult;
try {
  ingest = run(['ingest', directory, dataDir]);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const seconds = (result: ChildResult) => result.ms / 1000;
const rows = [
  ['', 'time (s)', 'MB/s', 'sessions/s', 'events/s', 'peak RSS (MB)'],
  [
    'baseline (read + JSON.parse)',
    seconds(base).toFixed(2),
    (totalMb / seconds(base)).toFixed(1),
    '',
    '',
    base.maxRssMb.toFixed(0),
  ],
  [
    'reverie ingest (SQLite)',
    seconds(ingest).toFixed(2),
    (totalMb / seconds(ingest)).toFixed(1),
    ((ingest.sessions ?? 0) / seconds(ingest)).toFixed(0),
    ((ingest.events ?? 0) / seconds(ingest)).toFixed(0),
    ingest.maxRssMb.toFixed(0),
  ],
];
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
const ratio = ingest.ms / base.ms;
console.log(
  `\nSessions: ${ingest.sessions ?? 0}, events: ${ingest.events ?? 0}, warnings: ${ingest.warnings ?? 0}, secrets redacted: ${ingest.redactions ?? 0}`,
);
console.log(
  `ingest time / baseline time = ${ratio.toFixed(2)} (target <= 2.0): ${ratio <= 2 ? 'PASS' : 'FAIL'}`,
);
console.log(
  `peak RSS of ingest = ${ingest.maxRssMb.toFixed(0)} MB (target <= 300 MB): ${ingest.maxRssMb <= 300 ? 'PASS' : 'FAIL'}`,
);
process.exitCode = ratio <= 2 && ingest.maxRssMb <= 300 ? 0 : 1;
