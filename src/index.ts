// This file defines the complete public surface of `reverie`.
// Any new export added here becomes public API. Use named exports, not wildcards.
export { createReverie } from './create-reverie.js';
export type {
  DaemonHandlers,
  DreamRequest,
  MemoryHistory,
  Reverie,
  ReverieOptions,
} from './create-reverie.js';
export { loadConfig } from './config/load-config.js';
export type { Config, DreamingConfig, LoadConfigOptions } from './config/load-config.js';
export { ReverieError, isReverieError } from './domain/errors.js';
export type { ReverieErrorCode, ReverieErrorOptions } from './domain/errors.js';
export { runCli } from './cli/main.js';
export type { CliIo } from './cli/cli-io.js';

export type { AgentDefinition, MemoryBudget, MemoryTarget, SourceDefinition } from './domain/agent.js';
export type {
  ApprovalMode,
  DreamRun,
  DreamRunStatus,
  DreamTrigger,
  IngestSummary,
  ReportProposal,
  RunReport,
  RunWarning,
  SkippedItem,
} from './domain/dream-run.js';
export type { Evidence, Finding, Recovery, RecurringToolErrorFinding } from './domain/finding.js';
export type { IngestWarning } from './domain/ingest-warning.js';
export type { Actor, ActorKind, MemoryFile, MemoryVersion } from './domain/memory-version.js';
export type { MemoryEdit, Proposal, ProposalStatus } from './domain/proposal.js';
export type { EventKind, Session, SessionEvent, SessionFormat, SessionWithEvents } from './domain/session.js';
export type { IngestInput, IngestProgress, IngestResult } from './app/ingest-sessions.js';
export type { ApproveOutcome } from './app/approve-proposals.js';
export type { RollbackResult } from './app/rollback-memory-file.js';

// Ports, for people writing their own adapters (unstable until a third party implements one).
export type { Clock, IdGenerator } from './ports/clock.js';
export type { LogFileFingerprint, LogFiles } from './ports/log-files.js';
export type { MemoryFileContent, MemoryFileStore } from './ports/memory-file-store.js';
export type { FileCursor, ReadChunk, ReadRequest, SessionSource } from './ports/session-source.js';
export type { Store, SourceFileState } from './ports/store.js';

export { findRecurringToolErrors as experimental_findRecurringToolErrors } from './mining/find-recurring-tool-errors.js';
export { normalizeErrorSignature as experimental_normalizeErrorSignature } from './mining/normalize-error-signature.js';
