/**
 * Test workspaces: a temporary directory with a reverie.yaml, memory files and (optionally) a copy of the real
 * Claude Code fixtures, and a Reverie built over it through the same loader the CLI uses.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.js';
import { createReverie } from '../../src/create-reverie.js';
import type { Reverie, ReverieOptions } from '../../src/create-reverie.js';
import { FixedClock } from '../../src/runtime/fixed-clock.js';
import { SequentialIdGenerator } from '../../src/runtime/sequential-id-generator.js';

/** Tests run at a fixed time just after the corpus was recorded (June to November 2025). */
export const testNow = '2025-12-01T00:00:00.000Z';

export const fixturesRoot = fileURLToPath(new URL('../../fixtures/claude-code/', import.meta.url));

/** The four projects of the bundled corpus. */
export const projects = {
  web: '-Users-dain-workspace-danieldemmel-me-next',
  recorder: '-Users-dain-workspace-JSSoundRecorder',
  log: '-Users-dain-workspace-claude-code-log-sample',
  rabbit: '-Users-dain-workspace-coderabbit-review-helper',
} as const;

export interface Workspace {
  root: string;
  file(relative: string): string;
  write(relative: string, content: string): string;
  /** Copies a project folder of the corpus under logs/. */
  copyProject(project: string): string;
  open(options?: ReverieOptions & { configPath?: string }): Reverie;
  remove(): void;
}

export function createWorkspace(): Workspace {
  const root = mkdtempSync(path.join(tmpdir(), 'reverie-test-'));
  const file = (relative: string): string => path.join(root, relative);
  return {
    root,
    file,
    write(relative, content) {
      const target = file(relative);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
      return target;
    },
    copyProject(project) {
      const target = file(path.join('logs', project));
      cpSync(path.join(fixturesRoot, project), target, { recursive: true });
      return target;
    },
    open(options = {}) {
      const config = loadConfig({ cwd: root, env: {}, homeDir: root, configPath: options.configPath });
      return createReverie(config, {
        clock: new FixedClock(testNow),
        ids: new SequentialIdGenerator(),
        ...options,
      });
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A config with agents web (danieldemmel-me-next + JSSoundRecorder) and tools (the other two projects). */
export function twoAgentConfig(
  options: { approval?: 'manual' | 'automatic'; shared?: boolean } = {},
): string {
  return `agents:
  web:
    sources:
      - { type: claude-code, path: ./logs/${projects.web} }
      - { type: claude-code, path: ./logs/${projects.recorder} }
    memory: ./web/CLAUDE.md
  tools:
    sources:
      - { type: claude-code, path: ./logs/${projects.log} }
      - { type: claude-code, path: ./logs/${projects.rabbit} }
    memory: ./tools/CLAUDE.md
${options.shared === false ? '' : 'shared_memory: ./AGENTS.shared.md\n'}dreaming:
  approval: ${options.approval ?? 'manual'}
  retention: 365d
  min_sessions: 2
`;
}

/** A config with one agent "coder" reading every project of the corpus. */
export function oneAgentConfig(options: { approval?: 'manual' | 'automatic'; memory?: string } = {}): string {
  return `agents:
  coder:
    sources: [{ type: claude-code, path: ./logs }]
    memory: ${options.memory ?? './CLAUDE.md'}
dreaming:
  approval: ${options.approval ?? 'manual'}
  retention: 365d
  min_sessions: 2
`;
}

export function copyAllProjects(workspace: Workspace): void {
  for (const project of Object.values(projects)) workspace.copyProject(project);
}
