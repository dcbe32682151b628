import { describe, expect, it } from 'vitest';
import type { Evidence } from '../domain/finding.js';
import type { SessionEvent } from '../domain/session.js';
import { verifyEvidence } from './verify-evidence.js';

const event: SessionEvent = {
  id: 'cc:u1:0',
  sessionId: 's1',
  sequence: 1000,
  kind: 'tool-result',
  subtype: null,
  timestamp: '2025-10-04T00:01:48.266Z',
  text: '<tool_use_error>File has not been read yet. Read it first before writing to it.</tool_use_error>',
  messageId: null,
  toolName: 'Edit',
  toolCallId: 'toolu_1',
  toolInput: null,
  isError: true,
  isRejection: false,
  source: { path: '/x.jsonl', line: 1 },
};

function evidence(overrides: Partial<Evidence>): Evidence {
  return {
    sessionId: 's1',
    eventId: 'cc:u1:0',
    agent: 'coder',
    timestamp: null,
    quote: 'File has not been read yet',
    role: 'error',
    ...overrides,
  };
}

describe('verifyEvidence', () => {
  const events = new Map([[event.id, event]]);

  it('keeps a verbatim quote of the named event', () => {
    expect(verifyEvidence([evidence({})], events).verified).toHaveLength(1);
  });

  it('rejects a quote that is not in the text, a wrong session, a missing event and an empty quote', () => {
    const result = verifyEvidence(
      [
        evidence({ quote: 'File has been read' }),
        evidence({ sessionId: 's2' }),
        evidence({ eventId: 'nope' }),
        evidence({ quote: '  ' }),
      ],
      events,
    );
    expect(result.verified).toEqual([]);
    expect(result.rejected.map((rejection) => rejection.reason)).toEqual([
      'the quote is not in the text of event cc:u1:0',
      'event cc:u1:0 belongs to session s1',
      'event nope is not in the store',
      'the quote is empty',
    ]);
  });
});
