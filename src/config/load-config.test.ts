import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReverieError } from '../domain/errors.js';
import { loadConfig } from './load-config.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'reverie-config-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function write(text: string): void {
  writeFileSync(path.join(directory, 'reverie.yaml'), text);
}

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isReverieError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected an error');
}

const issueExample = `
agents:
  coder:
    sources: [{ type: claude-code, path: ~/.claude/projects/-home-me-app }]
    memory: ./CLAUDE.md
shared_memory: ./AGENTS.shared.md   # optional: lessons seen in several agents
dreaming:
  schedule: "0 3 * * *"   # cron
  scope: all-agents       # or a list of agent names
  approval: manual        # automatic | manual
  retention: 90d          # how far back to analyse
  min_sessions: 2
`;

describe('loadConfig', () => {
  it('accepts the documented shape and resolves paths against the file and home', () => {
    write(issueExample);
    const config = loadConfig({ cwd: directory, env: {}, homeDir: '/home/me' });
    expect(config.configFound).toBe(true);
    expect(config.agents).toEqual([
      {
        name: 'coder',
        sources: [{ format: 'claude-code', path: '/home/me/.claude/projects/-home-me-app' }],
        memory: { path: path.join(directory, 'CLAUDE.md'), budget: { maxLines: 200, maxBytes: 25_600 } },
      },
    ]);
    expect(config.sharedMemory?.path).toBe(path.join(directory, 'AGENTS.shared.md'));
    expect(config.dreaming).toMatchObject({
      scope: ['coder'],
      approval: 'manual',
      retentionMs: 90 * 86_400_000,
      minSessions: 2,
    });
    expect(config.dataDir).toBe(path.join(directory, '.reverie'));
    expect(Object.isFrozen(config.agents)).toBe(true);
  });

  it('works without a config file, with defaults', () => {
    const config = loadConfig({ cwd: directory, env: {} });
    expect(config.configFound).toBe(false);
    expect(config.agents).toEqual([]);
  });

  it('takes the data directory from the flag, then REVERIE_HOME, then the file', () => {
    write('data_dir: ./state\n');
    expect(loadConfig({ cwd: directory, env: {} }).dataDir).toBe(path.join(directory, 'state'));
    expect(loadConfig({ cwd: directory, env: { REVERIE_HOME: '/var/reverie' } }).dataDir).toBe(
      '/var/reverie',
    );
    expect(
      loadConfig({ cwd: directory, env: { REVERIE_HOME: '/var/reverie' }, dataDir: 'flag' }).dataDir,
    ).toBe(path.join(directory, 'flag'));
  });

  it('reports every problem with the key it concerns', () => {
    write(`
agents:
  coder:
    memroy: ./CLAUDE.md
  "bad name!":
    memory: ./B.md
dreaming:
  approval: sometimes
  retention: 3 months
  scope: [ghost]
  min_sessions: 0
`);
    const message = problemsOf(() => loadConfig({ cwd: directory, env: {} }));
    expect(message).toContain('CONFIG_INVALID');
    expect(message).toContain('agents.coder: Unrecognized key: "memroy"');
    expect(message).toContain('agents.coder.memory');
    expect(message).toContain('dreaming.approval: must be manual or automatic');
    expect(message).toContain('dreaming.retention: must be a number and a unit');
    expect(message).toContain('dreaming.min_sessions');
  });

  it('checks cross-field rules: scope names, shared files, cron and time zone', () => {
    write(`
agents:
  a: { memory: ./SAME.md }
  b: { memory: ./SAME.md }
shared_memory: ./SAME.md
dreaming:
  schedule: "every night"
  timezone: Mars/Olympus
`);
    const message = problemsOf(() => loadConfig({ cwd: directory, env: {} }));
    expect(message).toContain('agents.b.memory');
    expect(message).toContain('also the memory of agent a');
    expect(message).toContain('shared_memory:');
    expect(message).toContain('dreaming.schedule: "every night" is not a valid cron expression');
    expect(message).toContain('dreaming.timezone: "Mars/Olympus"');

    write('agents:\n  a: { memory: ./A.md }\ndreaming:\n  scope: [ghost]\n');
    expect(problemsOf(() => loadConfig({ cwd: directory, env: {} }))).toContain(
      'dreaming.scope[0]: names agent "ghost", which is not under agents (known: a)',
    );
  });

  it('reports YAML syntax errors and a missing explicit config file', () => {
    write('agents: [unclosed\n');
    expect(problemsOf(() => loadConfig({ cwd: directory, env: {} }))).toContain('YAML syntax');
    expect(problemsOf(() => loadConfig({ cwd: directory, env: {}, configPath: 'nope.yaml' }))).toContain(
      'CONFIG_NOT_FOUND',
    );
  });
});
