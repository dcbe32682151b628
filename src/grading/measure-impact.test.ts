import { describe, expect, it } from 'vitest';
import { measureImpact } from './measure-impact.js';
import type { ImpactSession } from './measure-impact.js';

function sessions(day: number, count: number, withError: number, passed: number): ImpactSession[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `d${day}-${index}`,
    time: `2025-11-${String(day).padStart(2, '0')}T10:00:${String(index).padStart(2, '0')}.000Z`,
    passed: index < passed,
    findingIds: new Set(index < withError ? ['err-1'] : []),
  }));
}

const version = {
  version: 2,
  appliedAt: '2025-11-10T00:00:00.000Z',
  proposalId: 'p-1',
  reason: 'read first',
  findingIds: ['err-1'],
};

describe('measureImpact', () => {
  it('compares equal windows before and after a version and calls a drop in the targeted error better', () => {
    const [row] = measureImpact({
      versions: [version],
      sessions: [...sessions(5, 10, 6, 5), ...sessions(15, 10, 1, 7), ...sessions(1, 5, 5, 0)],
      now: '2025-11-20T00:00:00.000Z',
      minSessions: 3,
    });
    expect(row?.from).toBe('2025-10-31T00:00:00.000Z');
    expect(row?.before).toEqual({ sessions: 15, withTargetedError: 11, passed: 5, failed: 10 });
    expect(row?.after).toEqual({ sessions: 10, withTargetedError: 1, passed: 7, failed: 3 });
    expect(row?.verdict).toBe('better');
    expect(row?.explanation).toBe(
      'targeted errors in 73% of sessions before, 10% after; passed 33% before, 70% after',
    );
  });

  it('flags a version after which the outcome rate dropped', () => {
    const [row] = measureImpact({
      versions: [version],
      sessions: [...sessions(5, 10, 2, 8), ...sessions(15, 10, 2, 3)],
      now: '2025-11-20T00:00:00.000Z',
      minSessions: 3,
    });
    expect(row?.verdict).toBe('worse');
  });

  it('gives no verdict without enough sessions on both sides', () => {
    const [row] = measureImpact({
      versions: [version],
      sessions: sessions(5, 10, 2, 8),
      now: '2025-11-20T00:00:00.000Z',
      minSessions: 3,
    });
    expect(row).toMatchObject({
      verdict: 'too few sessions',
      explanation: 'needs 3 sessions on each side (10 before, 0 after)',
    });
  });
});
