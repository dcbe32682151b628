import { Option } from 'commander';
import type { Command } from 'commander';
import { ingestReadNothing } from '../../app/ingest-sessions.js';
import type { IngestProgress } from '../../app/ingest-sessions.js';
import { ReverieError } from '../../domain/errors.js';
import { renderIngestWarning } from '../../domain/ingest-warning.js';
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
    .argument('[path...]', 'log files or directories (default: every configured source)')
    .option(
      '--agent <name>',
      'agent the sessions belong to (default: the configured agent whose source holds the file, else the format name)',
    )
    .addOption(
      new Option('--format <format>', 'log format').choices(['auto', ...sessionFormats]).default('auto'),
    )
    .option('--watch', 'keep following the paths: read new lines and new files as they appear (Ctrl-C stops)')
    .option('--interval <seconds>', 'with --watch: how often to look', (value) => Number.parseFloat(value), 2)
    .action(
      async (
        paths: string[],
        options: { agent?: string; format: SessionFormat | 'auto'; watch?: boolean; interval: number },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        if (options.watch === true) {
          await watch(io, globals, paths, options);
          return;
        }
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
                : `Nothing could be read from ${result.filesScanned} files${result.filesSkipped === result.filesScanned ? ' (none is a log format Reverie reads)' : ''}; see the warnings above, or pass --format.`,
            data: { paths },
          });
        }
      },
    );
}

/** `--watch`: one line per pass that found something new, until SIGINT or SIGTERM. */
async function watch(
  io: CliIo,
  globals: GlobalOptions,
  paths: string[],
  options: { agent?: string; format: SessionFormat | 'auto'; interval: number },
): Promise<void> {
  if (!Number.isFinite(options.interval) || options.interval <= 0) {
    throw new ReverieError({
      code: 'USAGE_INVALID',
      message: `--interval must be a positive number of seconds (got ${String(options.interval)}).`,
      data: {},
    });
  }
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let first = true;
  try {
    await withReverie(io, globals, (reverie) =>
      reverie.watch({
        paths,
        agent: options.agent,
        format: options.format,
        intervalMs: options.interval * 1000,
        signal: controller.signal,
        onPass: (result) => {
          if (globals.json === true) {
            io.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...result, files: undefined })}\n`);
          } else if (first) {
            printLine(io, renderIngestResult(result));
            printLine(
              io,
              `Watching ${paths.length === 0 ? 'the configured sources' : paths.join(', ')} every ${String(options.interval)} s (Ctrl-C stops).`,
            );
          } else if (result.sessionsAdded + result.eventsAdded + result.warnings.length > 0) {
            const warnings = result.warnings.map((warning) => `\n  ${renderIngestWarning(warning)}`).join('');
            printLine(
              io,
              `${new Date().toISOString()} +${result.sessionsAdded} sessions, +${result.eventsAdded} events from ${result.filesRead} files${warnings}`,
            );
          }
          first = false;
        },
      }),
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (globals.json !== true) printLine(io, 'Stopped watching.');
}
