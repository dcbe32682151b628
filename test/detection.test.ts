/**
 * `--format auto` picks the right reader for every fixture, from content (the head of the file), and says which.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSessionSources } from '../src/create-reverie.js';
import { createInMemoryStore } from '../src/storage/in-memory/in-memory-store.js';
import { createWorkspace } from './support/workspace.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Every fixture with the format its folder says it is. */
function fixtures(): { file: string; format: string }[] {
  const found: { file: string; format: string }[] = [];
  for (const format of readdirSync(path.join(root, 'fixtures'))) {
    const directory = path.join(root, 'fixtures', format);
    for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && !entry.name.startsWith('README'))
        found.push({ file: path.join(entry.parentPath, entry.name), format });
    }
  }
  for (const format of ['claude-code', 'reverie-jsonl']) {
    const directory = path.join(root, 'src', 'ingest', format, '__fixtures__');
    for (const name of readdirSync(directory)) {
      if (!name.startsWith('README')) found.push({ file: path.join(directory, name), format });
    }
  }
  return found;
}

describe('format auto-detection', () => {
  const all = fixtures();

  it('covers every supported format', () => {
    expect(new Set(all.map((fixture) => fixture.format))).toEqual(
      new Set(createSessionSources().map((source) => source.format)),
    );
  });

  it.each(all.map((fixture) => ({ ...fixture, name: path.relative(root, fixture.file) })))(
    'recognises $name as $format',
    ({ file, format }) => {
      const head = readFileSync(file).subarray(0, 16_384).toString('utf8');
      const detected = createSessionSources()
        .filter((source) => source.isCandidate(file) && source.detect(head))
        .map((source) => source.format);
      // The first reader that recognises it is the one auto-detection uses; no other may claim it.
      expect(detected).toEqual([format]);
    },
  );

  it('says which format it chose, and names the formats it tried for a file it cannot read', async () => {
    const workspace = createWorkspace();
    try {
      workspace.write('logs/notes.jsonl', '{"hello":"world"}\n');
      const tau = workspace.write(
        'logs/run.json',
        readFileSync(path.join(root, 'fixtures/tau-bench/gpt-4o-airline.first-8-runs.json'), 'utf8'),
      );
      const reverie = workspace.open({ store: createInMemoryStore() });
      const result = await reverie.ingest({ paths: [workspace.file('logs')] });
      expect(result.formats).toEqual({ 'tau-bench': 1 });
      expect(result.files.find((entry) => entry.path === tau)?.format).toBe('tau-bench');
      expect(result.warnings).toEqual([
        {
          type: 'format-undetected',
          path: workspace.file('logs/notes.jsonl'),
          tried: expect.arrayContaining(['claude-code', 'codex', 'reverie-jsonl']) as string[],
        },
      ]);
      await reverie.close();
    } finally {
      workspace.remove();
    }
  });
});
