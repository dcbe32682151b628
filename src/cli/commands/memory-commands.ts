import type { Command } from 'commander';
import { ReverieError } from '../../domain/errors.js';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { withReverie } from '../open-reverie.js';
import { renderHistory } from '../render-history.js';
import { displayPath } from '../render-table.js';

function parseVersion(value: string): number {
  const version = Number.parseInt(value.replace(/^v/i, ''), 10);
  if (!Number.isInteger(version) || version < 1) {
    throw new ReverieError({
      code: 'USAGE_INVALID',
      message: `"${value}" is not a version number; use the number \`reverie history\` shows (e.g. 3 or v3).`,
      data: { value },
    });
  }
  return version;
}

/** `reverie history`, `reverie rollback` */
export function registerMemoryCommands(program: Command, io: CliIo): void {
  program
    .command('history')
    .description('List the versions of a memory file (or of every managed file)')
    .argument('[memory-file]', 'path of the memory file')
    .option('--diff <version>', 'show what that version changed against its parent')
    .option('--content <version>', 'print the exact content of that version')
    .action(
      async (
        memoryFile: string | undefined,
        options: { diff?: string; content?: string },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const histories = await withReverie(io, globals, (reverie) => reverie.history(memoryFile));
        const pick = (value: string) => {
          const version = parseVersion(value);
          const history = histories[0];
          const found = history?.versions.find((candidate) => candidate.version === version);
          if (memoryFile === undefined || history === undefined || found === undefined) {
            throw new ReverieError({
              code: 'MEMORY_VERSION_NOT_FOUND',
              message:
                memoryFile === undefined
                  ? 'Name the memory file: `reverie history <memory-file> --diff N`.'
                  : `No version ${version} of ${memoryFile}.`,
              data: { version },
            });
          }
          return { history, found };
        };
        if (options.content !== undefined) {
          const { found } = pick(options.content);
          if (globals.json === true) printJson(io, found);
          else io.stdout(found.content);
          return;
        }
        if (options.diff !== undefined) {
          const { history, found } = pick(options.diff);
          const diff = await withReverie(io, globals, (reverie) =>
            reverie.diffVersion(history.file.path, found.version),
          );
          if (globals.json === true) printJson(io, { version: found, diff });
          else printLine(io, diff === '' ? `v${found.version} changed nothing.` : diff.trimEnd());
          return;
        }
        if (globals.json === true) printJson(io, histories);
        else
          printLine(
            io,
            histories.length === 0
              ? 'No memory files yet: a file is recorded when a dream first reads it.'
              : histories.map((history) => renderHistory(history, io.cwd)).join('\n\n'),
          );
      },
    );

  program
    .command('rollback')
    .description('Restore a memory file to an earlier version (recorded as a new version; nothing is lost)')
    .argument('<memory-file>', 'path of the memory file')
    .requiredOption('--to <version>', 'the version to restore')
    .action(async (memoryFile: string, options: { to: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const version = parseVersion(options.to);
      const result = await withReverie(io, globals, (reverie) => reverie.rollback(memoryFile, version));
      if (globals.json === true) {
        printJson(io, result);
        return;
      }
      const shown = displayPath(result.restoredFrom.path, io.cwd);
      if (result.externalEdit !== null) {
        printLine(
          io,
          `Recorded a hand edit of ${shown} as v${result.externalEdit.version} first (roll back to it any time).`,
        );
      }
      printLine(
        io,
        result.version === null
          ? `${shown} already holds the content of v${version}; nothing to do.`
          : `Restored ${shown} to the content of v${version}, recorded as v${result.version.version}.`,
      );
    });
}
