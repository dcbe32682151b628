/**
 * Memory growth: a corpus arrives in four chronological slices, and a dream with automatic approval runs after
 * each. After every dream: the entries, lines and bytes of the memory file; whether it stayed within its budget;
 * and whether the dream's memory-hygiene proposals (merges and removals) came before its additions. So that a
 * dream has a merge to make, a person may paste an entry into their own notes between two dreams.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { MemoryBudget } from '../src/domain/agent.js';
import { parseMemoryDocument } from '../src/memory/memory-document.js';
import type { Corpus, CorpusUnit } from './corpora.js';
import { asUtc } from './replay.js';
import type { MemoryFileSize } from './workspace.js';
import { createEvalWorkspace } from './workspace.js';

export interface GrowthStep {
  /** 1-based. */
  dream: number;
  /** The units of this slice: first and last. */
  slice: string;
  sessionsInStore: number;
  applied: number;
  hygieneApplied: number;
  /** Applied proposals that add an entry. */
  addsApplied: number;
  /** Lessons the dream declined because the file would have gone over its budget. */
  declinedForBudget: number;
  memory: MemoryFileSize;
  withinBudget: boolean;
  /** True when every hygiene proposal of the dream came before its first addition (or one kind is absent). */
  mergesBeforeAdds: boolean;
  /** The entry a person copied into their own notes after this dream (the next dream should merge it), if any. */
  planted: string | null;
}

export interface GrowthResult {
  corpus: Corpus['name'];
  budget: MemoryBudget;
  budgetName: string;
  steps: GrowthStep[];
}

/** Splits units into `count` consecutive slices of near-equal size. */
export function sliceUnits<T>(units: readonly T[], count: number): T[][] {
  const slices: T[][] = [];
  for (let index = 0; index < count; index++) {
    const start = Math.round((index * units.length) / count);
    const end = Math.round(((index + 1) * units.length) / count);
    slices.push(units.slice(start, end));
  }
  return slices.filter((slice) => slice.length > 0);
}

/** Runs the four dreams of one corpus under one budget. */
export async function growMemory(
  corpus: Corpus,
  units: readonly CorpusUnit[],
  options: {
    budget: MemoryBudget;
    budgetName: string;
    slices?: number;
    /**
     * After this dream, a person pastes the first entry into their own notes (above Reverie's section), so the next
     * dream has a merge to make along with its new lessons.
     */
    plantCopyAfter?: number;
  },
): Promise<GrowthResult> {
  const workspace = createEvalWorkspace(corpus, { budget: options.budget });
  const steps: GrowthStep[] = [];
  try {
    const slices = sliceUnits(units, options.slices ?? 4);
    for (const [index, slice] of slices.entries()) {
      for (const unit of slice) unit.write(workspace.logs);
      const last = slice
        .map((unit) => unit.time)
        .filter((time): time is string => time !== null)
        .sort()
        .at(-1);
      // Each dream runs the day after its slice's last session (tau-bench has no times: the clock stays).
      if (last !== undefined) workspace.clock.set(new Date(Date.parse(asUtc(last)) + 86_400_000));
      else workspace.clock.advance(86_400_000);
      const run = await workspace.reverie.dream({ approval: 'automatic', dryRun: false });
      const report = run.report;
      if (report === null)
        throw new Error(`dream ${index + 1} of ${corpus.name}: ${run.error ?? 'no report'}`);
      const kinds = new Map(report.findings.map((finding) => [finding.id, finding.kind]));
      const stored = new Map(
        (await workspace.store.listProposals())
          .filter((proposal) => proposal.dreamRunId === run.id)
          .map((proposal) => [proposal.id, proposal]),
      );
      // The report lists proposals in the order the dream made them.
      const order = report.proposals.map((reported) => {
        const proposal = stored.get(reported.id);
        const hygiene = kinds.get(proposal?.findingIds[0] ?? '') === 'memory-hygiene';
        const adds = proposal?.edits.some((edit) => edit.op === 'add') === true;
        return { hygiene, adds, applied: reported.status === 'applied' };
      });
      const lastHygiene = order.map((item) => item.hygiene).lastIndexOf(true);
      const firstAdd = order.findIndex((item) => item.adds && !item.hygiene);
      const memory = workspace.measureMemoryFile();
      let planted: string | null = null;
      if (index + 1 === options.plantCopyAfter && existsSync(workspace.memoryPath)) {
        const content = readFileSync(workspace.memoryPath, 'utf8');
        const entry = parseMemoryDocument(content).entries[0];
        if (entry !== undefined) {
          writeFileSync(workspace.memoryPath, `# Notes\n\n- ${entry.text}\n\n${content}`);
          planted = entry.id;
        }
      }
      steps.push({
        dream: index + 1,
        slice: `${slice[0]?.name ?? ''} … ${slice[slice.length - 1]?.name ?? ''} (${slice.length})`,
        sessionsInStore: (await workspace.store.countSessions()).sessions,
        applied: order.filter((item) => item.applied).length,
        hygieneApplied: order.filter((item) => item.applied && item.hygiene).length,
        addsApplied: order.filter((item) => item.applied && item.adds && !item.hygiene).length,
        declinedForBudget: report.skipped.filter((item) => item.reason.startsWith('declined:')).length,
        memory,
        withinBudget: memory.lines <= options.budget.maxLines && memory.bytes <= options.budget.maxBytes,
        mergesBeforeAdds: lastHygiene === -1 || firstAdd === -1 || lastHygiene < firstAdd,
        planted,
      });
    }
    return { corpus: corpus.name, budget: options.budget, budgetName: options.budgetName, steps };
  } finally {
    await workspace.close();
  }
}
