/**
 * Dream runs and their reports. A report is never silent: it says what was read, found, proposed, applied,
 * skipped (and why) and what went wrong.
 */
import type { Finding } from './finding.js';
import type { IngestWarning } from './ingest-warning.js';
import type { ProposalStatus } from './proposal.js';
import type { ScreenFlag, ScreenHit } from './screening.js';

export type ApprovalMode = 'manual' | 'automatic';

/** The miners a dream can run (`dreaming.miners` in reverie.yaml). */
export const minerNames = [
  'tool-errors',
  'user-corrections',
  'workflows',
  'outcome-contrasts',
  'memory-hygiene',
] as const;
export type MinerName = (typeof minerNames)[number];

/** What one miner did in a dream: how many findings, and the figures behind them in one line. */
export interface MinerSummary {
  miner: MinerName;
  findings: number;
  /** E.g. "14 tool errors in 9 signatures; 3 recurred in 2+ sessions, 6 in too few". */
  detail: string;
}
export type DreamRunStatus = 'running' | 'succeeded' | 'failed';
export type DreamTrigger = 'manual' | 'schedule' | 'demo';

/** Something considered and not acted on, with the reason. */
export interface SkippedItem {
  subject: string;
  reason: string;
}

/** A problem during a run that did not stop it. */
export type RunWarning =
  | { type: 'ingest'; warning: IngestWarning }
  | { type: 'evidence-rejected'; findingId: string; message: string }
  | { type: 'apply-failed'; proposalId: string; message: string }
  | { type: 'memory-external-edit'; path: string; version: number }
  | { type: 'source-missing'; agent: string; path: string };

/** What reading the configured sources at the start of a run added. */
export interface IngestSummary {
  filesScanned: number;
  filesRead: number;
  filesUnchanged: number;
  sessionsAdded: number;
  eventsAdded: number;
  warningCount: number;
  /** Secrets removed before anything was stored, by kind (never the values). */
  redactions: Readonly<Record<string, number>>;
}

/** What one rubric grader did in a dream. */
export interface GradingSummary {
  rubric: string;
  graded: number;
  passed: number;
  failed: number;
  undecided: number;
}

export interface ReportProposal {
  id: string;
  memoryPath: string;
  agent: string | null;
  reason: string;
  routing: string;
  status: ProposalStatus;
  diff: string;
  appliedVersion: number | null;
  /** Why the approval policy keeps it for a person (empty when nothing holds it). */
  holds?: readonly string[];
  /** What the injection screen found in it. */
  screening?: readonly ScreenFlag[];
}

/** A change the screen stopped before it became a proposal (automatic approval). */
export interface BlockedItem {
  subject: string;
  memoryPath: string;
  reason: string;
  flags: readonly ScreenFlag[];
  /** The sessions of the change's verified evidence (absent in reports written before they were recorded). */
  sessionIds?: readonly string[];
}

/** An event of the window whose text carries injection markers, and what became of it. */
export interface FlaggedEvent {
  sessionId: string;
  eventId: string;
  agent: string;
  /** The event's kind (`tool-result`, `user-message`, ...). */
  eventKind: string;
  hits: readonly ScreenHit[];
  /**
   * `blocked`: it never reached a memory file: its text was never a candidate (untrusted origin, or not a recurring
   * lesson), or the change it fed was blocked; `held`: it is evidence of a proposal waiting for a person.
   */
  outcome: 'blocked' | 'held';
  detail: string;
}

export interface RunReport {
  agents: readonly string[];
  /** Analysis window start (ISO), from `retention`. */
  since: string;
  ingest: IngestSummary | null;
  sessionsRead: number;
  eventsRead: number;
  /** Sessions whose events this dream analysed (new or grown since the last dream); the others reused digests. */
  sessionsAnalysed: number;
  toolErrorsRead: number;
  /** Per miner that ran: its findings and figures (absent in reports written before there were several miners). */
  miners?: readonly MinerSummary[];
  /** Sessions graded by each rubric in this dream (only those new or grown since their last grade). */
  grading: readonly GradingSummary[];
  findings: readonly Finding[];
  proposals: readonly ReportProposal[];
  skipped: readonly SkippedItem[];
  warnings: readonly RunWarning[];
  /** Changes the injection screen blocked (absent in reports written before screening existed). */
  blocked?: readonly BlockedItem[];
  /** Events of the window with injection markers (at most 100 listed), and how many in all. */
  injections?: { events: number; sessions: number; listed: readonly FlaggedEvent[] };
  /** Set when the run proposes nothing: says why in one sentence. */
  nothingReason: string | null;
}

export interface DreamRun {
  id: string;
  trigger: DreamTrigger;
  approval: ApprovalMode;
  dryRun: boolean;
  agents: readonly string[];
  status: DreamRunStatus;
  startedAt: string;
  endedAt: string | null;
  report: RunReport | null;
  /** Why the run failed, when it did. */
  error: string | null;
}
