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
  role: 'error' | 'recovery' | 'context';
}

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
}

/** Every kind of finding. Later miners add members to this union. */
export type Finding = RecurringToolErrorFinding;

/** Renders recovery steps as a phrase: "`Read`, then `Edit` again". */
export function describeRecovery(recovery: Recovery, failedTool: string): string {
  const steps = recovery.steps.map((step, index) =>
    index === recovery.steps.length - 1 && step === failedTool ? `\`${step}\` again` : `\`${step}\``,
  );
  const phrase = steps.join(', then ');
  return recovery.inputChange === null ? phrase : `${phrase} with \`${recovery.inputChange}\``;
}

/** One-line description of a finding for reports. */
export function describeFinding(finding: Finding): string {
  const tools = finding.toolNames.map((name) => `\`${name}\``).join('/');
  const command = finding.command === null ? '' : ` (\`${finding.command}\`)`;
  const agents =
    finding.agents.length === 1 ? `agent ${finding.agents[0] ?? ''}` : `${finding.agents.length} agents`;
  return `${tools}${command} failed ${finding.occurrenceCount}x in ${finding.sessionCount} sessions (${agents}): "${finding.signature}"`;
}
