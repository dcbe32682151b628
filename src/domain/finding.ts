/**
 * Findings: signals mined from sessions, each with evidence pointers (session, event, verbatim quote).
 */

/** A pointer into a stored session plus a verbatim quote of the event's text. */
export interface Evidence {
  sessionId: string;
  eventId: string;
  agent: string;
  timestamp: string | null;
  /** Verbatim substring of the event's stored text; checked against the store before a proposal is saved. */
  quote: string;
  /** What this piece of evidence shows. */
  role: EvidenceRole;
}

/**
 * `error`: a tool failure; `recovery`: what fixed it; `correction`: a person correcting the agent or stating a
 * preference; `corrected`: the agent action a correction answers; `step`: one step of a workflow; `contrast`: a
 * session on one side of an outcome contrast; `context`: anything else worth showing.
 */
export type EvidenceRole =
  'error' | 'recovery' | 'correction' | 'corrected' | 'step' | 'contrast' | 'context';

/** What the agent did after an error that then worked. */
export interface Recovery {
  /** Tool names called between the error and the successful retry, then the retried tool. */
  steps: readonly string[];
  /** How many of the finding's occurrences were followed by exactly these steps. */
  count: number;
  /** How many occurrences were followed by any successful retry. */
  recoveredCount: number;
  /** An input the successful retry changed, e.g. `replace_all: true`, when one stood out. */
  inputChange: string | null;
}

/** A cluster of tool errors that recur across sessions. */
export interface RecurringToolErrorFinding {
  kind: 'recurring-tool-error';
  /** Deterministic: the same cluster gets the same id in every run. */
  id: string;
  /** Tools that failed this way, most frequent first. */
  toolNames: readonly string[];
  /** Normalized error text: paths, numbers, ids and quoted values abstracted. */
  signature: string;
  /** For shell tools: the command that failed, abstracted to its head (e.g. `npm test`). */
  command: string | null;
  occurrenceCount: number;
  /** Distinct conversations (sub-agent sidechains count with their parent). */
  sessionCount: number;
  sessionIds: readonly string[];
  agents: readonly string[];
  firstSeen: string | null;
  lastSeen: string | null;
  /** The most common recovery, or null when none was seen. */
  recovery: Recovery | null;
  evidence: readonly Evidence[];
  /**
   * When a memory entry about this error already existed and the error kept happening after it was written: the
   * entry needs strengthening, not repeating. Null when there is no such entry or the error stopped.
   */
  recurredAfterEntry: RecurrenceAfterEntry | null;
  /** Occurrences in sessions that failed / succeeded, when outcomes are known (lessons are weighted by them). */
  outcomes: OutcomeTally;
}

/** An entry that existed while the error kept happening. */
export interface RecurrenceAfterEntry {
  memoryPath: string;
  entryId: string;
  /** When the version that added the entry was applied (ISO). */
  since: string;
  /** Occurrences (and distinct sessions) after that time. */
  occurrencesAfter: number;
  sessionsAfter: number;
}

/** How many of a finding's sessions failed, succeeded, or have no known outcome. */
export interface OutcomeTally {
  failed: number;
  succeeded: number;
  unknown: number;
}

/**
 * A person correcting the agent ("no, use pnpm", "don't push to main", "why did you delete that?") or stating a
 * standing preference ("from now on always run the linter"). The statement is the person's own words: text from
 * user turns is the one origin trusted to become an instruction.
 */
export interface UserCorrectionFinding {
  kind: 'user-correction';
  id: string;
  /** The instruction, normalised from the person's words ("Use pnpm, not npm."). */
  statement: string;
  /** Grouping key: the instruction with its wording abstracted (stable across dreams). */
  key: string;
  /** An explicit standing instruction ("from now on", "always", "never"): may be proposed from one session. */
  standing: boolean;
  /** What the corrections answered: the tool the agent had just used, when one stood out. */
  correctedTool: string | null;
  occurrenceCount: number;
  sessionCount: number;
  sessionIds: readonly string[];
  agents: readonly string[];
  firstSeen: string | null;
  lastSeen: string | null;
  evidence: readonly Evidence[];
  outcomes: OutcomeTally;
}

/** One step of a workflow: a tool and what its input looks like, with varying values as named placeholders. */
export interface WorkflowStep {
  tool: string;
  /** E.g. `{command: "npm test -- {test_file}"}`; empty when the input does not matter. */
  input: string;
}

/**
 * A tool-call sequence that recurs across successful sessions for similar tasks (Agent Workflow Memory), with the
 * values that vary abstracted into named placeholders.
 */
export interface WorkflowFinding {
  kind: 'workflow';
  id: string;
  /** A short description of the tasks it served ("fix a failing test"). */
  task: string;
  steps: readonly WorkflowStep[];
  placeholders: readonly string[];
  /** Sessions that followed it, and how many of those succeeded. */
  sessionCount: number;
  successCount: number;
  sessionIds: readonly string[];
  agents: readonly string[];
  firstSeen: string | null;
  lastSeen: string | null;
  evidence: readonly Evidence[];
}

/** Something failed sessions do that successful ones do not (or the reverse). */
export interface OutcomeContrastFinding {
  kind: 'outcome-contrast';
  id: string;
  feature: {
    type: 'error' | 'tool-used' | 'tool-missing' | 'order';
    /** Stable key of the feature (e.g. the error signature's key). */
    key: string;
    /** "calls `book_reservation` before `get_user_details`". */
    description: string;
  };
  /** Sessions with the feature among failed and successful ones ("in 9 of 11 failed runs, 0 of 14 successful"). */
  failedWith: number;
  failedTotal: number;
  succeededWith: number;
  succeededTotal: number;
  /** Two-sided Fisher exact test. */
  pValue: number;
  /** 'avoid': more common in failures; 'repeat': more common in successes. */
  direction: 'avoid' | 'repeat';
  sessionIds: readonly string[];
  agents: readonly string[];
  evidence: readonly Evidence[];
}

/** A problem with what a memory file already says. */
export interface MemoryHygieneFinding {
  kind: 'memory-hygiene';
  id: string;
  problem: 'stale' | 'duplicate' | 'contradicted';
  memoryPath: string;
  /** The entries concerned (for `contradicted`: the old one first). */
  entryIds: readonly string[];
  /** One line: what is wrong and why. */
  detail: string;
  /** For `contradicted`: the newer finding whose evidence wins. */
  supersededBy: string | null;
  evidence: readonly Evidence[];
  agents: readonly string[];
  sessionIds: readonly string[];
}

/** Every kind of finding. */
export type Finding =
  | RecurringToolErrorFinding
  | UserCorrectionFinding
  | WorkflowFinding
  | OutcomeContrastFinding
  | MemoryHygieneFinding;

/** Renders recovery steps as a phrase: "`Read`, then `Edit` again". */
/** In `Recovery.inputChange`, stands for "another value" of the arguments named before it. */
export const changedMarker = '<changed>';

export function describeRecovery(recovery: Recovery, failedTool: string): string {
  const steps = recovery.steps.map((step, index) =>
    index === recovery.steps.length - 1 && step === failedTool ? `\`${step}\` again` : `\`${step}\``,
  );
  const phrase = steps.join(', then ');
  if (recovery.inputChange === null) return phrase;
  // `flights, payment_id: <changed>`: the retry gave these arguments other values.
  if (recovery.inputChange.endsWith(`: ${changedMarker}`)) {
    const keys = recovery.inputChange.slice(0, -`: ${changedMarker}`.length).split(', ');
    return `${phrase} with a different ${keys.map((key) => `\`${key}\``).join(' and ')}`;
  }
  return `${phrase} with \`${recovery.inputChange}\``;
}

function describeAgents(agents: readonly string[]): string {
  return agents.length === 1 ? `agent ${agents[0] ?? ''}` : `${agents.length} agents`;
}

/** One-line description of a finding for reports. */
export function describeFinding(finding: Finding): string {
  switch (finding.kind) {
    case 'recurring-tool-error': {
      const tools = finding.toolNames.map((name) => `\`${name}\``).join('/');
      const command = finding.command === null ? '' : ` (\`${finding.command}\`)`;
      return `${tools}${command} failed ${finding.occurrenceCount}x in ${finding.sessionCount} sessions (${describeAgents(finding.agents)}): "${finding.signature}"`;
    }
    case 'user-correction':
      return `${finding.standing ? 'standing instruction' : 'correction'} in ${finding.sessionCount} sessions (${describeAgents(finding.agents)}): "${finding.statement}"`;
    case 'workflow':
      return `workflow "${finding.task}" in ${finding.sessionCount} sessions (${finding.successCount} succeeded): ${finding.steps.map((step) => `\`${step.tool}\``).join(' → ')}`;
    case 'outcome-contrast':
      return `${finding.feature.description}: in ${finding.failedWith} of ${finding.failedTotal} failed runs, ${finding.succeededWith} of ${finding.succeededTotal} successful (p=${finding.pValue.toPrecision(2)})`;
    case 'memory-hygiene':
      return `${finding.problem} ${finding.entryIds.map((id) => `entry ${id}`).join(', ')} in ${finding.memoryPath}: ${finding.detail}`;
  }
}
