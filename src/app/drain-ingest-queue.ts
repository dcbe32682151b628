/**
 * Use-case: read the log files agent hooks queued (Claude Code's `SessionEnd` hook queues its transcript path),
 * then forget them. Run by every ingest and every dream, so the daemon drains the queue too.
 */
import type { SessionFormat } from '../domain/session.js';
import type { AppContext } from './app-context.js';
import { ingestSessions } from './ingest-sessions.js';
import type { IngestResult } from './ingest-sessions.js';

/**
 * Ingests what the queue holds. Files that no longer exist are reported as warnings (Claude Code may have cleaned
 * them up already) and dropped from the queue, like every other entry once it is read.
 * @returns the ingest result, or null when the queue was empty
 */
export async function drainIngestQueue(
  context: AppContext,
  options: { resolveAgent?: (path: string, format: SessionFormat) => string | null } = {},
): Promise<IngestResult | null> {
  if (context.queue === null) return null;
  const claim = await context.queue.claim();
  if (claim === null) return null;
  const result = await ingestSessions(context, {
    inputs: claim.entries.map((entry) => ({ path: entry.path, format: entry.format, agent: null })),
    ...(options.resolveAgent === undefined ? {} : { resolveAgent: options.resolveAgent }),
    missingPaths: 'warn',
  });
  result.warnings.unshift(...claim.warnings);
  await claim.done();
  return result;
}
