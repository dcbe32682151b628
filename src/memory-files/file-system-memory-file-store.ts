/**
 * Memory files on the local file system. Writes are atomic: a temporary file in the same directory is written,
 * flushed to disk and renamed over the target, then the directory is flushed, so a crash leaves either the old or
 * the new content, never a torn file. A target that is a symlink (e.g. CLAUDE.md → AGENTS.md) is written through
 * to the file it points at; the link itself is kept.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ReverieError } from '../domain/errors.js';
import type { MemoryFileContent, MemoryFileStore } from '../ports/memory-file-store.js';

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** The file a write should replace: the symlink's target when `filePath` is a symlink. */
async function resolveWriteTarget(filePath: string): Promise<string> {
  try {
    return await realpath(filePath);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return filePath;
    throw error;
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** The real path of `filePath`, following symlinks as far as the path exists (the rest is appended as written). */
async function realPathOf(filePath: string): Promise<string> {
  const missing: string[] = [];
  let current = path.resolve(filePath);
  for (;;) {
    try {
      return path.join(await realpath(current), ...missing.reverse());
    } catch (error) {
      if (!isErrno(error, 'ENOENT') && !isErrno(error, 'ENOTDIR')) throw error;
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, ...missing.reverse());
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export class FileSystemMemoryFileStore implements MemoryFileStore {
  readonly #roots: readonly string[] | null;

  /**
   * @param options.roots folders memory files must resolve inside, symlinks followed; null allows any path (tests
   * of the adapter alone)
   */
  constructor(options: { roots?: readonly string[] | null } = {}) {
    this.#roots = options.roots ?? null;
  }

  /** Refuses a path whose real location (symlinks followed) is outside every root. */
  async #guard(filePath: string): Promise<void> {
    if (this.#roots === null) return;
    const real = await realPathOf(filePath);
    for (const root of this.#roots) {
      if (isInside(await realPathOf(root), real)) return;
    }
    throw new ReverieError({
      code: 'MEMORY_PATH_OUTSIDE_ROOTS',
      message:
        `${filePath} resolves to ${real}, outside the memory roots (${this.#roots.join(', ')}). ` +
        'Reverie does not read or write memory files there: a symlink may point out of the project. Replace the ' +
        'link with a plain file, or add the folder to `memory_roots` in reverie.yaml if you mean it.',
      data: { path: filePath, realPath: real, roots: this.#roots },
    });
  }

  async read(filePath: string): Promise<MemoryFileContent> {
    await this.#guard(filePath);
    let bytes: Buffer;
    try {
      bytes = await readFile(filePath);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return { exists: false, content: '' };
      if (isErrno(error, 'EISDIR')) {
        throw new ReverieError({
          code: 'MEMORY_FILE_NOT_TEXT',
          message: `${filePath} is a directory, not a memory file. Point the agent's \`memory\` at a file inside it (e.g. ${path.join(filePath, 'MEMORY.md')}).`,
          data: { path: filePath },
        });
      }
      throw error;
    }
    try {
      // ignoreBOM keeps a byte-order mark in the text, so writing the text back restores the exact bytes.
      return {
        exists: true,
        content: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes),
      };
    } catch {
      throw new ReverieError({
        code: 'MEMORY_FILE_NOT_TEXT',
        message: `${filePath} is not UTF-8 text, so Reverie will not edit it. Convert it to UTF-8 or choose another memory file.`,
        data: { path: filePath },
      });
    }
  }

  async write(filePath: string, content: string): Promise<void> {
    await this.#guard(filePath);
    const target = await resolveWriteTarget(filePath);
    const directory = path.dirname(target);
    await mkdir(directory, { recursive: true });
    let mode: number | null = null;
    try {
      mode = (await stat(target)).mode & 0o7777;
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
    const temporary = path.join(
      directory,
      `.${path.basename(target)}.reverie-${randomBytes(6).toString('hex')}.tmp`,
    );
    const handle = await open(temporary, 'wx', mode ?? 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      if (mode !== null) await chmod(temporary, mode);
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await fsyncDirectory(directory);
  }

  async remove(filePath: string): Promise<void> {
    await this.#guard(filePath);
    try {
      await unlink(await resolveWriteTarget(filePath));
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
}

/** Creates the file-system memory file store. */
export function createFileSystemMemoryFileStore(
  options: { roots?: readonly string[] | null } = {},
): FileSystemMemoryFileStore {
  return new FileSystemMemoryFileStore(options);
}
