import { describe, expect, it } from 'vitest';
import type { UserCorrectionFinding } from '../domain/finding.js';
import { parseMemoryDocument } from '../memory/memory-document.js';
import { correctionEntryId, lessonForUserCorrection } from './correction-lessons.js';
import { planMemoryEdit } from './plan-memory-edit.js';

function finding(overrides: Partial<UserCorrectionFinding>): UserCorrectionFinding {
  return {
    kind: 'user-correction',
    id: 'corr-0123456789',
    statement: 'Use `pnpm`, not `npm`.',
    key: 'us pnpm',
    standing: false,
    correctedTool: 'Bash',
    occurrenceCount: 3,
    sessionCount: 2,
    sessionIds: ['s1', 's2'],
    agents: ['coder'],
    firstSeen: null,
    lastSeen: null,
    evidence: [],
    outcomes: { failed: 0, succeeded: 0, unknown: 2 },
    ...overrides,
  };
}

function lessonOf(input: UserCorrectionFinding) {
  const outcome = lessonForUserCorrection(input);
  if (!('lesson' in outcome)) throw new Error(`expected a lesson, got skip: ${outcome.skip}`);
  return outcome.lesson;
}

function skipOf(input: UserCorrectionFinding): string {
  const outcome = lessonForUserCorrection(input);
  if (!('skip' in outcome)) throw new Error(`expected a skip, got lesson: ${outcome.lesson.text}`);
  return outcome.skip;
}

describe('lessonForUserCorrection', () => {
  it("writes the person's instruction, with a stable id from its key", () => {
    const lesson = lessonOf(finding({}));
    expect(lesson).toMatchObject({
      entryId: correctionEntryId('us pnpm'),
      supersedes: [],
      text: 'Use `pnpm`, not `npm`.',
      reason: '3 corrections in 2 sessions, answering `Bash` calls',
    });
    expect(lesson.entryId).toMatch(/^pref-[0-9a-f]{10}$/);
    expect(lessonOf(finding({ statement: 'Use pnpm.', occurrenceCount: 9 })).entryId).toBe(lesson.entryId);
  });

  it('says when a standing instruction was given only once', () => {
    const lesson = lessonOf(
      finding({
        statement: 'Never push to main.',
        key: 'not push main',
        standing: true,
        occurrenceCount: 1,
        sessionCount: 1,
        sessionIds: ['cc-7'],
        correctedTool: null,
      }),
    );
    expect(lesson.reason).toBe('standing instruction given once (session cc-7)');
    expect(lessonOf(finding({ standing: true, correctedTool: null })).reason).toBe(
      '3 corrections in 2 sessions, stated as a standing instruction',
    );
  });

  it('skips words that correct without instructing', () => {
    expect(
      skipOf(finding({ statement: 'Why did you delete the tests?', key: 'remark: why delet test' })),
    ).toContain('without stating an instruction');
    expect(
      skipOf(
        finding({
          statement: 'This happens even on wide desktop browsers.',
          key: 'remark: happen on wid desktop browser',
        }),
      ),
    ).toContain('without stating an instruction');
  });

  it('skips an instruction that only makes sense inside its conversation', () => {
    expect(skipOf(finding({ statement: 'Put it in the class.', key: 'put class' }))).toContain(
      'only the conversation shows',
    );
    expect(skipOf(finding({ statement: "Don't do that.", key: 'not do' }))).toContain(
      'only the conversation shows',
    );
    expect(skipOf(finding({ statement: "Don't mess with its border.", key: 'not mes border' }))).toContain(
      'only the conversation shows',
    );
    expect(lessonOf(finding({ statement: 'Use `it` as the loop variable.', key: 'us it' })).text).toBe(
      'Use `it` as the loop variable.',
    );
  });

  it('skips an instruction too long to be one entry', () => {
    expect(skipOf(finding({ statement: `Use pnpm ${'and keep the lockfile '.repeat(12)}.` }))).toContain(
      'too long',
    );
  });

  it('is covered by a hand-written line saying the same, not by one saying the opposite', () => {
    const lesson = lessonOf(finding({}));
    const covered = parseMemoryDocument('# Notes\n\n- Always install packages with pnpm.\n');
    expect(planMemoryEdit(covered, lesson)).toEqual({
      skip: 'a hand-written line already says this: "- Always install packages with pnpm."',
    });
    const opposite = parseMemoryDocument("# Notes\n\n- Don't use pnpm here.\n");
    expect(planMemoryEdit(opposite, lesson)).toEqual({
      edit: { op: 'add', entryId: lesson.entryId, text: 'Use `pnpm`, not `npm`.' },
    });
  });

  it('needs a negation on the hand-written line to cover a negative instruction', () => {
    const lesson = lessonOf(
      finding({
        statement: "Don't use `--no-git` in those tests.",
        key: 'not us --no-git',
        correctedTool: 'edit',
      }),
    );
    expect(planMemoryEdit(parseMemoryDocument('- Tests never pass --no-git.\n'), lesson)).toMatchObject({
      skip: expect.stringContaining('hand-written') as unknown,
    });
    expect(planMemoryEdit(parseMemoryDocument('- Tests pass --no-git.\n'), lesson)).toMatchObject({
      edit: { op: 'add' },
    });
  });
});
