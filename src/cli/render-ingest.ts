import type { IngestResult } from '../app/ingest-sessions.js';
import { renderIngestWarning } from '../domain/ingest-warning.js';

/** The summary `reverie ingest` prints, then one line per warning (file and line number first). */
export function renderIngestResult(result: IngestResult): string {
  const lines: string[] = [];
  const skipped = result.filesSkipped > 0 ? `, ${result.filesSkipped} skipped (not a log file)` : '';
  lines.push(
    `Scanned ${result.filesScanned} files: ${result.filesRead} read, ${result.filesUnchanged} unchanged since the last ingest, ${result.filesFailed} unreadable${skipped}.`,
  );
  lines.push(`Added ${result.sessionsAdded} sessions and ${result.eventsAdded} events.`);
  if (result.warnings.length > 0) {
    lines.push('', `${result.warnings.length} warnings (every good line was kept):`);
    for (const warning of result.warnings) lines.push(`  ${renderIngestWarning(warning)}`);
  }
  return lines.join('\n');
}
