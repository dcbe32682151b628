import { Option } from 'commander';
import type { Command } from 'commander';
import { ingestReadNothing } from '../../app/ingest-sessions.js';
import type { IngestProgress } from '../../app/ingest-sessions.js';
import { ReverieError } from '../../domain/errors.js';
import { sessionFormats } from '../../domain/session.js';
import type { SessionFormat } from '../../domain/session.js';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { withReverie } from '../open-reverie.js';
import { renderIngestResult } from '../render-ingest.js';

function renderProgress(progress: IngestProgress, startedAt: number, now: number): string {
  const megabytes = (bytes: number): string => (bytes / 1_048_576).toFixed(1);
  const elapsed = (now - startedAt) / 1000;
  const rate = elapsed > 0 ? progress.bytesDone / elapsed : 0;
  const remaining = rate > 0 ? Math.max(0, (progress.bytesTotal - progress.bytesDone) / rate) : 0;
  return `\r  ${progress.filesDone}/${progress.filesTotal} files, ${megabytes(progress.bytesDone)}/${megabytes(progress.bytesTotal)} MB, ${progress.sessionsAdded} new sessions, ETA ${Math.ceil(remaining)}s   `;
}

/** `reverie ingest <path...>` */
export function registerIngestCommand(program: Command, io: CliIo): void {
  program
    .command('ingest')
    .description('Read session logs (files or directories, scanned recursively) into the store')
    .argument('<path...>', 'log files or directories')
    .option(
      '--agent <name>',
      'agent the sessions belong to (default: the configured agent whose source holds the file, else the format name)',
    )
    .addOption(
      new Option('--format <format>', 'log format').choices(['auto', ...sessionFormats]).default('auto'),
    )
    .action(
      async (
        paths: string[],
        options: { agent?: string; format: SessionFormat | 'auto' },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const showProgress = io.isTty && globals.json !== true;
        const startedAt = Date.now();
        let lastDraw = 0;
        const result = await withReverie(io, globals, (reverie) =>
          reverie.ingest({
            paths,
            agent: options.agent,
            format: options.format,
            ...(showProgress
              ? {
                  onProgress: (progress: IngestProgress) => {
                    const now = Date.now();
                    if (now - lastDraw < 200 && progress.filesDone < progress.filesTotal) return;
                    lastDraw = now;
                    io.stderr(renderProgress(progress, startedAt, now));
                  },
                }
              : {}),
          }),
        );
        if (showProgress) io.stderr('\r\x1b[K');
        if (globals.json === true) printJson(io, result);
        else printLine(io, renderIngestResult(result));
        if (ingestReadNothing(result)) {
          throw new ReverieError({
            code: 'INGEST_NOTHING_READ',
            message:
              result.filesScanned === 0
                ? `No files found under ${paths.join(', ')}.`
                : `Nothing could be read from ${result.filesScanned} files${result.filesSkipped === result.filesScanned ? ' (none is a log file Reverie reads: Claude Code or Reverie JSONL `*.jsonl`)' : ''}; see the warnings above, or pass --format.`,
            data: { paths },
          });
        }
      },
    );
}
