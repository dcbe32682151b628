import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReverieError } from '../domain/errors.js';
import { createFileSystemLogFiles } from './file-system-log-files.js';

describe('FileSystemLogFiles', () => {
  const files = createFileSystemLogFiles();
  let root = '';
  const list = async (path: string) => {
    const paths: string[] = [];
    for await (const item of files.list(path)) paths.push(item);
    return paths;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'reverie-log-files-'));
    await mkdir(join(root, 'logs', 'b', 'deep'), { recursive: true });
    await mkdir(join(root, 'logs', 'a'), { recursive: true });
    await mkdir(join(root, 'logs', 'node_modules', 'pkg'), { recursive: true });
    await mkdir(join(root, 'logs', '.cache'), { recursive: true });
    await mkdir(join(root, 'elsewhere'), { recursive: true });
    await writeFile(join(root, 'logs', 'b', 'deep', '2.jsonl'), 'x\n');
    await writeFile(join(root, 'logs', 'b', '1.jsonl'), 'x\n');
    await writeFile(join(root, 'logs', 'a', 'z.jsonl'), 'x\n');
    await writeFile(join(root, 'logs', 'B.jsonl'), 'x\n');
    await writeFile(join(root, 'logs', 'node_modules', 'pkg', 'skip.jsonl'), 'x\n');
    await writeFile(join(root, 'logs', '.cache', 'skip.jsonl'), 'x\n');
    await writeFile(join(root, 'elsewhere', 'linked.jsonl'), 'x\n');
    await symlink(join(root, 'elsewhere'), join(root, 'logs', 'linked-dir'));
    await symlink(join(root, 'elsewhere', 'linked.jsonl'), join(root, 'logs', 'linked-file.jsonl'));
    await symlink(join(root, 'missing.jsonl'), join(root, 'logs', 'dangling.jsonl'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('walks a directory sorted, skipping node_modules, dot-directories and symlinked directories', async () => {
    expect(await list(join(root, 'logs'))).toEqual([
      join(root, 'logs', 'B.jsonl'),
      join(root, 'logs', 'a', 'z.jsonl'),
      join(root, 'logs', 'b', '1.jsonl'),
      join(root, 'logs', 'b', 'deep', '2.jsonl'),
      join(root, 'logs', 'linked-file.jsonl'),
    ]);
  });

  it('walks a dot-directory given as the root', async () => {
    expect(await list(join(root, 'logs', '.cache'))).toEqual([join(root, 'logs', '.cache', 'skip.jsonl')]);
  });

  it('lists a file path as itself, made absolute', async () => {
    expect(await list(join(root, 'logs', 'b', '1.jsonl'))).toEqual([join(root, 'logs', 'b', '1.jsonl')]);
  });

  it('throws INGEST_PATH_NOT_FOUND naming the path and what to do', async () => {
    const missing = join(root, 'nope');
    const error: unknown = await list(missing).catch((caught: unknown) => caught);
    expect(isReverieError(error) && error.code).toBe('INGEST_PATH_NOT_FOUND');
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toMatch(/ingest/);
    await expect(files.fingerprint(missing)).rejects.toMatchObject({ code: 'INGEST_PATH_NOT_FOUND' });
  });

  it('fingerprints size, mtime and a hash of the first bytes', async () => {
    const path = join(root, 'fingerprint.jsonl');
    const content = Buffer.from('a'.repeat(5000));
    await writeFile(path, content);
    const fingerprint = await files.fingerprint(path);
    expect(fingerprint).toMatchObject({
      path,
      size: 5000,
      headBytes: 4096,
      headHash: createHash('sha256').update(content.subarray(0, 4096)).digest('hex'),
    });
    expect(fingerprint.mtimeMs).toBeGreaterThan(0);
    expect(await files.fingerprint(path, { headBytes: 10 })).toMatchObject({ headBytes: 10 });
    const small = join(root, 'small.jsonl');
    await writeFile(small, 'hi');
    expect(await files.fingerprint(small)).toMatchObject({ size: 2, headBytes: 2 });
  });

  it('reads the head as UTF-8, tolerating a character cut at the end', async () => {
    const path = join(root, 'head.jsonl');
    await writeFile(path, 'ééé');
    expect(await files.readHead(path, 4)).toBe('éé');
    expect(await files.readHead(path, 3)).toBe('é\uFFFD');
  });
});
