/**
 * One measured run, in its own process so its peak memory is its own: `baseline` reads every file and
 * `JSON.parse`s every line (or the whole document), nothing else; `ingest` runs Reverie's ingest into SQLite.
 * Prints one JSON line: { mode, ms, bytes, sessions, events, maxRssMb }.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config/load-config.js';
import { createReverie } from '../src/create-reverie.js';
import { safeParseJson } from '../src/util/json.js';

const [mode, corpus, dataDir] = process.argv.slice(2);
if ((mode !== 'baseline' && mode !== 'ingest') || corpus === undefined) {
  throw new Error('usage: ingest-child.js baseline|ingest <corpus> [data-dir]');
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

async function baseline(): Promise<{ bytes: number; records: number }> {
  let bytes = 0;
  let records = 0;
  for (const file of listFiles(corpus!)) {
    bytes += statSync(file).size;
    if (file.endsWith('.jsonl')) {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line === '') continue;
        safeParseJson(line);
        records++;
      }
    } else if (file.endsWith('.md')) {
      readFileSync(file, 'utf8');
      records++;
    } else {
      safeParseJson(readFileSync(file, 'utf8'));
      records++;
    }
  }
  return { bytes, records };
}

const started = performance.now();
const cpuStarted = process.cpuUsage();
let output: Record<string, unknown>;
if (mode === 'baseline') {
  const result = await baseline();
  output = { bytes: result.bytes, records: result.records };
} else {
  const reverie = createReverie(loadConfig({ cwd: dataDir!, dataDir: dataDir!, env: {} }), { queue: null });
  const result = await reverie.ingest({ paths: [corpus] });
  await reverie.close();
  output = {
    bytes: result.bytesRead,
    sessions: result.sessionsAdded,
    events: result.eventsAdded,
    files: result.filesRead,
    warnings: result.warnings.length,
    redactions: Object.values(result.redactions).reduce((sum, count) => sum + count, 0),
  };
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ mode, ms, cpuMs, ...output, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
