/**
 * Every miner in `reverie dream`, over real logs: the tau-bench airline runs (rewards as outcomes) and the Claude
 * Code corpus. Proposals carry verified evidence, route to an agent's file or the shared one, merge before they add,
 * and a second dream over the same sessions proposes nothing new.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/ports/store.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { createWorkspace } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

const tauBench = fileURLToPath(
  new URL('../fixtures/tau-bench/gpt-4o-airline.tasks-0-39.json', import.meta.url),
);

interface TauRun {
  task_id: number;
  trial: number;
  reward: number;
}

let workspace: Workspace;
let store: Store;
beforeEach(() => {
  workspace = createWorkspace();
  store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
});
afterEach(async () => {
  await store.close();
  workspace.remove();
});

/** Writes the runs of the given trials (a real file, split) under logs/<folder>/. */
function writeTrials(folder: string, trials: readonly number[]): void {
  const runs = JSON.parse(readFileSync(tauBench, 'utf8')) as TauRun[];
  workspace.write(
    `logs/${folder}/airline.json`,
    JSON.stringify(runs.filter((run) => trials.includes(run.trial))),
  );
}

function config(options: {
  agents: Record<string, string>;
  shared?: boolean;
  approval?: 'manual' | 'automatic';
}): string {
  const agents = Object.entries(options.agents)
    .map(
      ([name, folder]) =>
        `  ${name}:\n    sources: [{ type: tau-bench, path: ./logs/${folder} }]\n    memory: ./${name}/AGENTS.md\n`,
    )
    .join('');
  return `agents:\n${agents}${options.shared === true ? 'shared_memory: ./AGENTS.shared.md\n' : ''}dreaming:
  approval: ${options.approval ?? 'automatic'}
  retention: 3650d
  min_sessions: 2
`;
}

describe('a dream with every miner, over tau-bench airline runs', () => {
  it('mines errors, workflows and outcome contrasts, and proposes evidence-checked lessons weighted by outcomes', async () => {
    writeTrials('all', [0, 1, 2, 3]);
    workspace.write('reverie.yaml', config({ agents: { airline: 'all' } }));
    const reverie = workspace.open({ store });
    const run = await reverie.dream();
    const report = run.report;
    if (report === null) throw new Error('no report');

    expect(report.sessionsRead).toBe(160);
    const kinds = new Set(report.findings.map((finding) => finding.kind));
    expect([...kinds].sort()).toEqual(['outcome-contrast', 'recurring-tool-error', 'workflow']);
    expect(report.miners?.find((miner) => miner.miner === 'outcome-contrasts')?.detail).toMatch(
      /^160 of 160 conversations with an outcome/,
    );
    // The contrast states its numbers.
    const contrast = report.findings.find((finding) => finding.kind === 'outcome-contrast');
    expect(contrast?.kind === 'outcome-contrast' && contrast.failedWith).toBeGreaterThan(
      contrast?.kind === 'outcome-contrast' ? contrast.succeededWith : Infinity,
    );

    const proposals = await store.listProposals();
    expect(proposals.length).toBeGreaterThanOrEqual(3);
    // Automatic approval applies them all, but for what the policy's line limit per file holds for a person.
    const held = proposals.filter((proposal) => proposal.status !== 'applied');
    expect(held.every((proposal) => proposal.status === 'pending')).toBe(true);
    expect(held.flatMap((proposal) => proposal.holds)).toEqual(
      held.map(() => expect.stringMatching(/max_changed_lines/) as string),
    );
    expect(proposals.length - held.length).toBeGreaterThanOrEqual(3);
    const kindsProposed = new Set(
      proposals.map(
        (proposal) => report.findings.find((finding) => finding.id === proposal.findingIds[0])?.kind,
      ),
    );
    expect(kindsProposed).toContain('workflow');
    expect(kindsProposed).toContain('recurring-tool-error');
    // Every quote of every proposal is verbatim in the stored event it points to.
    for (const proposal of proposals) {
      expect(proposal.evidence.length).toBeGreaterThan(0);
      const events = new Map(
        (await store.getEvents(proposal.evidence.map((item) => item.eventId))).map((e) => [e.id, e]),
      );
      for (const item of proposal.evidence) expect(events.get(item.eventId)?.text).toContain(item.quote);
    }
    // Lessons are weighted by outcomes: the error lesson says how its sessions ended.
    const errorProposal = proposals.find((proposal) => proposal.findingIds[0]?.startsWith('err-'));
    expect(errorProposal?.reason).toMatch(/Outcomes: \d+ of its \d+ sessions with a known outcome failed/);

    const memory = readFileSync(workspace.file('airline/AGENTS.md'), 'utf8');
    expect(memory).toMatch(/To update reservation flights.*`get_user_details`.*`update_reservation_flights`/);
    // Record numbers are abstracted out of signatures: no flight or card number becomes a rule.
    expect(memory).not.toMatch(/HAT\d{3}|gift_card_\d{4,}/);

    // A second dream over the same sessions proposes nothing new.
    const second = await reverie.dream();
    expect(second.report?.proposals).toEqual([]);
    expect(second.report?.sessionsAnalysed).toBe(0);
    expect(second.report?.nothingReason).toMatch(/findings were skipped/);
    expect(second.report?.skipped.some((item) => item.reason.includes('already in memory as entry'))).toBe(
      true,
    );
    expect(readFileSync(workspace.file('airline/AGENTS.md'), 'utf8')).toBe(memory);
  });

  it('with manual approval, a second dream over unchanged sessions proposes nothing new either', async () => {
    writeTrials('all', [0, 1, 2, 3]);
    workspace.write('reverie.yaml', config({ agents: { airline: 'all' }, approval: 'manual' }));
    const reverie = workspace.open({ store });
    const first = await reverie.dream();
    const pending = first.report?.proposals.length ?? 0;
    expect(pending).toBeGreaterThanOrEqual(3);
    const second = await reverie.dream();
    expect(second.report?.proposals).toEqual([]);
    expect(
      second.report?.skipped.filter((item) => item.reason.startsWith('already pending as p-')),
    ).toHaveLength(pending);
    expect((await store.listProposals({ status: 'pending' })).length).toBe(pending);
  });

  it('routes a lesson seen in two agents to the shared file, and says why', async () => {
    writeTrials('early', [0, 1]);
    writeTrials('late', [2, 3]);
    workspace.write('reverie.yaml', config({ agents: { first: 'early', second: 'late' }, shared: true }));
    const run = await workspace.open({ store }).dream();
    const proposals = await store.listProposals();
    const shared = proposals.filter((proposal) => proposal.memoryPath === workspace.file('AGENTS.shared.md'));
    expect(shared.length).toBeGreaterThan(0);
    for (const proposal of shared) {
      expect(proposal.agent).toBeNull();
      expect(proposal.routing).toBe('seen in 2 agents (first, second), so it goes to the shared memory file');
      // Its evidence comes from both agents' sessions.
      expect(new Set(proposal.evidence.map((item) => item.agent))).toEqual(new Set(['first', 'second']));
    }
    expect(shared.some((proposal) => proposal.findingIds[0]?.startsWith('workflow-'))).toBe(true);
    // A lesson one agent alone shows stays in that agent's file.
    const own = proposals.filter((proposal) => proposal.agent !== null);
    for (const proposal of own) {
      expect(proposal.routing).toBe(
        `seen only in agent ${proposal.agent ?? ''}'s sessions, so it goes to that agent's memory file`,
      );
      expect(proposal.memoryPath).toBe(workspace.file(`${proposal.agent ?? ''}/AGENTS.md`));
    }
    expect(run.report?.proposals.length).toBe(proposals.length);
  });

  it('without a shared file, a lesson seen in two agents goes to each agent', async () => {
    writeTrials('early', [0, 1]);
    writeTrials('late', [2, 3]);
    workspace.write('reverie.yaml', config({ agents: { first: 'early', second: 'late' } }));
    await workspace.open({ store }).dream();
    const proposals = await store.listProposals();
    const both = proposals.filter((proposal) =>
      proposal.routing.includes('and no shared_memory is configured'),
    );
    expect(both.length).toBeGreaterThan(0);
    const byFinding = new Map<string, Set<string | null>>();
    for (const proposal of both) {
      const finding = proposal.findingIds[0] ?? '';
      byFinding.set(finding, (byFinding.get(finding) ?? new Set()).add(proposal.agent));
    }
    for (const agents of byFinding.values()) expect(agents).toEqual(new Set(['first', 'second']));
  });

  it('merges before it adds: an entry a person now says in near-identical words is removed, not kept twice', async () => {
    writeTrials('all', [0, 1, 2, 3]);
    workspace.write('reverie.yaml', config({ agents: { airline: 'all' } }));
    const reverie = workspace.open({ store });
    await reverie.dream();
    const path = workspace.file('airline/AGENTS.md');
    const before = readFileSync(path, 'utf8');
    const entry = /<!-- reverie:entry (workflow-\w+) -->\n- (To update reservation flights[^\n]*)/.exec(
      before,
    );
    if (entry?.[1] === undefined || entry[2] === undefined) throw new Error('no workflow entry');
    // The person writes the same procedure in their own part of the file.
    const handLine = `- ${entry[2]}`;
    writeFileSync(path, `# Airline agent\n\n${handLine}\n\n${before}`);

    const run = await reverie.dream();
    const removal = (await store.listProposals()).find(
      (proposal) => proposal.dreamRunId === run.id && proposal.edits.some((edit) => edit.op === 'remove'),
    );
    expect(removal?.edits).toEqual([{ op: 'remove', entryId: entry[1] }]);
    expect(removal?.reason).toMatch(/remove .*its text stays in the version history/);
    expect(removal?.status).toBe('applied');
    const after = readFileSync(path, 'utf8');
    expect(after).toContain(handLine);
    expect(after).not.toContain(`<!-- reverie:entry ${entry[1]} -->`);
    // The workflow lesson is not added back: the person's line already says it.
    expect(
      run.report?.skipped.some((item) =>
        /a hand-written line already says this|near-identical/.test(item.reason),
      ),
    ).toBe(true);
    // Nothing lost: the removed text is in the history.
    const versions = await store.listMemoryVersions(path);
    expect(versions.some((version) => version.content.includes(`<!-- reverie:entry ${entry[1]} -->`))).toBe(
      true,
    );
  });
});
