import { describe, expect, it } from 'vitest';
import { createTauBenchParserState, parseTauBenchRecord } from './parse-tau-bench-record.js';

const context = { path: '/logs/results.json', fileKey: 'results-0000abcd' };
const run = {
  task_id: 4,
  trial: 1,
  reward: 1.0,
  info: { task: { instruction: '  You are sam_lee_1.\nYou want to cancel.' } },
  traj: [
    {
      role: 'assistant',
      content: 'Let me check.',
      tool_calls: [
        { id: 'c1', function: { name: 'get_user_details', arguments: '{"user_id":"sam_lee_1"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'c1', name: 'get_user_details', content: 'Error: user not found' },
  ],
};

describe('parseTauBenchRecord', () => {
  it('reads a run into one session with its reward, and leaves the input state untouched', () => {
    const state = createTauBenchParserState();
    const before = structuredClone(state);
    const step = parseTauBenchRecord(state, { value: run, line: 7 }, context);
    expect(state).toEqual(before);
    expect(step.sessionIds).toEqual(['results-0000abcd/task-4/trial-1']);
    expect(step.state.sessions['results-0000abcd/task-4/trial-1']).toEqual({
      title: 'You are sam_lee_1.',
      outcome: { passed: true, score: 1, source: 'log', name: 'reward', detail: null },
    });
    expect(
      step.events.map((event) => [event.id, event.sequence, event.kind, event.messageId, event.isError]),
    ).toEqual([
      [
        'results-0000abcd/task-4/trial-1:0',
        0,
        'assistant-message',
        'results-0000abcd/task-4/trial-1:m0',
        false,
      ],
      ['results-0000abcd/task-4/trial-1:1', 1, 'tool-call', 'results-0000abcd/task-4/trial-1:m0', false],
      ['results-0000abcd/task-4/trial-1:2', 2, 'tool-result', null, true],
    ]);
    expect(step.events.every((event) => event.source.line === 7 && event.timestamp === null)).toBe(true);
  });

  it('gives the same events for the same run and counts runs for those without ids', () => {
    const state = createTauBenchParserState();
    expect(parseTauBenchRecord(state, { value: run, line: 1 }, context)).toEqual(
      parseTauBenchRecord(state, { value: run, line: 1 }, context),
    );
    const bare = parseTauBenchRecord(state, { value: { traj: [] }, line: 1 }, context);
    expect(bare.sessionIds).toEqual(['results-0000abcd/run-0']);
    expect(bare.state.sessions['results-0000abcd/run-0']).toEqual({ title: null, outcome: null });
  });

  it('warns about a record that is not a run', () => {
    const step = parseTauBenchRecord(createTauBenchParserState(), { value: 42, line: 3 }, context);
    expect(step.warnings).toEqual([
      {
        type: 'invalid-record',
        path: '/logs/results.json',
        line: 3,
        message: 'tau-bench run: not an object',
      },
    ]);
    expect(step.state.runs).toBe(1);
  });
});
