import { describe, expect, it } from 'vitest';
import type { SessionEvent, SessionWithEvents } from '../domain/session.js';
import { abstractTaskText } from './workflow-task-text.js';

function session(
  title: string | null,
  firstMessage: { text: string; subtype: string | null } | null,
): SessionWithEvents {
  const events: SessionEvent[] =
    firstMessage === null
      ? []
      : [
          {
            id: 'e0',
            sessionId: 's',
            sequence: 0,
            kind: 'user-message',
            subtype: firstMessage.subtype,
            timestamp: null,
            text: firstMessage.text,
            messageId: null,
            toolName: null,
            toolCallId: null,
            toolInput: null,
            isError: false,
            isRejection: false,
            source: { path: '/x', line: 1 },
          },
        ];
  return {
    id: 's',
    agent: 'a',
    format: 'reverie-jsonl',
    sourcePath: '/x',
    parentSessionId: null,
    title,
    cwd: null,
    startedAt: null,
    endedAt: null,
    eventCount: events.length,
    outcome: null,
    events,
  };
}

describe('abstractTaskText', () => {
  it('keeps content words, without names, codes, numbers, paths or stop words', () => {
    const task = abstractTaskText(
      session(
        'You are mia_li_3668. You want to fly from ATL to Seattle on May 20 (one way), see /tmp/notes.md and reservation IFOYYZ.',
        null,
      ),
    );
    expect(task?.words).toEqual(['fly', 'seattle', 'may', 'way', 'see', 'reservation']);
  });

  it('gives the same key to the same task text whatever its case and spacing', () => {
    const a = abstractTaskText(session('Change my  flight to a nonstop one', null));
    const b = abstractTaskText(session('change my flight to a NONSTOP one', null));
    const c = abstractTaskText(session('Cancel my flight', null));
    expect(a?.key).toBe(b?.key);
    expect(a?.key).not.toBe(c?.key);
  });

  it('falls back to the first message a person typed, and is null without one', () => {
    expect(abstractTaskText(session(null, { text: 'Run the linter please', subtype: null }))?.words).toEqual([
      'run',
      'linter',
    ]);
    expect(
      abstractTaskText(session(null, { text: '<command-name>/clear</command-name>', subtype: 'command' })),
    ).toBeNull();
    expect(abstractTaskText(session(null, null))).toBeNull();
  });
});
