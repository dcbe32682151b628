import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadChunk } from '../ports/session-source.js';
import { readJsonDocumentChunks } from './read-json-document-chunks.js';

let directory = '';
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'reverie-document-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A toy format: `{"id": ..., "steps": [{"say": "..."}]}`, one event per step, the id from the envelope. */
async function read(content: string | Buffer, options: { maxRecords?: number } = {}) {
  const path = join(directory, `${String(Math.random()).slice(2)}.json`);
  await writeFile(path, content);
  const chunks: ReadChunk[] = [];
  let envelopeSeen: unknown = undefined;
  for await (const chunk of readJsonDocumentChunks<{ count: number }>({
    path,
    recordsAt: ['steps'],
    initialState: { count: 0 },
    parseRecord: (state, record) => ({
      state: { count: state.count + 1 },
      events: [
        {
          id: `e${state.count}`,
          sessionId: 's',
          sequence: record.line,
          kind: 'assistant-message',
          subtype: null,
          timestamp: null,
          text: JSON.stringify(record.value),
          messageId: null,
          toolName: null,
          toolCallId: null,
          toolInput: null,
          isError: false,
          isRejection: false,
          source: { path, line: record.line },
        },
      ],
      warnings: [],
      sessionIds: ['s'],
    }),
    finish: (state, envelope) => {
      envelopeSeen = envelope;
      return { state, events: [], warnings: [], sessionIds: [] };
    },
    sessions: () => [],
    ...(options.maxRecords === undefined ? {} : { maxRecords: options.maxRecords }),
  })) {
    chunks.push(chunk);
  }
  return {
    path,
    chunks,
    events: chunks.flatMap((chunk) => chunk.events),
    warnings: chunks.flatMap((chunk) => chunk.warnings),
    envelope: envelopeSeen,
  };
}

const document =
  '{\n  "id": "t1",\n  "steps": [\n    {"say": "a"},\n    {"say": "b"},\n    {"say": "c"}\n  ],\n  "done": true\n}\n';

describe('readJsonDocumentChunks', () => {
  it('reads every record with its line, then the envelope', async () => {
    const result = await read(document, { maxRecords: 2 });
    expect(result.events.map((event) => [event.text, event.source.line])).toEqual([
      ['{"say":"a"}', 4],
      ['{"say":"b"}', 5],
      ['{"say":"c"}', 6],
    ]);
    expect(result.warnings).toEqual([]);
    expect(result.envelope).toEqual({
      value: { id: 't1', steps: [], done: true },
      complete: true,
      foundRecords: true,
    });
    expect(result.chunks.length).toBeGreaterThanOrEqual(2);
    expect(result.chunks.at(-1)?.cursor.offset).toBe(Buffer.byteLength(document));
  });

  it('keeps the records before a cut, warns with the line of the cut record and closes the envelope', async () => {
    const cut = document.slice(0, document.indexOf('"c"') + 2);
    const result = await read(cut);
    expect(result.events.map((event) => event.text)).toEqual(['{"say":"a"}', '{"say":"b"}']);
    expect(result.warnings).toEqual([{ type: 'truncated-line', path: result.path, line: 6 }]);
    expect(result.envelope).toMatchObject({ value: { id: 't1', steps: [] }, complete: false });
  });

  it('warns about junk and binary garbage between records and keeps the others', async () => {
    const junk = Buffer.concat([
      Buffer.from('{"steps": [{"say": "a"},\n not json,\n'),
      Buffer.from([0x00, 0xff, 0x41]),
      Buffer.from(',\n{"say": "b"}]}'),
    ]);
    const result = await read(junk);
    expect(result.events.map((event) => event.text)).toEqual(['{"say":"a"}', '{"say":"b"}']);
    expect(result.warnings).toEqual([
      { type: 'invalid-json', path: result.path, line: 2, message: expect.any(String) as string },
      { type: 'binary-content', path: result.path, line: 3 },
    ]);
  });

  it('warns about an empty file and about a missing one', async () => {
    const empty = await read('');
    expect(empty.warnings).toEqual([{ type: 'empty-file', path: empty.path }]);
    expect(empty.chunks).toHaveLength(1);
    const chunks: ReadChunk[] = [];
    const path = join(directory, 'missing.json');
    for await (const chunk of readJsonDocumentChunks({
      path,
      recordsAt: [],
      initialState: null,
      parseRecord: (state) => ({ state, events: [], warnings: [], sessionIds: [] }),
      finish: (state) => ({ state, events: [], warnings: [], sessionIds: [] }),
      sessions: () => [],
    })) {
      chunks.push(chunk);
    }
    expect(chunks.flatMap((chunk) => chunk.warnings)).toEqual([
      { type: 'unreadable-file', path, message: expect.any(String) as string },
    ]);
  });
});
