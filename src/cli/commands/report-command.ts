import type { Command } from 'commander';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { withReverie } from '../open-reverie.js';
import { renderDreamRun, renderRunList } from '../render-report.js';

/** `reverie report [RUN_ID]` */
export function registerReportCommand(program: Command, io: CliIo): void {
  program
    .command('report')
    .description('Show the report of a dream run (the latest by default)')
    .argument('[run-id]', 'a run id from `reverie report --list`')
    .option('--list', 'list recent runs instead')
    .option('--limit <n>', 'with --list: how many', (value) => Number.parseInt(value, 10), 20)
    .action(
      async (runId: string | undefined, options: { list?: boolean; limit: number }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        if (options.list === true) {
          const runs = await withReverie(io, globals, (reverie) => reverie.listRuns(options.limit));
          if (globals.json === true) printJson(io, runs);
          else printLine(io, renderRunList(runs));
          return;
        }
        const run = await withReverie(io, globals, (reverie) => reverie.report(runId));
        if (globals.json === true) printJson(io, run);
        else printLine(io, renderDreamRun(run, io.cwd, { maxWarnings: 200 }));
      },
    );
}
