import { describe, expect, it } from 'vitest';
import { effectiveOutcome } from './outcome.js';
import type { OutcomeRecord, SessionOutcome } from './outcome.js';

const fromLog: SessionOutcome = { passed: false, score: 0, source: 'log', name: 'reward', detail: null };

function record(overrides: Partial<OutcomeRecord>): OutcomeRecord {
  return {
    id: 'o',
    sessionId: 's',
    source: 'grader',
    name: 'rubric',
    passed: true,
    score: null,
    detail: null,
    criteria: null,
    eventCount: null,
    recordedAt: '2025-01-01T00:00:00.000Z',
    recordedBy: null,
    ...overrides,
  };
}

describe('effectiveOutcome', () => {
  it('takes the log when nothing else was recorded', () => {
    expect(effectiveOutcome(fromLog, [])).toEqual(fromLog);
    expect(effectiveOutcome(null, [])).toBeNull();
  });

  it('prefers a person over a grader over the log, and the latest within one source', () => {
    const grader = record({
      id: 'g',
      source: 'grader',
      passed: true,
      recordedAt: '2025-01-03T00:00:00.000Z',
    });
    const person = record({
      id: 'p',
      source: 'cli',
      passed: false,
      name: 'manual',
      recordedAt: '2025-01-02T00:00:00.000Z',
    });
    expect(effectiveOutcome(fromLog, [grader])).toMatchObject({ source: 'grader', passed: true });
    expect(effectiveOutcome(fromLog, [grader, person])).toMatchObject({ source: 'cli', passed: false });
    const later = record({ id: 'p2', source: 'cli', passed: true, recordedAt: '2025-01-04T00:00:00.000Z' });
    expect(effectiveOutcome(fromLog, [later, person, grader])).toMatchObject({ source: 'cli', passed: true });
  });

  it('never lets a record that decides nothing hide one that does', () => {
    const undecided = record({ id: 'u', passed: null, score: null, recordedAt: '2025-01-05T00:00:00.000Z' });
    expect(effectiveOutcome(fromLog, [undecided])).toEqual(fromLog);
    const decided = record({ id: 'g', passed: true, recordedAt: '2025-01-03T00:00:00.000Z' });
    expect(effectiveOutcome(fromLog, [decided, undecided])).toMatchObject({ source: 'grader', passed: true });
    // Nothing decided anywhere: the undecided grade is still shown (it says the rubric ran).
    expect(effectiveOutcome(null, [undecided])).toMatchObject({ source: 'grader', passed: null });
    // A log that decides nothing gives way to a grade that does, whatever the order.
    const silentLog: SessionOutcome = { ...fromLog, passed: null, score: null };
    expect(effectiveOutcome(silentLog, [decided])).toMatchObject({ source: 'grader', passed: true });
  });
});
