/**
 * Memory files and their immutable versions. "Current" is a pointer; versions are append-only.
 */

/** Who made a version. */
export type ActorKind =
  /** The file as Reverie first found it on disk (possibly absent). */
  | 'initial'
  /** A change made outside Reverie (a hand edit), recorded so it is never overwritten. */
  | 'external'
  /** A proposal applied by a person (`reverie approve`). */
  | 'reviewer'
  /** A proposal applied by a dream with `approval: automatic`. */
  | 'dream'
  /** `reverie rollback`. */
  | 'rollback';

export interface Actor {
  kind: ActorKind;
  /** User name or "reverie", when known. */
  name: string | null;
}

/** A memory file Reverie manages. `path` is absolute. */
export interface MemoryFile {
  path: string;
  /** The agent whose memory this is, or null for the shared file. */
  agent: string | null;
  /** Number of the current version; every managed file has at least version 1. */
  currentVersion: number;
}

/** One immutable version of a memory file. Version numbers start at 1 per file. */
export interface MemoryVersion {
  path: string;
  version: number;
  parentVersion: number | null;
  /** Full content. `exists: false` records that the file was absent (content is then empty). */
  content: string;
  exists: boolean;
  /** sha256 of the UTF-8 bytes of `content` (hex), computed by the shell. */
  contentHash: string;
  actor: Actor;
  dreamRunId: string | null;
  proposalId: string | null;
  reason: string;
  createdAt: string;
}
