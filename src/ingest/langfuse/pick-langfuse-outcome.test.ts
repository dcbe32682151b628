import { describe, expect, it } from 'vitest';
import { betterOutcomeCandidate, langfuseOutcomeCandidate } from './pick-langfuse-outcome.js';

describe('langfuseOutcomeCandidate', () => {
  const candidate = (fields: Record<string, unknown>) =>
    langfuseOutcomeCandidate({ name: 'x', timestamp: '2026-01-01T00:00:00Z', ...fields });

  it('prefers a BOOLEAN score, then a pass/fail name, then the latest numeric score', () => {
    const boolean = candidate({ name: 'user_ok', value: 1, dataType: 'BOOLEAN' });
    const named = candidate({ name: 'Task Success', value: 0, dataType: 'NUMERIC' });
    const numeric = candidate({ name: 'toxicity', value: 0.8, dataType: 'NUMERIC' });
    const later = candidate({ name: 'helpfulness', value: 0.4, timestamp: '2026-02-01T00:00:00Z' });
    expect(boolean?.outcome).toMatchObject({ passed: true, score: 1 });
    expect(named?.outcome).toMatchObject({ passed: false, score: 0 });
    expect(numeric?.outcome).toMatchObject({ passed: null, score: 0.8 });
    expect(betterOutcomeCandidate(named, boolean)).toBe(boolean);
    expect(betterOutcomeCandidate(numeric, named)).toBe(named);
    expect(betterOutcomeCandidate(numeric, later)).toBe(later);
  });

  it('ignores scores of one observation or a dataset run, text and categorical scores, and corrections', () => {
    expect(candidate({ value: 1, observationId: 'o1' })).toBeNull();
    expect(candidate({ value: 1, datasetRunId: 'r1' })).toBeNull();
    expect(candidate({ stringValue: 'great', dataType: 'TEXT' })).toBeNull();
    expect(candidate({ value: 2, stringValue: 'b', dataType: 'CATEGORICAL' })).toBeNull();
    expect(candidate({ value: 0, dataType: 'CORRECTION' })).toBeNull();
    expect(candidate({ stringValue: 'False', dataType: 'BOOLEAN' })?.outcome.passed).toBe(false);
  });
});
