/**
 * Use-case: did dreaming help? For each applied version of each memory file, the targeted errors and the outcomes
 * in its agents' sessions before versus after it was applied (`reverie impact`).
 */
import type { DigestInput } from '../domain/digest.js';
import { rootSessionId } from '../domain/session.js';
import { measureImpact } from '../grading/measure-impact.js';
import type { ImpactRow, ImpactSession } from '../grading/measure-impact.js';
import {
  digestToolErrors,
  findRecurringToolErrors,
  toolErrorDigestVersion,
} from '../mining/find-recurring-tool-errors.js';
import type { ToolErrorDigest } from '../mining/find-recurring-tool-errors.js';
import type { AppContext } from './app-context.js';
import { withEffectiveOutcomes } from './effective-outcomes.js';
import { loadDigests } from './load-digests.js';

export interface MemoryImpact {
  path: string;
  agents: readonly string[];
  rows: ImpactRow[];
}

/**
 * Measures the impact of every applied version of each file.
 * @param options.files each memory file with the agents whose sessions it serves
 * @param options.minSessions sessions needed before and after a version for a verdict
 */
export async function measureMemoryImpact(
  context: AppContext,
  options: { files: readonly { path: string; agents: readonly string[] }[]; minSessions: number },
): Promise<MemoryImpact[]> {
  const now = context.clock.now().toISOString();
  const results: MemoryImpact[] = [];
  for (const file of options.files) {
    const versions = (await context.store.listMemoryVersions(file.path)).filter(
      (version) =>
        (version.actor.kind === 'reviewer' || version.actor.kind === 'dream') && version.proposalId !== null,
    );
    const impactVersions = [];
    for (const version of versions) {
      const proposal =
        version.proposalId === null ? null : await context.store.getProposal(version.proposalId);
      impactVersions.push({
        version: version.version,
        appliedAt: version.createdAt,
        proposalId: version.proposalId,
        reason: version.reason,
        findingIds: proposal?.findingIds ?? [],
      });
    }
    const sessions = await withEffectiveOutcomes(
      context.store,
      await context.store.listSessions({ agents: file.agents }),
    );
    const loaded = await loadDigests(context, sessions, [
      { name: 'tool-errors', version: toolErrorDigestVersion, digest: digestToolErrors },
    ]);
    const inputs: DigestInput<ToolErrorDigest>[] = sessions.map((session) => ({
      session,
      digest: loaded.byMiner.get('tool-errors')?.get(session.id) as ToolErrorDigest,
    }));
    // Every error, even one seen once, so "after" counts the targeted error in any session.
    const { findings } = findRecurringToolErrors(inputs, { minSessions: 1 });
    const findingsByRoot = new Map<string, Set<string>>();
    for (const finding of findings) {
      for (const root of finding.sessionIds) {
        const set = findingsByRoot.get(root) ?? new Set<string>();
        set.add(finding.id);
        findingsByRoot.set(root, set);
      }
    }
    const impactSessions: ImpactSession[] = sessions
      .filter((session) => session.parentSessionId === null)
      .flatMap((session) => {
        const time = session.endedAt ?? session.startedAt;
        if (time === null) return [];
        return [
          {
            id: session.id,
            time,
            passed: session.outcome?.passed ?? null,
            findingIds: findingsByRoot.get(rootSessionId(session)) ?? new Set<string>(),
          },
        ];
      });
    results.push({
      path: file.path,
      agents: file.agents,
      rows: measureImpact({
        versions: impactVersions,
        sessions: impactSessions,
        now,
        minSessions: options.minSessions,
      }),
    });
  }
  return results;
}
