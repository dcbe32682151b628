import { describe, expect, it } from 'vitest';
import type { DigestInput } from '../domain/digest.js';
import type { SessionEvent, SessionWithEvents } from '../domain/session.js';
import { digestWorkflow, findWorkflows } from './find-workflows.js';
import type { WorkflowDigest } from './find-workflows.js';

interface CallSpec {
  tool: string;
  input?: Record<string, unknown>;
  /** The tool's output when it failed. */
  error?: string;
  rejected?: boolean;
}

function buildSession(options: {
  id: string;
  passed: boolean | null;
  title?: string | null;
  parent?: string;
  agent?: string;
  calls: readonly (CallSpec | string)[];
}): SessionWithEvents {
  const events: SessionEvent[] = [];
  const push = (fields: Partial<SessionEvent> & Pick<SessionEvent, 'kind' | 'text'>): void => {
    const sequence = events.length;
    events.push({
      id: `${options.id}:${sequence}`,
      sessionId: options.id,
      sequence,
      subtype: null,
      timestamp: `2026-01-01T00:00:${String(sequence).padStart(2, '0')}.000Z`,
      messageId: null,
      toolName: null,
      toolCallId: null,
      toolInput: null,
      isError: false,
      isRejection: false,
      source: { path: `/logs/${options.id}.jsonl`, line: sequence + 1 },
      ...fields,
    });
  };
  push({ kind: 'user-message', text: options.title ?? 'do the thing' });
  options.calls.forEach((raw, index) => {
    const call: CallSpec = typeof raw === 'string' ? { tool: raw } : raw;
    const toolCallId = `${options.id}-call-${index}`;
    const input = call.input ?? {};
    push({
      kind: 'tool-call',
      text: JSON.stringify(input),
      toolName: call.tool,
      toolCallId,
      toolInput: input,
    });
    push({
      kind: 'tool-result',
      text: call.error ?? (call.rejected === true ? 'The user rejected this call' : 'ok'),
      toolName: call.tool,
      toolCallId,
      isError: call.error !== undefined || call.rejected === true,
      isRejection: call.rejected === true,
    });
  });
  return {
    id: options.id,
    agent: options.agent ?? 'agent-a',
    format: 'reverie-jsonl',
    sourcePath: `/logs/${options.id}.jsonl`,
    parentSessionId: options.parent ?? null,
    title: options.title === undefined ? `task of ${options.id}` : options.title,
    cwd: null,
    startedAt: null,
    endedAt: null,
    eventCount: events.length,
    outcome:
      options.passed === null
        ? null
        : {
            passed: options.passed,
            score: options.passed ? 1 : 0,
            source: 'log',
            name: 'reward',
            detail: null,
          },
    events,
  };
}

function inputsOf(sessions: readonly SessionWithEvents[]): DigestInput<WorkflowDigest>[] {
  return sessions.map((session) => {
    const { events: _events, ...metadata } = session;
    return { session: metadata, digest: digestWorkflow(session) };
  });
}

const lookUp = { tool: 'get_reservation_details', input: { reservation_id: 'ABC123' } };
const user = { tool: 'get_user_details', input: { user_id: 'mia_li_3668' } };
const update = {
  tool: 'update_reservation_flights',
  input: { reservation_id: 'ABC123', cabin: 'economy', flights: [{ flight_number: 'HAT001' }] },
};

describe('digestWorkflow', () => {
  it('keeps the calls that worked, without scratchpad tools or repeats, and survives a JSON round trip', () => {
    const session = buildSession({
      id: 's1',
      passed: true,
      calls: [
        user,
        lookUp,
        lookUp,
        'think',
        { tool: 'update_reservation_flights', input: { reservation_id: 'X' }, error: 'Error: not available' },
        { tool: 'cancel_reservation', input: { reservation_id: 'X' }, rejected: true },
        update,
      ],
    });
    const digest = digestWorkflow(session);
    expect(digest.calls.map((call) => call.step)).toEqual([
      'get_user_details',
      'get_reservation_details',
      'update_reservation_flights',
    ]);
    expect(digest.calls[0]).toMatchObject({
      argumentNames: ['user_id'],
      eventId: 's1:1',
      quote: '{"user_id":"mia_li_3668"}',
    });
    expect(JSON.parse(JSON.stringify(digest))).toEqual(digest);
  });

  it('names shell steps by the command head and keeps the task text abstract', () => {
    const session = buildSession({
      id: 's2',
      passed: true,
      title: 'Fix the failing test in src/app.ts for ticket ABC-12',
      calls: [{ tool: 'Bash', input: { command: 'npm test -- src/app.test.ts', description: 'run tests' } }],
    });
    const digest = digestWorkflow(session);
    expect(digest.calls[0]).toMatchObject({
      step: 'Bash: npm test',
      command: 'npm test',
      commandHasArguments: true,
      argumentNames: ['description'],
    });
    expect(digest.task?.words).toEqual(['fix', 'failing', 'test', 'ticket']);
  });
});

describe('findWorkflows', () => {
  /** Three successful runs of three tasks follow look-up → user → update, with incidental calls in between. */
  function changeFlights(): SessionWithEvents[] {
    return [
      buildSession({ id: 'a', passed: true, calls: [lookUp, user, update] }),
      buildSession({ id: 'b', passed: true, calls: [lookUp, 'calculate', user, 'think', update] }),
      buildSession({
        id: 'c',
        passed: true,
        calls: ['list_all_airports', lookUp, user, 'calculate', update],
      }),
      buildSession({ id: 'd', passed: false, calls: ['search_direct_flight', 'book_reservation'] }),
    ];
  }

  it('finds a workflow across successful sessions with values abstracted into named placeholders', () => {
    const { findings, stats } = findWorkflows(inputsOf(changeFlights()), { minSessions: 3 });
    expect(stats).toMatchObject({ conversations: 4, succeeded: 3, failed: 1, unknown: 0, workflows: 1 });
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(finding).toMatchObject({
      kind: 'workflow',
      task: 'update reservation flights',
      steps: [
        { tool: 'get_reservation_details', input: '{reservation_id: {reservation_id}}' },
        { tool: 'get_user_details', input: '{user_id: {user_id}}' },
        {
          tool: 'update_reservation_flights',
          input: '{reservation_id: {reservation_id}, cabin: {cabin}, flights: {flights}}',
        },
      ],
      placeholders: ['reservation_id', 'user_id', 'cabin', 'flights'],
      sessionCount: 3,
      successCount: 3,
      sessionIds: ['a', 'b', 'c'],
      agents: ['agent-a'],
    });
    expect(JSON.stringify(finding.steps)).not.toMatch(/ABC123|mia_li|economy|HAT001/);
  });

  it('quotes each step of the supporting sessions verbatim, up to maxEvidence sessions', () => {
    const sessions = changeFlights();
    const { findings } = findWorkflows(inputsOf(sessions), { minSessions: 3, maxEvidence: 2 });
    const evidence = findings[0]!.evidence;
    expect(evidence.map((item) => item.sessionId)).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    expect(evidence.every((item) => item.role === 'step')).toBe(true);
    for (const item of evidence) {
      const event = sessions
        .flatMap((session) => session.events)
        .find((candidate) => candidate.id === item.eventId);
      expect(event?.text).toContain(item.quote);
      expect(event?.kind).toBe('tool-call');
    }
  });

  it('gives the same id for the same steps whatever the order of the inputs, and another id for other steps', () => {
    const forward = findWorkflows(inputsOf(changeFlights()), { minSessions: 3 }).findings;
    const backward = findWorkflows(inputsOf(changeFlights()).reverse(), { minSessions: 3 }).findings;
    expect(backward).toEqual(forward);
    expect(forward[0]!.id).toMatch(/^workflow-[0-9a-f]{10}$/);
    const cancel = [
      buildSession({ id: 'x', passed: true, calls: [user, lookUp, 'cancel_reservation'] }),
      buildSession({ id: 'y', passed: true, calls: [user, lookUp, 'cancel_reservation'] }),
      buildSession({ id: 'z', passed: true, calls: [user, lookUp, 'cancel_reservation'] }),
    ];
    const other = findWorkflows(inputsOf(cancel), { minSessions: 3 }).findings;
    expect(other).toHaveLength(1);
    expect(other[0]!.id).not.toBe(forward[0]!.id);
  });

  it('allows at most maxGap other calls between two steps', () => {
    const sessions = ['a', 'b', 'c'].map((id) =>
      buildSession({ id, passed: true, calls: [lookUp, 'one', 'two', 'three', update] }),
    );
    const pairs = (maxGap: number): string[][] =>
      findWorkflows(inputsOf(sessions), { minSessions: 3, maxGap, maxSteps: 2 }).findings.map((finding) =>
        finding.steps.map((step) => step.tool),
      );
    expect(pairs(2)).not.toContainEqual(['get_reservation_details', 'update_reservation_flights']);
    expect(pairs(3)).toContainEqual(['get_reservation_details', 'update_reservation_flights']);
  });

  it('needs minSessions supporters from minTasks distinct tasks', () => {
    const sameTask = ['a', 'b', 'c'].map((id) =>
      buildSession({ id, passed: true, title: 'Change my flight', calls: [lookUp, update] }),
    );
    const result = findWorkflows(inputsOf(sameTask), { minSessions: 3 });
    expect(result.findings).toEqual([]);
    expect(result.stats.belowTasks).toBeGreaterThan(0);
    expect(findWorkflows(inputsOf(sameTask), { minSessions: 3, minTasks: 1 }).findings).toHaveLength(1);
    expect(findWorkflows(inputsOf(changeFlights()), { minSessions: 4 }).findings).toEqual([]);
  });

  it('rejects a sequence that failed runs follow more often than successful ones', () => {
    const sessions = [
      ...changeFlights().slice(0, 3),
      ...['f1', 'f2', 'f3', 'f4'].map((id) =>
        buildSession({ id, passed: false, calls: [lookUp, user, update] }),
      ),
    ];
    const strict = findWorkflows(inputsOf(sessions), { minSessions: 3 });
    expect(strict.findings).toEqual([]);
    expect(strict.stats.belowSuccessRate).toBeGreaterThan(0);
    const loose = findWorkflows(inputsOf(sessions), { minSessions: 3, minSuccessRate: 0.4 });
    expect(loose.findings[0]).toMatchObject({ sessionCount: 7, successCount: 3 });
  });

  it('ignores sessions without an outcome unless told to count them as not failed', () => {
    const unknown = changeFlights()
      .slice(0, 3)
      .map((session) => ({ ...session, outcome: null }));
    expect(findWorkflows(inputsOf(unknown), { minSessions: 3 }).findings).toEqual([]);
    const counted = findWorkflows(inputsOf(unknown), { minSessions: 3, unknownOutcome: 'not-failed' });
    expect(counted.stats.unknown).toBe(3);
    expect(counted.findings[0]).toMatchObject({ sessionCount: 3, successCount: 0 });
  });

  it('does not emit a sub-workflow with the same supporters, nor a variant ending in the same step', () => {
    const sessions = changeFlights();
    const { findings, stats } = findWorkflows(inputsOf(sessions), { minSessions: 3 });
    expect(findings.map((finding) => finding.steps.length)).toEqual([3]);
    expect(stats.overlapping).toBeGreaterThan(0);
    // lookUp → update and user → update have the same supporters as the full sequence: neither is reported.
    expect(stats.candidates).toBeGreaterThan(findings.length);
  });

  it('counts a sidechain with the conversation that spawned it', () => {
    const sessions = [
      buildSession({ id: 'a', passed: true, calls: [lookUp] }),
      buildSession({ id: 'a-side', passed: null, parent: 'a', calls: [user, update] }),
      buildSession({ id: 'b', passed: true, calls: [lookUp, user, update] }),
      buildSession({ id: 'c', passed: true, calls: [lookUp, user, update] }),
    ];
    const { findings, stats } = findWorkflows(inputsOf(sessions), { minSessions: 3 });
    expect(stats.conversations).toBe(3);
    expect(findings[0]).toMatchObject({
      sessionIds: ['a', 'b', 'c'],
      steps: [{ tool: 'get_user_details' }, { tool: 'update_reservation_flights' }],
    });
  });

  it('renders a shell step by its command head and a constant flag by its value', () => {
    const sessions = ['a', 'b', 'c'].map((id, index) =>
      buildSession({
        id,
        passed: true,
        calls: [
          {
            tool: 'Edit',
            input: {
              file_path: `/repo/src/file${index}.ts`,
              old_string: 'a',
              new_string: 'b',
              replace_all: true,
            },
          },
          { tool: 'Bash', input: { command: `npm test -- src/file${index}.test.ts` } },
        ],
      }),
    );
    const { findings } = findWorkflows(inputsOf(sessions), { minSessions: 3 });
    expect(findings[0]).toMatchObject({
      task: 'run `npm test`',
      steps: [
        {
          tool: 'Edit',
          input:
            '{file_path: {file_path}, old_string: {old_string}, new_string: {new_string}, replace_all: true}',
        },
        { tool: 'Bash', input: '{command: "npm test {arguments}"}' },
      ],
      placeholders: ['file_path', 'old_string', 'new_string', 'arguments'],
    });
  });

  it('adds the words every task of a workflow shares to its goal', () => {
    const titles = [
      'Fix the failing login test',
      'Fix the failing signup test',
      'Fix failing tests in the parser',
    ];
    const other = ['Write the release notes', 'Rename the config option'];
    const sessions = [
      ...titles.map((title, index) =>
        buildSession({
          id: `t${index}`,
          passed: true,
          title,
          calls: [
            { tool: 'Read', input: { file_path: 'x' } },
            { tool: 'Bash', input: { command: 'npm test' } },
          ],
        }),
      ),
      ...other.map((title, index) =>
        buildSession({ id: `o${index}`, passed: true, title, calls: ['Write'] }),
      ),
    ];
    const { findings } = findWorkflows(inputsOf(sessions), { minSessions: 3 });
    expect(findings[0]?.task).toBe('run `npm test` (fix, failing)');
  });

  it('finds nothing in no sessions', () => {
    expect(findWorkflows([], { minSessions: 2 })).toEqual({
      findings: [],
      stats: {
        conversations: 0,
        succeeded: 0,
        failed: 0,
        unknown: 0,
        candidates: 0,
        belowTasks: 0,
        belowSuccessRate: 0,
        overlapping: 0,
        workflows: 0,
      },
    });
  });
});
