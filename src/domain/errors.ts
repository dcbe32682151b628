/**
 * The one error class of Reverie. Every failure a caller can act on carries a `code`,
 * an actionable `message` (what happened, with ids and paths, and what to do next) and
 * optional `data` with pointers. Transport concerns (exit codes, HTTP status) live in
 * the drivers, never here.
 */
export type ReverieErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'CONFIG_EXISTS'
  | 'USAGE_INVALID'
  | 'INGEST_PATH_NOT_FOUND'
  | 'INGEST_FORMAT_UNKNOWN'
  | 'INGEST_NOTHING_READ'
  | 'AGENT_UNKNOWN'
  | 'STORE_MIGRATION_REQUIRED'
  | 'STORE_CORRUPT'
  | 'STORE_FAILED'
  | 'MEMORY_FILE_UNKNOWN'
  | 'MEMORY_FILE_NOT_TEXT'
  | 'MEMORY_VERSION_CONFLICT'
  | 'MEMORY_VERSION_NOT_FOUND'
  | 'MEMORY_EDIT_INVALID'
  | 'MEMORY_EDIT_PROTECTED'
  | 'MEMORY_PATH_OUTSIDE_ROOTS'
  | 'MEMORY_BUDGET_EXCEEDED'
  | 'MEMORY_WRITE_FAILED'
  | 'PROPOSAL_NOT_FOUND'
  | 'PROPOSAL_AMBIGUOUS'
  | 'PROPOSAL_INVALID_TRANSITION'
  | 'PROPOSAL_EVIDENCE_INVALID'
  | 'RUN_NOT_FOUND'
  | 'SCHEDULER_LOCK_HELD';

/** Options for {@link ReverieError}. */
export interface ReverieErrorOptions {
  code: ReverieErrorCode;
  message: string;
  data?: Record<string, unknown>;
  cause?: unknown;
}

/** A failure with a machine-readable code and a message that says what to do next. */
export class ReverieError extends Error {
  readonly code: ReverieErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(options: ReverieErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReverieError';
    this.code = options.code;
    this.data = options.data;
  }
}

/** True for any value that carries a Reverie error code (works across module copies). */
export function isReverieError(value: unknown): value is ReverieError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    typeof value.code === 'string' &&
    'name' in value &&
    value.name === 'ReverieError'
  );
}

/** Exhaustiveness guard for `switch` statements over unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${String(value)}`);
}
