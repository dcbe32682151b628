import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ReverieError } from '../domain/errors.js';
import type { LogFileFingerprint, LogFiles } from '../ports/log-files.js';

const DEFAULT_HEAD_BYTES = 4096;
const SKIPPED_DIRECTORIES = new Set(['node_modules']);
const lossyDecoder = new TextDecoder('utf-8');

/**
 * {@link LogFiles} over the local file system. Directory walks are depth-first with entries sorted by name
 * (code-unit order, so the result does not depend on the locale), skip `node_modules` and dot-directories below
 * the root, and do not follow symlinked directories (a link back up the tree would loop, and a link to a shared
 * log folder would import it twice). Symlinked files are listed.
 */
export class FileSystemLogFiles implements LogFiles {
  async *list(path: string): AsyncIterable<string> {
    const root = resolve(path);
    const rootStat = statOrThrowNotFound(root);
    if (!rootStat.isDirectory()) {
      yield root;
      return;
    }
    yield* walk(root);
  }

  // Synchronous on purpose (like `readLines`): a stat, or an open + read of 16 KiB + close of a local file, costs
  // less than a round trip through the thread pool, and an ingest does these for every file.
  // eslint-disable-next-line @typescript-eslint/require-await -- the port is asynchronous; errors reject
  async stat(path: string): Promise<{ size: number; mtimeMs: number }> {
    const fileStat = statOrThrowNotFound(path);
    return { size: fileStat.size, mtimeMs: fileStat.mtimeMs };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the port is asynchronous; errors reject
  async fingerprint(
    path: string,
    options: { headBytes?: number; textBytes?: number } = {},
  ): Promise<LogFileFingerprint> {
    const headBytes = options.headBytes ?? DEFAULT_HEAD_BYTES;
    const descriptor = openOrThrowNotFound(path);
    try {
      const fileStat = fstatSync(descriptor);
      const bytes = readFirstBytes(
        descriptor,
        Math.min(fileStat.size, Math.max(headBytes, options.textBytes ?? 0)),
      );
      const head = bytes.subarray(0, Math.min(headBytes, bytes.length));
      return {
        path,
        size: fileStat.size,
        mtimeMs: fileStat.mtimeMs,
        headHash: createHash('sha256').update(head).digest('hex'),
        headBytes: head.length,
        // Lossy on purpose: the text may end inside a multi-byte character; detection only needs whole lines.
        headText: lossyDecoder.decode(bytes.subarray(0, options.textBytes ?? 0)),
      };
    } finally {
      closeSync(descriptor);
    }
  }

  /** The first bytes of a file decoded as UTF-8 (lossy): a convenience for detection tests. */
  async readHead(path: string, bytes: number): Promise<string> {
    return (await this.fingerprint(path, { headBytes: 0, textBytes: bytes })).headText;
  }
}

/** Creates a {@link FileSystemLogFiles}. */
export function createFileSystemLogFiles(): FileSystemLogFiles {
  return new FileSystemLogFiles();
}

async function* walk(directory: string): AsyncGenerator<string> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      yield* walk(path);
    } else if (entry.isFile()) {
      yield path;
    } else if (entry.isSymbolicLink()) {
      // A dangling link is skipped like any other non-file entry.
      const target = await stat(path).catch(() => null);
      if (target?.isFile() === true) yield path;
    }
  }
}

function readFirstBytes(descriptor: number, bytes: number): Buffer {
  const buffer = Buffer.alloc(Math.max(0, bytes));
  let filled = 0;
  while (filled < buffer.length) {
    const bytesRead = readSync(descriptor, buffer, filled, buffer.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function statOrThrowNotFound(path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw notFoundOr(error, path);
  }
}

function openOrThrowNotFound(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw notFoundOr(error, path);
  }
}

function notFoundOr(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR') return error;
  return new ReverieError({
    code: 'INGEST_PATH_NOT_FOUND',
    message:
      `Log path not found: ${path}. Check the path (for Claude Code logs it is usually ~/.claude/projects) ` +
      'or fix the ingest paths in your Reverie config, then run the ingest again.',
    data: { path },
    cause: error,
  });
}
