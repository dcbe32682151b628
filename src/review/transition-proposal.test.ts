import { describe, expect, it } from 'vitest';
import { assertProposalTransition, proposalTransition } from './transition-proposal.js';

describe('assertProposalTransition', () => {
  it('allows approving and rejecting a pending proposal', () => {
    expect(() => {
      assertProposalTransition({ id: 'p-1', status: 'pending' }, 'approve');
    }).not.toThrow();
    expect(() => {
      assertProposalTransition({ id: 'p-1', status: 'pending' }, 'reject');
    }).not.toThrow();
    expect(() => {
      assertProposalTransition({ id: 'p-1', status: 'apply-failed' }, 'approve');
    }).not.toThrow();
  });

  it('refuses to approve an applied, rejected or superseded proposal, saying why', () => {
    expect(() => {
      assertProposalTransition({ id: 'p-1', status: 'applied' }, 'approve');
    }).toThrow(/already applied/);
    expect(() => {
      assertProposalTransition({ id: 'p-1', status: 'rejected' }, 'approve');
    }).toThrow(/was rejected/);
    expect(() => {
      assertProposalTransition({ id: 'p-1', status: 'superseded' }, 'reject');
    }).toThrow(/newer proposal/);
  });

  it('names the target status of each action', () => {
    expect(proposalTransition('approve').to).toBe('applied');
    expect(proposalTransition('supersede')).toEqual({ from: ['pending'], to: 'superseded' });
  });
});
