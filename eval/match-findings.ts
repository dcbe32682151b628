/**
 * Matching findings to labels, and precision and recall per miner. Pure: no file system, no dream.
 *
 * - precision = findings that match a `required` or `acceptable` label (and no `must-not-find` one) / findings;
 * - recall = `required` labels matched by at least one finding / `required` labels.
 *
 * Either is null when its denominator is 0 (no finding; no label expected): a miner that finds nothing where nothing
 * is expected is "silent", which is right.
 */
import type { Finding } from '../src/domain/finding.js';
import type { FindingLabel, MinerName } from './labels/types.js';

/** The targets of the issue: recall >= 0.9, precision >= 0.8. */
export const targets = { precision: 0.8, recall: 0.9 } as const;

/** `silent` when nothing was expected and nothing found; else whether both targets are met (an undefined one is). */
export function statusOf(precision: number | null, recall: number | null): 'pass' | 'fail' | 'silent' {
  if (precision === null && recall === null) return 'silent';
  return (precision ?? 1) >= targets.precision && (recall ?? 1) >= targets.recall ? 'pass' : 'fail';
}

/** The miner that makes each kind of finding. */
export function minerOf(finding: Finding): MinerName {
  switch (finding.kind) {
    case 'recurring-tool-error':
      return 'tool-errors';
    case 'user-correction':
      return 'user-corrections';
    case 'workflow':
      return 'workflows';
    case 'outcome-contrast':
      return 'outcome-contrasts';
    case 'memory-hygiene':
      return 'memory-hygiene';
  }
}

/**
 * Whether a label's session reference names a session: the whole id, its end (`20240806T084710`,
 * `/task-0/trial-0`) or its start (`b45ad5d8`).
 */
export function sessionMatches(reference: string, sessionId: string): boolean {
  return sessionId === reference || sessionId.endsWith(reference) || sessionId.startsWith(reference);
}

function sessionsOverlap(label: FindingLabel, finding: Finding): boolean {
  if (label.sessions.length === 0) return true;
  return finding.sessionIds.some((id) => label.sessions.some((reference) => sessionMatches(reference, id)));
}

/** Whether a finding is what a label describes (its kind, its content and at least one of its sessions). */
export function findingMatchesLabel(label: FindingLabel, finding: Finding): boolean {
  if (minerOf(finding) !== label.miner) return false;
  let content: boolean;
  switch (label.miner) {
    case 'tool-errors':
      content =
        finding.kind === 'recurring-tool-error' &&
        label.signature.test(finding.signature) &&
        (label.tools === null || finding.toolNames.some((tool) => label.tools?.includes(tool) === true));
      break;
    case 'user-corrections': {
      const statement = finding.kind === 'user-correction' ? finding.statement.toLowerCase() : null;
      content = statement !== null && label.words.every((word) => statement.includes(word.toLowerCase()));
      break;
    }
    case 'workflows': {
      const steps = finding.kind === 'workflow' ? finding.steps.map((step) => step.tool) : null;
      content =
        steps !== null &&
        (label.steps === null || steps.join('\u0000') === label.steps.join('\u0000')) &&
        (label.containing === undefined || steps.includes(label.containing));
      break;
    }
    case 'outcome-contrasts':
      content =
        finding.kind === 'outcome-contrast' &&
        (typeof label.feature === 'string'
          ? finding.feature.key === label.feature
          : label.feature.test(finding.feature.key)) &&
        (label.direction === null || finding.direction === label.direction);
      break;
    case 'memory-hygiene':
      content =
        finding.kind === 'memory-hygiene' &&
        (label.problem === null || finding.problem === label.problem) &&
        label.entryIds.every((id) => finding.entryIds.includes(id));
      break;
  }
  return content && sessionsOverlap(label, finding);
}

/** One miner's score on one corpus. */
export interface MinerScore {
  miner: MinerName;
  findings: number;
  /** Findings that match a required or acceptable label (and no negative). */
  correctFindings: number;
  /** Labels a finding must match (recall's denominator). */
  requiredLabels: number;
  recalledLabels: number;
  acceptableLabels: number;
  precision: number | null;
  recall: number | null;
  /** `silent`: nothing expected and nothing found. */
  status: 'pass' | 'fail' | 'silent';
  missed: FindingLabel[];
  /** Findings that match no expected label, each with the negative it violates, if any. */
  unmatched: { finding: Finding; violates: FindingLabel | null }[];
  /** Each matched label with the ids of the findings that matched it. */
  matched: { label: FindingLabel; findingIds: string[] }[];
}

/**
 * Scores one miner: its findings against its labels (both filtered to the miner here).
 * @example
 * scoreMiner('tool-errors', run.report.findings, claudeCodeLabels.labels)
 */
export function scoreMiner(
  miner: MinerName,
  allFindings: readonly Finding[],
  allLabels: readonly FindingLabel[],
): MinerScore {
  const findings = allFindings.filter((finding) => minerOf(finding) === miner);
  const labels = allLabels.filter((label) => label.miner === miner);
  const expected = labels.filter((label) => label.expectation !== 'must-not-find');
  const negatives = labels.filter((label) => label.expectation === 'must-not-find');
  const required = labels.filter((label) => label.expectation === 'required');

  const unmatched: MinerScore['unmatched'] = [];
  // A finding that matches a negative is wrong, whatever else it matches: it earns neither precision nor recall.
  const admissible: Finding[] = [];
  let correctFindings = 0;
  for (const finding of findings) {
    const violates = negatives.find((label) => findingMatchesLabel(label, finding)) ?? null;
    if (violates === null) admissible.push(finding);
    const correct = violates === null && expected.some((label) => findingMatchesLabel(label, finding));
    if (correct) correctFindings++;
    else unmatched.push({ finding, violates });
  }
  const matched = expected
    .map((label) => ({
      label,
      findingIds: admissible
        .filter((finding) => findingMatchesLabel(label, finding))
        .map((finding) => finding.id),
    }))
    .filter((entry) => entry.findingIds.length > 0);
  const recalled = required.filter((label) => matched.some((entry) => entry.label === label));
  const precision = findings.length === 0 ? null : correctFindings / findings.length;
  const recall = required.length === 0 ? null : recalled.length / required.length;
  const status = statusOf(precision, recall);
  return {
    miner,
    findings: findings.length,
    correctFindings,
    requiredLabels: required.length,
    recalledLabels: recalled.length,
    acceptableLabels: labels.filter((label) => label.expectation === 'acceptable').length,
    precision,
    recall,
    status,
    missed: required.filter((label) => !recalled.includes(label)),
    unmatched,
    matched,
  };
}

/** Sums scores (of one miner over corpora, say): micro-averaged precision and recall. */
export function combineScores(miner: MinerName, scores: readonly MinerScore[]): MinerScore {
  const sum = (pick: (score: MinerScore) => number): number =>
    scores.reduce((total, score) => total + pick(score), 0);
  const findings = sum((score) => score.findings);
  const correctFindings = sum((score) => score.correctFindings);
  const requiredLabels = sum((score) => score.requiredLabels);
  const recalledLabels = sum((score) => score.recalledLabels);
  const precision = findings === 0 ? null : correctFindings / findings;
  const recall = requiredLabels === 0 ? null : recalledLabels / requiredLabels;
  return {
    miner,
    findings,
    correctFindings,
    requiredLabels,
    recalledLabels,
    acceptableLabels: sum((score) => score.acceptableLabels),
    precision,
    recall,
    status: statusOf(precision, recall),
    missed: scores.flatMap((score) => score.missed),
    unmatched: scores.flatMap((score) => score.unmatched),
    matched: scores.flatMap((score) => score.matched),
  };
}
