import { describe, expect, it } from 'vitest';
import {
  createSweAgentParserState,
  finishSweAgentDocument,
  parseSweAgentRecord,
} from './parse-swe-agent-record.js';

const context = { path: '/runs/x.traj', sessionId: 'x-0000abcd' };

describe('parseSweAgentRecord', () => {
  it('reads a step as thought, call and result, and leaves the input state untouched', () => {
    const state = createSweAgentParserState();
    const before = structuredClone(state);
    const step = parseSweAgentRecord(
      state,
      {
        value: {
          thought: 'Run it.',
          action: 'python  repro.py\n',
          observation: 'bash: python: command not found\n',
          state: '{"open_file": "n/a", "working_dir": "/repo"}\n',
        },
        line: 5,
      },
      context,
    );
    expect(state).toEqual(before);
    expect(
      step.events.map((event) => [event.id, event.kind, event.toolName, event.toolCallId, event.isError]),
    ).toEqual([
      ['x-0000abcd:0', 'assistant-message', null, null, false],
      ['x-0000abcd:1', 'tool-call', 'python', 'step-0', false],
      ['x-0000abcd:2', 'tool-result', 'python', 'step-0', true],
    ]);
    expect(step.state).toMatchObject({ steps: 1, events: 3, meta: { cwd: '/repo' } });
  });

  it('keeps an observation without an action as a system event', () => {
    const step = parseSweAgentRecord(
      createSweAgentParserState(),
      { value: { thought: '', action: '', observation: 'Exited (autosubmitted)' }, line: 2 },
      context,
    );
    expect(step.events.map((event) => [event.kind, event.subtype, event.text])).toEqual([
      ['system', 'observation', 'Exited (autosubmitted)'],
    ]);
  });
});

describe('finishSweAgentDocument', () => {
  it('takes the outcome from info and the title from a 1.x replay config string', () => {
    const step = finishSweAgentDocument(
      createSweAgentParserState(),
      {
        value: {
          trajectory: [],
          info: { exit_status: 'exit_context', submission: null },
          replay_config: JSON.stringify({ problem_statement: { text: '\n  Fix the flaky test  \nDetails' } }),
        },
        foundRecords: true,
      },
      context,
    );
    expect(step.state.meta).toEqual({
      title: 'Fix the flaky test',
      cwd: null,
      outcome: { passed: false, score: null, source: 'log', name: 'exit_status', detail: 'exit_context' },
    });
    expect(step.sessionIds).toEqual(['x-0000abcd']);
  });

  it('reads nothing from an envelope that could not be parsed', () => {
    const step = finishSweAgentDocument(
      createSweAgentParserState(),
      { value: null, foundRecords: true },
      context,
    );
    expect(step).toMatchObject({ warnings: [], sessionIds: [] });
  });
});
