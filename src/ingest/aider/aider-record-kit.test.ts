import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aiderRecordKit } from './aider-record-kit.js';
import { createAiderParserState, parseAiderLine } from './parse-aider-line.js';

const excerpt = fileURLToPath(
  new URL('../../../fixtures/aider/gauthier-2024-08-09.aider.chat.history.md', import.meta.url),
);

describe('aiderRecordKit', () => {
  it('splits a history into blocks that join back into the same bytes', async () => {
    const content = await readFile(excerpt);
    const parts = aiderRecordKit.split(content);
    expect(Buffer.concat([parts.head, ...parts.records, parts.tail]).equals(content)).toBe(true);
    expect(parts.head.length).toBe(0);
    // 39 launches; each record starts with a header, input, output or reply line and keeps its blank lines.
    const firstLines = parts.records.map((record) => record.toString('utf8').split('\n', 1)[0] ?? '');
    expect(firstLines.filter((line) => line.startsWith('# aider chat started at '))).toHaveLength(39);
    expect(firstLines.every((line) => line.trim() !== '')).toBe(true);
    // 39 headers, 89 user messages, 48 replies and 108 runs of output (counted independently of the parser).
    expect(parts.records.length).toBe(284);
  });

  it('splits a file that is only blank lines into a head', () => {
    const content = Buffer.from('\n\n');
    expect(aiderRecordKit.split(content)).toEqual({
      head: content,
      records: [],
      tail: Buffer.alloc(0),
    });
  });

  it('has junk the reader rejects with one invalid-record warning, and no record types', () => {
    const result = parseAiderLine(
      createAiderParserState(),
      {
        text: aiderRecordKit.junk.toString('utf8').trimEnd(),
        line: 1,
        path: 'p',
        binary: false,
        terminated: true,
      },
      { sessionPrefix: 'aider-x' },
    );
    expect(result.warnings).toEqual([expect.objectContaining({ type: 'invalid-record', line: 1 })]);
    expect(result.events).toEqual([]);
    expect(aiderRecordKit.withUnknownType(Buffer.from('#### hi  \n'), 'x')).toBeNull();
    expect(aiderRecordKit.appendable).toBe(true);
  });
});
