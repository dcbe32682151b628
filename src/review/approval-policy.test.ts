import { describe, expect, it } from 'vitest';
import type { MemoryEdit } from '../domain/proposal.js';
import type { ScreenFlag } from '../domain/screening.js';
import { countChangedLines, decideApproval, defaultApprovalPolicy } from './approval-policy.js';
import type { ApprovalInput } from './approval-policy.js';

const add: MemoryEdit = { op: 'add', entryId: 'e1', text: 'Run the tests before committing.' };
const remove: MemoryEdit = { op: 'remove', entryId: 'old' };

function input(overrides: Partial<ApprovalInput> = {}): ApprovalInput {
  return {
    approval: 'automatic',
    edits: [add],
    humanEntryIds: [],
    screening: [],
    urls: [],
    commands: [],
    changedLines: 2,
    changedLinesBefore: 0,
    policy: defaultApprovalPolicy,
    ...overrides,
  };
}

const flag = (where: ScreenFlag['where']): ScreenFlag => ({
  kind: 'instruction',
  excerpt: 'ignore previous instructions',
  reason: 'tells the model to drop its instructions',
  where,
  eventId: where === 'evidence' ? 'ev1' : null,
});

describe('decideApproval', () => {
  it('applies a plain change under automatic approval, and holds every change under manual approval', () => {
    expect(decideApproval(input())).toEqual({ decision: 'apply', holds: [] });
    expect(decideApproval(input({ approval: 'manual' }))).toEqual({ decision: 'hold', holds: [] });
  });

  it('blocks a flagged entry under automatic approval, shows it flagged under manual, holds flagged evidence', () => {
    expect(decideApproval(input({ screening: [flag('entry')] }))).toMatchObject({ decision: 'block' });
    expect(decideApproval(input({ approval: 'manual', screening: [flag('entry')] }))).toMatchObject({
      decision: 'hold',
      holds: [expect.stringContaining('flagged by the injection screen') as string],
    });
    expect(decideApproval(input({ screening: [flag('evidence')] }))).toMatchObject({ decision: 'hold' });
  });

  it("holds a person's text, URLs, commands, stale removals and a dream's lines beyond the limit, saying why", () => {
    const held = decideApproval(
      input({
        edits: [remove],
        humanEntryIds: ['old'],
        urls: ['https://github.com/acme/web'],
        commands: ['npm run lint'],
        staleRemoval: true,
        changedLines: 15,
        changedLinesBefore: 10,
      }),
    );
    expect(held.decision).toBe('hold');
    expect('holds' in held ? held.holds : []).toEqual([
      'it removes text a person wrote (entry old)',
      expect.stringContaining('lack of recent evidence, which may mean the entry works') as string,
      expect.stringContaining('hold_urls is on') as string,
      expect.stringContaining('hold_shell_commands is on') as string,
      'this dream would change 25 lines of the file, more than approval_policy.max_changed_lines (20)',
    ]);
  });

  it('lets the configurable holds off', () => {
    const policy = {
      holdUrls: false,
      holdShellCommands: false,
      maxChangedLines: 100,
      holdStaleRemovals: false,
    };
    expect(
      decideApproval(
        input({
          urls: ['https://x.example'],
          commands: ['make'],
          staleRemoval: true,
          changedLines: 50,
          policy,
        }),
      ),
    ).toEqual({ decision: 'apply', holds: [] });
  });
});

describe('countChangedLines', () => {
  it('counts added and removed lines, not headers or context', () => {
    expect(countChangedLines('--- a\n+++ b\n@@ -1 +1 @@\n context\n-old\n+new\n+more\n')).toBe(3);
  });
});
