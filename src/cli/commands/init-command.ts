import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { renderConfigTemplate } from '../../config/config-template.js';
import { findClaudeProjectDir, resolveConfigPath } from '../../config/load-config.js';
import { ReverieError } from '../../domain/errors.js';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';

/** `reverie init` */
export function registerInitCommand(program: Command, io: CliIo): void {
  program
    .command('init')
    .description('Write a starter reverie.yaml for this directory (detects its Claude Code transcripts)')
    .option('--agent <name>', 'name of the first agent', 'coder')
    .option('--memory <path>', 'its memory file', './CLAUDE.md')
    .option('--force', 'overwrite an existing config file')
    .action(async (options: { agent: string; memory: string; force?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const configPath = resolveConfigPath({ cwd: io.cwd, configPath: globals.config, env: io.env });
      if (existsSync(configPath) && options.force !== true) {
        throw new ReverieError({
          code: 'CONFIG_EXISTS',
          message: `${configPath} already exists. Edit it, or pass --force to replace it.`,
          data: { configPath },
        });
      }
      const claudeProjectDir = findClaudeProjectDir({ cwd: io.cwd, env: io.env });
      await mkdir(path.dirname(configPath), { recursive: true });
      await writeFile(
        configPath,
        renderConfigTemplate({ agentName: options.agent, claudeProjectDir, memoryPath: options.memory }),
        { flag: options.force === true ? 'w' : 'wx' },
      );
      if (globals.json === true) {
        printJson(io, { configPath, claudeProjectDir });
        return;
      }
      printLine(io, `Wrote ${configPath}.`);
      printLine(
        io,
        claudeProjectDir === null
          ? 'No Claude Code transcripts found for this directory: add sources to the agent, then run `reverie dream`.'
          : `Agent ${options.agent} reads Claude Code transcripts from ${claudeProjectDir}.\nNext: \`reverie dream\` (proposals wait for \`reverie approve\`).`,
      );
    });
}
