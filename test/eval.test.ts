/**
 * The evaluation harness (`npm run eval`, eval/): its matching and scoring on a hand-made case whose precision and
 * recall are worked out by hand, and the labelled evaluation and replay on the real Claude Code corpus.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, RecurringToolErrorFinding, WorkflowFinding } from '../src/domain/finding.js';
import { corpora } from '../eval/corpora.js';
import { evaluateLabels } from '../eval/evaluate-labels.js';
import { sliceUnits } from '../eval/growth.js';
import type { FindingLabel } from '../eval/labels/types.js';
import { combineScores, findingMatchesLabel, scoreMiner, sessionMatches } from '../eval/match-findings.js';
import { renderLabelTable } from '../eval/render-evaluation.js';
import { replay } from '../eval/replay.js';

function toolError(
  id: string,
  signature: string,
  tools: string[],
  sessionIds: string[],
): RecurringToolErrorFinding {
  return {
    kind: 'recurring-tool-error',
    id,
    toolNames: tools,
    signature,
    command: null,
    occurrenceCount: sessionIds.length,
    sessionCount: sessionIds.length,
    sessionIds,
    agents: ['a'],
    firstSeen: null,
    lastSeen: null,
    recovery: null,
    evidence: [],
    recurredAfterEntry: null,
    outcomes: { failed: 0, succeeded: 0, unknown: sessionIds.length },
  };
}

function workflow(id: string, tools: string[], sessionIds: string[]): WorkflowFinding {
  return {
    kind: 'workflow',
    id,
    task: 'a task',
    steps: tools.map((tool) => ({ tool, input: '' })),
    placeholders: [],
    sessionCount: sessionIds.length,
    successCount: sessionIds.length,
    sessionIds,
    agents: ['a'],
    firstSeen: null,
    lastSeen: null,
    evidence: [],
  };
}

const labels: FindingLabel[] = [
  {
    miner: 'tool-errors',
    id: 'not-read',
    description: 'read before edit',
    tools: ['Edit'],
    signature: /has not been read yet/,
    sessions: ['b45ad5d8', 'cb2e607c'],
    expectation: 'required',
  },
  {
    miner: 'tool-errors',
    id: 'seats',
    description: 'not enough seats',
    tools: ['update_reservation_flights'],
    signature: /not enough seats/,
    sessions: ['/task-0/trial-0'],
    expectation: 'required',
  },
  {
    miner: 'tool-errors',
    id: 'pip',
    description: 'pip conflict',
    tools: ['run'],
    signature: /conflicting dependencies/,
    sessions: [],
    expectation: 'acceptable',
  },
  {
    miner: 'tool-errors',
    id: 'refusal',
    description: 'a refusal is no error',
    tools: null,
    signature: /doesn't want to proceed/,
    sessions: [],
    expectation: 'must-not-find',
  },
];

describe('the evaluation harness', () => {
  it('matches a label session by a whole id, its end or its start, never a longer task number', () => {
    expect(sessionMatches('b45ad5d8', 'b45ad5d8-81fb-4bcb-baba-19d9f503d731')).toBe(true);
    expect(sessionMatches('/task-0/trial-0', 'airline-327f5614/task-0/trial-0')).toBe(true);
    expect(sessionMatches('/task-0/trial-0', 'airline-327f5614/task-10/trial-0')).toBe(false);
    expect(sessionMatches('20240806T084710', 'aider-7cfe7a58-20240806T084710')).toBe(true);
  });

  it('matches a finding by kind, content, tool and a shared session', () => {
    const notRead = labels[0]!;
    const finding = toolError('f', 'File has not been read yet.', ['Edit'], ['cb2e607c-c758']);
    expect(findingMatchesLabel(notRead, finding)).toBe(true);
    expect(findingMatchesLabel(notRead, { ...finding, toolNames: ['Write'] })).toBe(false);
    expect(findingMatchesLabel(notRead, { ...finding, sessionIds: ['9e953218-585f'] })).toBe(false);
    expect(findingMatchesLabel(notRead, workflow('w', ['Read', 'Edit'], ['cb2e607c-c758']))).toBe(false);
  });

  it('computes precision over findings and recall over required labels, by hand', () => {
    const findings: Finding[] = [
      toolError('f1', 'File has not been read yet.', ['Edit'], ['b45ad5d8-x']),
      toolError('f2', 'File has not been read yet. Read it first.', ['Edit', 'Write'], ['cb2e607c-x']),
      toolError('f3', 'ERROR: conflicting dependencies', ['run'], ['any']),
      toolError('f4', "The user doesn't want to proceed with this tool use.", ['Bash'], ['s1', 's2']),
      toolError('f5', 'exit code <n>', ['Bash'], ['s1', 's2']),
      workflow('w1', ['Read', 'Edit'], ['s1', 's2', 's3']),
    ];
    const score = scoreMiner('tool-errors', findings, labels);
    // 5 tool-error findings: f1, f2 (the same required label) and f3 (acceptable) are right; f4 is a negative, f5
    // matches nothing. 2 required labels, 1 of them found.
    expect(score).toMatchObject({
      findings: 5,
      correctFindings: 3,
      requiredLabels: 2,
      recalledLabels: 1,
      acceptableLabels: 1,
      precision: 0.6,
      recall: 0.5,
      status: 'fail',
    });
    expect(score.missed.map((label) => label.id)).toEqual(['seats']);
    expect(score.unmatched.map(({ finding, violates }) => [finding.id, violates?.id ?? null])).toEqual([
      ['f4', 'refusal'],
      ['f5', null],
    ]);
    expect(score.matched.map(({ label, findingIds }) => [label.id, findingIds])).toEqual([
      ['not-read', ['f1', 'f2']],
      ['pip', ['f3']],
    ]);
  });

  it('counts a finding that matches a negative as wrong even when it also matches a label', () => {
    const both = toolError(
      'f',
      "has not been read yet; the user doesn't want to proceed",
      ['Edit'],
      ['b45ad5d8'],
    );
    const score = scoreMiner('tool-errors', [both], labels);
    expect(score).toMatchObject({ correctFindings: 0, precision: 0, recalledLabels: 0, recall: 0 });
  });

  it('calls a miner silent when nothing is expected and nothing found, and passes findings that are only acceptable', () => {
    expect(scoreMiner('workflows', [], labels)).toMatchObject({
      precision: null,
      recall: null,
      status: 'silent',
    });
    const acceptable = scoreMiner(
      'tool-errors',
      [toolError('f3', 'conflicting dependencies', ['run'], ['x'])],
      [labels[2]!],
    );
    expect(acceptable).toMatchObject({ precision: 1, recall: null, status: 'pass' });
  });

  it('sums scores over corpora (micro-averaged)', () => {
    const first = scoreMiner(
      'tool-errors',
      [toolError('f1', 'File has not been read yet.', ['Edit'], ['b45ad5d8'])],
      labels,
    );
    const second = scoreMiner('tool-errors', [toolError('x', 'exit code <n>', ['Bash'], ['s'])], labels);
    expect(combineScores('tool-errors', [first, second])).toMatchObject({
      findings: 2,
      correctFindings: 1,
      requiredLabels: 4,
      recalledLabels: 1,
      precision: 0.5,
      recall: 0.25,
    });
  });
});

describe('the evaluation report', () => {
  it('slices units into consecutive parts of near-equal size, none empty', () => {
    const units = Array.from({ length: 34 }, (_, index) => index);
    const slices = sliceUnits(units, 4);
    expect(slices.map((slice) => slice.length)).toEqual([9, 8, 9, 8]);
    expect(slices.flat()).toEqual(units);
    expect(sliceUnits([1, 2], 4)).toEqual([[1], [2]]);
  });

  it('prints a row per corpus and miner, and totals per miner', () => {
    const score = scoreMiner(
      'tool-errors',
      [toolError('f1', 'File has not been read yet.', ['Edit'], ['b45ad5d8'])],
      labels,
    );
    const text = renderLabelTable([
      {
        corpus: 'claude-code',
        sessionsRead: 1,
        findings: [],
        scores: [score],
        plants: [],
        plantedMemory: '',
      },
    ]);
    expect(text).toContain('| claude-code | tool-errors | 1 | 1 | 2 + 1 | 1 | 1.00 | 0.50 | FAIL |');
    expect(text).toContain('| **all three** | tool-errors | 1 | 1 | 2 + 1 | 1 | 1.00 | 0.50 | FAIL |');
  });
});

describe('the evaluation on the Claude Code corpus', () => {
  const claudeCode = corpora.find((corpus) => corpus.name === 'claude-code')!;

  it('scores every miner of a real dream against the labels', async () => {
    const evaluation = await evaluateLabels(claudeCode);
    expect(evaluation.sessionsRead).toBe(65);
    const byMiner = new Map(evaluation.scores.map((score) => [score.miner, score]));
    expect(byMiner.get('tool-errors')).toMatchObject({
      findings: 3,
      precision: 1,
      recall: 1,
      status: 'pass',
    });
    expect(byMiner.get('tool-errors')?.matched.map(({ label }) => label.id)).toEqual([
      'cc-read-before-edit',
      'cc-string-not-found',
      'cc-replace-all',
    ]);
    for (const miner of ['user-corrections', 'workflows', 'outcome-contrasts'] as const) {
      expect(byMiner.get(miner)?.status).toBe('silent');
    }
    // The planted hygiene case: the pasted and the restated entries are merged; the free paraphrase is not required.
    expect(byMiner.get('memory-hygiene')).toMatchObject({ requiredLabels: 2, recall: 1, precision: 1 });
    expect(evaluation.plants.map((plant) => plant.entryId)).toEqual([
      'read-before-edit',
      'edit-unique-old-string',
      'edit-copy-old-string',
    ]);
  });

  it('replays it split in time: the later recurring Edit errors an earlier entry covered', async () => {
    const result = await replay(claudeCode, await claudeCode.loadUnits());
    expect(result.earlierSessions + result.laterSessions).toBe(65);
    expect(result.coveredLater).toBe(
      result.signatures
        .filter((signature) => signature.coveredBy !== null)
        .reduce((total, signature) => total + signature.laterOccurrences, 0),
    );
    expect(result.signatures.map((signature) => [signature.signature, signature.coveredBy])).toEqual([
      ['File has not been read yet. Read it first before writing to it.', 'read-before-edit'],
      ['String to replace not found in file.', null],
    ]);
    expect(result.share).toBeCloseTo(result.coveredLater / result.recurringLater);
    expect(result.memoryAfterEarlier.entries).toBe(2);
  });
});
