/**
 * Miner: outcome contrasts, as ExpeL compares successful and failed runs. Where sessions have a known outcome (pass or
 * fail), it finds what failed runs do that successful ones do not (`direction: 'avoid'`), or the reverse (`'repeat'`):
 * an error signature, a tool used, a step missing before another ("calls `book_reservation` without calling
 * `get_user_details` first"), or an order ("calls `update_reservation_flights` before `search_direct_flight`"). Pure
 * and deterministic.
 *
 * Same task, not same corpus: when several runs share a task (benchmark trials, re-runs of one prompt), a run is
 * compared only with runs of its own task, and tasks whose runs all passed or all failed are left out. Pooled over
 * tasks, the strongest differences are which task was asked (on tau-bench airline, booking tasks almost always fail
 * and escalation tasks almost always pass), not what the agent did. The test is then the exact conditional test over
 * the tasks as strata (Fisher's exact test generalised; see `fisher-exact-test.ts`). Runs of tasks seen once are
 * compared with each other in one pooled stratum, which is plain Fisher. `stratify: false` pools everything. The
 * counts of a finding are over the compared runs only.
 *
 * Multiple testing: every feature with enough support is one test, and with hundreds of them some would reach
 * p < 0.05 by chance. Findings are the features accepted by the Benjamini-Hochberg procedure at false discovery rate
 * `maxPValue`; the finding's `pValue` is the feature's own (unadjusted) p-value. Features that have the same
 * sessions, or exactly the complementary sessions, are one test and one finding (the kind that says most is kept:
 * error, then missing step, then tool used, then order). Pairs nobody can act on are not features at all: the order
 * of two look-ups, or an action "missing" before a look-up (`outcome-contrast-tool-roles.ts`).
 */
import type { DigestInput } from '../domain/digest.js';
import type { Evidence, OutcomeContrastFinding } from '../domain/finding.js';
import { hashText } from '../domain/hash.js';
import { rootSessionId } from '../domain/session.js';
import type { SessionWithEvents } from '../domain/session.js';
import { fisherExactTest } from './fisher-exact-test.js';
import type { ContingencyTable } from './fisher-exact-test.js';
import { normalizeErrorSignature } from './normalize-error-signature.js';
import { classifyToolRole } from './outcome-contrast-tool-roles.js';
import { quoteFrom } from './quote-from.js';
import { collectWorkflowToolCalls, isScratchpadTool } from './workflow-tool-calls.js';
import { abstractTaskText } from './workflow-task-text.js';
import { spreadByAgent } from './spread-by-agent.js';

/** Bumped whenever {@link digestOutcomeContrast} keeps something different: stored digests of older versions are redone. */
export const outcomeContrastDigestVersion = 1;

/** An event that can be quoted as evidence. */
export interface OutcomeContrastQuote {
  eventId: string;
  timestamp: string | null;
  /** Verbatim substring of the event's text. */
  quote: string;
}

/** A step the session called (the tool, or `Bash: npm test` for shell tools), at its first call. */
export interface OutcomeContrastStep {
  step: string;
  tool: string;
  first: OutcomeContrastQuote;
}

/** A tool error the session hit, by signature, at its first occurrence. */
export interface OutcomeContrastError {
  /** The step that failed (the tool, or `Bash: npm test`). */
  step: string;
  /** The abstracted error line (`normalizeErrorSignature`). */
  signature: string;
  first: OutcomeContrastQuote;
}

/**
 * What the outcome-contrast miner keeps of one session: its task key and its features, each with the event that
 * shows it. `steps` is in order of first call, so a step's index is its first-use position and every ordered pair
 * "A before B" follows from it (kept implicit: storing the pairs would grow with the square of the steps).
 * JSON-serialisable.
 */
export interface OutcomeContrastDigest {
  /** Equal for runs of the same task; null when the session states no task. */
  taskKey: string | null;
  steps: readonly OutcomeContrastStep[];
  errors: readonly OutcomeContrastError[];
}

/**
 * Digests one session for {@link findOutcomeContrasts}.
 * @example
 * const input = { session, digest: digestOutcomeContrast(session) };
 */
export function digestOutcomeContrast(session: SessionWithEvents): OutcomeContrastDigest {
  const steps: OutcomeContrastStep[] = [];
  const errors: OutcomeContrastError[] = [];
  const seenSteps = new Set<string>();
  const seenErrors = new Set<string>();
  for (const call of collectWorkflowToolCalls(session)) {
    // Scratchpad tools change nothing; a call a person refused is the corrections miner's business.
    if (isScratchpadTool(call.tool) || call.rejected) continue;
    if (!seenSteps.has(call.step)) {
      seenSteps.add(call.step);
      steps.push({
        step: call.step,
        tool: call.tool,
        first: {
          eventId: call.event.id,
          timestamp: call.event.timestamp,
          quote: quoteFrom(call.event.text, ''),
        },
      });
    }
    if (!call.failed || call.result === null) continue;
    const signature = normalizeErrorSignature({
      text: call.result.text,
      toolName: call.tool,
      input: call.event.toolInput,
    });
    const key = `${call.step}\u0000${signature.signature}`;
    if (seenErrors.has(key)) continue;
    seenErrors.add(key);
    errors.push({
      step: call.step,
      signature: signature.signature,
      first: {
        eventId: call.result.id,
        timestamp: call.result.timestamp,
        quote: quoteFrom(call.result.text, signature.line),
      },
    });
  }
  return { taskKey: abstractTaskText(session)?.key ?? null, steps, errors };
}

/** Options of {@link findOutcomeContrasts}. */
export interface FindOutcomeContrastsOptions {
  /** A feature needs at least this many compared runs with it on the side it is over-represented in. */
  minSupport: number;
  /** False discovery rate of the Benjamini-Hochberg procedure over all features tested (e.g. 0.05). */
  maxPValue: number;
  /** Runs quoted as evidence per finding (default 4). */
  maxEvidence?: number;
  /** Compare runs only with runs of the same task when tasks repeat (default true). */
  stratify?: boolean;
}

/** Statistics of a mining pass, for the run report. */
export interface OutcomeContrastStats {
  conversations: number;
  /** Conversations with a known pass or fail. */
  withOutcome: number;
  /** Runs that entered a comparison (the totals of every finding). */
  compared: number;
  /** Runs left out: their task's runs all passed or all failed. */
  sameOutcomeTask: number;
  /** Groups compared: each repeated task with both outcomes, plus one for tasks run once. */
  strata: number;
  /** Distinct features (by the runs that have them) with enough support, each one test. */
  featuresTested: number;
  /** Accepted by Benjamini-Hochberg, before the per-side support check. */
  significant: number;
  findings: number;
}

type FeatureType = OutcomeContrastFinding['feature']['type'];

interface FeatureInfo {
  type: FeatureType;
  key: string;
  description: string;
  /** Per conversation: the session and event showing the feature. */
  shownBy: Map<number, Shown>;
}

interface Shown {
  sessionId: string;
  agent: string;
  quote: OutcomeContrastQuote;
}

interface Conversation {
  rootId: string;
  passed: boolean | null;
  taskKey: string | null;
  agents: Set<string>;
  steps: (OutcomeContrastStep & { sessionId: string; agent: string })[];
  errors: (OutcomeContrastError & { sessionId: string; agent: string })[];
}

/** Output order: what a person can act on first (an error, a missing step, an order), a tool used last. */
const typePreference: Record<FeatureType, number> = { error: 0, 'tool-missing': 1, order: 2, 'tool-used': 3 };

/**
 * Which kind describes runs that several kinds pick out alike. An order "A before B" that has the same runs as "calls
 * B" (everyone called A first) says nothing about order, so the tool used wins over it; a missing step wins over the
 * tool used (when every run calls B, "B without A first" is "no A", said as what to do).
 */
const dedupePreference: Record<FeatureType, number> = {
  error: 0,
  'tool-missing': 1,
  'tool-used': 2,
  order: 3,
};

function code(name: string): string {
  return `\`${name}\``;
}

/** A step in prose: `Bash: npm test` → "`npm test`", a tool → "`tool`". */
function describeStepName(step: string): string {
  const separator = step.indexOf(': ');
  return separator === -1 ? code(step) : code(step.slice(separator + 2));
}

/**
 * A feature's key, parsed: `tool|<step>`, `order|<A>|<B>` (A's first call before B's), `missing|<A>|<B>` (B called
 * with no A before it) or `error|<step>|<signature>`. Steps are tool names or `Bash: <command head>`, which never
 * hold a `|` (command heads stop at a pipe); the signature comes last and may.
 */
export type OutcomeContrastKey =
  | { type: 'tool-used'; step: string }
  | { type: 'order' | 'tool-missing'; before: string; after: string }
  | { type: 'error'; step: string; signature: string };

const keyPrefixes: Record<FeatureType, string> = {
  'tool-used': 'tool',
  order: 'order',
  'tool-missing': 'missing',
  error: 'error',
};

/** The key of a feature (see {@link OutcomeContrastKey}). */
export function formatOutcomeContrastKey(key: OutcomeContrastKey): string {
  switch (key.type) {
    case 'tool-used':
      return `${keyPrefixes[key.type]}|${key.step}`;
    case 'order':
    case 'tool-missing':
      return `${keyPrefixes[key.type]}|${key.before}|${key.after}`;
    case 'error':
      return `${keyPrefixes[key.type]}|${key.step}|${key.signature}`;
  }
}

/** Parses a key made by {@link formatOutcomeContrastKey}; null for anything else. */
export function parseOutcomeContrastKey(key: string): OutcomeContrastKey | null {
  const [prefix, first, ...rest] = key.split('|');
  if (first === undefined || first === '') return null;
  if (prefix === 'tool' && rest.length === 0) return { type: 'tool-used', step: first };
  if ((prefix === 'order' || prefix === 'missing') && rest.length === 1 && rest[0] !== '') {
    return { type: prefix === 'order' ? 'order' : 'tool-missing', before: first, after: rest[0] ?? '' };
  }
  if (prefix === 'error' && rest.length > 0) return { type: 'error', step: first, signature: rest.join('|') };
  return null;
}

/**
 * Pairs nobody can act on: the order of two look-ups (searching before or after reading a record changes nothing),
 * and an action "missing" before a look-up (a look-up needs no action first).
 */
function isTrivialPair(type: 'order' | 'tool-missing', before: string, after: string): boolean {
  const beforeRole = classifyToolRole(before);
  const afterRole = classifyToolRole(after);
  if (beforeRole === 'look-up' && afterRole === 'look-up') return true;
  return type === 'tool-missing' && beforeRole === 'action' && afterRole === 'look-up';
}

function groupConversations(inputs: readonly DigestInput<OutcomeContrastDigest>[]): Conversation[] {
  const byRoot = new Map<string, Conversation>();
  const sorted = [...inputs].sort((a, b) => {
    // The root first, so its steps set the order and its outcome and task win.
    const rootA = rootSessionId(a.session);
    const rootB = rootSessionId(b.session);
    if (rootA !== rootB) return rootA.localeCompare(rootB);
    return (
      Number(b.session.id === rootB) - Number(a.session.id === rootA) ||
      a.session.id.localeCompare(b.session.id)
    );
  });
  for (const input of sorted) {
    const rootId = rootSessionId(input.session);
    let conversation = byRoot.get(rootId);
    if (conversation === undefined) {
      conversation = { rootId, passed: null, taskKey: null, agents: new Set(), steps: [], errors: [] };
      byRoot.set(rootId, conversation);
    }
    conversation.agents.add(input.session.agent);
    conversation.passed ??= input.session.outcome?.passed ?? null;
    conversation.taskKey ??= input.digest.taskKey;
    // A sidechain's steps come after the root's: its calls happened inside the root's, at a time the digest does not
    // keep, and only the root's own order is certain.
    for (const step of input.digest.steps) {
      if (!conversation.steps.some((existing) => existing.step === step.step)) {
        conversation.steps.push({ ...step, sessionId: input.session.id, agent: input.session.agent });
      }
    }
    for (const error of input.digest.errors) {
      const known = conversation.errors.some(
        (existing) => existing.step === error.step && existing.signature === error.signature,
      );
      if (known) continue;
      conversation.errors.push({ ...error, sessionId: input.session.id, agent: input.session.agent });
    }
  }
  return [...byRoot.values()];
}

/** Strata of comparable runs: each repeated task with both outcomes, and (pooled) the tasks seen once. */
function buildStrata(
  conversations: readonly Conversation[],
  stratify: boolean,
): { strata: number[][]; left: number } {
  const groups = new Map<string, number[]>();
  const pooled: number[] = [];
  conversations.forEach((conversation, index) => {
    if (!stratify || conversation.taskKey === null) {
      pooled.push(index);
      return;
    }
    groups.set(conversation.taskKey, [...(groups.get(conversation.taskKey) ?? []), index]);
  });
  const strata: number[][] = [];
  let left = 0;
  const hasBoth = (members: readonly number[]): boolean =>
    members.some((index) => conversations[index]?.passed === true) &&
    members.some((index) => conversations[index]?.passed === false);
  for (const members of groups.values()) {
    if (members.length === 1) {
      pooled.push(...members);
      continue;
    }
    if (hasBoth(members)) strata.push(members);
    else left += members.length;
  }
  if (hasBoth(pooled)) strata.push(pooled.sort((a, b) => a - b));
  else left += pooled.length;
  return { strata, left };
}

function collectFeatures(
  conversations: readonly Conversation[],
  compared: readonly number[],
  minSupport: number,
): Map<string, FeatureInfo> {
  const features = new Map<string, FeatureInfo>();
  const mark = (
    index: number,
    feature: Omit<FeatureInfo, 'shownBy'>,
    shownBy: { sessionId: string; agent: string; first: OutcomeContrastQuote },
  ): void => {
    let info = features.get(feature.key);
    if (info === undefined) {
      info = { ...feature, shownBy: new Map() };
      features.set(feature.key, info);
    }
    if (!info.shownBy.has(index)) {
      info.shownBy.set(index, { sessionId: shownBy.sessionId, agent: shownBy.agent, quote: shownBy.first });
    }
  };
  for (const index of compared) {
    const conversation = conversations[index];
    if (conversation === undefined) continue;
    for (const error of conversation.errors) {
      mark(
        index,
        {
          type: 'error',
          key: formatOutcomeContrastKey({ type: 'error', step: error.step, signature: error.signature }),
          description: `${describeStepName(error.step)} fails with "${error.signature}"`,
        },
        error,
      );
    }
    conversation.steps.forEach((step, position) => {
      mark(
        index,
        {
          type: 'tool-used',
          key: formatOutcomeContrastKey({ type: 'tool-used', step: step.step }),
          description: `calls ${describeStepName(step.step)}`,
        },
        step,
      );
      for (const later of conversation.steps.slice(position + 1)) {
        if (isTrivialPair('order', step.step, later.step)) continue;
        mark(
          index,
          {
            type: 'order',
            key: formatOutcomeContrastKey({ type: 'order', before: step.step, after: later.step }),
            description: `calls ${describeStepName(step.step)} before ${describeStepName(later.step)}`,
          },
          step,
        );
      }
    });
  }
  // A missing step "B without A first" is only worth testing when A before B is something runs actually do.
  const usualPairs = [...features.values()]
    .filter((info) => info.type === 'order' && info.shownBy.size >= minSupport)
    .map((info) => parseOutcomeContrastKey(info.key))
    .filter((key): key is Extract<OutcomeContrastKey, { type: 'order' }> => key?.type === 'order');
  for (const { before, after } of usualPairs) {
    if (isTrivialPair('tool-missing', before, after)) continue;
    for (const index of compared) {
      const steps = conversations[index]?.steps ?? [];
      const afterPosition = steps.findIndex((step) => step.step === after);
      const target = steps[afterPosition];
      if (target === undefined) continue;
      const beforePosition = steps.findIndex((step) => step.step === before);
      if (beforePosition !== -1 && beforePosition < afterPosition) continue;
      mark(
        index,
        {
          type: 'tool-missing',
          key: formatOutcomeContrastKey({ type: 'tool-missing', before, after }),
          description: `calls ${describeStepName(after)} without calling ${describeStepName(before)} first`,
        },
        target,
      );
    }
  }
  return features;
}

/** Benjamini-Hochberg: the largest p-value accepted at false discovery rate `rate`, or -1 when none is. */
function benjaminiHochbergCutoff(pValues: readonly number[], rate: number): number {
  const sorted = [...pValues].sort((a, b) => a - b);
  let cutoff = -1;
  sorted.forEach((value, index) => {
    if (value <= ((index + 1) / sorted.length) * rate) cutoff = value;
  });
  return cutoff;
}

/**
 * Finds features whose presence differs between failed and successful runs beyond chance.
 * @param inputs each session's metadata (with its effective outcome) and its {@link OutcomeContrastDigest}
 * @returns findings (most actionable kind first, then smallest p-value) and statistics for the report; no findings
 * when no session has a known outcome
 * @example
 * const { findings } = findOutcomeContrasts(inputs, { minSupport: 4, maxPValue: 0.05 });
 */
export function findOutcomeContrasts(
  inputs: readonly DigestInput<OutcomeContrastDigest>[],
  options: FindOutcomeContrastsOptions,
): { findings: OutcomeContrastFinding[]; stats: OutcomeContrastStats } {
  const minSupport = Math.max(1, options.minSupport);
  const conversations = groupConversations(inputs);
  const known = conversations.filter((conversation) => conversation.passed !== null);
  const stats: OutcomeContrastStats = {
    conversations: conversations.length,
    withOutcome: known.length,
    compared: 0,
    sameOutcomeTask: 0,
    strata: 0,
    featuresTested: 0,
    significant: 0,
    findings: 0,
  };
  const { strata, left } = buildStrata(known, options.stratify ?? true);
  stats.strata = strata.length;
  stats.sameOutcomeTask = left;
  const compared = strata.flat().sort((a, b) => a - b);
  stats.compared = compared.length;
  if (compared.length === 0) return { findings: [], stats };

  const features = collectFeatures(known, compared, minSupport);
  // One test per distinct set of runs: a feature and one with the same runs (or exactly the other runs) are the same
  // comparison, and the more actionable kind describes it.
  const distinct = new Map<string, FeatureInfo>();
  const ordered = [...features.values()].sort(
    (a, b) => dedupePreference[a.type] - dedupePreference[b.type] || a.key.localeCompare(b.key),
  );
  for (const info of ordered) {
    if (info.shownBy.size < minSupport || info.shownBy.size === compared.length) continue;
    // The complement has the same test: the vector is written so that the first compared run lacks the feature.
    const flip = info.shownBy.has(compared[0] ?? -1);
    const canonical = compared.map((index) => (info.shownBy.has(index) !== flip ? '1' : '0')).join('');
    if (!distinct.has(canonical)) distinct.set(canonical, info);
  }

  const tested: { info: FeatureInfo; tables: ContingencyTable[]; pValue: number; avoid: boolean }[] = [];
  for (const info of distinct.values()) {
    const tables = strata.map((members): ContingencyTable => {
      const table = { firstWith: 0, firstWithout: 0, secondWith: 0, secondWithout: 0 };
      for (const index of members) {
        const has = info.shownBy.has(index);
        if (known[index]?.passed === false) {
          if (has) table.firstWith++;
          else table.firstWithout++;
        } else if (has) table.secondWith++;
        else table.secondWithout++;
      }
      return table;
    });
    // A feature constant within every stratum cannot be tested (it marks tasks, not runs).
    const varies = tables.some((table) => {
      const withTotal = table.firstWith + table.secondWith;
      const total = withTotal + table.firstWithout + table.secondWithout;
      return withTotal > 0 && withTotal < total;
    });
    if (!varies) continue;
    const result = fisherExactTest(tables);
    tested.push({ info, tables, pValue: result.pValue, avoid: result.observed > result.expected });
  }
  stats.featuresTested = tested.length;
  const cutoff = benjaminiHochbergCutoff(
    tested.map((entry) => entry.pValue),
    options.maxPValue,
  );

  const findings: OutcomeContrastFinding[] = [];
  for (const entry of tested) {
    if (entry.pValue > cutoff) continue;
    stats.significant++;
    const sum = (pick: (table: ContingencyTable) => number): number =>
      entry.tables.reduce((total, table) => total + pick(table), 0);
    const failedWith = sum((table) => table.firstWith);
    const failedTotal = failedWith + sum((table) => table.firstWithout);
    const succeededWith = sum((table) => table.secondWith);
    const succeededTotal = succeededWith + sum((table) => table.secondWithout);
    if ((entry.avoid ? failedWith : succeededWith) < minSupport) continue;
    const sessionIds = [...entry.info.shownBy.keys()]
      .map((index) => known[index]?.rootId ?? '')
      .filter((id) => id !== '')
      .sort();
    findings.push({
      kind: 'outcome-contrast',
      id: `contrast-${hashText(entry.info.key).slice(0, 10)}`,
      feature: { type: entry.info.type, key: entry.info.key, description: entry.info.description },
      failedWith,
      failedTotal,
      succeededWith,
      succeededTotal,
      pValue: entry.pValue,
      direction: entry.avoid ? 'avoid' : 'repeat',
      sessionIds,
      agents: [
        ...new Set([...entry.info.shownBy.keys()].flatMap((index) => [...(known[index]?.agents ?? [])])),
      ].sort(),
      evidence: pickEvidence(entry.info, known, entry.avoid, options.maxEvidence ?? 4),
    });
  }
  findings.sort(
    (a, b) =>
      typePreference[a.feature.type] - typePreference[b.feature.type] ||
      a.pValue - b.pValue ||
      a.feature.key.localeCompare(b.feature.key),
  );
  stats.findings = findings.length;
  return { findings, stats };
}

/** Runs on the side the feature is over-represented in, one per task before a second of the same task. */
function pickEvidence(
  info: FeatureInfo,
  conversations: readonly Conversation[],
  avoid: boolean,
  max: number,
): Evidence[] {
  const candidates = [...info.shownBy.entries()]
    .filter(([index]) => conversations[index]?.passed === !avoid)
    .sort(([a], [b]) => (conversations[a]?.rootId ?? '').localeCompare(conversations[b]?.rootId ?? ''));
  const seenTasks = new Set<string>();
  const first: typeof candidates = [];
  const rest: typeof candidates = [];
  for (const candidate of candidates) {
    const conversation = conversations[candidate[0]];
    // One run per task and agent first: a lesson several agents share shows each agent's runs.
    const task = `${candidate[1].agent}\u0000${conversation?.taskKey ?? conversation?.rootId ?? ''}`;
    if (seenTasks.has(task)) rest.push(candidate);
    else {
      seenTasks.add(task);
      first.push(candidate);
    }
  }
  const byAgent = ([, shown]: (typeof candidates)[number]): string => shown.agent;
  return [...spreadByAgent(first, byAgent), ...spreadByAgent(rest, byAgent)]
    .slice(0, max)
    .map(([, shown]) => ({
      sessionId: shown.sessionId,
      eventId: shown.quote.eventId,
      agent: shown.agent,
      timestamp: shown.quote.timestamp,
      quote: shown.quote.quote,
      role: 'contrast',
    }));
}
