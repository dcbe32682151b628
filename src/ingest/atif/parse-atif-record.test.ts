import { describe, expect, it } from 'vitest';
import { createAtifParserState, finishAtifDocument, parseAtifRecord } from './parse-atif-record.js';

const context = { path: '/jobs/trajectory.json', sessionId: 's-0000abcd' };

describe('parseAtifRecord', () => {
  it('reads an agent step and leaves the input state untouched', () => {
    const state = createAtifParserState();
    const before = structuredClone(state);
    const step = parseAtifRecord(
      state,
      {
        value: {
          step_id: 2,
          source: 'agent',
          message: 'Listing.',
          tool_calls: [{ tool_call_id: 'c', function_name: 'bash', arguments: { cmd: 'ls' } }],
          observation: { results: [{ content: 'a.txt' }] },
        },
        line: 9,
      },
      context,
    );
    expect(state).toEqual(before);
    expect(
      step.events.map((event) => [event.id, event.kind, event.messageId, event.toolName, event.toolCallId]),
    ).toEqual([
      ['s-0000abcd:0', 'assistant-message', 's-0000abcd:step-2', null, null],
      ['s-0000abcd:1', 'tool-call', 's-0000abcd:step-2', 'bash', 'c'],
      ['s-0000abcd:2', 'tool-result', 's-0000abcd:step-2', 'bash', 'c'],
    ]);
    expect(step.state).toMatchObject({ steps: 1, events: 3 });
  });

  it('titles the session with the first user task and keeps a later user message out of the title', () => {
    const first = parseAtifRecord(
      createAtifParserState(),
      {
        value: {
          source: 'user',
          message: 'Rules...\n\nTask Description:\nCreate hello.txt.\n\nCurrent terminal state:',
        },
        line: 1,
      },
      context,
    );
    const second = parseAtifRecord(
      first.state,
      { value: { source: 'user', message: 'Another thing' }, line: 2 },
      context,
    );
    expect(second.state.meta.title).toBe('Create hello.txt.');
  });
});

describe('finishAtifDocument', () => {
  it('reads no outcome from final_metrics', () => {
    const state = createAtifParserState();
    const step = finishAtifDocument(
      state,
      { value: { steps: [], final_metrics: { total_cost_usd: 0.01 } }, foundRecords: true },
      context,
    );
    expect(step).toEqual({ state, events: [], warnings: [], sessionIds: [] });
  });
});
