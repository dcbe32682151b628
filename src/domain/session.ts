import type { SessionOutcome } from './outcome.js';

/**
 * Sessions and events: the normalized shape every log format is read into.
 * One session is one conversation of one agent. A sub-agent's sidechain is its own session with
 * `parentSessionId` pointing at the conversation that spawned it; miners count it with its parent.
 */

/** What an event is. Unknown foreign records map to `other`. */
export type EventKind =
  'user-message' | 'assistant-message' | 'tool-call' | 'tool-result' | 'system' | 'other';

/** Where in the source log an event came from (1-based line). */
export interface SourcePointer {
  path: string;
  line: number;
}

/** One normalized event of a session. `text` is stored verbatim and evidence quotes are checked against it. */
export interface SessionEvent {
  /** Globally unique and stable across re-imports of the same source. */
  id: string;
  sessionId: string;
  /** Order within the session; gaps are allowed, ties are not. */
  sequence: number;
  kind: EventKind;
  /**
   * Finer kind from the source, when it matters to a reader: `thinking`, `meta` (injected text the human did not
   * type), `compact-summary`, `command`, `api-error`, `hook`, or the foreign record type of an `other` event.
   */
  subtype: string | null;
  /** ISO-8601, or null when the source has no time for this record. */
  timestamp: string | null;
  text: string;
  /** Groups events written from one model response (Claude Code splits one response into many lines). */
  messageId: string | null;
  /** tool-call and tool-result: the tool's name when known. */
  toolName: string | null;
  /** tool-call and tool-result: the id joining a call to its result. */
  toolCallId: string | null;
  /** tool-call: the input as given by the agent (a JSON value), or null. */
  toolInput: unknown;
  /** tool-result: true when the tool reported a failure. */
  isError: boolean;
  /** tool-result: the failure was the user refusing or interrupting, not the tool failing. */
  isRejection: boolean;
  source: SourcePointer;
}

/** Supported log formats. */
export type SessionFormat =
  | 'claude-code'
  | 'codex'
  | 'otel-genai'
  | 'openai-agents'
  | 'langfuse'
  | 'tau-bench'
  | 'swe-agent'
  | 'openhands'
  | 'atif'
  | 'aider'
  | 'reverie-jsonl';

/** All formats, in the order auto-detection tries them (most specific first; Reverie's own, most lenient, last). */
export const sessionFormats: readonly SessionFormat[] = [
  'claude-code',
  'codex',
  'otel-genai',
  'openai-agents',
  'langfuse',
  'tau-bench',
  'swe-agent',
  'openhands',
  'atif',
  'aider',
  'reverie-jsonl',
];

/** True when `value` names a supported format. */
export function isSessionFormat(value: string): value is SessionFormat {
  return (sessionFormats as readonly string[]).includes(value);
}

/** A session without its events. */
export interface Session {
  id: string;
  agent: string;
  format: SessionFormat;
  /** The log file this session was read from. */
  sourcePath: string;
  parentSessionId: string | null;
  title: string | null;
  cwd: string | null;
  startedAt: string | null;
  endedAt: string | null;
  eventCount: number;
  /** How the session went, when its log says (e.g. a tau-bench reward); null otherwise. */
  outcome: SessionOutcome | null;
}

/** A session with its events in sequence order, as miners see it. */
export interface SessionWithEvents extends Session {
  events: readonly SessionEvent[];
}

/** The conversation a session belongs to: itself, or the session that spawned it. */
export function rootSessionId(session: Pick<Session, 'id' | 'parentSessionId'>): string {
  return session.parentSessionId ?? session.id;
}
