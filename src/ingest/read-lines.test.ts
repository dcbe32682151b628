import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLines } from './read-lines.js';
import type { LogLine } from './read-lines.js';

describe('readLines', () => {
  let directory = '';
  let counter = 0;
  const file = async (content: Buffer | string) => {
    counter += 1;
    const path = join(directory, `${String(counter)}.jsonl`);
    await writeFile(path, content);
    return path;
  };
  const collect = async (options: Parameters<typeof readLines>[0]) => {
    const lines: LogLine[] = [];
    for await (const line of readLines(options)) lines.push(line);
    return lines;
  };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'reverie-read-lines-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('yields lines with numbers, byte offsets and termination', async () => {
    const path = await file('{"a":1}\r\n\né\nlast');
    expect(await collect({ path })).toEqual([
      { text: '{"a":1}', line: 1, startOffset: 0, endOffset: 9, terminated: true, binary: false },
      { text: '', line: 2, startOffset: 9, endOffset: 10, terminated: true, binary: false },
      { text: 'é', line: 3, startOffset: 10, endOffset: 13, terminated: true, binary: false },
      { text: 'last', line: 4, startOffset: 13, endOffset: 17, terminated: false, binary: false },
    ]);
  });

  it('joins lines that span read buffers, including a character cut between buffers', async () => {
    const long = `{"text":"${'żółw '.repeat(50)}"}`;
    const path = await file(`${long}\nshort\n${long}\n`);
    const lines = await collect({ path, highWaterMark: 7 });
    expect(lines.map((line) => line.text)).toEqual([long, 'short', long]);
    expect(lines.every((line) => !line.binary && line.terminated)).toBe(true);
    expect(lines[2]?.endOffset).toBe(Buffer.byteLength(`${long}\nshort\n${long}\n`));
  });

  it('starts at a byte offset with the given line number', async () => {
    const path = await file('one\ntwo\nthree\n');
    expect(
      (await collect({ path, offset: 4, firstLine: 2 })).map((line) => [
        line.line,
        line.text,
        line.startOffset,
      ]),
    ).toEqual([
      [2, 'two', 4],
      [3, 'three', 8],
    ]);
    expect(await collect({ path, offset: 14, firstLine: 4 })).toEqual([]);
  });

  it('flags invalid UTF-8 and NUL bytes as binary, with lossy text', async () => {
    const path = await file(
      Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from('a\u0000b\n')]),
    );
    const lines = await collect({ path });
    expect(lines.map((line) => [line.text, line.binary])).toEqual([
      ['ok', false],
      ['{\uFFFD}', true],
      ['a\u0000b', true],
    ]);
  });

  it('yields nothing for an empty file', async () => {
    expect(await collect({ path: await file('') })).toEqual([]);
  });
});
