import { describe, expect, it } from 'vitest';
import { createOpenHandsParserState, parseOpenHandsRecord } from './parse-openhands-record.js';

const context = { path: '/trajs/t.json', sessionId: 't-0000abcd' };

describe('parseOpenHandsRecord', () => {
  it('carries a tool call to its observation through the state, and leaves the input state untouched', () => {
    const initial = createOpenHandsParserState();
    const before = structuredClone(initial);
    const call = parseOpenHandsRecord(
      initial,
      {
        value: {
          id: 7,
          timestamp: '2025-01-01T10:00:00',
          source: 'agent',
          action: 'run',
          args: { command: 'ls', thought: 'Look around.' },
          tool_call_metadata: {
            tool_call_id: 'toolu_1',
            function_name: 'execute_bash',
            model_response: { id: 'r1' },
          },
        },
        line: 3,
      },
      context,
    );
    expect(initial).toEqual(before);
    expect(call.state.pending).toEqual({ '7': { toolName: 'run', toolCallId: 'toolu_1' } });
    const result = parseOpenHandsRecord(
      call.state,
      {
        value: {
          id: 8,
          timestamp: '2025-01-01T10:00:02',
          source: 'agent',
          observation: 'run',
          cause: 7,
          content: 'ls: cannot access x',
          extras: {
            metadata: {
              exit_code: 2,
              working_dir: '/workspace',
              suffix: '\n[The command completed with exit code 2.]',
            },
          },
        },
        line: 4,
      },
      context,
    );
    expect(result.state.pending).toEqual({});
    expect(
      [...call.events, ...result.events].map((event) => [
        event.id,
        event.kind,
        event.messageId,
        event.toolCallId,
        event.isError,
      ]),
    ).toEqual([
      ['t-0000abcd:0', 'assistant-message', 'r1', null, false],
      ['t-0000abcd:1', 'tool-call', 'r1', 'toolu_1', false],
      ['t-0000abcd:2', 'tool-result', null, 'toolu_1', true],
    ]);
    expect(result.events[0]?.text).toBe('ls: cannot access x\n[The command completed with exit code 2.]');
    expect(result.state.meta).toMatchObject({
      cwd: '/workspace',
      startedAt: '2025-01-01T10:00:00',
      endedAt: '2025-01-01T10:00:02',
    });
  });

  it('skips null observations without touching the session', () => {
    const state = createOpenHandsParserState();
    const step = parseOpenHandsRecord(
      state,
      { value: { id: 2, source: 'agent', observation: 'null', cause: 1 }, line: 1 },
      context,
    );
    expect(step).toEqual({ state, events: [], warnings: [], sessionIds: [] });
  });
});
