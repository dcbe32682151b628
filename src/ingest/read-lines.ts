import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** One line of a log file, as bytes were found on disk. */
export interface LogLine {
  /** The line's text without its `\n` (and without a trailing `\r`). Lossy (U+FFFD) when `binary` is true. */
  text: string;
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte. */
  startOffset: number;
  /** Byte offset just past the line's `\n` (or past its last byte when `terminated` is false). */
  endOffset: number;
  /** False for a final line without `\n`: the writer may still be in the middle of it. */
  terminated: boolean;
  /** The bytes are not valid UTF-8 or contain NUL bytes: not a text record. */
  binary: boolean;
}

/** Options for {@link readLines}. */
export interface ReadLinesOptions {
  path: string;
  /** Byte offset to start at (the start of a line). Default 0. */
  offset?: number;
  /** Number given to the first line read. Default 1. */
  firstLine?: number;
  /** Read buffer size in bytes. Default 1 MiB; tests pass tiny values to force lines across buffers. */
  highWaterMark?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NUL = 0x00;
const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
// The read buffer when nothing was past the start offset at open: the file may be growing.
const GROWTH_READ_BYTES = 64 * 1024;

// One decoder each, reused: `fatal` turns invalid UTF-8 into an exception (the line is then flagged `binary`),
// the lenient one produces the lossy text a warning can still point at.
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const lossyDecoder = new TextDecoder('utf-8');

/**
 * Streams a file line by line from a byte offset, never holding more than one read buffer plus the line in
 * progress. Splits on `\n` bytes (so a multi-byte character is never cut), strips one trailing `\r`.
 *
 * Reads are synchronous, into one buffer per call sized to the file (at most `highWaterMark`): logs are local
 * files, mostly in the page cache and mostly a few KiB, so a read stream spent more time handing each open, read
 * and close to the thread pool (and allocating a 1 MiB buffer per file, which the garbage collector then had to
 * reclaim) than reading. The event loop is blocked for one read at most, as the SQLite store blocks it for one
 * transaction.
 *
 * @example
 * for await (const line of readLines({ path, offset: cursor.offset, firstLine: cursor.line + 1 })) { … }
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async so callers keep `for await` and errors reject
export async function* readLines(options: ReadLinesOptions): AsyncGenerator<LogLine> {
  const start = options.offset ?? 0;
  let lineNumber = options.firstLine ?? 1;
  let lineStart = start;
  // Pieces of a line that spans reads (copied: the buffer is read into again); concatenated once when its `\n`
  // arrives (no O(n²) appends).
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let position = start;

  const descriptor = openSync(options.path, 'r');
  try {
    const remaining = fstatSync(descriptor).size - start;
    const buffer = Buffer.allocUnsafe(
      Math.min(
        options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
        remaining > 0 ? remaining : GROWTH_READ_BYTES,
      ),
    );
    for (;;) {
      const bytesRead = readSync(descriptor, buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      let from = 0;
      let newline = chunk.indexOf(NEWLINE, from);
      while (newline !== -1) {
        let bytes = chunk.subarray(from, newline);
        if (pendingBytes > 0) {
          pending.push(bytes);
          bytes = Buffer.concat(pending, pendingBytes + bytes.length);
          pending = [];
          pendingBytes = 0;
        }
        const endOffset = position + newline + 1;
        yield decodeLine(bytes, lineNumber, lineStart, endOffset, true);
        lineNumber += 1;
        lineStart = endOffset;
        from = newline + 1;
        newline = chunk.indexOf(NEWLINE, from);
      }
      if (from < chunk.length) {
        pending.push(Buffer.from(chunk.subarray(from)));
        pendingBytes += chunk.length - from;
      }
      position += bytesRead;
    }
  } finally {
    closeSync(descriptor);
  }
  if (pendingBytes > 0) {
    const bytes = pending.length === 1 && pending[0] !== undefined ? pending[0] : Buffer.concat(pending);
    yield decodeLine(bytes, lineNumber, lineStart, lineStart + pendingBytes, false);
  }
}

function decodeLine(
  raw: Buffer,
  line: number,
  startOffset: number,
  endOffset: number,
  terminated: boolean,
): LogLine {
  const bytes = raw.length > 0 && raw[raw.length - 1] === CARRIAGE_RETURN ? raw.subarray(0, -1) : raw;
  if (bytes.includes(NUL)) {
    return { text: lossyDecoder.decode(bytes), line, startOffset, endOffset, terminated, binary: true };
  }
  try {
    return { text: strictDecoder.decode(bytes), line, startOffset, endOffset, terminated, binary: false };
  } catch {
    return { text: lossyDecoder.decode(bytes), line, startOffset, endOffset, terminated, binary: true };
  }
}
