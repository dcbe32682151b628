import type { RecordKit, RecordParts } from '../record-kit.js';
import { createAiderParserState, parseAiderLine } from './parse-aider-line.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * How the contract suite takes an aider history apart (see `record-kit.ts`). A record is one block as the reader
 * sees it: a `# aider chat started at` header, a user message (`#### ` lines), a reply, or a run of `> ` output,
 * each with the blank lines after it. Blocks are found by the reader's own parser, so the kit and the reader never
 * disagree on where one ends. A user message or a run of output ends at its blank line, so it can be moved next to
 * any other record and still read the same; a reply runs on until a block of another kind starts.
 */
export const aiderRecordKit: RecordKit = {
  split(content) {
    const lines = splitLines(content);
    const starts: number[] = [];
    let state = createAiderParserState();
    const context = { sessionPrefix: 'aider-kit' };
    lines.forEach((bytes, index) => {
      const terminated = bytes[bytes.length - 1] === NEWLINE;
      const result = parseAiderLine(
        state,
        { ...decode(bytes), line: index + 1, path: 'kit', terminated },
        context,
      );
      if (result.incomplete) return;
      state = result.state;
      if (result.startsBlock) starts.push(index);
    });
    const first = starts[0];
    if (first === undefined) return { head: content, records: [], tail: Buffer.alloc(0) };
    const parts: RecordParts = {
      head: Buffer.concat(lines.slice(0, first)),
      records: [],
      tail: Buffer.alloc(0),
    };
    starts.forEach((start, index) => {
      parts.records.push(Buffer.concat(lines.slice(start, starts[index + 1] ?? lines.length)));
    });
    return parts;
  },
  separator: Buffer.alloc(0),
  // Everything in Markdown is text, so the one line the reader can reject is a broken launch header: aider has
  // always written the start time as `YYYY-MM-DD HH:MM:SS`.
  junk: Buffer.from('# aider chat started at sometime yesterday\n'),
  binaryJunk: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x00, 0xc3, 0x28, 0x0a]),
  // A history has no record types: every line is a header, input, a reply or output by its markup, and anything
  // unmarked is reply text. There is nothing to replace with an unknown type.
  withUnknownType: () => null,
  appendable: true,
};

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let index = bytes.indexOf(NEWLINE); index !== -1; index = bytes.indexOf(NEWLINE, start)) {
    lines.push(bytes.subarray(start, index + 1));
    start = index + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

/** A line's text as `read-lines.ts` gives it: without `\n` and one `\r`, flagged binary if not UTF-8. */
function decode(bytes: Buffer): { text: string; binary: boolean } {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === NEWLINE) end--;
  if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
  const body = bytes.subarray(0, end);
  if (body.includes(0)) return { text: '', binary: true };
  try {
    return { text: strictDecoder.decode(body), binary: false };
  } catch {
    return { text: '', binary: true };
  }
}
