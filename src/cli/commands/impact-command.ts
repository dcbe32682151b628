import type { Command } from 'commander';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { withReverie } from '../open-reverie.js';
import { displayPath, oneLine, renderTable, shortTime } from '../render-table.js';

/** `reverie impact [memory-file]` */
export function registerImpactCommand(program: Command, io: CliIo): void {
  program
    .command('impact')
    .description('Did dreaming help? Targeted errors and outcomes before vs after each applied version')
    .argument('[memory-file]', 'one memory file (default: every managed file)')
    .option(
      '--min-sessions <n>',
      'sessions needed on each side of a version for a verdict',
      (value) => Number(value),
      3,
    )
    .action(async (memoryFile: string | undefined, options: { minSessions: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const impacts = await withReverie(io, globals, (reverie) =>
        reverie.impact(memoryFile, { minSessions: options.minSessions }),
      );
      if (globals.json === true) {
        printJson(io, impacts);
        return;
      }
      const withRows = impacts.filter((impact) => impact.rows.length > 0);
      if (withRows.length === 0) {
        printLine(io, 'No applied version to measure yet: impact is measured for versions Reverie applied.');
        return;
      }
      for (const impact of withRows) {
        printLine(
          io,
          `${displayPath(impact.path, io.cwd)} (sessions of ${impact.agents.join(', ') || 'no agent'})`,
        );
        printLine(
          io,
          renderTable(
            ['VERSION', 'APPLIED', 'SESSIONS', 'TARGETED ERROR', 'PASSED', 'VERDICT', 'CHANGE'],
            impact.rows.map((row) => [
              `v${row.version}`,
              shortTime(row.appliedAt),
              `${row.before.sessions} → ${row.after.sessions}`,
              `${row.before.withTargetedError} → ${row.after.withTargetedError}`,
              `${row.before.passed}/${row.before.passed + row.before.failed} → ${row.after.passed}/${row.after.passed + row.after.failed}`,
              row.verdict === 'worse' ? 'WORSE' : row.verdict,
              oneLine(row.reason, 60),
            ]),
          ),
        );
        for (const row of impact.rows.filter((candidate) => candidate.verdict === 'worse')) {
          printLine(
            io,
            `  v${row.version} is followed by worse results (${row.explanation}); consider \`reverie rollback ${displayPath(impact.path, io.cwd)} --to ${row.version - 1}\`.`,
          );
        }
        printLine(io, '');
      }
    });
}
