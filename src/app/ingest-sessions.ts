/**
 * Use-case: read log files into the store. Idempotent (ids already stored are not added again), incremental (a
 * file that grew is read from where the last ingest stopped) and lenient (a bad line is a warning, never an abort).
 */
import { ReverieError, isReverieError } from '../domain/errors.js';
import type { IngestWarning } from '../domain/ingest-warning.js';
import type { Session, SessionEvent, SessionFormat } from '../domain/session.js';
import { redactSecrets, redactSecretsInValue } from '../guard/redact-secrets.js';
import type { RedactionReport } from '../guard/redact-secrets.js';
import type { LogFileFingerprint } from '../ports/log-files.js';
import type { SessionSource } from '../ports/session-source.js';
import type { IngestChunk, IngestChunkResult, SourceFileState, Store } from '../ports/store.js';
import type { AppContext } from './app-context.js';

/** One path to read. */
export interface IngestInput {
  path: string;
  format: SessionFormat | 'auto';
  /**
   * Agent the sessions belong to; it wins over an agent named in the log. Null asks `resolveAgent` per file, then
   * lets a log that names its agent keep it (docs/formats/reverie-jsonl.md), else uses the format name.
   */
  agent: string | null;
}

export interface FileIngestResult {
  path: string;
  format: SessionFormat | null;
  status: 'read' | 'resumed' | 'unchanged' | 'failed';
  sessionsAdded: number;
  eventsAdded: number;
  warnings: number;
}

export interface IngestProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  sessionsAdded: number;
}

export interface IngestResult {
  filesScanned: number;
  /** Files not considered (wrong kind of file for every format). */
  filesSkipped: number;
  filesRead: number;
  filesUnchanged: number;
  filesFailed: number;
  sessionsAdded: number;
  eventsAdded: number;
  bytesRead: number;
  warnings: IngestWarning[];
  /** Secrets removed before anything was stored, counted by kind (never the values). */
  redactions: RedactionReport;
  /** Files read per format (auto-detection says here which it chose). */
  formats: Partial<Record<SessionFormat, number>>;
  files: FileIngestResult[];
}

/** Removes secrets from everything a chunk would store. */
function redactChunk(
  sessions: readonly Session[],
  events: readonly SessionEvent[],
  report: RedactionReport,
): { sessions: Session[]; events: SessionEvent[] } {
  return {
    sessions: sessions.map((session) =>
      session.title === null ? session : { ...session, title: redactSecrets(session.title, report) },
    ),
    events: events.map((event) => {
      const text = redactSecrets(event.text, report);
      const toolInput = event.toolInput === null ? null : redactSecretsInValue(event.toolInput, report);
      return text === event.text && toolInput === event.toolInput ? event : { ...event, text, toolInput };
    }),
  };
}

const detectBytes = 16_384;

async function chooseFormat(
  context: AppContext,
  path: string,
  requested: SessionFormat | 'auto',
  known: SessionFormat | null,
  head: () => Promise<string>,
): Promise<{ source: SessionSource } | { skip: true } | { warning: IngestWarning }> {
  if (known !== null || requested !== 'auto') {
    const format = known ?? requested;
    const source = context.sources.find((candidate) => candidate.format === format);
    if (source === undefined) {
      throw new ReverieError({
        code: 'INGEST_FORMAT_UNKNOWN',
        message: `No reader for format ${format}. Use one of: ${context.sources.map((candidate) => candidate.format).join(', ')}.`,
        data: { format },
      });
    }
    return { source };
  }
  const candidates = context.sources.filter((source) => source.isCandidate(path));
  if (candidates.length === 0) return { skip: true };
  const text = await head();
  const detected = candidates.find((source) => source.detect(text));
  if (detected !== undefined) return { source: detected };
  return {
    warning: {
      type: 'format-undetected',
      path,
      tried: candidates.map((source) => source.format),
    },
  };
}

/**
 * Reads every log file under the given paths.
 * @param options.inputs paths (files or directories, scanned recursively) with their format and agent
 * @param options.onProgress called after each chunk, for progress display
 * @throws ReverieError INGEST_PATH_NOT_FOUND for a path that does not exist
 */
/**
 * Chunks waiting to be saved together: one transaction per batch rather than per chunk (a commit costs more than a
 * chunk's inserts on a long ingest). Bounded by chunks, records and text, so memory stays flat; flushed at the end
 * of every ingest. A crash loses only the pending batch, whose cursors were not saved either: the next ingest reads
 * those bytes again, and ids already stored are never added twice.
 */
class PendingChunks {
  #items: { chunk: IngestChunk; onSaved: (saved: IngestChunkResult) => void }[] = [];
  #records = 0;
  #textLength = 0;

  constructor(
    private readonly store: Store,
    private readonly limits = { chunks: 64, records: 5_000, textLength: 4_000_000 },
  ) {}

  async add(chunk: IngestChunk, onSaved: (saved: IngestChunkResult) => void): Promise<void> {
    this.#items.push({ chunk, onSaved });
    this.#records += chunk.sessions.length + chunk.events.length;
    for (const event of chunk.events) this.#textLength += event.text.length;
    if (
      this.#items.length >= this.limits.chunks ||
      this.#records >= this.limits.records ||
      this.#textLength >= this.limits.textLength
    ) {
      await this.flush();
    }
  }

  async flush(): Promise<void> {
    const items = this.#items;
    if (items.length === 0) return;
    this.#items = [];
    this.#records = 0;
    this.#textLength = 0;
    const results = await this.store.saveIngestChunks(items.map((item) => item.chunk));
    items.forEach((item, index) => {
      item.onSaved(results[index] ?? { sessionsAdded: 0, eventsAdded: 0 });
    });
  }
}

export async function ingestSessions(
  context: AppContext,
  options: {
    inputs: readonly IngestInput[];
    /** The agent of a file whose input names none (e.g. from the configured sources); defaults to the format. */
    resolveAgent?: (path: string, format: SessionFormat) => string | null;
    onProgress?: (progress: IngestProgress) => void;
    /** `throw` (default): a path that does not exist is an error. `warn`: a warning (queued files may be gone). */
    missingPaths?: 'throw' | 'warn';
  },
): Promise<IngestResult> {
  const result: IngestResult = {
    filesScanned: 0,
    filesSkipped: 0,
    filesRead: 0,
    filesUnchanged: 0,
    filesFailed: 0,
    sessionsAdded: 0,
    eventsAdded: 0,
    bytesRead: 0,
    warnings: [],
    redactions: {},
    formats: {},
    files: [],
  };
  const work: { path: string; input: IngestInput }[] = [];
  for (const input of options.inputs) {
    try {
      for await (const path of context.logFiles.list(input.path)) work.push({ path, input });
    } catch (error) {
      if (options.missingPaths !== 'warn' || !isReverieError(error) || error.code !== 'INGEST_PATH_NOT_FOUND')
        throw error;
      result.warnings.push({
        type: 'unreadable-file',
        path: input.path,
        message: 'the file no longer exists',
      });
      result.filesFailed++;
    }
  }
  const progress: IngestProgress = {
    filesDone: 0,
    filesTotal: work.length,
    bytesDone: 0,
    bytesTotal: 0,
    sessionsAdded: 0,
  };
  const pending = new PendingChunks(context.store);
  const sizes: ({ size: number; mtimeMs: number } | null)[] = [];
  for (const item of work) {
    try {
      const stat = await context.logFiles.stat(item.path);
      progress.bytesTotal += stat.size;
      sizes.push(stat);
    } catch {
      // Gone since it was listed: reported below as unreadable.
      sizes.push(null);
    }
  }

  for (const [index, item] of work.entries()) {
    const stat = sizes[index] ?? null;
    result.filesScanned++;
    if (stat === null) {
      result.warnings.push({
        type: 'unreadable-file',
        path: item.path,
        message: 'the file disappeared while it was being read',
      });
      result.filesFailed++;
      progress.filesDone++;
      continue;
    }
    const stored = await context.store.getSourceFile(item.path);
    // The cheap check first: same size and time as last read means unchanged, without opening the file (what
    // makes re-ingesting a large corpus, and every poll of `ingest --watch`, cost a stat per file).
    if (stored !== null && stat.size === stored.size && stat.mtimeMs === stored.mtimeMs) {
      result.filesUnchanged++;
      progress.filesDone++;
      progress.bytesDone += stat.size;
      result.files.push({
        path: item.path,
        format: stored.format,
        status: 'unchanged',
        sessionsAdded: 0,
        eventsAdded: 0,
        warnings: 0,
      });
      continue;
    }
    // One open per changed file: the fingerprint carries the head text detection needs.
    let fingerprinted: LogFileFingerprint | null = null;
    const fingerprintOnce = async (): Promise<LogFileFingerprint> =>
      (fingerprinted ??= await context.logFiles.fingerprint(item.path, { textBytes: detectBytes }));
    const choice = await chooseFormat(
      context,
      item.path,
      item.input.format,
      stored?.format ?? null,
      async () => (await fingerprintOnce()).headText,
    );
    if ('skip' in choice) {
      result.filesSkipped++;
      progress.filesDone++;
      continue;
    }
    if ('warning' in choice && item.path !== item.input.path && item.path.endsWith('.md')) {
      // Markdown found while scanning a directory is usually documentation (a README beside the logs), not an
      // Aider history; only a Markdown file named on its own is worth a warning when no reader recognises it.
      result.filesSkipped++;
      progress.filesDone++;
      continue;
    }
    if ('warning' in choice) {
      result.warnings.push(stat.size === 0 ? { type: 'empty-file', path: item.path } : choice.warning);
      result.filesFailed++;
      result.files.push({
        path: item.path,
        format: null,
        status: 'failed',
        sessionsAdded: 0,
        eventsAdded: 0,
        warnings: 1,
      });
      progress.filesDone++;
      continue;
    }
    const fingerprint = await fingerprintOnce();
    const source = choice.source;
    const namedAgent = item.input.agent ?? options.resolveAgent?.(item.path, source.format) ?? null;
    const agent = namedAgent ?? stored?.agent ?? source.format;

    let cursor = stored?.cursor ?? null;
    let status: FileIngestResult['status'] = stored === null ? 'read' : 'resumed';
    if (stored !== null) {
      const sameHead =
        stored.headBytes === fingerprint.headBytes
          ? stored.headHash === fingerprint.headHash
          : stored.headHash ===
            (await context.logFiles.fingerprint(item.path, { headBytes: stored.headBytes })).headHash;
      if (!sameHead || fingerprint.size < stored.cursor.offset) {
        // Replaced or truncated: read again from the start; ids already stored are not added twice.
        result.warnings.push({
          type: 'file-shrunk',
          path: item.path,
          previousBytes: stored.size,
          currentBytes: fingerprint.size,
        });
        cursor = null;
        status = 'read';
      }
    }

    const fileResult: FileIngestResult = {
      path: item.path,
      format: source.format,
      status,
      sessionsAdded: 0,
      eventsAdded: 0,
      warnings: 0,
    };
    let goodRecords = 0;
    const startOffset = cursor?.offset ?? 0;
    let endOffset = startOffset;
    for await (const chunk of source.read({
      path: item.path,
      agent,
      agentIsExplicit: namedAgent !== null,
      cursor,
    })) {
      const file: SourceFileState = {
        path: item.path,
        format: source.format,
        agent,
        size: fingerprint.size,
        mtimeMs: fingerprint.mtimeMs,
        headHash: fingerprint.headHash,
        headBytes: fingerprint.headBytes,
        // Parser state may hold text not yet turned into events (a pending title): it is stored too, so it is
        // redacted as well (not counted again: the same text is counted when it becomes an event or title).
        cursor: { ...chunk.cursor, state: redactSecretsInValue(chunk.cursor.state) },
        updatedAt: context.clock.now().toISOString(),
      };
      // Secrets are removed here, before anything reaches the store, whatever the format.
      const clean = redactChunk(chunk.sessions, chunk.events, result.redactions);
      await pending.add({ sessions: clean.sessions, events: clean.events, file }, (saved) => {
        fileResult.sessionsAdded += saved.sessionsAdded;
        fileResult.eventsAdded += saved.eventsAdded;
        result.sessionsAdded += saved.sessionsAdded;
        result.eventsAdded += saved.eventsAdded;
        progress.sessionsAdded += saved.sessionsAdded;
      });
      goodRecords += chunk.events.length + chunk.sessions.length;
      fileResult.warnings += chunk.warnings.length;
      // A JSON parse error quotes the line it failed on: its message may hold a secret too.
      result.warnings.push(
        ...chunk.warnings.map((warning) =>
          'message' in warning ? { ...warning, message: redactSecrets(warning.message) } : warning,
        ),
      );
      progress.bytesDone += chunk.cursor.offset - endOffset;
      endOffset = chunk.cursor.offset;
      options.onProgress?.({ ...progress });
    }
    progress.bytesDone += Math.max(0, fingerprint.size - endOffset);
    progress.filesDone++;
    result.bytesRead += Math.max(0, endOffset - startOffset);
    if (goodRecords === 0 && fileResult.warnings > 0 && startOffset === 0) {
      fileResult.status = 'failed';
      result.filesFailed++;
    } else {
      result.filesRead++;
      result.formats[source.format] = (result.formats[source.format] ?? 0) + 1;
    }
    result.files.push(fileResult);
    options.onProgress?.({ ...progress });
  }
  await pending.flush();
  options.onProgress?.({ ...progress });
  return result;
}

/** True when files were found but not one of them could be read (the CLI exits 1 then). */
export function ingestReadNothing(result: IngestResult): boolean {
  return result.filesRead + result.filesUnchanged === 0;
}

/** Adds up several ingests' results (an ingest of named paths plus the hook queue, say). */
export function combineIngestResults(results: readonly IngestResult[]): IngestResult {
  const combined: IngestResult = {
    filesScanned: 0,
    filesSkipped: 0,
    filesRead: 0,
    filesUnchanged: 0,
    filesFailed: 0,
    sessionsAdded: 0,
    eventsAdded: 0,
    bytesRead: 0,
    warnings: [],
    redactions: {},
    formats: {},
    files: [],
  };
  for (const result of results) {
    combined.filesScanned += result.filesScanned;
    combined.filesSkipped += result.filesSkipped;
    combined.filesRead += result.filesRead;
    combined.filesUnchanged += result.filesUnchanged;
    combined.filesFailed += result.filesFailed;
    combined.sessionsAdded += result.sessionsAdded;
    combined.eventsAdded += result.eventsAdded;
    combined.bytesRead += result.bytesRead;
    combined.warnings.push(...result.warnings);
    combined.files.push(...result.files);
    for (const [kind, count] of Object.entries(result.redactions) as [keyof RedactionReport, number][]) {
      combined.redactions[kind] = (combined.redactions[kind] ?? 0) + count;
    }
    for (const [format, count] of Object.entries(result.formats) as [SessionFormat, number][]) {
      combined.formats[format] = (combined.formats[format] ?? 0) + count;
    }
  }
  return combined;
}
