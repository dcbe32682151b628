/**
 * Use-case step: run the session miners of a dream over the sessions of its window. Each miner reads per-session
 * digests (computed once per session and reused by later dreams), so a dream's cost grows with its new sessions.
 */
import type { MinerName, MinerSummary } from '../domain/dream-run.js';
import type { DigestInput } from '../domain/digest.js';
import type { Finding } from '../domain/finding.js';
import type { Session } from '../domain/session.js';
import {
  digestOutcomeContrast,
  findOutcomeContrasts,
  outcomeContrastDigestVersion,
} from '../mining/find-outcome-contrasts.js';
import type { OutcomeContrastDigest } from '../mining/find-outcome-contrasts.js';
import {
  digestToolErrors,
  findRecurringToolErrors,
  toolErrorDigestVersion,
} from '../mining/find-recurring-tool-errors.js';
import type { ToolErrorDigest } from '../mining/find-recurring-tool-errors.js';
import {
  digestUserCorrections,
  findUserCorrections,
  userCorrectionDigestVersion,
} from '../mining/find-user-corrections.js';
import type { UserCorrectionDigest } from '../mining/find-user-corrections.js';
import { digestWorkflow, findWorkflows, workflowDigestVersion } from '../mining/find-workflows.js';
import type { WorkflowDigest } from '../mining/find-workflows.js';
import { digestInjections, injectionDigestVersion } from '../guard/screen-proposal.js';
import type { InjectionDigest } from '../guard/screen-proposal.js';
import type { AppContext } from './app-context.js';
import { loadDigests } from './load-digests.js';
import type { DigestStep } from './load-digests.js';

export interface MineWindowOptions {
  /** `dreaming.min_sessions`: the least distinct sessions a recurring lesson needs. */
  minSessions: number;
  miners: ReadonlySet<MinerName>;
  /** Entries already written for a finding (by finding id): recurring errors say whether they kept happening. */
  entries: ReadonlyMap<string, { memoryPath: string; entryId: string; since: string }>;
}

export interface MinedWindow {
  /** Every finding of the session miners, in miner order (memory hygiene runs later, on the memory files). */
  findings: Finding[];
  summaries: MinerSummary[];
  toolErrors: number;
  /** Tool calls a person refused (not failures). */
  rejections: number;
  /** Sessions whose events were read (new or grown since their digests). */
  sessionsAnalysed: number;
  /** Per session of the window: its events with injection markers (only sessions that have some). */
  injections: { session: Session; digest: InjectionDigest }[];
}

/** Workflows and outcome contrasts are statistical: they need more support than a recurring error. */
const minStatisticalSupport = 3;
const contrastFalseDiscoveryRate = 0.05;

const digestSteps: Record<Exclude<MinerName, 'memory-hygiene'>, DigestStep> = {
  'tool-errors': { name: 'tool-errors', version: toolErrorDigestVersion, digest: digestToolErrors },
  'user-corrections': {
    name: 'user-corrections',
    version: userCorrectionDigestVersion,
    digest: digestUserCorrections,
  },
  workflows: { name: 'workflows', version: workflowDigestVersion, digest: digestWorkflow },
  'outcome-contrasts': {
    name: 'outcome-contrasts',
    version: outcomeContrastDigestVersion,
    digest: digestOutcomeContrast,
  },
};

/**
 * Runs the enabled session miners over `sessions` (each with its effective outcome).
 * @returns the findings and one summary line per miner for the report
 */
export async function mineWindow(
  context: AppContext,
  sessions: readonly Session[],
  options: MineWindowOptions,
): Promise<MinedWindow> {
  const steps = [
    ...(Object.keys(digestSteps) as (keyof typeof digestSteps)[])
      .filter((miner) => options.miners.has(miner))
      .map((miner) => digestSteps[miner]),
    // Not a miner: the injection scan runs in every dream, so the report says what the logs tried.
    { name: 'injections', version: injectionDigestVersion, digest: digestInjections },
  ];
  const loaded = await loadDigests(context, sessions, steps);
  const digestsOf = <Digest>(miner: string): DigestInput<Digest>[] =>
    sessions.map((session) => ({ session, digest: loaded.byMiner.get(miner)?.get(session.id) as Digest }));

  const findings: Finding[] = [];
  const summaries: MinerSummary[] = [];
  let toolErrors = 0;
  let rejections = 0;
  const statistical = Math.max(minStatisticalSupport, options.minSessions);

  if (options.miners.has('tool-errors')) {
    const mined = findRecurringToolErrors(digestsOf<ToolErrorDigest>('tool-errors'), {
      minSessions: options.minSessions,
      maxEvidence: Math.max(6, options.minSessions),
      entries: options.entries,
    });
    toolErrors = mined.stats.toolErrors;
    rejections = mined.stats.rejections;
    findings.push(...mined.findings);
    summaries.push({
      miner: 'tool-errors',
      findings: mined.findings.length,
      detail:
        `${mined.stats.toolErrors} tool errors in ${mined.stats.clusters} signatures; ` +
        `${mined.findings.length} recurred in ${options.minSessions}+ sessions, ${mined.stats.belowThreshold} in fewer` +
        (mined.stats.rejections > 0 ? `; ${mined.stats.rejections} refused tool calls left out` : ''),
    });
  }
  if (options.miners.has('user-corrections')) {
    const mined = findUserCorrections(digestsOf<UserCorrectionDigest>('user-corrections'), {
      minSessions: options.minSessions,
      maxEvidence: Math.max(6, options.minSessions),
    });
    findings.push(...mined.findings);
    summaries.push({
      miner: 'user-corrections',
      findings: mined.findings.length,
      detail:
        `${mined.stats.corrections} corrections (${mined.stats.standing} standing instructions) in ${mined.stats.personTurns} person turns` +
        `${mined.stats.rejectionReasons > 0 ? ` and ${mined.stats.rejectionReasons} refusals with a reason` : ''}; ` +
        `${mined.stats.clusters} distinct, ${mined.stats.belowThreshold} in too few sessions`,
    });
  }
  if (options.miners.has('workflows')) {
    const mined = findWorkflows(digestsOf<WorkflowDigest>('workflows'), { minSessions: statistical });
    findings.push(...mined.findings);
    const { stats } = mined;
    summaries.push({
      miner: 'workflows',
      findings: mined.findings.length,
      detail:
        `${stats.conversations} conversations (${stats.succeeded} succeeded, ${stats.failed} failed, ${stats.unknown} unknown, which do not count); ` +
        `${stats.candidates} sequences in ${statistical}+ successful ones, ${stats.belowTasks} served one task only, ${stats.belowSuccessRate} failed too often`,
    });
  }
  if (options.miners.has('outcome-contrasts')) {
    const mined = findOutcomeContrasts(digestsOf<OutcomeContrastDigest>('outcome-contrasts'), {
      minSupport: statistical,
      maxPValue: contrastFalseDiscoveryRate,
    });
    findings.push(...mined.findings);
    const { stats } = mined;
    summaries.push({
      miner: 'outcome-contrasts',
      findings: mined.findings.length,
      detail:
        stats.withOutcome === 0
          ? `no session has a known outcome (record some with \`reverie outcome\` or a rubric)`
          : `${stats.withOutcome} of ${stats.conversations} conversations with an outcome, ${stats.compared} compared; ` +
            `${stats.featuresTested} features tested, ${stats.significant} significant at FDR ${contrastFalseDiscoveryRate}`,
    });
  }
  return {
    findings,
    summaries,
    toolErrors,
    rejections,
    sessionsAnalysed: loaded.digested,
    injections: digestsOf<InjectionDigest>('injections').filter(
      (input) => ((input.digest as InjectionDigest | undefined)?.flagged.length ?? 0) > 0,
    ),
  };
}
