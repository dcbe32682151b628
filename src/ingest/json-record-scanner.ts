/**
 * Splits a JSON document into its records without parsing it whole: the elements of one array (at a key path, or
 * the top-level array) come out one by one as raw bytes, and everything else (the "envelope") as one object with
 * that array emptied. Each record is then parsed on its own, so one damaged record costs one record, a truncated
 * file keeps every record before the cut, and a large document is read with bounded memory.
 *
 * The scanner only tracks what it needs: strings (with escapes), nesting, and the keys on the way to the records
 * array. It never validates; `JSON.parse` of each piece does that.
 */

/** A record's raw bytes and where it starts. */
export interface ScannedRecord {
  bytes: Buffer;
  /** 1-based line of its first byte. */
  line: number;
  startOffset: number;
  endOffset: number;
  /** False when the file ended before the record closed. */
  complete: boolean;
}

/** What is left of the document around the records array. */
export interface ScannedEnvelope {
  /** The document with the records array replaced by `[]` (and unclosed containers closed), as JSON text. */
  text: string;
  /** False when the file ended early (inside the envelope or the records array). */
  complete: boolean;
  /** Whether the records array was found at all. */
  foundRecords: boolean;
  /** 1-based line where the document became damaged or ended early, when it did. */
  damageLine: number | null;
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

interface Container {
  kind: 'object' | 'array';
  /** Object: the key whose value is being read (null while reading a key). */
  key: string | null;
}

/**
 * Incremental scanner. Feed bytes with `push`, then call `end`. Records are delivered through `onRecord` as soon as
 * they close, so memory holds one record (plus the envelope) at a time.
 */
export class JsonRecordScanner {
  readonly #recordsAt: readonly string[];
  readonly #onRecord: (record: ScannedRecord) => void;
  readonly #stack: Container[] = [];
  #inString = false;
  #escaped = false;
  /** Bytes of the key string being read, when it is on the path to the records array. */
  #keyBytes: number[] | null = null;
  #offset = 0;
  #line = 1;
  /** Depth of the records array in the stack (its index + 1), once entered. */
  #recordsDepth = -1;
  #recordsDone = false;
  #foundRecords = false;
  readonly #head: Buffer[] = [];
  readonly #tail: Buffer[] = [];
  /** The record being collected. */
  #record: { pieces: Buffer[]; line: number; startOffset: number } | null = null;
  #sawContent = false;

  constructor(options: { recordsAt: readonly string[]; onRecord: (record: ScannedRecord) => void }) {
    this.#recordsAt = options.recordsAt;
    this.#onRecord = options.onRecord;
  }

  /** True once any non-whitespace byte was seen. */
  get sawContent(): boolean {
    return this.#sawContent;
  }

  #inRecords(): boolean {
    return this.#recordsDepth !== -1 && !this.#recordsDone;
  }

  /** True when the array being opened at the current stack is the records array. */
  #opensRecords(): boolean {
    if (this.#recordsDone || this.#recordsDepth !== -1) return false;
    if (this.#stack.length !== this.#recordsAt.length) return false;
    return this.#stack.every(
      (container, index) => container.kind === 'object' && container.key === this.#recordsAt[index],
    );
  }

  push(chunk: Buffer): void {
    let segmentStart = 0;
    const flushSegment = (end: number): void => {
      if (end <= segmentStart) return;
      const piece = chunk.subarray(segmentStart, end);
      if (this.#record !== null) this.#record.pieces.push(piece);
      else if (this.#inRecords()) {
        // Bytes between records (separators, whitespace) are not kept.
      } else if (this.#recordsDone) this.#tail.push(piece);
      else this.#head.push(piece);
      segmentStart = end;
    };

    for (let index = 0; index < chunk.length; index++) {
      let byte = chunk[index] ?? 0;
      if (this.#inString && !this.#escaped && this.#keyBytes === null) {
        // Most of a document is string contents, where only a quote or a backslash matters: skip to the next one
        // without the bookkeeping below (counting lines on the way).
        while (byte !== QUOTE && byte !== BACKSLASH) {
          if (byte === NEWLINE) this.#line++;
          if (++index === chunk.length) break;
          byte = chunk[index] ?? 0;
        }
        if (index === chunk.length) break;
      }
      const atRecordLevel = this.#inRecords() && this.#stack.length === this.#recordsDepth;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) {
          this.#inString = false;
          if (this.#keyBytes !== null) {
            const top = this.#stack[this.#stack.length - 1];
            if (top !== undefined) top.key = Buffer.from(this.#keyBytes).toString('utf8');
            this.#keyBytes = null;
          }
        } else if (this.#keyBytes !== null && this.#keyBytes.length < 256) this.#keyBytes.push(byte);
        if (byte === NEWLINE) this.#line++;
        continue;
      }
      if (byte === NEWLINE) {
        this.#line++;
        continue;
      }
      if (isSpace(byte)) continue;
      this.#sawContent = true;

      if (atRecordLevel && (byte === COMMA || byte === CLOSE_ARRAY)) {
        // The end of a record (or of the records array).
        flushSegment(index);
        this.#closeRecord(true);
        if (byte === CLOSE_ARRAY) {
          // The head already ends with `[]` in place of the records array; the tail starts after its `]`.
          this.#stack.pop();
          this.#recordsDone = true;
        }
        segmentStart = index + 1;
        continue;
      }
      if (atRecordLevel && this.#record === null) {
        flushSegment(index);
        this.#record = { pieces: [], line: this.#line, startOffset: this.#offset + index };
      }

      if (byte === QUOTE) {
        this.#inString = true;
        const top = this.#stack[this.#stack.length - 1];
        // A string in key position on the way to the records array: remember the key.
        if (top?.kind === 'object' && top.key === null && this.#stack.length <= this.#recordsAt.length) {
          this.#keyBytes = [];
        }
        continue;
      }
      if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        if (byte === OPEN_ARRAY && this.#opensRecords()) {
          flushSegment(index);
          this.#head.push(Buffer.from('[]'));
          this.#stack.push({ kind: 'array', key: null });
          this.#recordsDepth = this.#stack.length;
          this.#foundRecords = true;
          segmentStart = index + 1;
          continue;
        }
        this.#stack.push({ kind: byte === OPEN_OBJECT ? 'object' : 'array', key: null });
        continue;
      }
      if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        this.#stack.pop();
        continue;
      }
      if (byte === COMMA) {
        const top = this.#stack[this.#stack.length - 1];
        if (top?.kind === 'object') top.key = null;
        continue;
      }
      if (byte === COLON) continue;
    }
    flushSegment(chunk.length);
    this.#offset += chunk.length;
  }

  #closeRecord(complete: boolean): void {
    const record = this.#record;
    this.#record = null;
    if (record === null) return;
    const bytes = trimEnd(Buffer.concat(record.pieces));
    if (bytes.length === 0) return;
    this.#onRecord({
      bytes,
      line: record.line,
      startOffset: record.startOffset,
      endOffset: record.startOffset + bytes.length,
      complete,
    });
  }

  /** Ends the scan: delivers a record cut short by the end of the file and returns the envelope. */
  end(): ScannedEnvelope {
    const truncated = this.#inString || this.#stack.length > 0;
    const damageLine = truncated ? this.#line : null;
    if (this.#record !== null) this.#closeRecord(false);
    // Close the containers around the records array so the envelope still parses (the record cut short is
    // delivered above, on its own).
    let closers = '';
    const innerDepth = this.#inRecords() ? this.#recordsDepth - 1 : this.#stack.length;
    for (let depth = innerDepth - 1; depth >= 0; depth--) {
      closers += this.#stack[depth]?.kind === 'object' ? '}' : ']';
    }
    const head = Buffer.concat(this.#head).toString('utf8');
    const tail = this.#recordsDone ? Buffer.concat(this.#tail).toString('utf8') : '';
    let text: string;
    if (this.#inRecords()) text = `${head}${closers}`;
    else if (truncated) text = repairTruncatedEnvelope(head + tail);
    else text = head + tail;
    // A top-level records array leaves only "[]" as the envelope.
    return { text: text.trim(), complete: !truncated, foundRecords: this.#foundRecords, damageLine };
  }
}

/** Cuts an envelope that ended in the middle of a value back to its last complete member and closes it. */
function repairTruncatedEnvelope(text: string): string {
  // Walk the text, remembering the last position where a member had just ended at each depth.
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  let lastSafe = -1;
  let safeStack: string[] = [];
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (escaped) escaped = false;
      else if (character === '\\') escaped = true;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === '{' || character === '[') stack.push(character === '{' ? '}' : ']');
    else if (character === '}' || character === ']') {
      stack.pop();
      lastSafe = index;
      safeStack = [...stack];
    } else if (character === ',') {
      lastSafe = index - 1;
      safeStack = [...stack];
    }
  }
  if (lastSafe === -1) return text;
  return `${text.slice(0, lastSafe + 1).replace(/,\s*$/, '')}${[...safeStack].reverse().join('')}`;
}

function trimEnd(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && isSpace(bytes[end - 1] ?? 0)) end--;
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}

/** Splits a whole document in memory (for small files and for tests). */
export function scanJsonRecords(
  content: Buffer,
  recordsAt: readonly string[],
): { records: ScannedRecord[]; envelope: ScannedEnvelope } {
  const records: ScannedRecord[] = [];
  const scanner = new JsonRecordScanner({ recordsAt, onRecord: (record) => records.push(record) });
  scanner.push(content);
  return { records, envelope: scanner.end() };
}
