/**
 * Agents: a name, where its session logs come from, and the memory file Reverie maintains for it.
 */
import type { SessionFormat } from './session.js';

/** Where an agent's logs are read from. `format: 'auto'` detects each file from its content. */
export interface SourceDefinition {
  format: SessionFormat | 'auto';
  /** Absolute path of a log file or a directory scanned recursively. */
  path: string;
}

/** Size limits of a memory file. A dream never produces a file over them. */
export interface MemoryBudget {
  maxLines: number;
  maxBytes: number;
}

/** A memory file target: absolute path and budget. */
export interface MemoryTarget {
  path: string;
  budget: MemoryBudget;
}

export interface AgentDefinition {
  name: string;
  sources: readonly SourceDefinition[];
  memory: MemoryTarget;
}
