/**
 * The SQLite schema, as an ordered list of migrations. `PRAGMA user_version` records the last one applied.
 *
 * Rules: migrations are append-only (never edit one that shipped; add the next version), each runs in its own
 * transaction, and versions are consecutive from 1. Tables are STRICT so a wrong type is an error, not a silent
 * coercion: our own data is strict.
 */

/** One schema step. `version` is the `user_version` the database has once `sql` has run. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Marks a database as Reverie's (`PRAGMA application_id`, "RVRE"), so a SQLite file of another program at the
 * same path is refused instead of having our tables added to it.
 */
export const reverieApplicationId = 0x52565245;

/** Every migration, oldest first. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
PRAGMA application_id = ${String(reverieApplicationId)};

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  format TEXT NOT NULL,
  source_path TEXT NOT NULL,
  -- No foreign key: a sidechain may be read before the conversation that spawned it.
  parent_session_id TEXT,
  title TEXT,
  cwd TEXT,
  started_at TEXT,
  ended_at TEXT,
  event_count INTEGER NOT NULL DEFAULT 0,
  ingested_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_agent_ended_at ON sessions (agent, ended_at);
CREATE INDEX sessions_started_at ON sessions (started_at, id);

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  -- Not UNIQUE with session_id: INSERT OR IGNORE would then drop a tied event silently.
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  subtype TEXT,
  timestamp TEXT,
  text TEXT NOT NULL,
  message_id TEXT,
  tool_name TEXT,
  tool_call_id TEXT,
  tool_input TEXT,
  is_error INTEGER NOT NULL CHECK (is_error IN (0, 1)),
  is_rejection INTEGER NOT NULL CHECK (is_rejection IN (0, 1)),
  source_path TEXT NOT NULL,
  source_line INTEGER NOT NULL
) STRICT;
CREATE INDEX events_session_sequence ON events (session_id, sequence);

CREATE TABLE source_files (
  path TEXT PRIMARY KEY,
  format TEXT NOT NULL,
  agent TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  head_hash TEXT NOT NULL,
  head_bytes INTEGER NOT NULL,
  cursor TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE dream_runs (
  id TEXT PRIMARY KEY,
  trigger TEXT NOT NULL,
  approval TEXT NOT NULL,
  dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
  agents TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  report TEXT,
  error TEXT
) STRICT;
CREATE INDEX dream_runs_started_at ON dream_runs (started_at, id);

CREATE TABLE proposals (
  id TEXT PRIMARY KEY,
  -- No foreign key to dream_runs: the port does not require the run to be saved first.
  dream_run_id TEXT NOT NULL,
  memory_path TEXT NOT NULL,
  agent TEXT,
  base_version INTEGER NOT NULL,
  edits TEXT NOT NULL,
  diff TEXT NOT NULL,
  reason TEXT NOT NULL,
  routing TEXT NOT NULL,
  finding_ids TEXT NOT NULL,
  evidence TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  status_reason TEXT,
  applied_version INTEGER
) STRICT;
CREATE INDEX proposals_status ON proposals (status, created_at);
CREATE INDEX proposals_memory_path ON proposals (memory_path, created_at);
CREATE INDEX proposals_dream_run_id ON proposals (dream_run_id);

CREATE TABLE memory_files (
  path TEXT PRIMARY KEY,
  agent TEXT,
  current_version INTEGER NOT NULL
) STRICT;

CREATE TABLE memory_versions (
  path TEXT NOT NULL REFERENCES memory_files (path),
  version INTEGER NOT NULL CHECK (version >= 1),
  parent_version INTEGER,
  -- BLOB, not TEXT: the exact UTF-8 bytes (BOM, CRLF) come back unchanged.
  content BLOB NOT NULL,
  exists_flag INTEGER NOT NULL CHECK (exists_flag IN (0, 1)),
  content_hash TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_name TEXT,
  dream_run_id TEXT,
  proposal_id TEXT,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'committed')),
  PRIMARY KEY (path, version)
) STRICT;
-- At most one write in flight per file, enforced by the database as well as by the store.
CREATE UNIQUE INDEX memory_versions_one_pending ON memory_versions (path) WHERE state = 'pending';

CREATE TABLE locks (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 2,
    name: 'session outcomes from logs',
    sql: `
-- JSON of a SessionOutcome (a tau-bench reward, a SWE-agent exit status, a Langfuse score), or NULL.
ALTER TABLE sessions ADD COLUMN outcome TEXT;
`,
  },
  {
    version: 3,
    name: 'miner digests per session',
    sql: `
-- What each miner kept of each session (JSON), reused by later dreams until the session grows (event_count) or
-- the miner's digest version changes. No foreign key: a digest is a cache, rebuilt from the events at will.
CREATE TABLE session_digests (
  session_id TEXT NOT NULL,
  miner TEXT NOT NULL,
  version INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  digest TEXT NOT NULL,
  PRIMARY KEY (session_id, miner)
) STRICT;
`,
  },
  {
    version: 4,
    name: 'outcomes recorded by people and graders',
    sql: `
CREATE TABLE outcomes (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('cli', 'grader', 'log')),
  name TEXT NOT NULL,
  passed INTEGER CHECK (passed IN (0, 1)),
  score REAL,
  detail TEXT,
  criteria TEXT,
  event_count INTEGER,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT
) STRICT;
CREATE INDEX outcomes_session ON outcomes (session_id, recorded_at);
`,
  },
  {
    version: 5,
    name: 'what the injection screen found in a proposal, and why the approval policy holds it',
    sql: `
ALTER TABLE proposals ADD COLUMN screening TEXT NOT NULL DEFAULT '[]';
ALTER TABLE proposals ADD COLUMN holds TEXT NOT NULL DEFAULT '[]';
`,
  },
];

/** The `user_version` of a database with every migration applied. */
export const latestSchemaVersion: number = migrations.at(-1)?.version ?? 0;
