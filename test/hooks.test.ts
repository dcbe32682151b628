/**
 * The Claude Code SessionEnd hook: installing it merges into the user's settings without clobbering anything, the
 * hook script (a real process) only queues the transcript, and the next ingest or dream drains the queue.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';
import { createWorkspace, oneAgentConfig, projects } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

const hookScript = fileURLToPath(new URL('../bin/reverie-hook.js', import.meta.url));
let workspace: Workspace;
beforeEach(() => {
  workspace = createWorkspace();
});
afterEach(() => {
  workspace.remove();
});

const existing = {
  model: 'opus',
  permissions: { allow: ['Bash(npm test)'] },
  hooks: {
    SessionEnd: [{ matcher: '', hooks: [{ type: 'command', command: 'echo bye >> ~/ended.log' }] }],
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'guard.sh' }] }],
  },
};

describe('reverie hooks install claude-code', () => {
  it('merges the hook into existing settings, keeps a backup, and is idempotent', async () => {
    const settings = workspace.write('.claude/settings.json', `${JSON.stringify(existing, null, 2)}\n`);
    const original = readFileSync(settings, 'utf8');
    const first = await cli(workspace.root, ['hooks', 'install', 'claude-code']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Added Reverie's SessionEnd hook to ${settings}`);
    const merged = JSON.parse(readFileSync(settings, 'utf8')) as typeof existing;
    expect(merged.model).toBe('opus');
    expect(merged.permissions).toEqual(existing.permissions);
    expect(merged.hooks.PreToolUse).toEqual(existing.hooks.PreToolUse);
    expect(merged.hooks.SessionEnd[0]).toEqual(existing.hooks.SessionEnd[0]);
    const command = merged.hooks.SessionEnd[1]?.hooks[0]?.command ?? '';
    expect(command).toContain('reverie-hook.js claude-code --data-dir');
    expect(command).toContain(workspace.file('.reverie'));
    expect(readFileSync(`${settings}.reverie-backup`, 'utf8')).toBe(original);

    const again = await cli(workspace.root, ['hooks', 'install', 'claude-code']);
    expect(again.stdout).toContain("already has Reverie's SessionEnd hook; nothing changed");
    const status = await cli(workspace.root, ['hooks', 'status']);
    expect(status.stdout).toMatch(/^user\s+installed/m);

    const removed = await cli(workspace.root, ['hooks', 'uninstall', 'claude-code']);
    expect(removed.stdout).toContain("Removed Reverie's hooks");
    expect(JSON.parse(readFileSync(settings, 'utf8'))).toEqual(existing);
  });

  it('creates the settings file when there is none, and refuses to touch one that is not JSON', async () => {
    const created = await cli(workspace.root, ['hooks', 'install', 'claude-code', '--scope', 'project']);
    expect(created.code).toBe(0);
    const project = JSON.parse(readFileSync(workspace.file('.claude/settings.json'), 'utf8')) as unknown;
    expect(project).toMatchObject({ hooks: { SessionEnd: [{ hooks: [{ type: 'command' }] }] } });

    const broken = workspace.write('broken.json', '{ "hooks": [ oops');
    const result = await cli(workspace.root, ['hooks', 'install', 'claude-code', '--settings', broken]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a JSON object');
    expect(readFileSync(broken, 'utf8')).toBe('{ "hooks": [ oops');
  });
});

describe('the hook and the queue', () => {
  it('queues the transcript of a finished session, and the next ingest reads it and empties the queue', async () => {
    const transcript = path.join(
      workspace.copyProject(projects.web),
      'b25638d7-b104-4f06-a797-70ac33d069ed.jsonl',
    );
    const dataDir = workspace.file('.reverie');
    for (let index = 0; index < 2; index++) {
      // The same session ending twice (resume, then exit) is read once.
      const hook = spawnSync(process.execPath, [hookScript, 'claude-code', '--data-dir', dataDir], {
        input: JSON.stringify({
          session_id: 'b25638d7',
          transcript_path: transcript,
          hook_event_name: 'SessionEnd',
          reason: 'other',
        }),
        encoding: 'utf8',
      });
      expect(hook.status).toBe(0);
      expect(hook.stderr).toBe('');
    }
    const queued = readFileSync(path.join(dataDir, 'queue', 'claude-code.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(queued).toHaveLength(2);
    expect(JSON.parse(queued[0]!)).toMatchObject({
      path: transcript,
      format: 'claude-code',
      session_id: 'b25638d7',
    });

    // No config and no path: `reverie ingest` reads what the hooks queued.
    const ingest = await cli(workspace.root, ['ingest', '--json']);
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ sessionsAdded: 1 });
    expect(readdirSync(path.join(dataDir, 'queue'))).toEqual([]);
    const sessions = JSON.parse((await cli(workspace.root, ['sessions', '--json'])).stdout) as {
      id: string;
      agent: string;
    }[];
    expect(sessions).toMatchObject([{ id: 'b25638d7-b104-4f06-a797-70ac33d069ed', agent: 'claude-code' }]);
  });

  it('is drained by a dream too, and a queued file that is gone is a warning', async () => {
    workspace.write('reverie.yaml', oneAgentConfig());
    workspace.write('CLAUDE.md', '# Notes\n');
    const dataDir = workspace.file('.reverie');
    workspace.write(
      '.reverie/queue/claude-code.jsonl',
      `${JSON.stringify({ path: workspace.file('gone.jsonl'), format: 'claude-code' })}\nnot json\n`,
    );
    const run = await cli(workspace.root, ['dream', '--json']);
    expect(run.code).toBe(0);
    const warnings = (
      JSON.parse(run.stdout) as { report: { warnings: { warning?: { type: string; path: string } }[] } }
    ).report.warnings;
    expect(
      warnings.flatMap((warning) => (warning.warning === undefined ? [] : [warning.warning.type])),
    ).toEqual(['invalid-record', 'unreadable-file']);
    expect(readdirSync(path.join(dataDir, 'queue'))).toEqual([]);
  });

  it('ignores input without a transcript and never fails the session', () => {
    const hook = spawnSync(
      process.execPath,
      [hookScript, 'claude-code', '--data-dir', workspace.file('.reverie')],
      {
        input: '{"hook_event_name":"SessionEnd"}',
        encoding: 'utf8',
      },
    );
    expect(hook.status).toBe(0);
    expect(hook.stderr).toContain('no transcript_path');
    writeFileSync(workspace.file('x'), '');
    expect(existsSync(workspace.file('.reverie/queue/claude-code.jsonl'))).toBe(false);
  });
});
