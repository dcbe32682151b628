import { describe, expect, it } from 'vitest';
import { fisherExactTest } from './fisher-exact-test.js';
import type { ContingencyTable } from './fisher-exact-test.js';

/** R's `matrix(c(a, c, b, d), 2)` is the table with rows (a, b) and (c, d). */
function table(a: number, b: number, c: number, d: number): ContingencyTable {
  return { firstWith: a, firstWithout: b, secondWith: c, secondWithout: d };
}

describe('fisherExactTest', () => {
  it('matches R fisher.test on the tea-tasting example', () => {
    // R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value == 0.4857143
    expect(fisherExactTest(table(3, 1, 1, 3)).pValue).toBeCloseTo(0.4857142857, 9);
  });

  it('matches R fisher.test on the convictions example, two-sided', () => {
    // R: fisher.test(matrix(c(2, 10, 15, 3), 2))$p.value == 0.0005367241
    expect(fisherExactTest(table(2, 15, 10, 3)).pValue).toBeCloseTo(0.0005367241191, 12);
  });

  it('matches R fisher.test on the dieting example', () => {
    // R: fisher.test(matrix(c(1, 11, 9, 3), 2))$p.value == 0.002759456
    expect(fisherExactTest(table(1, 9, 11, 3)).pValue).toBeCloseTo(0.0027594561852, 12);
  });

  it('gives the same p-value for a table and its mirror images', () => {
    const p = fisherExactTest(table(9, 2, 0, 14)).pValue;
    // R: fisher.test(matrix(c(9, 0, 2, 14), 2))$p.value == 2.692152e-05
    expect(p).toBeCloseTo(2.6921523758e-5, 14);
    expect(fisherExactTest(table(0, 14, 9, 2)).pValue).toBeCloseTo(p, 14);
    expect(fisherExactTest(table(2, 9, 14, 0)).pValue).toBeCloseTo(p, 14);
  });

  it('returns 1 when the margins leave one possible table', () => {
    expect(fisherExactTest(table(0, 5, 0, 7)).pValue).toBe(1);
    expect(fisherExactTest(table(4, 0, 6, 0)).pValue).toBe(1);
    expect(fisherExactTest(table(0, 0, 0, 0)).pValue).toBe(1);
  });

  it('reports the observed statistic and its expectation under independence', () => {
    const result = fisherExactTest(table(9, 2, 0, 14));
    expect(result.observed).toBe(9);
    expect(result.expected).toBeCloseTo((11 * 9) / 25, 12);
  });

  it('matches R mantelhaen.test(exact = TRUE) on the penicillin rabbits strata', () => {
    // R: mantelhaen.test(Rabbits, exact = TRUE): S = 16, p-value = 0.03994
    const rabbits = [
      table(0, 6, 0, 5),
      table(3, 3, 0, 6),
      table(6, 0, 2, 4),
      table(5, 1, 6, 0),
      table(2, 0, 5, 0),
    ];
    const result = fisherExactTest(rabbits);
    expect(result.observed).toBe(16);
    expect(result.pValue).toBeCloseTo(0.0399449035813, 12);
  });

  it('equals the plain test when given one stratum, and ignores strata that cannot vary', () => {
    const single = fisherExactTest(table(2, 15, 10, 3)).pValue;
    expect(fisherExactTest([table(2, 15, 10, 3)]).pValue).toBeCloseTo(single, 14);
    expect(fisherExactTest([table(2, 15, 10, 3), table(0, 4, 0, 3), table(5, 0, 2, 0)]).pValue).toBeCloseTo(
      single,
      14,
    );
  });

  it('does not count a feature that only marks a harder stratum', () => {
    // Pooled, the feature looks strongly tied to failure; within each stratum it is not tied at all.
    // R: fisher.test(matrix(c(21, 9, 9, 21), 2))$p.value == 0.004117368
    const strata = [table(20, 5, 4, 1), table(1, 4, 5, 20)];
    const pooled = table(21, 9, 9, 21);
    expect(fisherExactTest(strata).pValue).toBeCloseTo(1, 12);
    expect(fisherExactTest(pooled).pValue).toBeCloseTo(0.0041173679392, 12);
  });

  it('rejects counts that are not non-negative integers', () => {
    expect(() => fisherExactTest(table(1.5, 0, 0, 1))).toThrow(RangeError);
    expect(() => fisherExactTest(table(-1, 0, 0, 1))).toThrow(RangeError);
  });
});
