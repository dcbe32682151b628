/**
 * The shape of the labelled sets: for each corpus, the findings a careful human expects from each miner at the
 * default gates (`min_sessions: 2`; workflows and outcome contrasts need 3 sessions, see `src/app/mine-window.ts`),
 * each with the sessions that show it and a matcher. Labels are written by reading the logs, never by copying what a
 * miner printed (each corpus file says how it was built).
 */
import type { MinerName } from '../../src/domain/dream-run.js';

export type CorpusName = 'claude-code' | 'aider' | 'tau-bench';

/**
 * - `required`: a careful human expects this finding at the default gates; it counts for recall.
 * - `acceptable`: a finding here would be right, but is not expected (below the gate, or arguable): it counts as
 *   correct for precision and is left out of recall.
 * - `must-not-find`: a finding here is wrong (a negative); it counts against precision and is listed as a violation.
 */
export type Expectation = 'required' | 'acceptable' | 'must-not-find';

interface LabelBase {
  id: string;
  description: string;
  /**
   * The sessions that show it: whole ids, or the end of an id (aider `20240806T084710`, tau-bench `/task-0/trial-0`),
   * or the start of one (Claude Code `b45ad5d8`, the start of the conversation's uuid). A finding matches only if
   * it names at least one of them; empty for negatives that apply anywhere.
   */
  sessions: readonly string[];
  expectation: Expectation;
  /** Why a careful human expects it (or not), when the description does not say. */
  note?: string;
}

/** A recurring tool error: which tools failed, and what the finding's signature must say. */
export interface ToolErrorLabel extends LabelBase {
  miner: 'tool-errors';
  /** The finding must name at least one of these tools; null for any tool. */
  tools: readonly string[] | null;
  signature: RegExp;
}

/** A recurring correction or a standing instruction: words its statement must contain (all, any case). */
export interface CorrectionLabel extends LabelBase {
  miner: 'user-corrections';
  /** Empty matches every correction (for negatives such as "no correction from a simulated user"). */
  words: readonly string[];
}

/** A workflow: its tool sequence exactly, or (for negatives) any workflow containing a tool, or any at all. */
export interface WorkflowLabel extends LabelBase {
  miner: 'workflows';
  /** The tool of every step, in order; null matches any workflow. */
  steps: readonly string[] | null;
  /** For negatives: any workflow with this tool among its steps. */
  containing?: string;
}

/** An outcome contrast: the feature key (exact, or a pattern for negatives) and its direction. */
export interface ContrastLabel extends LabelBase {
  miner: 'outcome-contrasts';
  feature: string | RegExp;
  /** Null for either direction. */
  direction: 'avoid' | 'repeat' | null;
}

/**
 * A memory-hygiene finding, resolved at run time against the entries Reverie wrote (their ids are only known then):
 * the problem, and every entry id (or hand-written line `line-<n>`) the finding must name.
 */
export interface HygieneLabel extends LabelBase {
  miner: 'memory-hygiene';
  problem: 'stale' | 'duplicate' | 'contradicted' | null;
  entryIds: readonly string[];
}

export type FindingLabel = ToolErrorLabel | CorrectionLabel | WorkflowLabel | ContrastLabel | HygieneLabel;

/**
 * A line planted in the person's part of a memory file, restating one of the entries Reverie wrote: the labelled
 * memory-hygiene case (the fixtures hold no memory files, so the only memory to judge is what a dream writes).
 */
export interface HygienePlant {
  id: string;
  description: string;
  /** The entry restated, found by its text among the entries the first dream wrote. */
  entry: RegExp;
  /** The person's wording; null for the entry's text verbatim, as a person pasting it into their own notes. */
  wording: string | null;
  expectation: 'required' | 'acceptable';
  note?: string;
}

export interface HygieneCase {
  plants: readonly HygienePlant[];
  /** Rules a person wrote that say nothing like any entry: no hygiene finding may touch them. */
  neutralLines: readonly string[];
}

/** One corpus's labelled set. */
export interface CorpusLabels {
  corpus: CorpusName;
  labels: readonly FindingLabel[];
  hygiene: HygieneCase;
}

/**
 * One correction a careful reader marked in a conversation (the occurrence-level set of
 * test/user-corrections.test.ts, which the recurring labels are derived from).
 */
export interface CorrectionOccurrence {
  /** The end of the session id (Claude Code: the start of the conversation's uuid is enough). */
  session: string;
  /** Words of the person's correction, verbatim. */
  text: string;
  /** `content`: says what was wrong or what to do; `frustration`: only that it went wrong (left out of recall). */
  scope: 'content' | 'frustration';
  /** A careful reader would write it into the agent's memory (the group it belongs to). */
  memory?: string;
}

/** The miners the labelled sets cover (every miner a dream runs). */
export type { MinerName };
