import { isJsonObject, safeParseJson } from '../util/json.js';
import { readLines } from './read-lines.js';

/**
 * How a file stores its records: one JSON object per line (`lines`), or one JSON document whose top level is an
 * array (`array`) or an object (`object`, with its first key: `batch`, `data`, `trace`, `id`, ...).
 */
export type FileLayout =
  { layout: 'lines' } | { layout: 'array' } | { layout: 'object'; firstKey: string | null };

// A JSON-lines file whose first lines are stray text (a logger's banner) is still JSON lines.
const MAX_LEADING_LINES = 10;
// How much of a document's start is searched for its first key (pretty-printed: the second line).
const MAX_KEY_SEARCH_CHARS = 4096;

/**
 * Tells JSON lines from a JSON document by the file's first line that starts like JSON: a complete JSON object on
 * one line means JSON lines; a `[`, or an object that does not close on its line (pretty-printed), means a document.
 * A file that cannot be read, or has no such line, reads as JSON lines: the line reader then reports what it finds
 * (an unreadable or empty file, stray lines), so nothing is lost.
 */
export async function detectFileLayout(path: string): Promise<FileLayout> {
  try {
    let documentStart: string | null = null;
    for await (const line of readLines({ path })) {
      if (documentStart !== null) {
        documentStart += `\n${line.text}`;
        const firstKey = firstTopLevelKey(documentStart);
        if (firstKey !== null || documentStart.length > MAX_KEY_SEARCH_CHARS)
          return { layout: 'object', firstKey };
        continue;
      }
      if (line.line > MAX_LEADING_LINES) break;
      if (line.binary) continue;
      const text = line.text.trim();
      if (text.startsWith('[')) return { layout: 'array' };
      if (!text.startsWith('{')) continue;
      const parsed = safeParseJson(text);
      if (parsed.success && isJsonObject(parsed.value)) return { layout: 'lines' };
      const firstKey = firstTopLevelKey(text);
      if (firstKey !== null) return { layout: 'object', firstKey };
      documentStart = text;
    }
    if (documentStart !== null) return { layout: 'object', firstKey: firstTopLevelKey(documentStart) };
  } catch {
    // Unreadable: the line reader reports it as an `unreadable-file` warning.
  }
  return { layout: 'lines' };
}

/** The first key of a JSON object text (`batch` in `{"batch": [...]}`), or null when the text does not show one. */
export function firstTopLevelKey(text: string): string | null {
  const match = /^\s*\{\s*"((?:[^"\\]|\\.)*)"\s*:/.exec(text);
  return match?.[1] ?? null;
}
