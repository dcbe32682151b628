/**
 * `reverie demo`: the whole path on real Claude Code sessions bundled with the package, in a temporary workspace:
 * ingest → dream → proposals with evidence → approve → history → hand edit kept → rollback.
 */
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { createReverie } from '../../create-reverie.js';
import { printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { renderProposal } from '../render-proposal.js';
import { renderDreamRun } from '../render-report.js';
import { renderHistory } from '../render-history.js';

/** The bundled corpus: `fixtures/claude-code/` at the package root (same relative place from src/ and dist/). */
export const bundledClaudeCodeFixtures = fileURLToPath(
  new URL('../../../fixtures/claude-code/', import.meta.url),
);

const demoConfig = `# Reverie demo workspace: two agents over real Claude Code sessions (fixtures/claude-code/README.md).
agents:
  web:
    sources:
      - { type: claude-code, path: ./logs/-Users-dain-workspace-danieldemmel-me-next }
      - { type: claude-code, path: ./logs/-Users-dain-workspace-JSSoundRecorder }
    memory: ./web/CLAUDE.md
  tools:
    sources:
      - { type: claude-code, path: ./logs/-Users-dain-workspace-claude-code-log-sample }
      - { type: claude-code, path: ./logs/-Users-dain-workspace-coderabbit-review-helper }
    memory: ./tools/CLAUDE.md
shared_memory: ./AGENTS.shared.md
dreaming:
  schedule: "0 3 * * *"
  scope: all-agents
  approval: manual
  retention: 1500d   # the bundled sessions are from 2025; with your own logs keep the default 90d
  min_sessions: 2
`;

const handWritten = `# Project notes

- Use pnpm, not npm, to install packages.
- Run the tests before every commit.
`;

function heading(io: CliIo, text: string): void {
  printLine(io, `\n━━ ${text} ${'━'.repeat(Math.max(3, 74 - text.length))}`);
}

/** Runs the demo and prints what a new user should see. */
export async function runDemo(io: CliIo, options: { fixtures: string; workspace?: string }): Promise<string> {
  const workspace = options.workspace ?? (await mkdtemp(path.join(tmpdir(), 'reverie-demo-')));
  await cp(options.fixtures, path.join(workspace, 'logs'), { recursive: true });
  await writeFile(path.join(workspace, 'reverie.yaml'), demoConfig);
  for (const agent of ['web', 'tools']) {
    await mkdir(path.join(workspace, agent), { recursive: true });
    await writeFile(path.join(workspace, agent, 'CLAUDE.md'), handWritten);
  }
  const config = loadConfig({ cwd: workspace, env: {} });
  const reverie = createReverie(config);
  try {
    printLine(io, `Reverie demo in ${workspace}`);
    printLine(
      io,
      'Two agents ("web" and "tools") over 66 real Claude Code transcripts from 4 projects (see logs/README.md).',
    );

    heading(io, '1. Dream: read the logs, mine them, propose memory edits (approval: manual)');
    const run = await reverie.dream({ trigger: 'demo' });
    printLine(io, renderDreamRun(run, workspace, { maxWarnings: 5 }));

    const proposals = await reverie.listProposals({ status: 'pending' });
    const first = proposals[0];
    if (first === undefined) {
      printLine(io, '\nNo proposals were made; the report above says why.');
      return workspace;
    }

    heading(io, `2. Review a proposal: reverie show ${first.id}`);
    printLine(io, renderProposal(first, workspace));

    const ids = proposals.map((proposal) => proposal.id);
    heading(io, `3. Approve them: reverie approve ${ids.join(' ')}`);
    for (const outcome of await reverie.approve(ids)) {
      if (outcome.ok) {
        const rebased = outcome.rebasedOnto === null ? '' : ` (re-applied onto v${outcome.rebasedOnto})`;
        printLine(
          io,
          `Applied ${outcome.proposalId}: ${path.relative(workspace, outcome.memoryPath)} is now v${outcome.version}${rebased}.`,
        );
      } else {
        printLine(io, `Not applied ${outcome.id}: ${outcome.message}`);
      }
    }
    const webMemory = path.join(workspace, 'web', 'CLAUDE.md');
    printLine(
      io,
      '\nweb/CLAUDE.md now reads (the hand-written notes are untouched; the lesson is appended):\n',
    );
    printLine(io, (await readFile(webMemory, 'utf8')).trimEnd());

    heading(io, '4. A person edits web/CLAUDE.md by hand; the next dream keeps the edit as a version');
    await writeFile(
      webMemory,
      (await readFile(webMemory, 'utf8')).replace(
        '- Run the tests',
        '- Deploys go through staging.\n- Run the tests',
      ),
    );
    const second = await reverie.dream({ trigger: 'demo' });
    const kept =
      second.report?.warnings.filter((warning) => warning.type === 'memory-external-edit').length ?? 0;
    const fresh = second.report?.proposals.length ?? 0;
    printLine(
      io,
      `Second dream ${second.id}: ${fresh} new proposals${fresh === 0 ? ' (every lesson is already in memory)' : ''}, ${kept} hand edit recorded as a version.`,
    );
    const [history] = await reverie.history(webMemory);
    if (history !== undefined) printLine(io, `\n${renderHistory(history, workspace)}`);

    heading(io, '5. Roll back: reverie rollback web/CLAUDE.md --to 1');
    const rollback = await reverie.rollback(webMemory, 1);
    const restored = await readFile(webMemory, 'utf8');
    printLine(
      io,
      `Restored v1 as v${rollback.version?.version ?? '?'}: the file is ${restored === handWritten ? 'byte for byte the original again' : 'NOT the original (please report this)'}.`,
    );
    printLine(
      io,
      'Nothing is lost: the lesson and the hand edit stay in the history, and a rollback can itself be rolled back.',
    );

    heading(io, 'Try it yourself');
    const bin = fileURLToPath(new URL('../../../bin/reverie.js', import.meta.url));
    printLine(io, `cd ${workspace}`);
    printLine(io, `alias reverie="node ${bin}"`);
    printLine(io, 'reverie history               # every version of every memory file');
    printLine(io, 'reverie report --list         # the dreams that ran');
    printLine(io, 'reverie history web/CLAUDE.md --diff 2   # what the approved lesson changed');
    return workspace;
  } finally {
    await reverie.close();
  }
}

/** `reverie demo` */
export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'Run the whole path on real Claude Code sessions bundled with Reverie, in a temporary workspace',
    )
    .option('--workspace <dir>', 'use this (empty) directory instead of a new temporary one')
    .action(async (options: { workspace?: string }, command: Command) => {
      command.optsWithGlobals<GlobalOptions>();
      await runDemo(io, {
        fixtures: bundledClaudeCodeFixtures,
        ...(options.workspace === undefined ? {} : { workspace: path.resolve(io.cwd, options.workspace) }),
      });
    });
}
