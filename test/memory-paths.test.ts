/**
 * Memory targets stay inside the memory roots: a config path that leaves them is an error naming the key, and a
 * symlink planted where a memory file should be cannot redirect a write outside them. Budgets default to what each
 * agent reads.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultBudgetFor, loadConfig } from '../src/config/load-config.js';
import { copyAllProjects, createWorkspace, oneAgentConfig } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
let outside: string;
beforeEach(() => {
  workspace = createWorkspace();
  outside = mkdtempSync(path.join(tmpdir(), 'reverie-outside-'));
});
afterEach(() => {
  workspace.remove();
  rmSync(outside, { recursive: true, force: true });
});

function load(): unknown {
  return loadConfig({ cwd: workspace.root, env: {}, homeDir: workspace.root });
}

describe('memory roots', () => {
  it.each([
    ['a path with ..', '../escape/CLAUDE.md'],
    ['an absolute path elsewhere', '/etc/reverie-test/CLAUDE.md'],
  ])('refuses %s, naming the key and the way out', (_, memory) => {
    workspace.write('reverie.yaml', oneAgentConfig({ memory }));
    expect(load).toThrow(/agents\.coder\.memory: .* outside the memory roots .*memory_roots/s);
  });

  it('accepts a folder listed in memory_roots, and the agents’ own homes', () => {
    workspace.write(
      'reverie.yaml',
      `${oneAgentConfig({ memory: `${outside}/CLAUDE.md` })}memory_roots: [${outside}]\n`,
    );
    expect(load).not.toThrow();
    workspace.write('reverie.yaml', oneAgentConfig({ memory: '~/.claude/CLAUDE.md' }));
    expect(load).not.toThrow();
  });

  it('refuses to write through a symlink that leaves the roots, and leaves its target alone', async () => {
    copyAllProjects(workspace);
    workspace.write('reverie.yaml', oneAgentConfig({ approval: 'automatic' }));
    const victim = path.join(outside, 'bashrc');
    writeFileSync(victim, 'export PATH=/usr/bin\n');
    symlinkSync(victim, workspace.file('CLAUDE.md'));
    const reverie = workspace.open();
    await expect(reverie.dream()).rejects.toMatchObject({
      code: 'MEMORY_PATH_OUTSIDE_ROOTS',
      message: expect.stringMatching(/resolves to .*bashrc, outside the memory roots/) as string,
    });
    expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
    await reverie.close();
  });
});

describe('default budgets', () => {
  it('fit what each agent reads', () => {
    expect(defaultBudgetFor('/p/.claude/projects/x/memory/MEMORY.md')).toEqual({
      maxLines: 200,
      maxBytes: 25_600,
    });
    expect(defaultBudgetFor('/p/AGENTS.md')).toEqual({ maxLines: 1_000, maxBytes: 32_768 });
    expect(defaultBudgetFor('/p/CLAUDE.md')).toEqual({ maxLines: 200, maxBytes: 25_600 });
  });
});
