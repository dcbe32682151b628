import { describe, expect, it } from 'vitest';
import type { Rubric } from '../domain/rubric.js';
import type { SessionEvent, SessionWithEvents } from '../domain/session.js';
import { gradeSession } from './grade-session.js';

function event(
  kind: SessionEvent['kind'],
  text: string,
  overrides: Partial<SessionEvent> = {},
): SessionEvent {
  return {
    id: `e-${text}`,
    sessionId: 's',
    sequence: 0,
    kind,
    subtype: null,
    timestamp: null,
    text,
    messageId: null,
    toolName: null,
    toolCallId: null,
    toolInput: null,
    isError: false,
    isRejection: false,
    source: { path: '/x', line: 1 },
    ...overrides,
  };
}

const session: SessionWithEvents = {
  id: 's',
  agent: 'coder',
  format: 'reverie-jsonl',
  sourcePath: '/x',
  parentSessionId: null,
  title: null,
  cwd: '/repo',
  startedAt: null,
  endedAt: null,
  eventCount: 5,
  outcome: null,
  events: [
    event('tool-call', '{"command":"npm test"}', { toolName: 'Bash', toolCallId: 'c1' }),
    event('tool-result', 'Exit code 1', { toolName: 'Bash', toolCallId: 'c1', isError: true }),
    event('tool-result', 'The user refused', {
      toolName: 'Write',
      toolCallId: 'c2',
      isError: true,
      isRejection: true,
    }),
    event('assistant-message', 'thinking it over', { subtype: 'thinking' }),
    event('assistant-message', 'All 42 tests pass.'),
  ],
};

const rubric = (pass: Rubric['pass'], criteria: Rubric['criteria']): Rubric => ({
  name: 'r',
  agents: null,
  pass,
  criteria,
});

describe('gradeSession', () => {
  it('evaluates each deterministic criterion and records why', () => {
    const grade = gradeSession(
      session,
      rubric('all', [
        { type: 'final-message-matches', pattern: 'tests pass' },
        { type: 'tool-used', tool: 'Bash' },
        { type: 'tool-not-used', tool: 'Write' },
        { type: 'max-tool-errors', max: 1 },
      ]),
    );
    expect(grade).toEqual({
      passed: true,
      score: 1,
      criteria: [
        { criterion: 'final message matches /tests pass/', passed: true, detail: null },
        { criterion: 'uses `Bash`', passed: true, detail: '1 calls' },
        { criterion: 'does not use `Write`', passed: true, detail: '0 calls' },
        { criterion: 'at most 1 tool errors', passed: true, detail: '1 tool errors' },
      ],
    });
  });

  it('fails on a failing criterion and counts any / at least N', () => {
    const criteria: Rubric['criteria'] = [
      { type: 'tool-used', tool: 'Read' },
      { type: 'max-tool-errors', max: 0 },
      { type: 'tool-used', tool: 'Bash' },
    ];
    expect(gradeSession(session, rubric('all', criteria))).toMatchObject({ passed: false, score: 1 / 3 });
    expect(gradeSession(session, rubric('any', criteria)).passed).toBe(true);
    expect(gradeSession(session, rubric(2, criteria)).passed).toBe(false);
  });

  it('uses command results, and leaves the verdict open when a deciding command could not run', () => {
    const criteria: Rubric['criteria'] = [
      { type: 'tool-used', tool: 'Bash' },
      { type: 'command', command: 'npm test', timeoutMs: 60_000 },
    ];
    expect(
      gradeSession(
        session,
        rubric('all', criteria),
        new Map([[1, { exitCode: 0, output: 'ok', timedOut: false }]]),
      ).passed,
    ).toBe(true);
    const failing = gradeSession(
      session,
      rubric('all', criteria),
      new Map([[1, { exitCode: 2, output: 'a\nb\nFAIL x', timedOut: false }]]),
    );
    expect(failing.passed).toBe(false);
    expect(failing.criteria[1]?.detail).toBe('exit code 2: a\nb\nFAIL x');
    expect(gradeSession(session, rubric('all', criteria), new Map([[1, null]]))).toMatchObject({
      passed: null,
      score: 1,
    });
    expect(
      gradeSession(
        session,
        rubric('all', criteria),
        new Map([[1, { exitCode: null, output: '', timedOut: true }]]),
      ).criteria[1],
    ).toMatchObject({
      passed: false,
      detail: 'timed out after 60 s',
    });
  });
});
