/**
 * Routing: which memory file a lesson belongs in. A lesson seen in two or more agents goes to the shared file when
 * there is one; otherwise each agent it was seen in gets it in its own file. Every route says why.
 */
import type { MemoryTarget } from '../domain/agent.js';

export interface Route {
  target: MemoryTarget;
  /** The owning agent, or null for the shared file. */
  agent: string | null;
  /** Agents whose sessions are the evidence for this route. */
  evidenceAgents: readonly string[];
  /** One line: why this file. */
  reason: string;
}

/**
 * Routes a lesson seen in `agents`.
 * @param options.agents the agents whose sessions show the lesson
 * @param options.targets each agent's own memory file
 * @param options.shared the shared memory file, or null when none is configured
 */
export function routeLesson(options: {
  agents: readonly string[];
  targets: ReadonlyMap<string, MemoryTarget>;
  shared: MemoryTarget | null;
}): Route[] {
  const agents = options.agents.filter((agent) => options.targets.has(agent));
  if (agents.length >= 2 && options.shared !== null) {
    return [
      {
        target: options.shared,
        agent: null,
        evidenceAgents: agents,
        reason: `seen in ${agents.length} agents (${agents.join(', ')}), so it goes to the shared memory file`,
      },
    ];
  }
  return agents.flatMap((agent) => {
    const target = options.targets.get(agent);
    if (target === undefined) return [];
    const reason =
      agents.length === 1
        ? `seen only in agent ${agent}'s sessions, so it goes to that agent's memory file`
        : `seen in ${agents.length} agents (${agents.join(', ')}) and no shared_memory is configured, so each agent's own file gets it`;
    return [{ target, agent, evidenceAgents: agents, reason }];
  });
}
