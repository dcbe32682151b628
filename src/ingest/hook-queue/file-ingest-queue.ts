/**
 * The ingest queue as files in `<data dir>/queue/`: hooks append one JSON line per log to `<format>.jsonl` (an
 * O_APPEND write of one small line is atomic, so concurrent hooks never interleave); a claim renames the file aside
 * (`.claimed-<time>`) so new lines go to a fresh file, and `done` deletes the claimed file. A claimed file left by a
 * crash is claimed again next time: ingest is idempotent, so nothing is lost or doubled.
 */
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { IngestWarning } from '../../domain/ingest-warning.js';
import { isSessionFormat } from '../../domain/session.js';
import type { IngestQueue, QueueClaim, QueuedLog } from '../../ports/ingest-queue.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** The queue directory inside a data directory. */
export function queueDirectory(dataDir: string): string {
  return path.join(dataDir, 'queue');
}

export class FileIngestQueue implements IngestQueue {
  readonly #directory: string;
  #sequence = 0;

  constructor(options: { directory: string }) {
    this.#directory = options.directory;
  }

  async claim(): Promise<QueueClaim | null> {
    let names: string[];
    try {
      names = await readdir(this.#directory);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null;
      throw error;
    }
    const claimed: string[] = names
      .filter((name) => name.includes('.claimed-'))
      .map((name) => path.join(this.#directory, name));
    for (const name of names.filter((candidate) => candidate.endsWith('.jsonl'))) {
      const target = path.join(
        this.#directory,
        `${name}.claimed-${Date.now()}-${process.pid}-${this.#sequence++}`,
      );
      try {
        await rename(path.join(this.#directory, name), target);
        claimed.push(target);
      } catch (error) {
        // Another process claimed it first.
        if (!isErrno(error, 'ENOENT')) throw error;
      }
    }
    if (claimed.length === 0) return null;
    const entries: QueuedLog[] = [];
    const warnings: IngestWarning[] = [];
    const seen = new Set<string>();
    for (const file of claimed.sort()) {
      const text = await readFile(file, 'utf8').catch(() => '');
      text.split('\n').forEach((line, index) => {
        if (line.trim() === '') return;
        const parsed = safeParseJson(line);
        const record = parsed.success && isJsonObject(parsed.value) ? parsed.value : null;
        const logPath = record?.['path'];
        const format = record?.['format'];
        if (typeof logPath !== 'string' || typeof format !== 'string' || !isSessionFormat(format)) {
          warnings.push({
            type: 'invalid-record',
            path: file,
            line: index + 1,
            message: 'queue entry without a path and a known format',
          });
          return;
        }
        // A session ends once but hooks may fire more than once (resume, clear): read each file once per claim.
        if (seen.has(logPath)) return;
        seen.add(logPath);
        const queuedAt = record?.['queued_at'];
        entries.push({ path: logPath, format, queuedAt: typeof queuedAt === 'string' ? queuedAt : null });
      });
    }
    return {
      entries,
      warnings,
      done: async () => {
        for (const file of claimed) await rm(file, { force: true });
      },
    };
  }
}

/** The queue of a data directory (its folder is created by the first hook that queues something). */
export function createFileIngestQueue(dataDir: string): FileIngestQueue {
  return new FileIngestQueue({ directory: queueDirectory(dataDir) });
}
