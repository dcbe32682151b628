import type { IngestResult } from '../app/ingest-sessions.js';
import { renderIngestWarning } from '../domain/ingest-warning.js';

/** The summary `reverie ingest` prints, then one line per warning (file and line number first). */
export function renderIngestResult(result: IngestResult): string {
  const lines: string[] = [];
  const skipped = result.filesSkipped > 0 ? `, ${result.filesSkipped} skipped (not a log file)` : '';
  lines.push(
    `Scanned ${result.filesScanned} files: ${result.filesRead} read, ${result.filesUnchanged} unchanged since the last ingest, ${result.filesFailed} unreadable${skipped}.`,
  );
  const formats = Object.entries(result.formats)
    .map(([format, count]) => `${format} ${count}`)
    .join(', ');
  if (formats !== '') lines.push(`Formats: ${formats}.`);
  lines.push(`Added ${result.sessionsAdded} sessions and ${result.eventsAdded} events.`);
  const redacted = renderRedactions(result.redactions);
  if (redacted !== null) lines.push(redacted);
  if (result.warnings.length > 0) {
    lines.push('', `${result.warnings.length} warnings (every good line was kept):`);
    for (const warning of result.warnings) lines.push(`  ${renderIngestWarning(warning)}`);
  }
  return lines.join('\n');
}

/** "Redacted 3 secrets before storing them (2 github-token, 1 bearer-token)." or null when there were none. */
export function renderRedactions(redactions: Readonly<Record<string, number | undefined>>): string | null {
  const entries = Object.entries(redactions).filter(
    (entry): entry is [string, number] => (entry[1] ?? 0) > 0,
  );
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const kinds = entries.map(([kind, count]) => `${count} ${kind}`).join(', ');
  return `Redacted ${total} secret${total === 1 ? '' : 's'} before storing ${total === 1 ? 'it' : 'them'} (${kinds}).`;
}
