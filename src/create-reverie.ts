/**
 * The composition root: the only module that names concrete adapters. It turns a validated `Config` into a
 * `Reverie`, the object every surface (CLI today; HTTP and MCP later) calls.
 */
import path from 'node:path';
import { approveProposals } from './app/approve-proposals.js';
import type { ApproveOutcome } from './app/approve-proposals.js';
import type { AppContext } from './app/app-context.js';
import { drainIngestQueue } from './app/drain-ingest-queue.js';
import { combineIngestResults, ingestSessions } from './app/ingest-sessions.js';
import type { IngestProgress, IngestResult } from './app/ingest-sessions.js';
import { measureMemoryImpact } from './app/measure-memory-impact.js';
import type { MemoryImpact } from './app/measure-memory-impact.js';
import { recordOutcome, resolveSession } from './app/record-outcome.js';
import { rejectProposal } from './app/reject-proposal.js';
import { withEffectiveOutcomes } from './app/effective-outcomes.js';
import { resolveProposal } from './app/resolve-proposal.js';
import { rollbackMemoryFile } from './app/rollback-memory-file.js';
import type { RollbackResult } from './app/rollback-memory-file.js';
import { defaultAllowedCommands } from './guard/screen-text.js';
import { OsProcessIdentity } from './runtime/os-process-identity.js';
import type { ProcessIdentity } from './ports/process-identity.js';
import { runDream } from './app/run-dream.js';
import type { Config } from './config/load-config.js';
import type { AgentDefinition, MemoryTarget } from './domain/agent.js';
import type { ApprovalMode, DreamRun, DreamTrigger } from './domain/dream-run.js';
import { ReverieError } from './domain/errors.js';
import type { MemoryFile, MemoryVersion } from './domain/memory-version.js';
import type { OutcomeRecord } from './domain/outcome.js';
import type { Proposal, ProposalStatus } from './domain/proposal.js';
import type { Session, SessionFormat } from './domain/session.js';
import { renderUnifiedDiff } from './memory/render-unified-diff.js';
import { createAiderSessionSource } from './ingest/aider/aider-session-source.js';
import { createAtifSessionSource } from './ingest/atif/atif-session-source.js';
import { createClaudeCodeSessionSource } from './ingest/claude-code/claude-code-session-source.js';
import { createCodexSessionSource } from './ingest/codex/codex-session-source.js';
import { createLangfuseSessionSource } from './ingest/langfuse/langfuse-session-source.js';
import { createOpenAiAgentsSessionSource } from './ingest/openai-agents/openai-agents-session-source.js';
import { createOpenHandsSessionSource } from './ingest/openhands/openhands-session-source.js';
import { createOtelGenAiSessionSource } from './ingest/otel-genai/otel-genai-session-source.js';
import { createSweAgentSessionSource } from './ingest/swe-agent/swe-agent-session-source.js';
import { createTauBenchSessionSource } from './ingest/tau-bench/tau-bench-session-source.js';
import { FileSystemLogFiles } from './ingest/file-system-log-files.js';
import { createFileIngestQueue } from './ingest/hook-queue/file-ingest-queue.js';
import { createReverieJsonlSessionSource } from './ingest/reverie-jsonl/reverie-jsonl-session-source.js';
import { createFileSystemMemoryFileStore } from './memory-files/file-system-memory-file-store.js';
import type { Clock, IdGenerator } from './ports/clock.js';
import type { CommandRunner } from './ports/command-runner.js';
import type { IngestQueue } from './ports/ingest-queue.js';
import type { LogFiles } from './ports/log-files.js';
import type { MemoryFileStore } from './ports/memory-file-store.js';
import type { SessionSource } from './ports/session-source.js';
import type { Store } from './ports/store.js';
import { RandomIdGenerator } from './runtime/random-id-generator.js';
import { ShellCommandRunner } from './runtime/shell-command-runner.js';
import { SystemClock } from './runtime/system-clock.js';
import { createCronSchedule } from './scheduler/cron-scheduler.js';
import type { CronSchedule } from './scheduler/cron-scheduler.js';
import { createSqliteStore } from './storage/sqlite/sqlite-store.js';

/** Adapters to use instead of the defaults (tests, embedding). */
export interface ReverieOptions {
  store?: Store;
  /** The hook queue; null for none. Default: `<data dir>/queue/`. */
  queue?: IngestQueue | null;
  /** Runs rubric graders' commands. Default: the system shell. */
  commands?: CommandRunner;
  memoryFiles?: MemoryFileStore;
  logFiles?: LogFiles;
  clock?: Clock;
  ids?: IdGenerator;
  /** Tells locks of crashed processes from live ones. Default: this machine's processes. */
  processes?: ProcessIdentity;
}

export interface IngestRequest {
  paths: readonly string[];
  agent?: string | undefined;
  format?: SessionFormat | 'auto' | undefined;
  onProgress?: (progress: IngestProgress) => void;
}

export interface DreamRequest {
  /** Limit the dream to these agents (default: `dreaming.scope`). */
  agents?: readonly string[];
  approval?: ApprovalMode;
  dryRun?: boolean;
  trigger?: DreamTrigger;
}

export interface MemoryHistory {
  file: MemoryFile;
  versions: MemoryVersion[];
}

export interface DaemonHandlers {
  onRunStart?: () => void;
  onRunEnd?: (run: DreamRun) => void;
  onError?: (error: unknown) => void;
}

/** Everything Reverie does, over one configuration and one data directory. */
export interface Reverie {
  readonly config: Config;
  /** Reads log files (or directories) into the store. */
  /**
   * Reads log files (or directories) into the store, after the logs agent hooks queued. With no paths, reads every
   * configured agent's sources.
   */
  ingest(options: IngestRequest): Promise<IngestResult>;
  /**
   * Ingests, then again every `intervalMs` until `signal` aborts: a grown file is read from where the last pass
   * stopped, a new file from its start. Resumes from the stored cursors after a restart.
   */
  watch(
    options: IngestRequest & {
      intervalMs: number;
      signal: AbortSignal;
      onPass: (result: IngestResult) => void;
    },
  ): Promise<void>;
  /** Sessions, each with its effective outcome (a person's verdict, else a grader's, else the log's). */
  listSessions(options?: { agent?: string | undefined; limit?: number | undefined }): Promise<Session[]>;
  /** Records a person's verdict on a session (`reverie outcome`). */
  recordOutcome(options: {
    sessionId: string;
    passed: boolean | null;
    score: number | null;
    note: string | null;
    name?: string;
  }): Promise<OutcomeRecord>;
  /** Every outcome recorded for a session, oldest first. */
  listOutcomes(sessionId: string): Promise<{ session: Session; outcomes: OutcomeRecord[] }>;
  /** Runs one dream now. */
  dream(request?: DreamRequest): Promise<DreamRun>;
  /** Proposals, optionally of one status; `approved` lists those a person approved (applied by a reviewer). */
  listProposals(options?: { status?: ProposalStatus | undefined }): Promise<Proposal[]>;
  getProposal(idOrPrefix: string): Promise<Proposal>;
  approve(ids: readonly string[]): Promise<ApproveOutcome[]>;
  reject(id: string, reason: string | null): Promise<Proposal>;
  /** Versions of one memory file, or of every managed file when `memoryPath` is omitted. */
  history(memoryPath?: string): Promise<MemoryHistory[]>;
  rollback(memoryPath: string, toVersion: number): Promise<RollbackResult>;
  /**
   * For each applied version of a memory file (or of every managed file): the errors it targeted and the outcomes
   * before versus after it, with a verdict.
   */
  /** `options.minSessions`: sessions needed on each side of a version for a verdict (default 3). */
  impact(memoryPath?: string, options?: { minSessions?: number }): Promise<MemoryImpact[]>;
  /** The unified diff a version made against its parent ('' when it changed nothing). */
  diffVersion(memoryPath: string, version: number): Promise<string>;
  /** A dream run with its report: the given one, or the latest. */
  report(runId?: string): Promise<DreamRun>;
  listRuns(limit: number): Promise<DreamRun[]>;
  /** Runs dreams on `dreaming.schedule` until stopped. */
  startDaemon(handlers?: DaemonHandlers): CronSchedule;
  close(): Promise<void>;
}

/** One reader per supported format, in `sessionFormats` order: auto-detection tries them in this order. */
export function createSessionSources(): SessionSource[] {
  return [
    createClaudeCodeSessionSource(),
    createCodexSessionSource(),
    createOtelGenAiSessionSource(),
    createOpenAiAgentsSessionSource(),
    createLangfuseSessionSource(),
    createTauBenchSessionSource(),
    createSweAgentSessionSource(),
    createOpenHandsSessionSource(),
    createAtifSessionSource(),
    createAiderSessionSource(),
    createReverieJsonlSessionSource(),
  ];
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Builds a Reverie over a validated configuration.
 * @example
 * const reverie = createReverie(loadConfig({ cwd: process.cwd() }));
 * const run = await reverie.dream();
 */
export function createReverie(config: Config, options: ReverieOptions = {}): Reverie {
  let store: Store | undefined = options.store;
  const context = (): AppContext => {
    store ??= createSqliteStore({ path: path.join(config.dataDir, 'reverie.db') });
    return {
      store,
      memoryFiles: options.memoryFiles ?? createFileSystemMemoryFileStore({ roots: config.memoryRoots }),
      logFiles: options.logFiles ?? new FileSystemLogFiles(),
      sources: createSessionSources(),
      clock: options.clock ?? new SystemClock(),
      ids: options.ids ?? new RandomIdGenerator(),
      queue: options.queue === undefined ? createFileIngestQueue(config.dataDir) : options.queue,
      commands: options.commands ?? new ShellCommandRunner(),
      processes: options.processes ?? new OsProcessIdentity(),
    };
  };
  let appContext: AppContext | undefined;
  const app = (): AppContext => (appContext ??= context());

  const targets = new Map<string, MemoryTarget>();
  for (const agent of config.agents) targets.set(agent.memory.path, agent.memory);
  if (config.sharedMemory !== null) targets.set(config.sharedMemory.path, config.sharedMemory);

  const agentByName = (name: string): AgentDefinition => {
    const agent = config.agents.find((candidate) => candidate.name === name);
    if (agent === undefined) {
      throw new ReverieError({
        code: 'AGENT_UNKNOWN',
        message: config.configFound
          ? `No agent "${name}" in ${config.configPath} (agents: ${config.agents.map((candidate) => candidate.name).join(', ') || 'none'}).`
          : `No agent "${name}": there is no ${config.configPath}. Create one with \`reverie init\`.`,
        data: { agent: name },
      });
    }
    return agent;
  };

  const resolveMemoryPath = (memoryPath: string): string => path.resolve(config.cwd, memoryPath);

  /** The configured agent whose source holds a file. */
  const resolveAgent = (file: string): string | null =>
    config.agents.find((agent) => agent.sources.some((source) => isInside(file, source.path)))?.name ?? null;

  const ingest = async (request: IngestRequest): Promise<IngestResult> => {
    const results: IngestResult[] = [];
    const queued = await drainIngestQueue(app(), { resolveAgent });
    if (queued !== null) results.push(queued);
    const inputs =
      request.paths.length > 0
        ? request.paths.map((input) => ({
            path: path.resolve(config.cwd, input),
            format: request.format ?? 'auto',
            agent: request.agent ?? null,
          }))
        : config.agents.flatMap((agent) =>
            agent.sources.map((source) => ({ path: source.path, format: source.format, agent: agent.name })),
          );
    if (inputs.length === 0 && queued === null) {
      throw new ReverieError({
        code: 'USAGE_INVALID',
        message:
          config.agents.length === 0
            ? 'Name the log files or directories to read (`reverie ingest <path...>`), or configure agents with sources in reverie.yaml.'
            : 'No agent in reverie.yaml has sources, and no path was given: name what to read (`reverie ingest <path...>`).',
        data: {},
      });
    }
    if (inputs.length > 0) {
      results.push(
        await ingestSessions(app(), {
          inputs,
          resolveAgent,
          // A configured source that does not exist (yet) is a warning; a path the user typed must exist.
          missingPaths: request.paths.length > 0 ? 'throw' : 'warn',
          ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
        }),
      );
    }
    return combineIngestResults(results);
  };

  /** A dream (or a daemon) needs a config file that defines agents. */
  const requireAgents = (): void => {
    if (!config.configFound) {
      throw new ReverieError({
        code: 'CONFIG_NOT_FOUND',
        message: `A dream needs agents and their memory files: there is no ${config.configPath}. Create it with \`reverie init\`.`,
        data: { configPath: config.configPath },
      });
    }
    if (config.agents.length === 0) {
      throw new ReverieError({
        code: 'CONFIG_INVALID',
        message: `${config.configPath} defines no agents, so there is nothing to dream about. Add one under \`agents:\`.`,
        data: { configPath: config.configPath },
      });
    }
  };

  return {
    config,

    ingest: (request) => ingest(request),

    async watch(request) {
      while (!request.signal.aborted) {
        request.onPass(await ingest(request));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, request.intervalMs);
          request.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      }
    },

    listSessions: async (request = {}) => {
      const { store: currentStore } = app();
      const sessions = await currentStore.listSessions({
        ...(request.agent === undefined ? {} : { agents: [request.agent] }),
        ...(request.limit === undefined ? {} : { limit: request.limit }),
      });
      return withEffectiveOutcomes(currentStore, sessions);
    },

    recordOutcome: (request) =>
      recordOutcome(app(), {
        sessionId: request.sessionId,
        passed: request.passed,
        score: request.score,
        note: request.note,
        name: request.name ?? 'manual',
        userName: config.userName,
      }),

    listOutcomes: async (sessionId) => {
      const { store: currentStore } = app();
      const session = await resolveSession(currentStore, sessionId);
      return { session, outcomes: await currentStore.listOutcomes({ sessionIds: [session.id] }) };
    },

    dream: async (request = {}) => {
      requireAgents();
      const names = request.agents ?? config.dreaming.scope;
      return runDream(app(), {
        agents: names.map(agentByName),
        sharedMemory: config.sharedMemory,
        approval: request.approval ?? config.dreaming.approval,
        retentionMs: config.dreaming.retentionMs,
        minSessions: config.dreaming.minSessions,
        miners: config.dreaming.miners,
        approvalPolicy: config.approvalPolicy,
        screening: {
          allowedDomains: config.screening.allowedDomains,
          allowedCommands: [...defaultAllowedCommands, ...config.screening.allowedCommands],
        },
        trigger: request.trigger ?? 'manual',
        dryRun: request.dryRun ?? false,
        ingest: true,
        resolveAgent,
        rubrics: config.rubrics,
      });
    },

    listProposals: async (request = {}) => {
      if (request.status !== 'approved') {
        return app().store.listProposals(request.status === undefined ? {} : { status: request.status });
      }
      // Approving applies at once, so a proposal a person approved is `applied` with that person as decider.
      const all = await app().store.listProposals();
      return all.filter(
        (proposal) =>
          proposal.status === 'approved' ||
          (proposal.status === 'applied' && proposal.decidedBy !== 'reverie'),
      );
    },

    getProposal: (idOrPrefix) => resolveProposal(app().store, idOrPrefix),

    approve: (ids) =>
      approveProposals(app(), {
        ids,
        targetFor: (memoryPath) => targets.get(memoryPath) ?? null,
        userName: config.userName,
      }),

    reject: (id, reason) => rejectProposal(app(), { id, reason, userName: config.userName }),

    history: async (memoryPath) => {
      const { store: currentStore } = app();
      const files =
        memoryPath === undefined
          ? await currentStore.listMemoryFiles()
          : [await currentStore.getMemoryFile(resolveMemoryPath(memoryPath))].filter(
              (file): file is MemoryFile => file !== null,
            );
      if (memoryPath !== undefined && files.length === 0) {
        throw new ReverieError({
          code: 'MEMORY_FILE_UNKNOWN',
          message: `Reverie has no history for ${resolveMemoryPath(memoryPath)} yet: a file gets its first version when a dream or an approval first reads it.`,
          data: { path: resolveMemoryPath(memoryPath) },
        });
      }
      return Promise.all(
        files.map(async (file) => ({ file, versions: await currentStore.listMemoryVersions(file.path) })),
      );
    },

    rollback: (memoryPath, toVersion) =>
      rollbackMemoryFile(app(), {
        path: resolveMemoryPath(memoryPath),
        toVersion,
        userName: config.userName,
      }),

    impact: async (memoryPath, impactOptions = {}) => {
      const minSessions = impactOptions.minSessions ?? 3;
      if (!Number.isInteger(minSessions) || minSessions < 1) {
        throw new ReverieError({
          code: 'USAGE_INVALID',
          message: `The minimum number of sessions on each side must be a whole number of at least 1 (got ${String(minSessions)}).`,
          data: {},
        });
      }
      const { store: currentStore } = app();
      const files =
        memoryPath === undefined
          ? await currentStore.listMemoryFiles()
          : [await currentStore.getMemoryFile(resolveMemoryPath(memoryPath))].filter(
              (file): file is MemoryFile => file !== null,
            );
      if (memoryPath !== undefined && files.length === 0) {
        throw new ReverieError({
          code: 'MEMORY_FILE_UNKNOWN',
          message: `Reverie has no history for ${resolveMemoryPath(memoryPath)}, so there is nothing to measure yet.`,
          data: { path: resolveMemoryPath(memoryPath) },
        });
      }
      return measureMemoryImpact(app(), {
        files: files.map((file) => ({
          path: file.path,
          // The shared file serves every agent.
          agents: file.agent === null ? config.agents.map((agent) => agent.name) : [file.agent],
        })),
        minSessions,
      });
    },

    diffVersion: async (memoryPath, version) => {
      const { store: currentStore } = app();
      const resolved = resolveMemoryPath(memoryPath);
      const found = await currentStore.getMemoryVersion(resolved, version);
      if (found === null) {
        throw new ReverieError({
          code: 'MEMORY_VERSION_NOT_FOUND',
          message: `${resolved} has no version ${version}. \`reverie history ${memoryPath}\` lists its versions.`,
          data: { path: resolved, version },
        });
      }
      const parent =
        found.parentVersion === null
          ? null
          : await currentStore.getMemoryVersion(resolved, found.parentVersion);
      return renderUnifiedDiff({ path: resolved, before: parent?.content ?? '', after: found.content });
    },

    report: async (runId) => {
      const { store: currentStore } = app();
      const run =
        runId === undefined
          ? ((await currentStore.listDreamRuns(1))[0] ?? null)
          : await currentStore.getDreamRun(runId);
      if (run === null) {
        throw new ReverieError({
          code: 'RUN_NOT_FOUND',
          message:
            runId === undefined
              ? 'No dream has run yet. Run one with `reverie dream`.'
              : `No dream run ${runId}. \`reverie report --list\` shows recent runs.`,
          data: { runId },
        });
      }
      return run;
    },

    listRuns: (limit) => app().store.listDreamRuns(limit),

    startDaemon(handlers = {}) {
      requireAgents();
      return createCronSchedule({
        schedule: config.dreaming.schedule,
        timezone: config.dreaming.timezone,
        task: async () => {
          handlers.onRunStart?.();
          const run = await this.dream({ trigger: 'schedule' });
          handlers.onRunEnd?.(run);
        },
        onError: (error) => handlers.onError?.(error),
      });
    },

    close: async () => {
      if (store !== undefined) await store.close();
    },
  };
}
