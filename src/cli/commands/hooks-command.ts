/**
 * `reverie hooks install|uninstall|status claude-code`: Claude Code's `SessionEnd` hook queues each finished
 * session's transcript for the next ingest, dream or daemon run. The settings file is merged, never replaced: other
 * hooks and settings stay as they are, a backup of the previous file is kept, and the write is atomic.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import type { Command } from 'commander';
import { claudeHomeDir, loadConfig } from '../../config/load-config.js';
import { ReverieError } from '../../domain/errors.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import {
  hasReverieHook,
  SettingsShapeError,
  shellQuote,
  withoutReverieHooks,
  withReverieHook,
} from '../claude-settings.js';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';

/** The hook script shipped with the package (same relative place from src/ and dist/). */
export const hookScript = fileURLToPath(new URL('../../../bin/reverie-hook.js', import.meta.url));

type Scope = 'user' | 'project' | 'local';

function settingsPath(io: CliIo, scope: Scope, explicit: string | undefined): string {
  if (explicit !== undefined) return path.resolve(io.cwd, explicit);
  switch (scope) {
    case 'user':
      return path.join(claudeHomeDir({ env: io.env }), 'settings.json');
    case 'project':
      return path.join(io.cwd, '.claude', 'settings.json');
    case 'local':
      return path.join(io.cwd, '.claude', 'settings.local.json');
  }
}

async function readSettings(file: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) return {};
  const text = await readFile(file, 'utf8');
  if (text.trim() === '') return {};
  const parsed = safeParseJson(text);
  if (!parsed.success || !isJsonObject(parsed.value)) {
    throw new ReverieError({
      code: 'USAGE_INVALID',
      message: `${file} is not a JSON object (${parsed.success ? 'not an object' : parsed.error.message}); fix it by hand first. Reverie leaves it untouched.`,
      data: { path: file },
    });
  }
  return parsed.value;
}

async function writeSettings(file: string, settings: Record<string, unknown>): Promise<string | null> {
  await mkdir(path.dirname(file), { recursive: true });
  let backup: string | null = null;
  if (existsSync(file)) {
    backup = `${file}.reverie-backup`;
    await copyFile(file, backup);
  }
  const temporary = `${file}.reverie-${String(process.pid)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(settings, null, 2)}\n`);
  await rename(temporary, file);
  return backup;
}

function shapeError(file: string, error: unknown): never {
  if (error instanceof SettingsShapeError) {
    throw new ReverieError({
      code: 'USAGE_INVALID',
      message: `${file}: ${error.message}, so Reverie will not edit it. Fix it by hand, or add the hook yourself (see docs/commands.md).`,
      data: { path: file },
    });
  }
  throw error;
}

/** `reverie hooks ...` */
export function registerHooksCommand(program: Command, io: CliIo): void {
  const hooks = program
    .command('hooks')
    .description(
      "Install or remove the agent hooks that queue finished sessions for Reverie (Claude Code's SessionEnd)",
    );
  const scopeOption = () =>
    new Option('--scope <scope>', 'which Claude Code settings file')
      .choices(['user', 'project', 'local'])
      .default('user');

  hooks
    .command('install')
    .description(
      'Add the SessionEnd hook to Claude Code settings (merged: other settings and hooks are kept)',
    )
    .argument('<agent>', 'the agent runtime: claude-code')
    .addOption(scopeOption())
    .option('--settings <path>', 'the settings file to edit (default: by --scope)')
    .action(async (agent: string, options: { scope: Scope; settings?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      requireClaudeCode(agent);
      const config = loadConfig({
        cwd: io.cwd,
        configPath: globals.config,
        dataDir: globals.dataDir,
        env: io.env,
      });
      const file = settingsPath(io, options.scope, options.settings);
      const hookCommand = [process.execPath, hookScript, 'claude-code', '--data-dir', config.dataDir]
        .map(shellQuote)
        .join(' ');
      let result;
      try {
        result = withReverieHook(await readSettings(file), 'SessionEnd', hookCommand);
      } catch (error) {
        shapeError(file, error);
      }
      const backup = result.changed ? await writeSettings(file, result.settings) : null;
      if (globals.json === true) {
        printJson(io, { settings: file, changed: result.changed, backup, command: hookCommand });
        return;
      }
      printLine(
        io,
        result.changed
          ? `Added Reverie's SessionEnd hook to ${file}${backup === null ? '' : ` (previous file kept as ${backup})`}.`
          : `${file} already has Reverie's SessionEnd hook; nothing changed.`,
      );
      printLine(
        io,
        `Each finished Claude Code session is queued in ${path.join(config.dataDir, 'queue')} and read by the next \`reverie ingest\`, \`reverie dream\` or daemon run.`,
      );
    });

  hooks
    .command('uninstall')
    .description("Remove Reverie's hooks from Claude Code settings (nothing else is changed)")
    .argument('<agent>', 'the agent runtime: claude-code')
    .addOption(scopeOption())
    .option('--settings <path>', 'the settings file to edit (default: by --scope)')
    .action(async (agent: string, options: { scope: Scope; settings?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      requireClaudeCode(agent);
      const file = settingsPath(io, options.scope, options.settings);
      const result = withoutReverieHooks(await readSettings(file));
      const backup = result.changed ? await writeSettings(file, result.settings) : null;
      if (globals.json === true) printJson(io, { settings: file, changed: result.changed, backup });
      else
        printLine(
          io,
          result.changed
            ? `Removed Reverie's hooks from ${file}.`
            : `${file} has no Reverie hook; nothing changed.`,
        );
    });

  hooks
    .command('status')
    .description('Show where the Claude Code hook is installed')
    .argument('[agent]', 'the agent runtime: claude-code', 'claude-code')
    .action(async (agent: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      requireClaudeCode(agent);
      const rows = await Promise.all(
        (['user', 'project', 'local'] as const).map(async (scope) => {
          const file = settingsPath(io, scope, undefined);
          const installed = existsSync(file)
            ? hasReverieHook(await readSettings(file).catch(() => ({})), 'SessionEnd')
            : false;
          return { scope, settings: file, installed };
        }),
      );
      if (globals.json === true) printJson(io, rows);
      else
        for (const row of rows)
          printLine(
            io,
            `${row.scope.padEnd(8)} ${row.installed ? 'installed    ' : 'not installed'}  ${row.settings}`,
          );
    });
}

function requireClaudeCode(agent: string): void {
  if (agent !== 'claude-code') {
    throw new ReverieError({
      code: 'USAGE_INVALID',
      message: `Hooks exist for claude-code only (got "${agent}"). Other agents: point a source at their log directory; \`reverie ingest --watch\` follows it.`,
      data: { agent },
    });
  }
}
