const encoder = new TextEncoder();

/**
 * Caps `text` at `maxBytes` of UTF-8, keeping the head and appending `\n…[truncated N bytes]`. The head ends on
 * a character boundary, so it is still a verbatim prefix of the original (evidence quotes are checked against it).
 */
export function capText(text: string, maxBytes: number): string {
  // Fast path: a UTF-16 code unit is at most 3 UTF-8 bytes, so short strings cannot exceed the cap.
  if (text.length * 3 <= maxBytes) return text;
  const totalBytes = Buffer.byteLength(text, 'utf8');
  if (totalBytes <= maxBytes) return text;
  const head = new Uint8Array(maxBytes);
  // encodeInto writes only whole characters, and `read` counts the UTF-16 code units consumed.
  const { read, written } = encoder.encodeInto(text, head);
  return `${text.slice(0, read)}\n…[truncated ${String(totalBytes - written)} bytes]`;
}

/**
 * Tool results are capped at 64 KiB of UTF-8 (head kept, a `…[truncated N bytes]` marker appended): a single `cat`
 * of a build log can be megabytes, and miners only need the head, where error messages come first. The head is kept
 * verbatim so evidence quotes still match.
 */
export const TOOL_RESULT_MAX_BYTES = 64 * 1024;
