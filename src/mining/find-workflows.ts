/**
 * Miner: converging workflows, as Agent Workflow Memory induces them. A workflow is a sequence of tool steps that
 * recurs across successful sessions of several tasks, with its varying values abstracted into named placeholders
 * (`{reservation_id}`, `{file_path}`: the argument's own name). Pure and deterministic.
 *
 * How a sequence is matched: steps in order, each within `maxGap` other calls of the previous one. Gaps are allowed
 * because agents interleave incidental calls (a `calculate`, a `Read` of another file) with the same procedure, and
 * contiguous matching would split one procedure into fragments; they are bounded because in a long session any two
 * tools occur in some order, and unbounded gaps would make every pair a "workflow". Failed calls, calls a person
 * refused and scratchpad tools (`think`) are not steps: a workflow is what worked. Consecutive calls of the same step
 * count once (`get_reservation_details` three times is one step: look the reservations up), and a step appears at
 * most once in a workflow, so retries and loops do not become procedures.
 *
 * Gates, so that noise does not become a workflow:
 * - support: at least `minSessions` conversations that followed it and succeeded, from at least `minTasks`
 *   distinct tasks (four trials of one benchmark task are one task's solution, not a workflow);
 * - success: when any follower has a known outcome, the followers that succeeded over those with a known outcome must
 *   reach `minSuccessRate` (a sequence that failed runs follow as often as successful ones is what the agent does
 *   anyway: writing it down teaches nothing, and may teach the failing habit).
 *
 * Sessions without a known outcome (Claude Code transcripts, unless a grader scored them) do not support a workflow by
 * default (`unknownOutcome: 'exclude'`): a workflow is what successful runs did, and recurrence alone mostly finds
 * what every session does anyway (`Read` then `Edit`), which a memory file need not repeat. With
 * `unknownOutcome: 'not-failed'` they count as "not failed" towards support; a finding supported that way alone has
 * `successCount: 0` with `sessionCount` > 0, and its lesson says no outcome was known.
 *
 * No overlapping workflows (AWM: "do not generate similar or overlapping workflows"): a sequence is dropped when a
 * longer one containing it has the same supporters; then, from the most supported down, a workflow is kept only if it
 * is neither a sub- nor a super-sequence of one already kept, and does not end in the same step as one already kept
 * while sharing half or more of its supporters with it (a variant of the same procedure).
 */
import type { DigestInput } from '../domain/digest.js';
import type { Evidence, WorkflowFinding, WorkflowStep } from '../domain/finding.js';
import { hashText } from '../domain/hash.js';
import { rootSessionId } from '../domain/session.js';
import type { SessionWithEvents } from '../domain/session.js';
import { quoteFrom } from './quote-from.js';
import { collectWorkflowToolCalls, isScratchpadTool } from './workflow-tool-calls.js';
import { abstractTaskText } from './workflow-task-text.js';
import type { TaskText } from './workflow-task-text.js';
import { spreadByAgent } from './spread-by-agent.js';

/** Bumped whenever {@link digestWorkflow} keeps something different: stored digests of older versions are redone. */
export const workflowDigestVersion = 1;

/** One step of a session, as a workflow digest keeps it. */
export interface WorkflowDigestCall {
  /** Step identity: the tool, or `Bash: npm test` for shell tools. */
  step: string;
  tool: string;
  command: string | null;
  commandHasArguments: boolean;
  argumentNames: readonly string[];
  flags: Readonly<Record<string, boolean>>;
  eventId: string;
  timestamp: string | null;
  /** Verbatim quote of the call event's text (evidence). */
  quote: string;
}

/** What the workflow miner keeps of one session: its abstract task and its effective tool steps. JSON-serialisable. */
export interface WorkflowDigest {
  task: TaskText | null;
  /** Calls that worked, in order, without scratchpad tools, consecutive repeats of a step counted once. */
  calls: readonly WorkflowDigestCall[];
}

/**
 * Digests one session for {@link findWorkflows}.
 * @example
 * const input = { session, digest: digestWorkflow(session) };
 */
export function digestWorkflow(session: SessionWithEvents): WorkflowDigest {
  const calls: WorkflowDigestCall[] = [];
  for (const call of collectWorkflowToolCalls(session)) {
    if (call.failed || call.rejected || isScratchpadTool(call.tool)) continue;
    if (calls[calls.length - 1]?.step === call.step) continue;
    calls.push({
      step: call.step,
      tool: call.tool,
      command: call.command,
      commandHasArguments: call.commandHasArguments,
      argumentNames: call.argumentNames,
      flags: call.flags,
      eventId: call.event.id,
      timestamp: call.event.timestamp,
      quote: quoteFrom(call.event.text, ''),
    });
  }
  return { task: abstractTaskText(session), calls };
}

/** Options of {@link findWorkflows}: the gates and the bounds of the search. */
export interface FindWorkflowsOptions {
  /** Conversations that followed a workflow and succeeded: at least this many (sidechains count with their parent). */
  minSessions: number;
  /** Whether a conversation without a known outcome supports a workflow (`'not-failed'`) or not (default `'exclude'`). */
  unknownOutcome?: 'exclude' | 'not-failed';
  /** Share of followers with a known outcome that succeeded, at least (default 0.5). */
  minSuccessRate?: number;
  /** Longest workflow, in steps (default 5). */
  maxSteps?: number;
  /** Other calls allowed between two steps (default 2). */
  maxGap?: number;
  /** Distinct tasks among the supporters, at least (default 2). */
  minTasks?: number;
  /** Supporting conversations quoted as evidence, each with one quote per step (default 3). */
  maxEvidence?: number;
}

/** Statistics of a mining pass, for the run report. */
export interface WorkflowStats {
  conversations: number;
  succeeded: number;
  failed: number;
  /** Conversations without a known outcome. */
  unknown: number;
  /** Sequences with enough support to be considered. */
  candidates: number;
  belowTasks: number;
  belowSuccessRate: number;
  /** Sub-sequences of a longer candidate with the same supporters, and variants of a kept workflow. */
  overlapping: number;
  workflows: number;
}

interface Conversation {
  rootId: string;
  passed: boolean | null;
  taskKey: string;
  words: readonly string[] | null;
  agents: Set<string>;
}

interface Sequence {
  conversation: number;
  sessionId: string;
  agent: string;
  calls: readonly WorkflowDigestCall[];
  steps: number[];
}

interface Candidate {
  steps: number[];
  /** Conversations with the sequence. */
  followers: number[];
  /** Followers that support it: succeeded (or, with `unknownOutcome: 'not-failed'`, have no known outcome). */
  supporters: number[];
  succeeded: number;
  failed: number;
}

function groupConversations(inputs: readonly DigestInput<WorkflowDigest>[]): {
  conversations: Conversation[];
  sequences: Sequence[];
  stepNames: string[];
} {
  const byRoot = new Map<string, number>();
  const conversations: Conversation[] = [];
  const sequences: Sequence[] = [];
  const stepIds = new Map<string, number>();
  const stepNames: string[] = [];
  const sorted = [...inputs].sort((a, b) => a.session.id.localeCompare(b.session.id));
  for (const input of sorted) {
    const rootId = rootSessionId(input.session);
    let index = byRoot.get(rootId);
    const isRoot = input.session.id === rootId;
    if (index === undefined) {
      index = conversations.length;
      byRoot.set(rootId, index);
      conversations.push({
        rootId,
        passed: null,
        taskKey: `conversation:${rootId}`,
        words: null,
        agents: new Set(),
      });
    }
    const conversation = conversations[index];
    if (conversation === undefined) continue;
    conversation.agents.add(input.session.agent);
    // A sidechain has no outcome or task of its own; the conversation's known ones win.
    const passed = input.session.outcome?.passed ?? null;
    if (conversation.passed === null || (isRoot && passed !== null)) {
      conversation.passed = passed ?? conversation.passed;
    }
    const task = input.digest.task;
    if (task !== null && (conversation.words === null || isRoot)) {
      conversation.taskKey = `task:${task.key}`;
      conversation.words = task.words;
    }
    const steps = input.digest.calls.map((call) => {
      let id = stepIds.get(call.step);
      if (id === undefined) {
        id = stepNames.length;
        stepIds.set(call.step, id);
        stepNames.push(call.step);
      }
      return id;
    });
    sequences.push({
      conversation: index,
      sessionId: input.session.id,
      agent: input.session.agent,
      calls: input.digest.calls,
      steps,
    });
  }
  return { conversations, sequences, stepNames };
}

type Occurrences = Map<number, Set<number>>;

function addOccurrence(
  level: Map<string, { steps: number[]; occurrences: Occurrences }>,
  steps: number[],
  sequence: number,
  end: number,
): void {
  const key = steps.join(',');
  let entry = level.get(key);
  if (entry === undefined) {
    entry = { steps, occurrences: new Map() };
    level.set(key, entry);
  }
  let ends = entry.occurrences.get(sequence);
  if (ends === undefined) {
    ends = new Set();
    entry.occurrences.set(sequence, ends);
  }
  ends.add(end);
}

/** Level-wise mining of gap-bounded sequences with enough supporters (support only falls as a sequence grows). */
function mineCandidates(
  sequences: readonly Sequence[],
  conversations: readonly Conversation[],
  options: { minSessions: number; maxSteps: number; maxGap: number; countUnknown: boolean },
): Candidate[] {
  const supports = (conversation: Conversation | undefined): boolean =>
    conversation?.passed === true || (options.countUnknown && conversation?.passed === null);
  const candidates: Candidate[] = [];
  let level = new Map<string, { steps: number[]; occurrences: Occurrences }>();
  sequences.forEach((sequence, sequenceIndex) => {
    const steps = sequence.steps;
    for (let start = 0; start < steps.length; start++) {
      const first = steps[start];
      if (first === undefined) continue;
      for (let next = start + 1; next < Math.min(steps.length, start + 2 + options.maxGap); next++) {
        const second = steps[next];
        if (second === undefined || second === first) continue;
        addOccurrence(level, [first, second], sequenceIndex, next);
      }
    }
  });
  for (let length = 2; length <= options.maxSteps && level.size > 0; length++) {
    const frequent: { steps: number[]; occurrences: Occurrences }[] = [];
    for (const entry of level.values()) {
      const followers = [
        ...new Set([...entry.occurrences.keys()].map((index) => sequences[index]?.conversation ?? -1)),
      ]
        .filter((index) => index >= 0)
        .sort((a, b) => a - b);
      const supporters = followers.filter((index) => supports(conversations[index]));
      if (supporters.length < options.minSessions) continue;
      frequent.push(entry);
      candidates.push({
        steps: entry.steps,
        followers,
        supporters,
        succeeded: followers.filter((index) => conversations[index]?.passed === true).length,
        failed: followers.filter((index) => conversations[index]?.passed === false).length,
      });
    }
    if (length === options.maxSteps) break;
    const nextLevel = new Map<string, { steps: number[]; occurrences: Occurrences }>();
    for (const entry of frequent) {
      for (const [sequenceIndex, ends] of entry.occurrences) {
        const steps = sequences[sequenceIndex]?.steps ?? [];
        for (const end of ends) {
          for (let next = end + 1; next < Math.min(steps.length, end + 2 + options.maxGap); next++) {
            const step = steps[next];
            if (step === undefined || entry.steps.includes(step)) continue;
            addOccurrence(nextLevel, [...entry.steps, step], sequenceIndex, next);
          }
        }
      }
    }
    level = nextLevel;
  }
  return candidates;
}

function isSubsequence(shorter: readonly number[], longer: readonly number[]): boolean {
  let position = 0;
  for (const step of longer) {
    if (step === shorter[position]) position++;
    if (position === shorter.length) return true;
  }
  return shorter.length === 0;
}

/** Positions in `steps` of one gap-bounded match of `pattern` (the earliest), or null. */
function matchPositions(
  steps: readonly number[],
  pattern: readonly number[],
  maxGap: number,
): number[] | null {
  const positions: number[] = [];
  const search = (depth: number, last: number): boolean => {
    if (depth === pattern.length) return true;
    const from = depth === 0 ? 0 : last + 1;
    const to = depth === 0 ? steps.length : Math.min(steps.length, last + 2 + maxGap);
    for (let index = from; index < to; index++) {
      if (steps[index] !== pattern[depth]) continue;
      positions.push(index);
      if (search(depth + 1, index)) return true;
      positions.pop();
    }
    return false;
  };
  return search(0, -1) ? positions : null;
}

/** The input of a step across its occurrences: argument names most occurrences give, flags that never varied. */
function renderStep(calls: readonly WorkflowDigestCall[]): WorkflowStep & { placeholders: string[] } {
  const first = calls[0];
  const tool = first?.tool ?? '';
  if (first?.command !== null && first?.command !== undefined) {
    const withArguments = calls.some((call) => call.commandHasArguments);
    const command = withArguments ? `${first.command} {arguments}` : first.command;
    return {
      tool,
      input: `{command: ${JSON.stringify(command)}}`,
      placeholders: withArguments ? ['arguments'] : [],
    };
  }
  const counts = new Map<string, number>();
  for (const call of calls) {
    for (const name of call.argumentNames) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const parts: string[] = [];
  const placeholders: string[] = [];
  for (const [name, count] of counts) {
    if (count * 2 < calls.length) continue;
    const values = new Set(calls.map((call) => call.flags[name]).filter((value) => value !== undefined));
    const [only] = values;
    if (values.size === 1 && only !== undefined) {
      parts.push(`${name}: ${String(only)}`);
    } else {
      parts.push(`${name}: {${name}}`);
      placeholders.push(name);
    }
  }
  return { tool, input: parts.length === 0 ? '' : `{${parts.join(', ')}}`, placeholders };
}

/** The goal of a workflow in words: its last step's tool, de-cased (`update_reservation_flights` → "update reservation
 * flights"), or the command a shell step ran. */
function describeGoal(step: WorkflowDigestCall | undefined): string {
  if (step === undefined) return 'a task';
  if (step.command !== null) return `run \`${step.command}\``;
  return step.tool
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.\s]+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * A few words for the tasks a workflow served: its goal (the last step), then the words that every one of its tasks
 * (three or more) uses and that are at least half again as common among them as among all tasks. The goal leads
 * because it is certain: task texts often ask for several things, and words most of a workflow's tasks share often
 * name another of them (on tau-bench, "cancel" for a flight-change workflow). Tasks count once however many runs
 * they had.
 */
function describeTask(
  supporters: readonly Conversation[],
  all: readonly Conversation[],
  lastStep: WorkflowDigestCall | undefined,
): string {
  const goal = describeGoal(lastStep);
  const tasksOf = (group: readonly Conversation[]): (readonly string[])[] => {
    const byTask = new Map<string, readonly string[]>();
    for (const conversation of group) {
      if (conversation.words !== null && !byTask.has(conversation.taskKey)) {
        byTask.set(conversation.taskKey, conversation.words);
      }
    }
    return [...byTask.values()];
  };
  const mine = tasksOf(supporters);
  const everyone = tasksOf(all);
  if (mine.length < 3) return goal;
  const share = (group: readonly (readonly string[])[], word: string): number =>
    group.filter((words) => words.includes(word)).length / group.length;
  const positions = new Map<string, number[]>();
  for (const words of mine) {
    words.forEach((word, index) => positions.set(word, [...(positions.get(word) ?? []), index]));
  }
  const chosen = [...positions.entries()]
    .map(([word, spots]) => {
      const inMine = share(mine, word);
      return {
        word,
        inMine,
        lift: inMine / Math.max(share(everyone, word), 1e-9),
        position: spots.reduce((sum, value) => sum + value, 0) / spots.length,
      };
    })
    .filter((entry) => entry.inMine === 1 && entry.lift >= 1.5)
    .sort(
      (a, b) =>
        b.inMine - a.inMine || b.lift - a.lift || a.position - b.position || a.word.localeCompare(b.word),
    )
    .slice(0, 3)
    .sort((a, b) => a.position - b.position || a.word.localeCompare(b.word));
  return chosen.length === 0 ? goal : `${goal} (${chosen.map((entry) => entry.word).join(', ')})`;
}

/**
 * Finds tool-call workflows that recur across successful sessions of several tasks.
 * @param inputs each session's metadata (with its effective outcome) and its {@link WorkflowDigest}
 * @returns findings (most supported first) and statistics for the report
 * @example
 * const { findings } = findWorkflows(inputs, { minSessions: 3 });
 */
export function findWorkflows(
  inputs: readonly DigestInput<WorkflowDigest>[],
  options: FindWorkflowsOptions,
): { findings: WorkflowFinding[]; stats: WorkflowStats } {
  const minSuccessRate = options.minSuccessRate ?? 0.5;
  const maxSteps = Math.max(2, options.maxSteps ?? 5);
  const maxGap = Math.max(0, options.maxGap ?? 2);
  const minTasks = options.minTasks ?? 2;
  const maxEvidence = options.maxEvidence ?? 3;
  const { conversations, sequences, stepNames } = groupConversations(inputs);
  const stats: WorkflowStats = {
    conversations: conversations.length,
    succeeded: conversations.filter((conversation) => conversation.passed === true).length,
    failed: conversations.filter((conversation) => conversation.passed === false).length,
    unknown: conversations.filter((conversation) => conversation.passed === null).length,
    candidates: 0,
    belowTasks: 0,
    belowSuccessRate: 0,
    overlapping: 0,
    workflows: 0,
  };
  const mined = mineCandidates(sequences, conversations, {
    minSessions: Math.max(1, options.minSessions),
    maxSteps,
    maxGap,
    countUnknown: options.unknownOutcome === 'not-failed',
  });
  stats.candidates = mined.length;

  const gated = mined.filter((candidate) => {
    const tasks = new Set(candidate.supporters.map((index) => conversations[index]?.taskKey));
    if (tasks.size < minTasks) {
      stats.belowTasks++;
      return false;
    }
    const known = candidate.succeeded + candidate.failed;
    if (known > 0 && candidate.succeeded / known < minSuccessRate) {
      stats.belowSuccessRate++;
      return false;
    }
    return true;
  });

  const bySupporters = new Map<string, Candidate[]>();
  for (const candidate of gated) {
    const signature = candidate.supporters.join(',');
    bySupporters.set(signature, [...(bySupporters.get(signature) ?? []), candidate]);
  }
  const closed = gated.filter(
    (candidate) =>
      !(bySupporters.get(candidate.supporters.join(',')) ?? []).some(
        (other) => other.steps.length > candidate.steps.length && isSubsequence(candidate.steps, other.steps),
      ),
  );
  const label = (candidate: Candidate): string =>
    candidate.steps.map((step) => stepNames[step] ?? '').join('\u0000');
  closed.sort(
    (a, b) =>
      b.supporters.length - a.supporters.length ||
      b.steps.length - a.steps.length ||
      label(a).localeCompare(label(b)),
  );
  const kept: Candidate[] = [];
  for (const candidate of closed) {
    const overlaps = kept.some((workflow) => {
      if (isSubsequence(candidate.steps, workflow.steps) || isSubsequence(workflow.steps, candidate.steps)) {
        return true;
      }
      if (candidate.steps[candidate.steps.length - 1] !== workflow.steps[workflow.steps.length - 1])
        return false;
      const shared = candidate.supporters.filter((index) => workflow.supporters.includes(index)).length;
      return shared * 2 >= candidate.supporters.length;
    });
    if (overlaps) continue;
    kept.push(candidate);
  }
  stats.overlapping = gated.length - kept.length;
  stats.workflows = kept.length;

  const findings = kept.map((candidate) =>
    buildFinding({ candidate, conversations, sequences, stepNames, maxGap, maxEvidence }),
  );
  return { findings, stats };
}

function buildFinding(context: {
  candidate: Candidate;
  conversations: readonly Conversation[];
  sequences: readonly Sequence[];
  stepNames: readonly string[];
  maxGap: number;
  maxEvidence: number;
}): WorkflowFinding {
  const { candidate, conversations, sequences, stepNames, maxGap } = context;
  const followerSet = new Set(candidate.followers);
  const supporterSet = new Set(candidate.supporters);
  // One match per session that followed the workflow: the calls of each step, for inputs, times and evidence.
  const matches: { sequence: Sequence; calls: WorkflowDigestCall[] }[] = [];
  for (const sequence of sequences) {
    if (!followerSet.has(sequence.conversation)) continue;
    const positions = matchPositions(sequence.steps, candidate.steps, maxGap);
    if (positions === null) continue;
    const calls = positions
      .map((position) => sequence.calls[position])
      .filter((call): call is WorkflowDigestCall => call !== undefined);
    matches.push({ sequence, calls });
  }
  const supporting = matches.filter((match) => supporterSet.has(match.sequence.conversation));
  const steps = candidate.steps.map((_, index) =>
    renderStep(
      supporting
        .map((match) => match.calls[index])
        .filter((call): call is WorkflowDigestCall => call !== undefined),
    ),
  );
  const placeholders = [...new Set(steps.flatMap((step) => step.placeholders))];
  const times = matches
    .flatMap((match) => match.calls.map((call) => call.timestamp))
    .filter((time): time is string => time !== null)
    .sort();
  const supporters = candidate.supporters
    .map((index) => conversations[index])
    .filter((conversation): conversation is Conversation => conversation !== undefined);
  const followers = candidate.followers
    .map((index) => conversations[index])
    .filter((conversation): conversation is Conversation => conversation !== undefined);
  return {
    kind: 'workflow',
    id: `workflow-${hashText(candidate.steps.map((step) => stepNames[step] ?? '').join('\u0000')).slice(0, 10)}`,
    task: describeTask(supporters, conversations, supporting[0]?.calls[candidate.steps.length - 1]),
    steps: steps.map(({ tool, input }) => ({ tool, input })),
    placeholders,
    sessionCount: followers.length,
    successCount: candidate.succeeded,
    sessionIds: followers.map((conversation) => conversation.rootId).sort(),
    agents: [...new Set(followers.flatMap((conversation) => [...conversation.agents]))].sort(),
    firstSeen: times[0] ?? null,
    lastSeen: times[times.length - 1] ?? null,
    evidence: pickEvidence(supporting, conversations, context.maxEvidence),
  };
}

/** Succeeded sessions first, one per task before a second of the same task, then by id: steps quoted in order. */
function pickEvidence(
  supporting: readonly { sequence: Sequence; calls: WorkflowDigestCall[] }[],
  conversations: readonly Conversation[],
  max: number,
): Evidence[] {
  const byConversation = new Map<number, { sequence: Sequence; calls: WorkflowDigestCall[] }>();
  for (const match of supporting) {
    const existing = byConversation.get(match.sequence.conversation);
    if (existing === undefined || match.sequence.sessionId < existing.sequence.sessionId) {
      byConversation.set(match.sequence.conversation, match);
    }
  }
  const ordered = [...byConversation.entries()].sort(([a], [b]) => {
    const left = conversations[a];
    const right = conversations[b];
    const outcome = Number(right?.passed === true) - Number(left?.passed === true);
    return outcome !== 0 ? outcome : (left?.rootId ?? '').localeCompare(right?.rootId ?? '');
  });
  const seenTasks = new Set<string>();
  const first: typeof ordered = [];
  const rest: typeof ordered = [];
  for (const entry of ordered) {
    // One run per task and agent first: a lesson several agents share shows each agent's runs.
    const task = `${entry[1].sequence.agent}\u0000${conversations[entry[0]]?.taskKey ?? ''}`;
    if (seenTasks.has(task)) rest.push(entry);
    else {
      seenTasks.add(task);
      first.push(entry);
    }
  }
  const byAgent = ([, match]: (typeof ordered)[number]): string => match.sequence.agent;
  return [...spreadByAgent(first, byAgent), ...spreadByAgent(rest, byAgent)]
    .slice(0, max)
    .flatMap(([, match]) =>
      match.calls.map((call): Evidence => ({
        sessionId: match.sequence.sessionId,
        eventId: call.eventId,
        agent: match.sequence.agent,
        timestamp: call.timestamp,
        quote: call.quote,
        role: 'step',
      })),
    );
}
