/**
 * How the contract suite (session-source.contract.ts) takes a format's files apart into records and puts them back
 * together, so that the same damage tests (a truncated last record, junk between records, binary garbage, an unknown
 * record type) run on every format, whatever its layout: JSON lines, a JSON document, Markdown.
 */

import { isJsonObject, safeParseJson } from '../util/json.js';
import { scanJsonRecords } from './json-record-scanner.js';

/** A file split into the units a reader treats independently: `head + records.join(separator) + tail`. */
export interface RecordParts {
  head: Buffer;
  records: Buffer[];
  tail: Buffer;
}

export interface RecordKit {
  /** Splits a fixture into records. */
  split(content: Buffer): RecordParts;
  /** What goes between two records when the contract reassembles a file (`,\n` for a JSON array). */
  separator: Buffer;
  /** A unit that is not a valid record of this format; the reader must reject it with one warning. */
  junk: Buffer;
  /** Binary garbage as a unit; the reader must reject it with one `binary-content` warning. */
  binaryJunk: Buffer;
  /** The record with its record type replaced by `unknownType`, or null when the format has no record types. */
  withUnknownType(record: Buffer, unknownType: string): Buffer | null;
  /**
   * true: a grown file is read from the saved cursor, line by line (JSON lines, Markdown logs).
   * false: a changed file is read again from the start and ids dedupe (a JSON document).
   */
  appendable: boolean;
}

/** The kit of JSON-lines formats: one record per line. */
export const jsonLinesRecordKit: RecordKit = {
  split(content) {
    const records: Buffer[] = [];
    let start = 0;
    for (let index = content.indexOf(0x0a); index !== -1; index = content.indexOf(0x0a, start)) {
      records.push(content.subarray(start, index + 1));
      start = index + 1;
    }
    if (start < content.length) records.push(content.subarray(start));
    return { head: Buffer.alloc(0), records, tail: Buffer.alloc(0) };
  },
  separator: Buffer.alloc(0),
  junk: Buffer.from('this is not JSON, it is a stray log line\n'),
  binaryJunk: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x00, 0xc3, 0x28, 0x0a]),
  withUnknownType(record, unknownType) {
    const text = record.toString('utf8');
    const parsed = safeParseJson(text);
    if (!parsed.success || !isJsonObject(parsed.value)) return null;
    return Buffer.from(`${JSON.stringify({ ...parsed.value, type: unknownType })}\n`);
  },
  appendable: true,
};

/**
 * The kit of formats stored as one JSON document whose records are the elements of an array (`recordsAt`: its key
 * path, `[]` for a top-level array). `withUnknownType` is the format's own: how it names a record's type.
 */
export function jsonDocumentRecordKit(options: {
  recordsAt: readonly string[];
  withUnknownType: (record: Buffer, unknownType: string) => Buffer | null;
}): RecordKit {
  return {
    split(content) {
      const { records } = scanJsonRecords(content, options.recordsAt);
      const first = records[0];
      const last = records[records.length - 1];
      if (first === undefined || last === undefined) {
        return { head: content, records: [], tail: Buffer.alloc(0) };
      }
      return {
        head: content.subarray(0, first.startOffset),
        records: records.map((record) => record.bytes),
        tail: content.subarray(last.endOffset),
      };
    },
    separator: Buffer.from(',\n'),
    // No comma: between array elements a comma ends a record, so a comma would make the junk two records.
    junk: Buffer.from('this is not JSON; it is a stray log line'),
    binaryJunk: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x00, 0xc3, 0x28]),
    withUnknownType: options.withUnknownType,
    appendable: false,
  };
}
