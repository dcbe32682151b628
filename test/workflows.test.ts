/**
 * The workflow miner on real logs: tau-bench airline (160 runs of 40 tasks with a reward each) and the Claude Code
 * corpus (no outcomes).
 *
 * What a careful human sees in the 59 successful tau-bench runs (read run by run, `think` calls and failed calls left
 * aside):
 * - Escalation: `get_reservation_details` then `transfer_to_human_agents`, in 13 successful runs of 8 tasks (12, 13,
 *   18, 20, 21, 24, 37, 38), and 21 runs in all: the runs that looked the reservation up and handed over when policy
 *   forbade the request mostly passed.
 * - Changing flights: `get_reservation_details`, then `get_user_details` (for the payment methods), then
 *   `update_reservation_flights`, in 6 successful runs of 3 tasks (20, 26, 34), 9 runs in all. In tasks 20 and 26 the
 *   first update failed on the payment method, and the runs that then looked the user up succeeded.
 * - Sequences that successful runs follow but that are not success-linked workflows: the look-up prefix
 *   `get_user_details` → `get_reservation_details` (27 of 82 runs that did it passed: what every run does), the
 *   cancellation `get_user_details` → `get_reservation_details` → `cancel_reservation` (7 of 25 passed: the failed runs
 *   cancelled what policy did not allow), and flight search → `update_reservation_flights` (6 of 32).
 * - Booking (`search_direct_flight` → `book_reservation`): 0 of 16 runs passed. Never a workflow.
 * The labelled list below is the first two (kept in eval/labels/tau-bench.ts, which `npm run eval` scores too, with
 * the others as negatives); the others must not be reported at the default gates.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSessionSources } from '../src/create-reverie.js';
import type { DigestInput } from '../src/domain/digest.js';
import type { WorkflowFinding } from '../src/domain/finding.js';
import type { Session, SessionEvent, SessionFormat, SessionWithEvents } from '../src/domain/session.js';
import { digestWorkflow, findWorkflows } from '../src/mining/find-workflows.js';
import type { WorkflowDigest } from '../src/mining/find-workflows.js';
import { lessonForWorkflow } from '../src/synthesis/workflow-lessons.js';
import { tauBenchLabels } from '../eval/labels/tau-bench.js';

const repository = fileURLToPath(new URL('../', import.meta.url));

/** Reads log files with the format's reader, as ingest would, into sessions with their events. */
async function loadSessions(format: SessionFormat, paths: readonly string[]): Promise<SessionWithEvents[]> {
  const source = createSessionSources().find((candidate) => candidate.format === format);
  if (source === undefined) throw new Error(`no reader for ${format}`);
  const sessions = new Map<string, Session>();
  const events = new Map<string, SessionEvent[]>();
  for (const path of paths) {
    for await (const chunk of source.read({ path, agent: format, agentIsExplicit: true, cursor: null })) {
      for (const session of chunk.sessions)
        sessions.set(session.id, { ...sessions.get(session.id), ...session });
      for (const event of chunk.events) {
        events.set(event.sessionId, [...(events.get(event.sessionId) ?? []), event]);
      }
    }
  }
  return [...sessions.values()].map((session) => ({
    ...session,
    events: (events.get(session.id) ?? []).sort((a, b) => a.sequence - b.sequence),
  }));
}

function digestAll(sessions: readonly SessionWithEvents[]): DigestInput<WorkflowDigest>[] {
  return sessions.map((session) => {
    const { events: _events, ...metadata } = session;
    return { session: metadata, digest: digestWorkflow(session) };
  });
}

function toolsOf(finding: WorkflowFinding): string[] {
  return finding.steps.map((step) => step.tool);
}

/** The workflows a careful human expects at the default gates (see the comment at the top; eval/labels/tau-bench.ts). */
const labelled = tauBenchLabels.labels.flatMap((label) =>
  label.miner === 'workflows' && label.expectation === 'required' && label.steps !== null
    ? [label.steps]
    : [],
);

describe('workflows in the tau-bench airline corpus', () => {
  let sessions: SessionWithEvents[];
  let inputs: DigestInput<WorkflowDigest>[];

  beforeAll(async () => {
    sessions = await loadSessions('tau-bench', [
      join(repository, 'fixtures/tau-bench/gpt-4o-airline.tasks-0-39.json'),
    ]);
    inputs = digestAll(sessions);
  });

  it('finds exactly the labelled workflows: precision 1, recall 1', () => {
    const { findings, stats } = findWorkflows(inputs, { minSessions: 3 });
    expect(stats).toMatchObject({ conversations: 160, succeeded: 59, failed: 101, unknown: 0, workflows: 2 });
    const found = findings.map(toolsOf);
    const matched = found.filter((tools) => labelled.some((label) => label.join() === tools.join()));
    const recalled = labelled.filter((label) => found.some((tools) => tools.join() === label.join()));
    expect({ precision: matched.length / found.length, recall: recalled.length / labelled.length }).toEqual({
      precision: 1,
      recall: 1,
    });
  });

  it('abstracts the arguments into placeholders and describes each workflow by its goal', () => {
    const { findings } = findWorkflows(inputs, { minSessions: 3 });
    expect(
      findings.map(({ task, steps, sessionCount, successCount }) => ({
        task,
        steps,
        sessionCount,
        successCount,
      })),
    ).toEqual([
      {
        task: 'transfer to human agents',
        steps: [
          { tool: 'get_reservation_details', input: '{reservation_id: {reservation_id}}' },
          { tool: 'transfer_to_human_agents', input: '{summary: {summary}}' },
        ],
        sessionCount: 21,
        successCount: 13,
      },
      {
        task: 'update reservation flights (upcoming)',
        steps: [
          { tool: 'get_reservation_details', input: '{reservation_id: {reservation_id}}' },
          { tool: 'get_user_details', input: '{user_id: {user_id}}' },
          {
            tool: 'update_reservation_flights',
            input:
              '{reservation_id: {reservation_id}, cabin: {cabin}, flights: {flights}, payment_id: {payment_id}}',
          },
        ],
        sessionCount: 9,
        successCount: 6,
      },
    ]);
    const tasks = (finding: WorkflowFinding): string[] =>
      [...new Set(finding.sessionIds.map((id) => /\/task-(\d+)\//.exec(id)?.[1] ?? '?'))].sort(
        (a, b) => Number(a) - Number(b),
      );
    const escalation = findings[0]!;
    const successful = new Set(
      sessions.filter((session) => session.outcome?.passed === true).map((session) => session.id),
    );
    expect(
      tasks({ ...escalation, sessionIds: escalation.sessionIds.filter((id) => successful.has(id)) }),
    ).toEqual(['12', '13', '18', '20', '21', '24', '37', '38']);
    expect(
      tasks({ ...findings[1]!, sessionIds: findings[1]!.sessionIds.filter((id) => successful.has(id)) }),
    ).toEqual(['20', '26', '34']);
  });

  it('quotes every step from successful runs, verbatim, one task per quoted run first', () => {
    const { findings } = findWorkflows(inputs, { minSessions: 3 });
    const byId = new Map(sessions.flatMap((session) => session.events).map((event) => [event.id, event]));
    for (const finding of findings) {
      expect(finding.evidence).toHaveLength(3 * finding.steps.length);
      for (const evidence of finding.evidence) {
        const event = byId.get(evidence.eventId);
        expect(event?.kind).toBe('tool-call');
        expect(event?.text).toContain(evidence.quote);
        expect(sessions.find((session) => session.id === evidence.sessionId)?.outcome?.passed).toBe(true);
      }
      const quotedTasks = new Set(
        finding.evidence.map((evidence) => /\/task-(\d+)\//.exec(evidence.sessionId)?.[1]),
      );
      expect(quotedTasks.size).toBe(3);
    }
  });

  it('writes each workflow as a numbered procedure naming the tools', () => {
    const { findings } = findWorkflows(inputs, { minSessions: 3 });
    expect(findings.map((finding) => lessonForWorkflow(finding))).toMatchObject([
      {
        lesson: {
          entryId: findings[0]!.id,
          text: 'To transfer to human agents: 1. `get_reservation_details` {reservation_id} 2. `transfer_to_human_agents` {summary}.',
          reason: 'Followed in 21 sessions; 13 of them succeeded; steps quoted from 3 sessions.',
        },
      },
      {
        lesson: {
          entryId: findings[1]!.id,
          text: 'To update reservation flights (upcoming): 1. `get_reservation_details` {reservation_id} 2. `get_user_details` {user_id} 3. `update_reservation_flights` {reservation_id}, {cabin}, {flights}, {payment_id}.',
        },
      },
    ]);
  });

  it('never makes a workflow of booking, which no run got right, even without the success-rate gate', () => {
    const { findings, stats } = findWorkflows(inputs, { minSessions: 3, minSuccessRate: 0 });
    expect(stats.belowSuccessRate).toBe(0);
    const found = findings.map(toolsOf);
    expect(found.flat()).not.toContain('book_reservation');
    // Without the gate the sequences every run follows come back, as Agent Workflow Memory would induce them.
    expect(found).toContainEqual(['get_user_details', 'get_reservation_details']);
    expect(found).toContainEqual(['get_reservation_details', 'cancel_reservation']);
    expect(found).toContainEqual(['get_reservation_details', 'update_reservation_flights']);
  });

  it('gives the same findings, ids included, in every run', () => {
    const first = findWorkflows(inputs, { minSessions: 3 });
    const second = findWorkflows([...inputs].reverse(), { minSessions: 3 });
    expect(second).toEqual(first);
  });
});

describe('workflows in the Claude Code corpus, which has no outcomes', () => {
  let inputs: DigestInput<WorkflowDigest>[];

  beforeAll(async () => {
    const folder = join(repository, 'fixtures/claude-code');
    const files = readdirSync(folder, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => join(folder, name))
      .sort();
    inputs = digestAll(await loadSessions('claude-code', files));
  });

  it('finds none by default: no session is known to have succeeded', () => {
    const { findings, stats } = findWorkflows(inputs, { minSessions: 3 });
    expect(stats).toMatchObject({ conversations: 37, succeeded: 0, failed: 0, unknown: 37 });
    expect(findings).toEqual([]);
  });

  it('finds recurring sequences when sessions without an outcome count as not failed, and says so', () => {
    const { findings } = findWorkflows(inputs, { minSessions: 3, unknownOutcome: 'not-failed' });
    expect(findings.map(toolsOf)).toContainEqual(['Read', 'Edit']);
    expect(findings.every((finding) => finding.successCount === 0)).toBe(true);
    const pytest = findings.find((finding) => finding.task === 'run `uv run pytest`');
    expect(pytest?.steps[pytest.steps.length - 1]).toEqual({
      tool: 'Bash',
      input: '{command: "uv run pytest {arguments}"}',
    });
    for (const finding of findings) {
      expect(lessonForWorkflow(finding)).toMatchObject({
        lesson: { reason: expect.stringContaining('no outcome was known for them') as unknown },
      });
    }
  });
});
