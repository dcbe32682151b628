import type { Command } from 'commander';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { withReverie } from '../open-reverie.js';
import { renderOutcome } from '../render-outcome.js';
import { oneLine, renderTable, shortTime } from '../render-table.js';

/** `reverie sessions` */
export function registerSessionsCommand(program: Command, io: CliIo): void {
  program
    .command('sessions')
    .description('List stored sessions, newest last')
    .option('--agent <name>', 'only this agent')
    .option('--limit <n>', 'at most this many (the newest)', (value) => Number.parseInt(value, 10))
    .action(async (options: { agent?: string; limit?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const sessions = await withReverie(io, globals, (reverie) =>
        reverie.listSessions({ agent: options.agent }),
      );
      const shown =
        options.limit !== undefined && options.limit > 0 ? sessions.slice(-options.limit) : sessions;
      if (globals.json === true) {
        printJson(io, shown);
        return;
      }
      if (shown.length === 0) {
        printLine(io, 'No sessions yet. Read some with `reverie ingest <path>`.');
        return;
      }
      printLine(
        io,
        renderTable(
          ['SESSION', 'AGENT', 'FORMAT', 'STARTED', 'EVENTS', 'OUTCOME', 'TITLE'],
          shown.map((session) => [
            session.id,
            session.agent,
            session.format,
            shortTime(session.startedAt),
            String(session.eventCount),
            session.outcome === null ? '-' : renderOutcome(session.outcome),
            oneLine(
              session.title ??
                (session.parentSessionId === null ? '' : `sub-agent of ${session.parentSessionId}`),
              50,
            ),
          ]),
        ),
      );
      printLine(
        io,
        `\n${shown.length} sessions${shown.length < sessions.length ? ` (of ${sessions.length})` : ''}.`,
      );
    });
}
