import { describe, expect, it } from 'vitest';
import { classifyToolRole } from './outcome-contrast-tool-roles.js';

describe('classifyToolRole', () => {
  it('reads the role from the first word of a tool name, in any casing', () => {
    expect(classifyToolRole('get_user_details')).toBe('look-up');
    expect(classifyToolRole('search_direct_flight')).toBe('look-up');
    expect(classifyToolRole('calculate')).toBe('look-up');
    expect(classifyToolRole('Read')).toBe('look-up');
    expect(classifyToolRole('WebFetch')).toBe('look-up');
    expect(classifyToolRole('book_reservation')).toBe('action');
    expect(classifyToolRole('transfer_to_human_agents')).toBe('action');
    expect(classifyToolRole('MultiEdit')).toBe('action');
    expect(classifyToolRole('list-files')).toBe('look-up');
  });

  it('reads the role of a shell step from its command head', () => {
    expect(classifyToolRole('Bash: npm test')).toBe('look-up');
    expect(classifyToolRole('Bash: uv run pytest')).toBe('look-up');
    expect(classifyToolRole('Bash: git status')).toBe('look-up');
    expect(classifyToolRole('Bash: git commit')).toBe('action');
    expect(classifyToolRole('Bash: rm')).toBe('action');
    expect(classifyToolRole('Bash: make')).toBe('unknown');
  });

  it('does not guess an unknown name', () => {
    expect(classifyToolRole('frobnicate')).toBe('unknown');
    expect(classifyToolRole('Task')).toBe('unknown');
    expect(classifyToolRole('')).toBe('unknown');
  });
});
