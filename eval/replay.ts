/**
 * Replay: the offline proxy for "would this memory have prevented the mistake". A corpus is split into an earlier
 * and a later part; a dream with automatic approval runs on the earlier part only; then the later part is read into
 * the store, and each of its tool errors whose signature recurs (in two or more conversations over the whole corpus,
 * by the miner's own digest and clustering) is checked against the entries the earlier dream wrote.
 *
 * An occurrence is covered when an entry the earlier dream applied came from the same cluster (same finding id, or
 * the same signature and tool), or quotes the signature. Coverage says the memory held a lesson about that error
 * before it happened again; not that the lesson would have stopped it.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Finding, RecurringToolErrorFinding } from '../src/domain/finding.js';
import type { Proposal } from '../src/domain/proposal.js';
import { digestToolErrors, findRecurringToolErrors } from '../src/mining/find-recurring-tool-errors.js';
import type { Corpus, CorpusUnit } from './corpora.js';
import type { MemoryFileSize } from './workspace.js';
import { createEvalWorkspace, measureMemoryContent } from './workspace.js';

export interface ReplaySignature {
  signature: string;
  tools: readonly string[];
  laterOccurrences: number;
  /** The entry (id) of the earlier dream that covers it, or null. */
  coveredBy: string | null;
}

export interface ReplayResult {
  corpus: Corpus['name'];
  split: string;
  earlierUnits: number;
  laterUnits: number;
  earlierSessions: number;
  laterSessions: number;
  /** Tool-error occurrences in the later part whose signature recurs in 2+ conversations overall. */
  recurringLater: number;
  coveredLater: number;
  share: number | null;
  signatures: ReplaySignature[];
  /** Entries the earlier dream applied, by the kind of finding they came from. */
  entriesByKind: Record<string, number>;
  memoryAfterEarlier: MemoryFileSize;
  /** The memory file after the earlier dream, verbatim. */
  memoryText: string;
  /** Occurrences whose cluster merged near-identical wordings (matched here by exact signature only). */
  unassigned: number;
}

function entryIdsOf(proposal: Proposal): string[] {
  return proposal.edits.map((edit) => (edit.op === 'supersede' ? edit.newEntryId : edit.entryId));
}

function texts(proposal: Proposal): string[] {
  return proposal.edits.flatMap((edit) => (edit.op === 'remove' ? [] : [edit.text]));
}

/** Runs the replay of one corpus. */
export async function replay(corpus: Corpus, units: readonly CorpusUnit[]): Promise<ReplayResult> {
  const earlier = units.filter((unit) => corpus.replaySplit.isEarlier(unit));
  const later = units.filter((unit) => !corpus.replaySplit.isEarlier(unit));
  const workspace = createEvalWorkspace(corpus);
  try {
    for (const unit of earlier) unit.write(workspace.logs);
    const lastEarlier = lastTime(earlier);
    // The earlier dream runs just after its last session, as a nightly dream would.
    if (lastEarlier !== undefined) workspace.clock.set(new Date(Date.parse(asUtc(lastEarlier)) + 86_400_000));
    const run = await workspace.reverie.dream({ approval: 'automatic', dryRun: false });
    if (run.report === null) throw new Error(`earlier dream of ${corpus.name}: ${run.error ?? 'no report'}`);
    const earlierFindings = new Map<string, Finding>(
      run.report.findings.map((finding) => [finding.id, finding]),
    );
    const applied = (await workspace.store.listProposals()).filter(
      (proposal) => proposal.dreamRunId === run.id && proposal.status === 'applied',
    );
    const memoryText = existsSync(workspace.memoryPath) ? readFileSync(workspace.memoryPath, 'utf8') : '';
    const memoryAfterEarlier = measureMemoryContent(memoryText);
    const entriesByKind: Record<string, number> = {};
    for (const proposal of applied) {
      const kind = earlierFindings.get(proposal.findingIds[0] ?? '')?.kind ?? 'unknown';
      entriesByKind[kind] = (entriesByKind[kind] ?? 0) + 1;
    }

    const before = new Set((await workspace.store.listSessions()).map((session) => session.id));
    for (const unit of later) unit.write(workspace.logs);
    workspace.clock.set(new Date(Date.parse(asUtc(lastTime(units) ?? '2026-01-01T00:00:00')) + 86_400_000));
    await workspace.reverie.ingest({ paths: [] });
    const sessions = await workspace.store.loadSessionsWithEvents({ agents: [workspace.agent] });
    const digests = sessions.map((session) => ({ session, digest: digestToolErrors(session) }));
    const recurring = findRecurringToolErrors(digests, { minSessions: 2 }).findings;

    const covering = (finding: RecurringToolErrorFinding): string | null => {
      for (const proposal of applied) {
        const source = earlierFindings.get(proposal.findingIds[0] ?? '');
        const sameCluster =
          proposal.findingIds.includes(finding.id) ||
          (source?.kind === 'recurring-tool-error' &&
            source.signature === finding.signature &&
            source.toolNames.some((tool) => finding.toolNames.includes(tool)));
        const quotes = texts(proposal).some((text) => text.includes(finding.signature));
        if (sameCluster || quotes) return entryIdsOf(proposal)[0] ?? proposal.id;
      }
      return null;
    };

    const bySignature = new Map<RecurringToolErrorFinding, ReplaySignature>();
    let recurringLater = 0;
    let coveredLater = 0;
    let unassigned = 0;
    const exactCounts = new Map<RecurringToolErrorFinding, number>();
    const clusterOf = (occurrence: {
      signature: string;
      command: string | null;
      toolName: string;
    }): RecurringToolErrorFinding | undefined =>
      recurring.find(
        (finding) =>
          finding.signature === occurrence.signature &&
          finding.command === occurrence.command &&
          finding.toolNames.includes(occurrence.toolName),
      );
    for (const { session, digest } of digests) {
      for (const occurrence of digest.occurrences) {
        const finding = clusterOf(occurrence);
        if (finding !== undefined) exactCounts.set(finding, (exactCounts.get(finding) ?? 0) + 1);
        if (before.has(session.id) || finding === undefined) continue;
        recurringLater++;
        const row = bySignature.get(finding) ?? {
          signature: finding.signature,
          tools: finding.toolNames,
          laterOccurrences: 0,
          coveredBy: covering(finding),
        };
        row.laterOccurrences++;
        if (row.coveredBy !== null) coveredLater++;
        bySignature.set(finding, row);
      }
    }
    // A cluster that merged near-identical wordings has occurrences under other signatures: say how many.
    for (const finding of recurring) unassigned += finding.occurrenceCount - (exactCounts.get(finding) ?? 0);

    return {
      corpus: corpus.name,
      split: corpus.replaySplit.description,
      earlierUnits: earlier.length,
      laterUnits: later.length,
      earlierSessions: before.size,
      laterSessions: sessions.length - before.size,
      recurringLater,
      coveredLater,
      share: recurringLater === 0 ? null : coveredLater / recurringLater,
      signatures: [...bySignature.values()].sort((a, b) => b.laterOccurrences - a.laterOccurrences),
      entriesByKind,
      memoryAfterEarlier,
      memoryText,
      unassigned,
    };
  } finally {
    await workspace.close();
  }
}

/** aider logs local times without a zone; the evaluation reads every time as UTC. */
export function asUtc(time: string): string {
  return /Z$|[+-]\d{2}:\d{2}$/.test(time) ? time : `${time}Z`;
}

export function lastTime(units: readonly CorpusUnit[]): string | undefined {
  return units
    .map((unit) => unit.time)
    .filter((time): time is string => time !== null)
    .sort()
    .at(-1);
}
