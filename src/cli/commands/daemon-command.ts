import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { createReverie } from '../../create-reverie.js';
import { isReverieError } from '../../domain/errors.js';
import { printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';

/** `reverie daemon`: dreams on `dreaming.schedule` until interrupted. */
export function registerDaemonCommand(program: Command, io: CliIo): void {
  program
    .command('daemon')
    .description('Run dreams on dreaming.schedule until stopped (Ctrl-C); one dream per agent at a time')
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = loadConfig({
        cwd: io.cwd,
        configPath: globals.config,
        dataDir: globals.dataDir,
        env: io.env,
      });
      const reverie = createReverie(config);
      const log = (text: string): void => {
        printLine(io, `${new Date().toISOString()} ${text}`);
      };
      const schedule = reverie.startDaemon({
        onRunStart: () => {
          log('dream starting');
        },
        onRunEnd: (run) => {
          const report = run.report;
          log(
            `dream ${run.id} ${run.status}: ${report?.sessionsRead ?? 0} sessions, ${report?.findings.length ?? 0} findings, ` +
              `${report?.proposals.length ?? 0} proposals${report?.nothingReason ? ` (${report.nothingReason})` : ''}; \`reverie report ${run.id}\``,
          );
          log(`next dream at ${schedule.nextRun()?.toISOString() ?? 'never'}`);
        },
        onError: (error) => {
          log(
            `dream failed: ${isReverieError(error) || error instanceof Error ? error.message : String(error)}`,
          );
          log(`next dream at ${schedule.nextRun()?.toISOString() ?? 'never'}`);
        },
      });
      log(
        `Reverie daemon: schedule "${config.dreaming.schedule}"${config.dreaming.timezone === null ? '' : ` (${config.dreaming.timezone})`}, agents ${config.dreaming.scope.join(', ')}, approval ${config.dreaming.approval}`,
      );
      log(`next dream at ${schedule.nextRun()?.toISOString() ?? 'never'}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          schedule.stop();
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      log('stopping: waiting for the dream in progress, if any');
      await schedule.idle();
      log('daemon stopped');
      await reverie.close();
    });
}
