/**
 * Loads the configuration once, at the edge: defaults → `reverie.yaml` → environment → command-line flags.
 * This is the only module that reads `process.env`. The result is validated once and frozen.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { Cron } from 'croner';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { AgentDefinition, MemoryBudget, MemoryTarget } from '../domain/agent.js';
import type { ApprovalMode, MinerName } from '../domain/dream-run.js';
import type { Criterion, Rubric } from '../domain/rubric.js';
import type { ApprovalPolicy } from '../domain/approval-policy.js';
import { ReverieError } from '../domain/errors.js';
import type { memorySchema } from './config-schema.js';
import { configFileSchema, defaultBudget, durationToMilliseconds } from './config-schema.js';

export const configFileName = 'reverie.yaml';
export const defaultDataDirName = '.reverie';

export interface DreamingConfig {
  schedule: string;
  timezone: string | null;
  /** Agent names a dream covers (all configured agents for `all-agents`). */
  scope: readonly string[];
  scopeIsAllAgents: boolean;
  approval: ApprovalMode;
  retention: string;
  retentionMs: number;
  minSessions: number;
  /** The miners a dream runs. */
  miners: readonly MinerName[];
}

/** The validated, frozen configuration every surface works from. */
export interface Config {
  cwd: string;
  /** Where the config file is (or would be). */
  configPath: string;
  configFound: boolean;
  dataDir: string;
  agents: readonly AgentDefinition[];
  sharedMemory: MemoryTarget | null;
  dreaming: DreamingConfig;
  /** Rubric graders run on every dream's sessions. */
  rubrics: readonly Rubric[];
  /** Who approves proposals from this machine (recorded with each decision). */
  userName: string;
  /** What automatic approval may apply on its own (`approval_policy`). */
  approvalPolicy: ApprovalPolicy;
  /** Allow-lists of the injection screen (`screening`); commands add to the built-in list. */
  screening: { allowedDomains: readonly string[]; allowedCommands: readonly string[] };
  /** Folders memory files must resolve inside (the config's folder, ~/.claude, ~/.codex and `memory_roots`). */
  memoryRoots: readonly string[];
}

export interface LoadConfigOptions {
  cwd: string;
  /** `--config` */
  configPath?: string | undefined;
  /** `--data-dir` */
  dataDir?: string | undefined;
  /** Defaults to `process.env`; tests pass their own. */
  env?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
}

function expandHome(value: string, homeDir: string): string {
  if (value === '~') return homeDir;
  if (value.startsWith('~/')) return path.join(homeDir, value.slice(2));
  return value;
}

function resolvePath(value: string, baseDir: string, homeDir: string): string {
  return path.resolve(baseDir, expandHome(value, homeDir));
}

function formatIssuePath(issuePath: readonly PropertyKey[]): string {
  return issuePath
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
}

function configInvalid(configPath: string, problems: readonly string[]): ReverieError {
  return new ReverieError({
    code: 'CONFIG_INVALID',
    message: `${configPath} is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    data: { configPath, problems },
  });
}

/**
 * The budget a memory file gets when the config names none, fitting what its agent reads: Claude Code loads about the
 * first 200 lines of `MEMORY.md`, Codex reads at most 32 KiB of `AGENTS.md`.
 */
export function defaultBudgetFor(filePath: string): MemoryBudget {
  const name = path.basename(filePath).toLowerCase();
  if (name === 'memory.md') return { maxLines: 200, maxBytes: defaultBudget.max_bytes };
  if (name === 'agents.md' || name.endsWith('.agents.md')) return { maxLines: 1_000, maxBytes: 32_768 };
  return { maxLines: defaultBudget.max_lines, maxBytes: defaultBudget.max_bytes };
}

function toTarget(memory: z.infer<typeof memorySchema>, baseDir: string, homeDir: string): MemoryTarget {
  const spec = typeof memory === 'string' ? { path: memory } : memory;
  const resolved = resolvePath(spec.path, baseDir, homeDir);
  const fallback = defaultBudgetFor(resolved);
  const budget: MemoryBudget = {
    maxLines: ('max_lines' in spec ? spec.max_lines : undefined) ?? fallback.maxLines,
    maxBytes: ('max_bytes' in spec ? spec.max_bytes : undefined) ?? fallback.maxBytes,
  };
  return { path: resolved, budget };
}

/** Whether `target` is `root` or inside it (lexically; symlinks are checked when the file is opened). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function readConfigFile(configPath: string): unknown {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new ReverieError({
      code: 'CONFIG_INVALID',
      message: `Cannot read ${configPath}: ${(error as Error).message}. Check the path and its permissions.`,
      data: { configPath },
      cause: error,
    });
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw configInvalid(
      configPath,
      document.errors.map((error) => `YAML syntax: ${error.message.split('\n')[0] ?? error.message}`),
    );
  }
  return document.toJS() ?? {};
}

/**
 * Where the config file is: `--config`, else `$REVERIE_CONFIG`, else `./reverie.yaml` (with `~` expanded).
 */
export function resolveConfigPath(options: {
  cwd: string;
  configPath?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
}): string {
  const env = options.env ?? process.env;
  return resolvePath(
    options.configPath ?? env['REVERIE_CONFIG'] ?? configFileName,
    path.resolve(options.cwd),
    options.homeDir ?? env['HOME'] ?? homedir(),
  );
}

/** Claude Code's home: `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
export function claudeHomeDir(options: {
  env?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
}): string {
  const env = options.env ?? process.env;
  return env['CLAUDE_CONFIG_DIR'] ?? path.join(options.homeDir ?? env['HOME'] ?? homedir(), '.claude');
}

/**
 * The Claude Code transcript folder of a working directory, when it exists: `<claude home>/projects/<encoded cwd>`,
 * where the home is `$CLAUDE_CONFIG_DIR` or `~/.claude` and every non-alphanumeric character of the path is "-".
 */
export function findClaudeProjectDir(options: {
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
}): string | null {
  const env = options.env ?? process.env;
  const claudeHome =
    env['CLAUDE_CONFIG_DIR'] ?? path.join(options.homeDir ?? env['HOME'] ?? homedir(), '.claude');
  const candidate = path.join(
    claudeHome,
    'projects',
    path.resolve(options.cwd).replace(/[^A-Za-z0-9]/g, '-'),
  );
  return existsSync(candidate) ? candidate : null;
}

/**
 * Loads and validates the configuration.
 * @throws ReverieError CONFIG_INVALID listing every problem with the key it concerns
 * @example
 * const config = loadConfig({ cwd: process.cwd(), configPath: flags.config, dataDir: flags.dataDir });
 */
export function loadConfig(options: LoadConfigOptions): Config {
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? env['HOME'] ?? homedir();
  const cwd = path.resolve(options.cwd);
  const configPath = resolveConfigPath({ cwd, configPath: options.configPath, env, homeDir });
  const explicitConfig = options.configPath !== undefined || env['REVERIE_CONFIG'] !== undefined;
  const configFound = existsSync(configPath);
  if (!configFound && explicitConfig) {
    throw new ReverieError({
      code: 'CONFIG_NOT_FOUND',
      message: `Config file ${configPath} does not exist. Create it with \`reverie init\` or fix the --config path.`,
      data: { configPath },
    });
  }
  const raw = configFound ? readConfigFile(configPath) : {};
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw configInvalid(
      configPath,
      parsed.error.issues.map((issue) => `${formatIssuePath(issue.path) || '(top level)'}: ${issue.message}`),
    );
  }
  const file = parsed.data;
  const baseDir = path.dirname(configPath);
  const problems: string[] = [];

  const agents: AgentDefinition[] = Object.entries(file.agents).map(([name, agent]) => ({
    name,
    sources: agent.sources.map((source) => ({
      format: source.type,
      path: resolvePath(source.path, baseDir, homeDir),
    })),
    memory: toTarget(agent.memory, baseDir, homeDir),
  }));
  const sharedMemory =
    file.shared_memory === undefined ? null : toTarget(file.shared_memory, baseDir, homeDir);

  const memoryRoots = [
    baseDir,
    path.join(homeDir, '.claude'),
    path.join(homeDir, '.codex'),
    ...file.memory_roots.map((root) => resolvePath(root, baseDir, homeDir)),
  ];
  const checkRoot = (key: string, raw: string, target: MemoryTarget): void => {
    if (memoryRoots.some((root) => isInside(root, target.path))) return;
    problems.push(
      `${key}: ${raw} resolves to ${target.path}, outside the memory roots (${memoryRoots.join(', ')}); ` +
        'Reverie only writes memory files inside them. Add the folder to `memory_roots` if you mean it.',
    );
  };
  for (const [name, agent] of Object.entries(file.agents)) {
    const target = agents.find((candidate) => candidate.name === name)?.memory;
    const raw = typeof agent.memory === 'string' ? agent.memory : agent.memory.path;
    if (target !== undefined) checkRoot(`agents.${name}.memory`, raw, target);
  }
  if (sharedMemory !== null && file.shared_memory !== undefined) {
    const raw = typeof file.shared_memory === 'string' ? file.shared_memory : file.shared_memory.path;
    checkRoot('shared_memory', raw, sharedMemory);
  }

  const owners = new Map<string, string>();
  for (const agent of agents) {
    const owner = owners.get(agent.memory.path);
    if (owner !== undefined) {
      problems.push(
        `agents.${agent.name}.memory: ${agent.memory.path} is also the memory of agent ${owner}; give each agent its own file and put common lessons in shared_memory`,
      );
    }
    owners.set(agent.memory.path, agent.name);
  }
  if (sharedMemory !== null && owners.has(sharedMemory.path)) {
    problems.push(
      `shared_memory: ${sharedMemory.path} is also the memory of agent ${owners.get(sharedMemory.path) ?? ''}; the shared file must be a file of its own`,
    );
  }
  try {
    new Cron(file.dreaming.schedule, {
      paused: true,
      ...(file.dreaming.timezone ? { timezone: file.dreaming.timezone } : {}),
    }).stop();
  } catch (error) {
    problems.push(
      `dreaming.schedule: "${file.dreaming.schedule}" is not a valid cron expression (${(error as Error).message}); e.g. "0 3 * * *" runs at 03:00 every day`,
    );
  }
  if (file.dreaming.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: file.dreaming.timezone });
    } catch {
      problems.push(
        `dreaming.timezone: "${file.dreaming.timezone}" is not an IANA time zone (e.g. Europe/Paris)`,
      );
    }
  }
  if (problems.length > 0) throw configInvalid(configPath, problems);

  // A flag or variable is relative to where the command runs; `data_dir` in the file is relative to the file.
  const dataDirOverride = options.dataDir ?? env['REVERIE_HOME'];
  const dataDir =
    dataDirOverride !== undefined
      ? resolvePath(dataDirOverride, cwd, homeDir)
      : file.data_dir !== undefined
        ? resolvePath(file.data_dir, baseDir, homeDir)
        : path.join(cwd, defaultDataDirName);

  const scopeIsAllAgents = file.dreaming.scope === 'all-agents';
  const config: Config = {
    cwd,
    configPath,
    configFound,
    dataDir,
    agents,
    sharedMemory,
    dreaming: {
      schedule: file.dreaming.schedule,
      timezone: file.dreaming.timezone ?? null,
      scope: scopeIsAllAgents ? agents.map((agent) => agent.name) : (file.dreaming.scope as string[]),
      scopeIsAllAgents,
      approval: file.dreaming.approval,
      retention: file.dreaming.retention,
      retentionMs: durationToMilliseconds(file.dreaming.retention),
      minSessions: file.dreaming.min_sessions,
      miners: file.dreaming.miners,
    },
    rubrics: file.grading.rubrics.map((rubric) => ({
      name: rubric.name,
      agents: rubric.agents ?? null,
      pass: rubric.pass,
      criteria: rubric.criteria.map((criterion): Criterion => {
        if ('final_message_matches' in criterion)
          return { type: 'final-message-matches', pattern: criterion.final_message_matches };
        if ('tool_used' in criterion) return { type: 'tool-used', tool: criterion.tool_used };
        if ('tool_not_used' in criterion) return { type: 'tool-not-used', tool: criterion.tool_not_used };
        if ('max_tool_errors' in criterion)
          return { type: 'max-tool-errors', max: criterion.max_tool_errors };
        return { type: 'command', command: criterion.command, timeoutMs: (criterion.timeout ?? 120) * 1000 };
      }),
    })),
    userName: env['REVERIE_USER'] ?? env['USER'] ?? env['USERNAME'] ?? safeUserName(),
    approvalPolicy: {
      holdUrls: file.approval_policy.hold_urls,
      holdShellCommands: file.approval_policy.hold_shell_commands,
      maxChangedLines: file.approval_policy.max_changed_lines,
      holdStaleRemovals: file.approval_policy.hold_stale_removals,
    },
    screening: {
      allowedDomains: file.screening.allowed_domains,
      allowedCommands: file.screening.allowed_commands,
    },
    memoryRoots,
  };
  return deepFreeze(config);
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
