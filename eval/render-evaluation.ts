/**
 * The evaluation as Markdown: printed by `npm run eval` and written between the markers of docs/evaluation.md.
 * Only figures that every run reproduces go in (no times, no temporary paths).
 */
import { describeFinding } from '../src/domain/finding.js';
import type { Finding } from '../src/domain/finding.js';
import type { LabelEvaluation } from './evaluate-labels.js';
import type { GrowthResult } from './growth.js';
import type { MinerName } from './labels/types.js';
import { combineScores, targets } from './match-findings.js';
import type { MinerScore } from './match-findings.js';
import type { ReplayResult } from './replay.js';

export interface EvaluationResults {
  labels: readonly LabelEvaluation[];
  replays: readonly ReplayResult[];
  growth: readonly GrowthResult[];
}

function ratio(value: number | null): string {
  return value === null ? '—' : value.toFixed(2);
}

function statusText(score: MinerScore): string {
  switch (score.status) {
    case 'pass':
      return 'PASS';
    case 'fail':
      return 'FAIL';
    case 'silent':
      return 'PASS (nothing expected, nothing found)';
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A finding in one line, without the temporary path a memory-hygiene finding names. */
function describe(finding: Finding): string {
  if (finding.kind === 'memory-hygiene') {
    return `${finding.problem} ${finding.entryIds.join(', ')}: ${finding.detail}`;
  }
  return describeFinding(finding);
}

function scoreRow(corpus: string, score: MinerScore): string[] {
  return [
    corpus,
    score.miner,
    String(score.findings),
    String(score.correctFindings),
    `${score.requiredLabels} + ${score.acceptableLabels}`,
    String(score.recalledLabels),
    ratio(score.precision),
    ratio(score.recall),
    statusText(score),
  ];
}

export function renderLabelTable(evaluations: readonly LabelEvaluation[]): string {
  const rows = evaluations.flatMap((evaluation) =>
    evaluation.scores.map((score) => scoreRow(evaluation.corpus, score)),
  );
  const miners = [
    ...new Set(evaluations.flatMap((evaluation) => evaluation.scores.map((score) => score.miner))),
  ];
  const totals = miners.map((miner: MinerName) =>
    scoreRow(
      '**all three**',
      combineScores(
        miner,
        evaluations.flatMap((evaluation) => evaluation.scores.filter((score) => score.miner === miner)),
      ),
    ),
  );
  return table(
    [
      'corpus',
      'miner',
      'findings',
      'correct',
      'labels (required + acceptable)',
      'recalled',
      'precision',
      'recall',
      `status (P >= ${targets.precision}, R >= ${targets.recall})`,
    ],
    [...rows, ...totals],
  );
}

export function renderMissesAndFalsePositives(evaluations: readonly LabelEvaluation[]): string {
  const missed = evaluations.flatMap((evaluation) =>
    evaluation.scores.flatMap((score) =>
      score.missed.map(
        (label) =>
          `- ${evaluation.corpus} / ${score.miner}: \`${label.id}\`: ${label.description}` +
          (label.note === undefined ? '' : ` (${label.note})`),
      ),
    ),
  );
  const unmatched = evaluations.flatMap((evaluation) =>
    evaluation.scores.flatMap((score) =>
      score.unmatched.map(
        ({ finding, violates }) =>
          `- ${evaluation.corpus} / ${score.miner}: ${describe(finding)}` +
          (violates === null
            ? ' (matches no label)'
            : ` (a negative: \`${violates.id}\`, ${violates.description})`),
      ),
    ),
  );
  return [
    '**Labels missed** (required, no finding matched them):',
    '',
    ...(missed.length === 0 ? ['- none'] : missed),
    '',
    '**Findings that match no label** (each costs precision):',
    '',
    ...(unmatched.length === 0 ? ['- none'] : unmatched),
  ].join('\n');
}

export function renderReplay(replays: readonly ReplayResult[]): string {
  const summary = table(
    [
      'corpus',
      'split (earlier / later)',
      'units',
      'sessions',
      'recurring error occurrences later',
      'covered by an earlier entry',
      'share',
      'entries the earlier dream wrote',
      'memory after it (entries / lines / bytes)',
    ],
    replays.map((result) => [
      result.corpus,
      result.split,
      `${result.earlierUnits} / ${result.laterUnits}`,
      `${result.earlierSessions} / ${result.laterSessions}`,
      String(result.recurringLater),
      String(result.coveredLater),
      ratio(result.share),
      Object.entries(result.entriesByKind)
        .map(([kind, count]) => `${count} ${kind}`)
        .join(', ') || 'none',
      `${result.memoryAfterEarlier.entries} / ${result.memoryAfterEarlier.lines} / ${result.memoryAfterEarlier.bytes}`,
    ]),
  );
  const details = table(
    ['corpus', 'recurring signature', 'tools', 'occurrences later', 'covered by'],
    replays.flatMap((result) =>
      result.signatures.map((signature) => [
        result.corpus,
        `\`${signature.signature}\``,
        signature.tools.join(', '),
        String(signature.laterOccurrences),
        signature.coveredBy === null ? '—' : `\`${signature.coveredBy}\``,
      ]),
    ),
  );
  const unassigned = replays.filter((result) => result.unassigned > 0);
  const memories = replays.map((result) =>
    [
      `<details><summary>${result.corpus}: the memory file after the earlier dream</summary>`,
      '',
      '```markdown',
      result.memoryText.trimEnd() || '(empty: nothing was applied)',
      '```',
      '',
      '</details>',
    ].join('\n'),
  );
  return [
    summary,
    '',
    "Per recurring signature (the miner's own signature and clustering over the whole corpus):",
    '',
    details,
    ...(unassigned.length === 0
      ? []
      : [
          '',
          ...unassigned.map(
            (result) =>
              `${result.corpus}: ${result.unassigned} occurrences of recurring clusters carry a merged wording and are not counted.`,
          ),
        ]),
    '',
    ...memories,
  ].join('\n');
}

export function renderGrowth(results: readonly GrowthResult[]): string {
  const rows = results.flatMap((result) =>
    result.steps.map((step) => [
      result.corpus,
      `${result.budgetName} (${result.budget.maxLines} lines / ${result.budget.maxBytes} bytes)`,
      String(step.dream),
      step.slice,
      String(step.sessionsInStore),
      `${step.applied} (${step.hygieneApplied} / ${step.addsApplied})`,
      String(step.declinedForBudget),
      String(step.memory.entries),
      String(step.memory.lines),
      String(step.memory.bytes),
      step.withinBudget ? 'yes' : '**NO**',
      step.mergesBeforeAdds ? 'yes' : '**NO**',
      step.planted === null ? '' : `\`${step.planted}\``,
    ]),
  );
  return table(
    [
      'corpus',
      'budget',
      'dream',
      'slice (first … last unit, count)',
      'sessions',
      'applied (hygiene / adds)',
      'declined for budget',
      'entries',
      'lines',
      'bytes',
      'within budget',
      'merges before adds',
      'then a person copies entry',
    ],
    rows,
  );
}

/** Whether every dream of the growth runs kept its budget and merged before it added. */
export function growthInvariantsHold(results: readonly GrowthResult[]): boolean {
  return results.every((result) => result.steps.every((step) => step.withinBudget && step.mergesBeforeAdds));
}

export function renderEvaluation(results: EvaluationResults): string {
  const dreams = results.growth.reduce((total, result) => total + result.steps.length, 0);
  const hygieneDreams = results.growth.reduce(
    (total, result) => total + result.steps.filter((step) => step.hygieneApplied > 0).length,
    0,
  );
  const bothDreams = results.growth.reduce(
    (total, result) =>
      total + result.steps.filter((step) => step.hygieneApplied > 0 && step.addsApplied > 0).length,
    0,
  );
  return [
    '### Findings against the labelled sets',
    '',
    renderLabelTable(results.labels),
    '',
    renderMissesAndFalsePositives(results.labels),
    '',
    '### Replay',
    '',
    renderReplay(results.replays),
    '',
    '### Memory growth',
    '',
    renderGrowth(results.growth),
    '',
    `Budget held after ${results.growth.every((result) => result.steps.every((step) => step.withinBudget)) ? 'every' : '**not every**'} one of the ${dreams} dreams; ` +
      `hygiene came before additions in ${results.growth.every((result) => result.steps.every((step) => step.mergesBeforeAdds)) ? 'every' : '**not every**'} dream ` +
      `(${hygieneDreams} of them applied a hygiene change, ${bothDreams} both a hygiene change and an addition).`,
  ].join('\n');
}
