import { Option } from 'commander';
import type { Command } from 'commander';
import type { ApprovalMode } from '../../domain/dream-run.js';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { withReverie } from '../open-reverie.js';
import { renderDreamRun } from '../render-report.js';

/** `reverie dream` */
export function registerDreamCommand(program: Command, io: CliIo): void {
  program
    .command('dream')
    .description('Run a dream now: read new logs, mine them, propose (or apply) memory edits, write a report')
    .option('--agent <name...>', 'only these agents (default: dreaming.scope)')
    .addOption(new Option('--approval <mode>', 'override dreaming.approval').choices(['manual', 'automatic']))
    .option('--dry-run', 'show what would be proposed; save no proposal, run record or memory change')
    .action(
      async (options: { agent?: string[]; approval?: ApprovalMode; dryRun?: boolean }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const run = await withReverie(io, globals, (reverie) =>
          reverie.dream({
            ...(options.agent === undefined ? {} : { agents: options.agent }),
            ...(options.approval === undefined ? {} : { approval: options.approval }),
            dryRun: options.dryRun === true,
          }),
        );
        if (globals.json === true) printJson(io, run);
        else printLine(io, renderDreamRun(run, io.cwd));
      },
    );
}
