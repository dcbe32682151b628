/**
 * Warnings raised while reading foreign logs. Ingest never aborts a file on one bad line:
 * every skipped record becomes one of these, and the run output lists every one.
 */
export type IngestWarning =
  | { type: 'invalid-json'; path: string; line: number; message: string }
  | { type: 'truncated-line'; path: string; line: number }
  | { type: 'binary-content'; path: string; line: number }
  | { type: 'unknown-record'; path: string; line: number; recordType: string }
  | { type: 'invalid-record'; path: string; line: number; message: string }
  | { type: 'empty-file'; path: string }
  | { type: 'unreadable-file'; path: string; message: string }
  | { type: 'format-undetected'; path: string; tried: readonly string[] }
  | { type: 'file-shrunk'; path: string; previousBytes: number; currentBytes: number };

/** One line describing a warning, with file and line number. */
export function renderIngestWarning(warning: IngestWarning): string {
  switch (warning.type) {
    case 'invalid-json':
      return `${warning.path}:${String(warning.line)}: invalid JSON (${warning.message}); line skipped`;
    case 'truncated-line':
      return `${warning.path}:${String(warning.line)}: truncated line (no closing brace or newline); line skipped`;
    case 'binary-content':
      return `${warning.path}:${String(warning.line)}: binary or non-UTF-8 content; line skipped`;
    case 'unknown-record':
      return `${warning.path}:${String(warning.line)}: unknown record type "${warning.recordType}"; kept as an "other" event`;
    case 'invalid-record':
      return `${warning.path}:${String(warning.line)}: ${warning.message}; line skipped`;
    case 'empty-file':
      return `${warning.path}: empty file; nothing to read`;
    case 'unreadable-file':
      return `${warning.path}: cannot be read (${warning.message})`;
    case 'format-undetected':
      return `${warning.path}: format not recognized (tried ${warning.tried.join(', ')}); pass --format to choose one`;
    case 'file-shrunk':
      return `${warning.path}: file is smaller than at the last ingest (${String(warning.previousBytes)} -> ${String(warning.currentBytes)} bytes); re-read from the start, existing events kept`;
  }
}
