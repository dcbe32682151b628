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

    heading(io, `3. Approve it: reverie approve ${first.id}`);
    const [outcome] = await reverie.approve([first.id]);
    if (outcome?.ok === true)
      printLine(
        io,
        `Applied ${first.id}: ${path.relative(workspace, first.memoryPath)} is now v${outcome.version}.`,
      );
    else printLine(io, `Not applied: ${outcome?.ok === false ? outcome.message : 'unknown'}`);
    printLine(io, `\n${path.relative(workspace, first.memoryPath)} now reads:\n`);
    printLine(io, (await readFile(first.memoryPath, 'utf8')).trimEnd());

    heading(io, '4. A person edits the file by hand; the next dream keeps that edit as a version');
    const edited = `${await readFile(first.memoryPath, 'utf8')}\n- Deploys go through the staging branch first.\n`;
    await writeFile(first.memoryPath, edited);
    const second = await reverie.dream({ trigger: 'demo' });
    const kept =
      second.report?.warnings.filter((warning) => warning.type === 'memory-external-edit').length ?? 0;
    printLine(
      io,
      `Second dream ${second.id}: ${second.report?.proposals.length ?? 0} new proposals, ${kept} hand edit(s) recorded as versions.`,
    );
    const [history] = await reverie.history(first.memoryPath);
    if (history !== undefined) printLine(io, `\n${renderHistory(history, workspace)}`);

    heading(io, `5. Roll back: reverie rollback ${path.relative(workspace, first.memoryPath)} --to 1`);
    const rollback = await reverie.rollback(first.memoryPath, 1);
    printLine(
      io,
      `Restored v1 as v${rollback.version?.version ?? '?'}; the hand edit and the lesson stay in history (v${(rollback.version?.version ?? 2) - 1} and before).`,
    );

    const remaining = (await reverie.listProposals({ status: 'pending' })).map((proposal) => proposal.id);
    heading(io, 'Try it yourself');
    printLine(io, `cd ${workspace}`);
    printLine(io, 'npx reverie proposals            # what is still waiting for review');
    if (remaining.length > 0)
      printLine(io, `npx reverie show ${remaining[0] ?? ''}        # evidence and diff`);
    printLine(io, 'npx reverie history              # every version of every memory file');
    printLine(io, "npx reverie report               # the last dream's report");
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
