/**
 * The labelled evaluation of one corpus: a dream over the whole corpus (manual approval, so nothing is written
 * before the findings are read), its findings matched to the labels of each session miner; then the planted
 * memory-hygiene case: the proposals are approved, a person's lines restating some of the entries are added to the
 * file, and a second dream's hygiene findings are matched to the plants.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { DreamRun } from '../src/domain/dream-run.js';
import type { Finding } from '../src/domain/finding.js';
import { parseMemoryDocument } from '../src/memory/memory-document.js';
import type { Corpus } from './corpora.js';
import { writeWholeCorpus } from './corpora.js';
import type { HygieneLabel, MinerName } from './labels/types.js';
import { scoreMiner } from './match-findings.js';
import type { MinerScore } from './match-findings.js';
import { createEvalWorkspace } from './workspace.js';

export const sessionMiners: readonly MinerName[] = [
  'tool-errors',
  'user-corrections',
  'workflows',
  'outcome-contrasts',
];

export interface LabelEvaluation {
  corpus: Corpus['name'];
  sessionsRead: number;
  /** The first dream's findings (every session miner). */
  findings: readonly Finding[];
  /** One score per miner, memory hygiene last. */
  scores: MinerScore[];
  /** The hygiene case as planted: each plant, the entry it restates (null when no entry matched) and its line. */
  plants: { id: string; entryId: string | null; line: number | null }[];
  /** The memory file the second dream read. */
  plantedMemory: string;
}

function reportOf(run: DreamRun): NonNullable<DreamRun['report']> {
  if (run.status !== 'succeeded' || run.report === null) {
    throw new Error(`dream ${run.id} ${run.status}: ${run.error ?? 'no report'}`);
  }
  return run.report;
}

/** Runs the dreams and scores every miner on one corpus. */
export async function evaluateLabels(corpus: Corpus): Promise<LabelEvaluation> {
  const workspace = createEvalWorkspace(corpus);
  try {
    writeWholeCorpus(corpus, workspace.logs);
    const first = reportOf(await workspace.reverie.dream({ approval: 'manual', dryRun: false }));
    const scores = sessionMiners.map((miner) => scoreMiner(miner, first.findings, corpus.labels.labels));

    // The planted hygiene case, on the entries this dream proposed once a person approves them.
    const pending = await workspace.reverie.listProposals({ status: 'pending' });
    await workspace.reverie.approve(pending.map((proposal) => proposal.id));
    const written = existsSync(workspace.memoryPath) ? readFileSync(workspace.memoryPath, 'utf8') : '';
    const entries = parseMemoryDocument(written).entries;
    const { plants, neutralLines } = corpus.labels.hygiene;
    const header = [`# Notes on ${corpus.name}`, ''];
    const planted = plants.map((plant) => {
      const entry = entries.find((candidate) => plant.entry.test(candidate.text)) ?? null;
      const text = plant.wording ?? entry?.text ?? null;
      return { plant, entry, text };
    });
    const lines = [
      ...header,
      ...planted.flatMap((item) => (item.text === null ? [] : [`- ${item.text}`])),
      ...neutralLines.map((line) => `- ${line}`),
      '',
    ];
    const lineOf = (text: string): number => lines.indexOf(`- ${text}`) + 1;
    const plantedMemory = `${lines.join('\n')}\n${written}`;
    writeFileSync(workspace.memoryPath, plantedMemory);

    const hygieneLabels: HygieneLabel[] = [
      ...planted.map(({ plant, entry, text }): HygieneLabel => ({
        miner: 'memory-hygiene',
        id: plant.id,
        description: plant.description,
        problem: 'duplicate',
        // Reverie's entry goes, the person's line stays. An entry the dream did not write cannot be matched.
        entryIds:
          entry === null || text === null
            ? [`(no entry matches ${String(plant.entry)})`]
            : [entry.id, `line-${lineOf(text)}`],
        sessions: [],
        expectation: plant.expectation,
        ...(plant.note === undefined ? {} : { note: plant.note }),
      })),
      ...neutralLines.map((line, index): HygieneLabel => ({
        miner: 'memory-hygiene',
        id: `${corpus.name}-hygiene-neutral-${index + 1}`,
        description: `the person's unrelated rule "${line}" is left alone`,
        problem: null,
        entryIds: [`line-${lineOf(line)}`],
        sessions: [],
        expectation: 'must-not-find',
      })),
    ];
    workspace.clock.advance(60 * 60 * 1000);
    const second = reportOf(await workspace.reverie.dream({ approval: 'manual', dryRun: false }));
    const hygieneFindings = [...first.findings, ...second.findings].filter(
      (finding) => finding.kind === 'memory-hygiene',
    );
    scores.push(scoreMiner('memory-hygiene', hygieneFindings, hygieneLabels));

    return {
      corpus: corpus.name,
      sessionsRead: first.sessionsRead,
      findings: first.findings,
      scores,
      plants: planted.map(({ plant, entry, text }) => ({
        id: plant.id,
        entryId: entry?.id ?? null,
        line: text === null ? null : lineOf(text),
      })),
      plantedMemory,
    };
  } finally {
    await workspace.close();
  }
}
