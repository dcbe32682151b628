/**
 * `reverie demo` (what `npm run demo` runs): the whole path on the bundled real sessions.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';
import { createWorkspace } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
beforeEach(() => {
  workspace = createWorkspace();
});
afterEach(() => {
  workspace.remove();
});

describe('reverie demo', () => {
  it('shows sessions read, findings, proposals with evidence, the diff, approval, history and an exact rollback', async () => {
    const result = await cli(workspace.root, ['demo', '--workspace', workspace.file('demo')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Read logs: 66 files (66 read, 0 unchanged), +65 sessions');
    expect(out).toContain('Findings (3):');
    expect(out).toContain('"File has not been read yet. Read it first before writing to it."');
    expect(out).toMatch(/Evidence \(\d+ quotes from 4 sessions, each checked against the stored session\)/);
    expect(out).toContain(
      '+- Before `Edit` or `Write` on an existing file, `Read` it first in the same session',
    );
    expect(out).toMatch(/Applied p-[0-9a-f]{8}: AGENTS\.shared\.md is now v2\./);
    expect(out).toContain('1 hand edit recorded as a version');
    expect(out).toContain('the file is byte for byte the original again');
    expect(readFileSync(workspace.file('demo/web/CLAUDE.md'), 'utf8')).toBe(
      '# Project notes\n\n- Use pnpm, not npm, to install packages.\n- Run the tests before every commit.\n',
    );
  });
});
