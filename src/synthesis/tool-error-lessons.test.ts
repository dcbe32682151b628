import { describe, expect, it } from 'vitest';
import type { RecurringToolErrorFinding } from '../domain/finding.js';
import { parseMemoryDocument } from '../memory/memory-document.js';
import { applyMemoryEdits } from '../memory/apply-memory-edits.js';
import { planMemoryEdit } from './plan-memory-edit.js';
import { routeLesson } from './route-finding.js';
import { lessonForToolError } from './tool-error-lessons.js';

function finding(overrides: Partial<RecurringToolErrorFinding>): RecurringToolErrorFinding {
  return {
    kind: 'recurring-tool-error',
    id: 'err-0123456789',
    toolNames: ['Edit'],
    signature: 'File has not been read yet. Read it first before writing to it.',
    command: null,
    occurrenceCount: 7,
    sessionCount: 4,
    sessionIds: ['s1', 's2', 's3', 's4'],
    agents: ['coder'],
    firstSeen: null,
    lastSeen: null,
    recovery: { steps: ['Read', 'Edit'], count: 6, recoveredCount: 7, inputChange: null },
    evidence: [],
    recurredAfterEntry: null,
    outcomes: { failed: 0, succeeded: 0, unknown: 4 },
    ...overrides,
  };
}

function lessonOf(input: RecurringToolErrorFinding) {
  const result = lessonForToolError(input);
  if (!('lesson' in result)) throw new Error(`expected a lesson, got skip: ${result.skip}`);
  return result.lesson;
}

describe('lessonForToolError', () => {
  it('writes a concrete read-before-edit rule naming the failing tools', () => {
    const lesson = lessonOf(finding({ toolNames: ['Edit', 'Write'] }));
    expect(lesson.entryId).toBe('read-before-edit');
    expect(lesson.text).toBe(
      'Before `Edit` or `Write` on an existing file, `Read` it first in the same session: these tools refuse a file that has not been read.',
    );
    expect(lesson.reason).toContain('7 times in 4 sessions');
    expect(lesson.reason).toContain('`Read`, then `Edit` again fixed it 6 of 7 times');
    expect(lesson.supersedes).toEqual(['err-0123456789']);
  });

  it('puts replace_all first when that is what fixed the duplicate-match error', () => {
    const lesson = lessonOf(
      finding({
        signature: 'Found <n> matches of the string to replace, but replace_all is false.',
        recovery: { steps: ['Edit'], count: 3, recoveredCount: 3, inputChange: 'replace_all: true' },
      }),
    );
    expect(lesson.entryId).toBe('edit-unique-old-string');
    expect(lesson.text).toMatch(
      /^When `Edit`'s `old_string` occurs more than once, pass `replace_all: true`/,
    );
  });

  it('writes a factual entry from the recovery for an unknown error', () => {
    const lesson = lessonOf(
      finding({
        toolNames: ['Bash'],
        command: 'uv run pytest',
        signature: 'ERROR: file or directory not found: <path>',
        recovery: { steps: ['Glob', 'Bash'], count: 2, recoveredCount: 2, inputChange: null },
      }),
    );
    expect(lesson.entryId).toBe('err-0123456789');
    expect(lesson.text).toBe(
      'When `Bash` (`uv run pytest`) fails with "ERROR: file or directory not found: <path>", what worked was `Glob`, then `Bash` again (2 of 7 times).',
    );
  });

  it('gives each unavailable tool an entry of its own', () => {
    const lesson = lessonOf(
      finding({ toolNames: ['AskUserQuestion'], signature: 'No such tool available: AskUserQuestion' }),
    );
    expect(lesson).toMatchObject({
      entryId: 'unavailable-tool-askuserquestion',
      text: 'The tool `AskUserQuestion` is not available in this environment; do not call it.',
    });
  });

  it('writes nothing when there was no recovery, or only a plain retry', () => {
    expect(lessonForToolError(finding({ signature: 'something odd', recovery: null }))).toHaveProperty(
      'skip',
    );
    expect(
      lessonForToolError(
        finding({
          signature: 'something odd',
          recovery: { steps: ['Edit'], count: 2, recoveredCount: 2, inputChange: null },
        }),
      ),
    ).toHaveProperty('skip');
  });
});

describe('planMemoryEdit', () => {
  const budget = { maxLines: 200, maxBytes: 25_600 };
  const lesson = lessonOf(finding({}));

  it('adds a new lesson, then finds it already there', () => {
    const plan = planMemoryEdit(parseMemoryDocument('# Notes\n'), lesson);
    expect(plan).toEqual({ edit: { op: 'add', entryId: 'read-before-edit', text: lesson.text } });
    if (!('edit' in plan)) throw new Error('expected an edit');
    const after = applyMemoryEdits({ content: '# Notes\n', edits: [plan.edit], budget, path: 'f' }).content;
    expect(planMemoryEdit(parseMemoryDocument(after), lesson)).toEqual({
      skip: 'already in memory as entry read-before-edit',
    });
  });

  it('updates an entry whose text changed and supersedes the generic entry it improves on', () => {
    const withOld = applyMemoryEdits({
      content: '# Notes\n',
      edits: [{ op: 'add', entryId: 'read-before-edit', text: 'Old wording.' }],
      budget,
      path: 'f',
    }).content;
    expect(planMemoryEdit(parseMemoryDocument(withOld), lesson)).toEqual({
      edit: { op: 'update', entryId: 'read-before-edit', text: lesson.text },
    });
    const withGeneric = applyMemoryEdits({
      content: '# Notes\n',
      edits: [{ op: 'add', entryId: 'err-0123456789', text: 'When `Edit` fails ...' }],
      budget,
      path: 'f',
    }).content;
    expect(planMemoryEdit(parseMemoryDocument(withGeneric), lesson)).toEqual({
      edit: { op: 'supersede', entryId: 'err-0123456789', newEntryId: 'read-before-edit', text: lesson.text },
    });
  });

  it('does not repeat what a person already wrote', () => {
    const plan = planMemoryEdit(
      parseMemoryDocument('# Notes\n- Always read a file first before you edit it.\n'),
      lesson,
    );
    expect(plan).toHaveProperty('skip');
    expect('skip' in plan && plan.skip).toContain('hand-written line already says this');
  });
});

describe('lessonForToolError: linters, aider edits, changed arguments', () => {
  it("turns a recurring linter rule into a rule to check, recovery or not, with the linter's words untrusted", () => {
    const lesson = lessonOf(
      finding({
        toolNames: ['lint'],
        command: 'tmp.lint.sh',
        signature: '<path>:<n>:<n>: F401 <str> imported but unused',
        occurrenceCount: 17,
        sessionCount: 14,
        recovery: null,
      }),
    );
    expect(lesson).toMatchObject({
      entryId: 'lint-f401',
      supersedes: ['err-0123456789'],
      text: 'Check your edits for `F401` (<str> imported but unused) before finishing: `tmp.lint.sh` reported it 17 times in 14 sessions.',
      untrusted: ['<str> imported but unused'],
    });
    expect(lesson.coveredBy[0]?.test('Avoid F401 in new code')).toBe(true);
  });

  it("knows aider's SEARCH/REPLACE failures", () => {
    const noMatch = lessonOf(
      finding({ toolNames: ['edit'], signature: '# <n> SEARCH/REPLACE block failed to match!' }),
    );
    expect(noMatch.entryId).toBe('search-block-exact');
    const format = lessonOf(
      finding({ toolNames: ['edit'], signature: 'The LLM did not conform to the edit format.' }),
    );
    expect(format.text).toContain('`>>>>>>> REPLACE`');
  });

  it('names the arguments a successful retry changed', () => {
    const lesson = lessonOf(
      finding({
        toolNames: ['update_reservation_flights'],
        signature: 'flight <id> not available on date <n>-<n>-<n>',
        recovery: {
          steps: ['update_reservation_flights'],
          count: 4,
          recoveredCount: 5,
          inputChange: 'flights: <changed>',
        },
      }),
    );
    expect(lesson.text).toBe(
      'When `update_reservation_flights` fails with "flight <id> not available on date <n>-<n>-<n>", what worked was `update_reservation_flights` again with a different `flights` (4 of 7 times).',
    );
  });
});

describe('routeLesson', () => {
  const targets = new Map([
    ['web', { path: '/w/web/CLAUDE.md', budget: { maxLines: 200, maxBytes: 25_600 } }],
    ['tools', { path: '/w/tools/CLAUDE.md', budget: { maxLines: 200, maxBytes: 25_600 } }],
  ]);
  const shared = { path: '/w/AGENTS.shared.md', budget: { maxLines: 200, maxBytes: 25_600 } };

  it('sends a lesson of one agent to its own file', () => {
    const routes = routeLesson({ agents: ['web'], targets, shared });
    expect(routes.map((route) => [route.target.path, route.agent])).toEqual([['/w/web/CLAUDE.md', 'web']]);
    expect(routes[0]?.reason).toContain("seen only in agent web's sessions");
  });

  it('sends a lesson of two agents to the shared file, or to each file without one', () => {
    expect(
      routeLesson({ agents: ['tools', 'web'], targets, shared }).map((route) => route.target.path),
    ).toEqual(['/w/AGENTS.shared.md']);
    expect(
      routeLesson({ agents: ['tools', 'web'], targets, shared: null }).map((route) => route.target.path),
    ).toEqual(['/w/tools/CLAUDE.md', '/w/web/CLAUDE.md']);
  });

  it('ignores agents outside the dream', () => {
    expect(routeLesson({ agents: ['other'], targets, shared })).toEqual([]);
  });
});
