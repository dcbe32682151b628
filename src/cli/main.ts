/**
 * The CLI driver's entry point and the only file that sets exit codes:
 * 0 success, 1 user error (a one-line message that says what to do), 2 internal error (with the stack).
 */
import { Command, CommanderError } from 'commander';
import { processEnvironment } from '../config/environment.js';
import { isReverieError } from '../domain/errors.js';
import { CommandFailedError } from './cli-io.js';
import type { CliIo } from './cli-io.js';
import { registerDaemonCommand } from './commands/daemon-command.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerDreamCommand } from './commands/dream-command.js';
import { registerHooksCommand } from './commands/hooks-command.js';
import { registerImpactCommand } from './commands/impact-command.js';
import { registerIngestCommand } from './commands/ingest-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerMemoryCommands } from './commands/memory-commands.js';
import { registerOutcomeCommand } from './commands/outcome-command.js';
import { registerProposalCommands } from './commands/proposal-commands.js';
import { registerReportCommand } from './commands/report-command.js';
import { registerSessionsCommand } from './commands/sessions-command.js';

export const version = '0.1.0';

function createProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('reverie')
    .description(
      'Open, self-hosted dreaming for AI agents: mine session logs, propose evidence-backed memory edits, review, apply, roll back.',
    )
    .version(version)
    .option('--config <path>', 'config file (default: ./reverie.yaml, or $REVERIE_CONFIG)')
    .option('--data-dir <path>', 'data directory (default: ./.reverie, or $REVERIE_HOME)')
    .option('--json', 'machine-readable output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerInitCommand(program, io);
  registerIngestCommand(program, io);
  registerSessionsCommand(program, io);
  registerDreamCommand(program, io);
  registerOutcomeCommand(program, io);
  registerProposalCommands(program, io);
  registerMemoryCommands(program, io);
  registerReportCommand(program, io);
  registerImpactCommand(program, io);
  registerHooksCommand(program, io);
  registerDaemonCommand(program, io);
  registerDemoCommand(program, io);
  // Every (sub)command reports through the same io and lets `runCli` choose the exit code.
  const configure = (command: Command): void => {
    for (const child of command.commands) {
      child.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
      configure(child);
    }
  };
  configure(program);
  return program;
}

/**
 * Runs the CLI with the given arguments (`argv` as in `process.argv`, program name included) and returns the exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * Prints a failure and returns its exit code. Every `ReverieError` is something the user can act on (its message
 * says what to do): 1. Anything else is a bug in Reverie: 2, with the stack so it can be reported.
 */
export function reportError(error: unknown, io: CliIo): 1 | 2 | 0 {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help / version that ends the run successfully).
    const benign = ['commander.helpDisplayed', 'commander.help', 'commander.version'];
    return benign.includes(error.code) ? 0 : 1;
  }
  if (error instanceof CommandFailedError) return error.exitCode;
  if (isReverieError(error)) {
    io.stderr(`reverie: ${error.message}\n`);
    return 1;
  }
  io.stderr(
    `reverie: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 2;
}

/** Runs the CLI against the real process and sets its exit code. */
export async function runMain(argv: readonly string[]): Promise<void> {
  // A reader that went away (`reverie ingest --watch --json | head -1`) ends the output, not the world: stop quietly,
  // as other command-line tools do, instead of dying on an unhandled EPIPE. The store is crash-safe at any point.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  }
  process.exitCode = await runCli(argv, {
    cwd: process.cwd(),
    env: processEnvironment(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: process.stderr.isTTY,
  });
}
