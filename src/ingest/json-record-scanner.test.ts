import { describe, expect, it } from 'vitest';
import { JsonRecordScanner, scanJsonRecords } from './json-record-scanner.js';
import type { ScannedRecord } from './json-record-scanner.js';

const texts = (records: readonly ScannedRecord[]) => records.map((record) => record.bytes.toString('utf8'));

describe('scanJsonRecords', () => {
  it('splits a top-level array into its elements with their lines', () => {
    const { records, envelope } = scanJsonRecords(Buffer.from('[\n  {"a": [1, 2]},\n  "x,]",\n  3\n]\n'), []);
    expect(texts(records)).toEqual(['{"a": [1, 2]}', '"x,]"', '3']);
    expect(records.map((record) => record.line)).toEqual([2, 3, 4]);
    expect(records.every((record) => record.complete)).toBe(true);
    expect(envelope).toEqual({ text: '[]', complete: true, foundRecords: true, damageLine: null });
  });

  it('splits an array at a key path and keeps the rest as the envelope', () => {
    const document =
      '{"id": "t1", "meta": {"steps": "not this"}, "steps": [{"n": 1}, {"n": "a\\"b"}], "end": {"ok": true}}';
    const { records, envelope } = scanJsonRecords(Buffer.from(document), ['steps']);
    expect(texts(records)).toEqual(['{"n": 1}', '{"n": "a\\"b"}']);
    expect(JSON.parse(envelope.text)).toEqual({
      id: 't1',
      meta: { steps: 'not this' },
      steps: [],
      end: { ok: true },
    });
  });

  it('finds a nested path', () => {
    const { records, envelope } = scanJsonRecords(Buffer.from('{"a": {"b": [1, 2], "c": 3}}'), ['a', 'b']);
    expect(texts(records)).toEqual(['1', '2']);
    expect(JSON.parse(envelope.text)).toEqual({ a: { b: [], c: 3 } });
  });

  it('keeps every record before a cut and closes the envelope', () => {
    const { records, envelope } = scanJsonRecords(
      Buffer.from('{"id": 1, "steps": [{"n": 1},\n {"n": 2},\n {"n": "thr'),
      ['steps'],
    );
    expect(texts(records)).toEqual(['{"n": 1}', '{"n": 2}', '{"n": "thr']);
    expect(records.map((record) => record.complete)).toEqual([true, true, false]);
    expect(JSON.parse(envelope.text)).toEqual({ id: 1, steps: [] });
    expect(envelope.complete).toBe(false);
    expect(envelope.damageLine).toBe(3);
  });

  it('isolates junk between records as a record of its own', () => {
    const { records } = scanJsonRecords(Buffer.from('[{"n": 1}, this is junk, {"n": 2}]'), []);
    expect(texts(records)).toEqual(['{"n": 1}', 'this is junk', '{"n": 2}']);
  });

  it('gives the same records however the bytes are chunked', () => {
    const content = Buffer.from('{"x": "y", "steps": [{"s": "é,]"}, {"t": [1, {"u": 2}]}], "z": [3]}');
    const whole = scanJsonRecords(content, ['steps']);
    const records: ScannedRecord[] = [];
    const scanner = new JsonRecordScanner({
      recordsAt: ['steps'],
      onRecord: (record) => records.push(record),
    });
    for (let index = 0; index < content.length; index++) scanner.push(content.subarray(index, index + 1));
    expect(texts(records)).toEqual(texts(whole.records));
    expect(scanner.end().text).toEqual(whole.envelope.text);
  });

  it('reports a document without the records array', () => {
    const { records, envelope } = scanJsonRecords(Buffer.from('{"other": [1]}'), ['steps']);
    expect(records).toEqual([]);
    expect(envelope.foundRecords).toBe(false);
    expect(JSON.parse(envelope.text)).toEqual({ other: [1] });
  });
});
