import { describe, expect, it } from 'vitest';
import type { SessionEvent, SessionWithEvents } from '../domain/session.js';
import { digestToolErrors } from './find-recurring-tool-errors.js';

/** A session of tool calls and results: `[name, input, result text, isError]` per call. */
function session(calls: readonly [string, Record<string, unknown>, string, boolean][]): SessionWithEvents {
  const events: SessionEvent[] = calls.flatMap(([name, input, text, isError], index) => {
    const base = {
      sessionId: 's1',
      subtype: null,
      timestamp: null,
      messageId: null,
      toolName: name,
      toolCallId: `c${index}`,
      isRejection: false,
      source: { path: 'x.jsonl', line: index + 1 },
    };
    return [
      {
        ...base,
        id: `e${index}a`,
        sequence: index * 2,
        kind: 'tool-call',
        text: '',
        toolInput: input,
        isError: false,
      },
      {
        ...base,
        id: `e${index}b`,
        sequence: index * 2 + 1,
        kind: 'tool-result',
        text,
        toolInput: null,
        isError,
      },
    ];
  });
  return {
    id: 's1',
    agent: 'a',
    format: 'tau-bench',
    sourcePath: 'x.jsonl',
    parentSessionId: null,
    title: null,
    cwd: null,
    startedAt: null,
    endedAt: null,
    eventCount: events.length,
    outcome: null,
    events,
  };
}

describe('digestToolErrors: the recovery', () => {
  it('names the structured argument a successful retry changed, and skips note-taking tools', () => {
    const digest = digestToolErrors(
      session([
        [
          'update_reservation_flights',
          { reservation_id: 'R1', flights: ['HAT1'] },
          'Error: not available',
          true,
        ],
        ['think', { thought: 'try another flight' }, '', false],
        ['update_reservation_flights', { reservation_id: 'R1', flights: ['HAT2'] }, '{"ok": true}', false],
      ]),
    );
    expect(digest.occurrences[0]?.recovery).toMatchObject({
      steps: ['update_reservation_flights'],
      inputChange: 'flights: <changed>',
    });
  });

  it('prefers a boolean flag, and names no change of a free-form argument or of many', () => {
    const flag = digestToolErrors(
      session([
        ['Edit', { file_path: '/a', old_string: 'x', new_string: 'y' }, 'Found 2 matches', true],
        ['Edit', { file_path: '/a', old_string: 'x2', new_string: 'y', replace_all: true }, 'ok', false],
      ]),
    );
    expect(flag.occurrences[0]?.recovery?.inputChange).toBe('replace_all: true');
    const freeForm = digestToolErrors(
      session([
        ['Bash', { command: 'npm tset' }, 'Exit code 1\nnpm ERR! missing script', true],
        ['Bash', { command: 'npm test' }, 'ok', false],
      ]),
    );
    expect(freeForm.occurrences[0]?.recovery).toMatchObject({ steps: ['Bash'], inputChange: null });
    const many = digestToolErrors(
      session([
        ['book', { a: 1, b: 2, c: 3 }, 'Error: bad', true],
        ['book', { a: 2, b: 3, c: 4 }, 'ok', false],
      ]),
    );
    expect(many.occurrences[0]?.recovery?.inputChange).toBeNull();
  });
});
