/**
 * The CLI end to end, in-process, on real logs: every command of the contract, `--json`, and exit codes
 * (0 success, 1 user error with a one-line message).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';
import { copyAllProjects, createWorkspace, oneAgentConfig, projects } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
beforeEach(() => {
  workspace = createWorkspace();
});
afterEach(() => {
  workspace.remove();
});

const commands = [
  'init',
  'ingest',
  'sessions',
  'outcome',
  'dream',
  'proposals',
  'show',
  'approve',
  'reject',
  'history',
  'rollback',
  'report',
  'impact',
  'hooks',
  'daemon',
  'demo',
];

describe('reverie --help', () => {
  it('lists every command, and each command has its own help', async () => {
    const help = await cli(workspace.root, ['--help']);
    expect(help.code).toBe(0);
    for (const command of commands) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const command of commands) {
      const result = await cli(workspace.root, [command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toContain(`Usage: reverie ${command}`);
    }
    expect((await cli(workspace.root, ['--version'])).stdout.trim()).toBe('0.1.0');
  });

  it('exits 1 with a message for an unknown command or a bad option', async () => {
    const unknown = await cli(workspace.root, ['dreams']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown command 'dreams'");
    const badFormat = await cli(workspace.root, ['ingest', '.', '--format', 'yaml']);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toContain('Allowed choices are auto, claude-code,');
    workspace.write('reverie.yaml', oneAgentConfig());
    const badMinimum = await cli(workspace.root, ['impact', '--min-sessions', 'two']);
    expect(badMinimum.code).toBe(1);
    expect(badMinimum.stderr).toContain('must be a whole number of at least 1 (got NaN)');
  });
});

describe('the whole path through the CLI', () => {
  it('init, ingest, sessions, dream, proposals, show, approve, history, rollback, report', async () => {
    copyAllProjects(workspace);
    const init = await cli(workspace.root, ['init', '--agent', 'coder']);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('Wrote');
    expect(readFileSync(workspace.file('reverie.yaml'), 'utf8')).toContain('approval: manual');
    // Point the agent at the copied logs and widen the window to the corpus' dates.
    writeFileSync(
      workspace.file('reverie.yaml'),
      oneAgentConfig().replace('retention: 365d', 'retention: 5000d'),
    );
    workspace.write('CLAUDE.md', '# Notes\n');

    const ingest = await cli(workspace.root, ['ingest', 'logs']);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toContain('Added 65 sessions');
    const again = await cli(workspace.root, ['ingest', 'logs', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ sessionsAdded: 0, eventsAdded: 0, filesUnchanged: 66 });

    const sessions = await cli(workspace.root, ['sessions', '--limit', '3']);
    expect(sessions.stdout).toContain('3 sessions (of 65)');
    expect(sessions.stdout.split('\n')[0]).toMatch(
      /^SESSION\s+AGENT\s+FORMAT\s+STARTED\s+EVENTS\s+OUTCOME\s+TITLE/,
    );

    const dry = await cli(workspace.root, ['dream', '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, status: 'succeeded' });
    expect(JSON.parse((await cli(workspace.root, ['proposals', '--json'])).stdout)).toEqual([]);

    const dream = await cli(workspace.root, ['dream']);
    expect(dream.code).toBe(0);
    expect(dream.stdout).toContain('Findings (3):');
    expect(dream.stdout).toContain('Proposals (3):');
    const ids = [...dream.stdout.matchAll(/^ {2}- (p-[0-9a-f]{8}) \[pending\]/gm)].map((match) => match[1]!);
    expect(ids).toHaveLength(3);

    const list = await cli(workspace.root, ['proposals']);
    for (const id of ids) expect(list.stdout).toContain(id);

    const show = await cli(workspace.root, ['show', ids[0]!]);
    expect(show.stdout).toContain('Evidence (');
    expect(show.stdout).toContain('"File has not been read yet. Read it first before writing to it."');
    expect(show.stdout).toContain('+- Before `Edit` or `Write` on an existing file, `Read` it first');

    const approve = await cli(workspace.root, ['approve', ids[0]!]);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain(`Applied ${ids[0]!}: CLAUDE.md is now v2.`);
    expect(readFileSync(workspace.file('CLAUDE.md'), 'utf8')).toContain('`Read` it first');

    const reject = await cli(workspace.root, ['reject', ids[1]!, '--reason', 'not for this repo']);
    expect(reject.stdout).toBe(`Rejected ${ids[1]!}.\n`);
    const rejected: unknown = JSON.parse(
      (await cli(workspace.root, ['proposals', '--status', 'rejected', '--json'])).stdout,
    );
    expect(rejected).toMatchObject([{ id: ids[1], statusReason: 'not for this repo', decidedBy: 'tester' }]);

    const approved: unknown = JSON.parse(
      (await cli(workspace.root, ['proposals', '--status', 'approved', '--json'])).stdout,
    );
    expect(approved).toMatchObject([{ id: ids[0], status: 'applied', decidedBy: 'tester' }]);

    const history = await cli(workspace.root, ['history', 'CLAUDE.md']);
    expect(history.stdout).toMatch(/\*\s+v2\s+\S+ \S+\s+reviewer \(tester\)/);
    const diff = await cli(workspace.root, ['history', 'CLAUDE.md', '--diff', '2']);
    expect(diff.stdout).toContain('+<!-- reverie:entry read-before-edit -->');
    const content = await cli(workspace.root, ['history', 'CLAUDE.md', '--content', 'v1']);
    expect(content.stdout).toBe('# Notes\n');

    const rollback = await cli(workspace.root, ['rollback', 'CLAUDE.md', '--to', '1']);
    expect(rollback.stdout).toContain('Restored CLAUDE.md to the content of v1, recorded as v3.');
    expect(readFileSync(workspace.file('CLAUDE.md'), 'utf8')).toBe('# Notes\n');

    const report = await cli(workspace.root, ['report']);
    expect(report.stdout).toMatch(/^Dream run-[0-9a-f]{8} \(succeeded, manual, approval manual\)/);
    const runs = await cli(workspace.root, ['report', '--list']);
    expect(runs.stdout.split('\n')).toHaveLength(3); // header + 1 saved run (the dry run saved nothing) + ''
  });
});

describe('user errors', () => {
  it('exits 1 with a one-line message that says what to do', async () => {
    const cases: [string[], string][] = [
      [['dream'], 'there is no'],
      [['daemon'], 'A dream needs agents and their memory files: there is no'],
      [['show', 'p-nope'], 'No proposal p-nope. `reverie proposals` lists the pending ones.'],
      [['approve', 'p-nope'], 'not applied p-nope: No proposal p-nope.'],
      [['report'], 'No dream has run yet. Run one with `reverie dream`.'],
      [['history', 'CLAUDE.md'], 'Reverie has no history for'],
      [['rollback', 'CLAUDE.md', '--to', 'two'], '"two" is not a version number'],
      [['ingest', 'missing-dir'], 'missing-dir'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(workspace.root, args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.stderr.startsWith('reverie: '), args.join(' ')).toBe(true);
    }
  });

  it('lists every config problem with its key', async () => {
    workspace.write(
      'reverie.yaml',
      'agents:\n  coder:\n    memroy: ./CLAUDE.md\ndreaming:\n  approval: always\n',
    );
    const result = await cli(workspace.root, ['dream']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('reverie.yaml is invalid:');
    expect(result.stderr).toContain('agents.coder: Unrecognized key: "memroy"');
    expect(result.stderr).toContain('dreaming.approval: must be manual or automatic');
  });

  it('refuses to overwrite a config without --force', async () => {
    workspace.write('reverie.yaml', '# mine\n');
    const result = await cli(workspace.root, ['init']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already exists. Edit it, or pass --force to replace it.');
    expect(readFileSync(workspace.file('reverie.yaml'), 'utf8')).toBe('# mine\n');
  });

  it('exits 1 when nothing at all could be read, after listing the warnings', async () => {
    workspace.write('logs/bad.jsonl', '\u0000\u0001\u0002 not json\n{"half":\n');
    const result = await cli(workspace.root, ['ingest', 'logs', '--format', 'claude-code']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('bad.jsonl:1: binary or non-UTF-8 content');
    expect(result.stderr).toContain('Nothing could be read from 1 files');
  });

  it('reads a file whose good lines outnumber its bad ones and exits 0', async () => {
    const source = readFileSync(
      `${workspace.copyProject(projects.web)}/b25638d7-b104-4f06-a797-70ac33d069ed.jsonl`,
      'utf8',
    );
    workspace.write('partial.jsonl', `${source}{"type":"user","message":{"role":"user","content":"cut off`);
    const result = await cli(workspace.root, ['ingest', 'partial.jsonl']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/partial\.jsonl:47: truncated line/);
  });
});

describe('reverie outcome', () => {
  it('records a verdict that the session list and later dreams use', async () => {
    workspace.copyProject(projects.web);
    workspace.write('reverie.yaml', oneAgentConfig().replace('retention: 365d', 'retention: 5000d'));
    await cli(workspace.root, ['ingest']);
    const recorded = await cli(workspace.root, [
      'outcome',
      'b25638d7',
      '--fail',
      '--note',
      'broke the build',
    ]);
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toBe('Recorded for b25638d7-b104-4f06-a797-70ac33d069ed: failed.\n');
    const shown = await cli(workspace.root, ['outcome', 'b25638d7']);
    expect(shown.stdout).toMatch(/cli\s+tester\s+failed\s+broke the build/);
    const sessions = JSON.parse((await cli(workspace.root, ['sessions', '--json'])).stdout) as {
      id: string;
      outcome: unknown;
    }[];
    expect(sessions.find((session) => session.id.startsWith('b25638d7'))?.outcome).toMatchObject({
      source: 'cli',
      passed: false,
    });
    expect((await cli(workspace.root, ['outcome', 'b25638d7'])).code).toBe(0);
    const bad = await cli(workspace.root, ['outcome', 'nope-nope', '--pass']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('No session nope-nope');
    const both = await cli(workspace.root, ['outcome', 'b25638d7', '--pass', '--fail']);
    expect(both.stderr).toContain('Use --pass or --fail, not both.');
  });
});

describe('config errors', () => {
  it('says what a missing memory file should be', async () => {
    workspace.write('reverie.yaml', 'agents:\n  coder:\n    sources: []\n');
    const result = await cli(workspace.root, ['dream']);
    expect(result.stderr).toContain(
      'agents.coder.memory: required: the memory file this agent reads, e.g. ./CLAUDE.md',
    );
  });
});

describe('init', () => {
  it('writes where REVERIE_CONFIG points, creating its directory, so later commands find it', async () => {
    const result = await cli(workspace.root, ['init'], { REVERIE_CONFIG: '~/config/reverie.yaml' });
    expect(result.code).toBe(0);
    expect(readFileSync(workspace.file('config/reverie.yaml'), 'utf8')).toContain('agents:');
    const dream = await cli(workspace.root, ['dream', '--dry-run'], {
      REVERIE_CONFIG: '~/config/reverie.yaml',
    });
    expect(dream.code).toBe(0);
  });

  it('detects the Claude Code transcripts of the current directory', async () => {
    const encoded = workspace.root.replace(/[^A-Za-z0-9]/g, '-');
    workspace.write(`.claude/projects/${encoded}/x.jsonl`, '');
    const result = await cli(workspace.root, ['init', '--agent', 'app']);
    expect(result.stdout).toContain(
      `reads Claude Code transcripts from ${workspace.file(`.claude/projects/${encoded}`)}`,
    );
    expect(readFileSync(workspace.file('reverie.yaml'), 'utf8')).toContain(
      `path: ${workspace.file(`.claude/projects/${encoded}`)}`,
    );
    const check = await cli(workspace.root, ['dream', '--dry-run']);
    expect(check.code).toBe(0);
  });
});
