/**
 * Evidence order for lessons seen in several agents: a lesson routed to the shared memory file must show each
 * agent's sessions, so evidence is taken from the agents in turn rather than from whichever sorts first.
 */

/**
 * Interleaves `items` by agent: the first item of each agent (agents in order of first appearance), then the second
 * of each, and so on. The order within one agent is kept, and so is the order of a list with one agent.
 * @example spreadByAgent([a1, a2, b1], (item) => item.agent) // [a1, b1, a2]
 */
export function spreadByAgent<T>(items: readonly T[], agentOf: (item: T) => string): T[] {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const agent = agentOf(item);
    const queue = queues.get(agent);
    if (queue === undefined) queues.set(agent, [item]);
    else queue.push(item);
  }
  if (queues.size <= 1) return [...items];
  const spread: T[] = [];
  const lists = [...queues.values()];
  for (let round = 0; spread.length < items.length; round++) {
    for (const list of lists) {
      const item = list[round];
      if (item !== undefined) spread.push(item);
    }
  }
  return spread;
}
