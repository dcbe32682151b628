/**
 * Fisher's exact test for 2×2 tables, and its stratified form (the exact conditional test of a common odds ratio of
 * one across several 2×2 tables, which is what R's `mantelhaen.test(exact = TRUE)` computes). With one table the
 * two are the same test, so callers that sometimes stratify and sometimes do not use one function.
 */

/**
 * A 2×2 table of counts. Rows are two groups (e.g. failed and successful runs), columns whether a feature is present.
 * In R's terms this is `matrix(c(firstWith, secondWith, firstWithout, secondWithout), 2)`.
 */
export interface ContingencyTable {
  firstWith: number;
  firstWithout: number;
  secondWith: number;
  secondWithout: number;
}

/** The result of {@link fisherExactTest}. */
export interface FisherExactTestResult {
  /** Two-sided p-value, as R computes it (see {@link fisherExactTest}). */
  pValue: number;
  /** `firstWith` summed over the tables: the test statistic. */
  observed: number;
  /** What `observed` would be on average if the feature were unrelated to the groups (sum of hypergeometric means). */
  expected: number;
}

// R's tolerance for "as or less likely than the observed table": without it, tables exactly as likely as the observed
// one can drop out of the two-sided sum through rounding (fisher.test, mantelhaen.test: relErr <- 1 + 10^(-7)).
const relativeError = 1 + 1e-7;

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

function logFactorials(max: number): Float64Array {
  const table = new Float64Array(max + 1);
  for (let value = 2; value <= max; value++) table[value] = (table[value - 1] ?? 0) + Math.log(value);
  return table;
}

/**
 * The conditional distribution of `firstWith` for one table with fixed margins (hypergeometric), as log-probabilities
 * from `low` to `high`.
 */
function hypergeometric(
  table: ContingencyTable,
  logFactorial: Float64Array,
): { low: number; logProbabilities: number[] } {
  const firstTotal = table.firstWith + table.firstWithout;
  const secondTotal = table.secondWith + table.secondWithout;
  const withTotal = table.firstWith + table.secondWith;
  const total = firstTotal + secondTotal;
  const low = Math.max(0, withTotal - secondTotal);
  const high = Math.min(withTotal, firstTotal);
  const at = (value: number): number => logFactorial[value] ?? 0;
  const logChooseTotal = at(total) - at(withTotal) - at(total - withTotal);
  const logProbabilities: number[] = [];
  for (let value = low; value <= high; value++) {
    logProbabilities.push(
      at(firstTotal) -
        at(value) -
        at(firstTotal - value) +
        at(secondTotal) -
        at(withTotal - value) -
        at(secondTotal - withTotal + value) -
        logChooseTotal,
    );
  }
  return { low, logProbabilities };
}

/**
 * Two-sided exact test of independence between group and feature, over one 2×2 table (Fisher) or several strata
 * (exact conditional test: the feature may be more common in some strata than others, e.g. in some tasks, without
 * that counting as an association). The p-value is the probability, given every table's margins, of a total
 * `firstWith` at most as likely as the observed one: R's `fisher.test` and `mantelhaen.test(exact = TRUE)` give the
 * same numbers.
 * @param tables one table, or one per stratum; strata whose margins leave a single possible table add nothing
 * @throws RangeError when a count is not a non-negative integer
 * @example
 * fisherExactTest({ firstWith: 3, firstWithout: 1, secondWith: 1, secondWithout: 3 }).pValue; // 0.4857 (tea tasting)
 */
export function fisherExactTest(
  tables: ContingencyTable | readonly ContingencyTable[],
): FisherExactTestResult {
  const strata: readonly ContingencyTable[] = Array.isArray(tables)
    ? (tables as readonly ContingencyTable[])
    : [tables as ContingencyTable];
  let largest = 0;
  for (const table of strata) {
    const counts = [table.firstWith, table.firstWithout, table.secondWith, table.secondWithout];
    if (!counts.every(isCount)) {
      throw new RangeError(`fisherExactTest: counts must be non-negative integers, got ${counts.join(', ')}`);
    }
    largest = Math.max(
      largest,
      counts.reduce((sum, count) => sum + count, 0),
    );
  }
  const logFactorial = logFactorials(largest);

  // The distribution of the summed statistic is the convolution of each stratum's hypergeometric distribution.
  let offset = 0;
  let distribution = [1];
  let observed = 0;
  let expected = 0;
  for (const table of strata) {
    const firstTotal = table.firstWith + table.firstWithout;
    const total = firstTotal + table.secondWith + table.secondWithout;
    const withTotal = table.firstWith + table.secondWith;
    observed += table.firstWith;
    if (total > 0) expected += (firstTotal * withTotal) / total;
    const { low, logProbabilities } = hypergeometric(table, logFactorial);
    const peak = Math.max(...logProbabilities);
    const probabilities = logProbabilities.map((value) => Math.exp(value - peak));
    const next = new Array<number>(distribution.length + probabilities.length - 1).fill(0);
    distribution.forEach((left, leftIndex) => {
      probabilities.forEach((right, rightIndex) => {
        next[leftIndex + rightIndex] = (next[leftIndex + rightIndex] ?? 0) + left * right;
      });
    });
    const sum = next.reduce((accumulated, value) => accumulated + value, 0);
    distribution = next.map((value) => value / sum);
    offset += low;
  }

  const observedProbability = distribution[observed - offset] ?? 0;
  let pValue = 0;
  for (const probability of distribution) {
    if (probability <= observedProbability * relativeError) pValue += probability;
  }
  return { pValue: Math.min(1, pValue), observed, expected };
}
