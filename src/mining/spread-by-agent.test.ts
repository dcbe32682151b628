import { describe, expect, it } from 'vitest';
import { spreadByAgent } from './spread-by-agent.js';

describe('spreadByAgent', () => {
  const agentOf = (item: string): string => item.slice(0, 1);

  it('takes the agents in turn, keeping each agent’s order', () => {
    expect(spreadByAgent(['a1', 'a2', 'a3', 'b1', 'c1', 'b2'], agentOf)).toEqual([
      'a1',
      'b1',
      'c1',
      'a2',
      'b2',
      'a3',
    ]);
  });

  it('leaves a list of one agent as it is', () => {
    expect(spreadByAgent(['a2', 'a1'], agentOf)).toEqual(['a2', 'a1']);
    expect(spreadByAgent([], agentOf)).toEqual([]);
  });
});
