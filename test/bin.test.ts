/**
 * The installed binary as a user runs it: a real process, real exit codes.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportError } from '../src/cli/main.js';
import { ReverieError } from '../src/domain/errors.js';
import { createWorkspace, oneAgentConfig, projects } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = fileURLToPath(new URL('../bin/reverie.js', import.meta.url));
let workspace: Workspace;

/** Newest modification time of the files under a directory. */
function newest(directory: string): number {
  return Math.max(
    ...readdirSync(directory, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(path.join(entry.parentPath, entry.name)).mtimeMs),
  );
}

beforeAll(() => {
  // `npm test` builds first; a bare `vitest run` after editing src/ must not test a stale build.
  const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  if (!existsSync(built) || statSync(built).mtimeMs < newest(path.join(root, 'src'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
  }
  workspace = createWorkspace();
});
afterAll(() => {
  workspace.remove();
});

function run(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: workspace.root,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: workspace.root },
  });
}

describe('bin/reverie.js', () => {
  it('exits 0 on success', () => {
    const result = run(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('0.1.0');
  });

  it('exits 1 with a one-line message on a user error', () => {
    const result = run(['show', 'p-missing']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'reverie: No proposal p-missing. `reverie proposals` lists the pending ones.\n',
    );
  });

  it('exits 1 when the data directory cannot be used, and leaves a foreign file untouched', () => {
    const result = run(['--data-dir', '/dev/null/nope', 'sessions']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^reverie: Cannot open the Reverie database/);
  });
});

describe('reverie daemon', () => {
  it('dreams on its schedule, logs each run, and stops cleanly on SIGTERM', async () => {
    workspace.copyProject(projects.web);
    workspace.write('CLAUDE.md', '# Notes\n');
    workspace.write(
      'reverie.yaml',
      oneAgentConfig()
        .replace('retention: 365d', 'retention: 5000d')
        .replace('dreaming:', 'dreaming:\n  schedule: "* * * * * *"'),
    );
    const child = spawn(process.execPath, [bin, 'daemon'], {
      cwd: workspace.root,
      env: { PATH: process.env['PATH'] ?? '', HOME: workspace.root },
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (output += text));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (text: string) => {
        output += text;
        if (/dream run-[0-9a-f]{8} succeeded/.test(output)) resolve();
      });
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output).toContain('Reverie daemon: schedule "* * * * * *", agents coder, approval manual');
    expect(output).toMatch(/dream run-[0-9a-f]{8} succeeded: \d+ sessions, \d+ findings, \d+ proposals/);
    expect(output).toContain('daemon stopped');
  });
});

describe('reportError', () => {
  it('maps a Reverie error to 1 and anything else to 2 with the stack', () => {
    let stderr = '';
    const io = {
      cwd: '/',
      env: {},
      stdout: () => undefined,
      stderr: (text: string) => (stderr += text),
      isTty: false,
    };
    expect(reportError(new ReverieError({ code: 'RUN_NOT_FOUND', message: 'No run.' }), io)).toBe(1);
    expect(stderr).toBe('reverie: No run.\n');
    expect(reportError(new TypeError('boom'), io)).toBe(2);
    expect(stderr).toContain('reverie: internal error (please report it): TypeError: boom\n    at ');
  });
});
