import { describe, expect, it } from 'vitest';
import type {
  Evidence,
  MemoryHygieneFinding,
  RecurringToolErrorFinding,
  UserCorrectionFinding,
} from '../domain/finding.js';
import { parseMemoryDocument } from '../memory/memory-document.js';
import { findMemoryHygiene, listHandWrittenLines } from './find-memory-hygiene.js';
import type {
  CurrentFinding,
  FindMemoryHygieneInput,
  HygieneFinding,
  MemoryFileSnapshot,
  RecordedMemoryEntry,
} from './find-memory-hygiene.js';

const now = '2026-03-31T12:00:00.000Z';
const retentionMs = 30 * 86_400_000;
const path = '/home/dev/web/CLAUDE.md';

/** A CLAUDE.md as people write them, with a Reverie section that has grown over two months. */
const claudeMd = [
  '# Project notes', // 1
  '', // 2
  'Web app for the booking service. Ask before touching the payment code.', // 3
  '', // 4
  '## Conventions', // 5
  '', // 6
  '- Use npm to install packages.', // 7
  '- Run the tests before every commit.', // 8
  '- Run the linter before every commit.', // 9
  "- Copy `Edit`'s `old_string` exactly from a fresh `Read` of the file (same indentation and quotes); never retype it from memory.", // 10
  '', // 11
  '## Snippets', // 12
  '', // 13
  '```markdown', // 14
  '- Use npm to install packages.', // 15
  '```', // 16
  '', // 17
  '<!-- reverie:begin: lessons maintained by Reverie (`reverie history` shows every change) -->', // 18
  '## Lessons from past sessions', // 19
  '', // 20
  '<!-- reverie:entry read-before-edit -->',
  '- Before `Edit` or `Write` on an existing file, `Read` it first in the same session: these tools refuse a file that has not been read.',
  '<!-- reverie:entry err-1a2b3c4d5e -->',
  '- When `Bash` (`uv run pytest`) fails with "ERROR: file or directory not found: <path>", what worked was `Glob`, then `Bash` again (2 of 7 times).',
  '<!-- reverie:entry install-with-npm -->',
  '- Install dependencies with `npm install`.',
  '<!-- reverie:entry edit-copy-old-string -->',
  "- Copy `Edit`'s `old_string` exactly from a fresh `Read` of the file (same indentation, quotes and line breaks); never retype it from memory.",
  '<!-- reverie:end -->',
  '',
].join('\n');

const entryDefaults: Record<string, Partial<RecordedMemoryEntry>> = {
  'read-before-edit': { writtenAt: '2026-01-10T09:00:00.000Z', findingKey: 'err-read000000' },
  'err-1a2b3c4d5e': { writtenAt: '2026-01-15T09:00:00.000Z', findingKey: 'err-1a2b3c4d5e' },
  'install-with-npm': {
    writtenAt: '2026-01-20T09:00:00.000Z',
    findingKey: 'cor-npm0000000',
    findingKind: 'user-correction',
  },
  'edit-copy-old-string': { writtenAt: '2026-02-01T09:00:00.000Z', findingKey: 'err-copy000000' },
};

function snapshot(
  content = claudeMd,
  options: {
    path?: string;
    agent?: string | null;
    sessionsInWindow?: number;
    entries?: Record<string, Partial<RecordedMemoryEntry>>;
    linesWrittenAt?: Record<number, string>;
  } = {},
): MemoryFileSnapshot {
  const document = parseMemoryDocument(content);
  return {
    path: options.path ?? path,
    agent: options.agent === undefined ? 'web' : options.agent,
    sessionsInWindow: options.sessionsInWindow ?? 12,
    entries: document.entries.map((entry): RecordedMemoryEntry => ({
      id: entry.id,
      text: entry.text,
      writtenAt: '2026-01-10T09:00:00.000Z',
      writtenBy: 'reverie',
      findingKey: null,
      findingKind: 'recurring-tool-error',
      ...entryDefaults[entry.id],
      ...options.entries?.[entry.id],
    })),
    handWrittenLines: listHandWrittenLines(document).map((line) => ({
      ...line,
      writtenAt: options.linesWrittenAt?.[line.line] ?? null,
    })),
  };
}

function evidence(role: Evidence['role'], quote: string, sessionId = 's-20'): Evidence {
  return {
    sessionId,
    eventId: `${sessionId}-e1`,
    agent: 'web',
    timestamp: '2026-03-20T10:00:00.000Z',
    quote,
    role,
  };
}

function toolError(
  overrides: Partial<RecurringToolErrorFinding>,
  lesson: { entryId: string | null; entryText: string | null; lastSeen?: string | null },
): CurrentFinding {
  const finding: RecurringToolErrorFinding = {
    kind: 'recurring-tool-error',
    id: 'err-read000000',
    toolNames: ['Edit'],
    signature: 'File has not been read yet. Read it first before writing to it.',
    command: null,
    occurrenceCount: 5,
    sessionCount: 3,
    sessionIds: ['s-10', 's-11', 's-12'],
    agents: ['web'],
    firstSeen: '2026-03-05T10:00:00.000Z',
    lastSeen: lesson.lastSeen === undefined ? '2026-03-25T10:00:00.000Z' : lesson.lastSeen,
    recovery: { steps: ['Read', 'Edit'], count: 5, recoveredCount: 5, inputChange: null },
    evidence: [evidence('error', 'File has not been read yet.', 's-10')],
    recurredAfterEntry: null,
    outcomes: { failed: 0, succeeded: 0, unknown: 3 },
    ...overrides,
  };
  return {
    finding,
    entryId: lesson.entryId,
    entryText: lesson.entryText,
    firstSeen: finding.firstSeen,
    lastSeen: finding.lastSeen,
  };
}

function correction(
  overrides: Partial<UserCorrectionFinding> = {},
  lesson: { entryId?: string; entryText?: string } = {},
): CurrentFinding {
  const finding: UserCorrectionFinding = {
    kind: 'user-correction',
    id: 'cor-pnpm000000',
    statement: 'Use pnpm, not npm.',
    key: 'use <x>, not <y>',
    standing: false,
    correctedTool: 'Bash',
    occurrenceCount: 3,
    sessionCount: 3,
    sessionIds: ['s-20', 's-21', 's-22'],
    agents: ['web'],
    firstSeen: '2026-03-10T10:00:00.000Z',
    lastSeen: '2026-03-20T10:00:00.000Z',
    evidence: [evidence('correction', 'no, use pnpm, not npm'), evidence('corrected', 'npm install lodash')],
    outcomes: { failed: 0, succeeded: 0, unknown: 3 },
    ...overrides,
  };
  return {
    finding,
    entryId: lesson.entryId ?? 'use-pnpm',
    entryText: lesson.entryText ?? finding.statement,
    firstSeen: finding.firstSeen,
    lastSeen: finding.lastSeen,
  };
}

const readBeforeEdit = toolError(
  {},
  {
    entryId: 'read-before-edit',
    entryText:
      'Before `Edit` or `Write` on an existing file, `Read` it first in the same session: these tools refuse a file that has not been read.',
  },
);

function run(overrides: Partial<FindMemoryHygieneInput> = {}): HygieneFinding[] {
  return findMemoryHygiene({
    files: [snapshot()],
    findings: [readBeforeEdit],
    now,
    retentionMs,
    ...overrides,
  });
}

function only(
  findings: readonly HygieneFinding[],
  problem: MemoryHygieneFinding['problem'],
): HygieneFinding[] {
  return findings.filter((finding) => finding.problem === problem);
}

describe('listHandWrittenLines', () => {
  it('lists every line outside the entries with 1-based line numbers', () => {
    const lines = listHandWrittenLines(parseMemoryDocument(claudeMd));
    expect(lines[6]).toEqual({ line: 7, text: '- Use npm to install packages.', writtenAt: null });
    expect(lines.some((line) => line.text.includes('reverie:entry'))).toBe(false);
    expect(lines.some((line) => line.text.includes('npm install`'))).toBe(false);
    expect(lines.map((line) => line.text)).toContain('<!-- reverie:end -->');
  });
});

describe('findMemoryHygiene', () => {
  it('finds the stale, duplicate and contradicted entries of a realistic file, and nothing else', () => {
    const findings = run({ findings: [readBeforeEdit, correction()] });
    expect(findings.map((finding) => [finding.problem, finding.entryIds])).toEqual([
      ['contradicted', ['install-with-npm', 'use-pnpm']],
      ['duplicate', ['edit-copy-old-string', 'line-10']],
      ['stale', ['err-1a2b3c4d5e']],
    ]);
  });

  describe('stale', () => {
    it('marks a Reverie entry older than the window that no current finding supports, with dates', () => {
      const [stale] = only(run(), 'stale');
      expect(stale).toMatchObject({
        kind: 'memory-hygiene',
        problem: 'stale',
        memoryPath: path,
        entryIds: ['err-1a2b3c4d5e'],
        supersededBy: null,
        evidence: [],
        agents: ['web'],
        sessionIds: [],
        replacement: null,
      });
      expect(stale?.detail).toBe(
        'entry err-1a2b3c4d5e (written 2026-01-15) had no supporting finding in the 30-day window since 2026-03-01 (12 sessions read)',
      );
      expect(stale?.id).toMatch(/^hyg-[0-9a-f]{10}$/);
    });

    it('never marks a freshly written entry stale', () => {
      const file = snapshot(claudeMd, {
        entries: { 'err-1a2b3c4d5e': { writtenAt: '2026-03-15T09:00:00.000Z' } },
      });
      expect(only(run({ files: [file] }), 'stale')).toEqual([]);
    });

    it('keeps an entry a current finding maps to, by entry id or by the finding it came from', () => {
      const byEntryId = toolError(
        { id: 'err-other00000' },
        { entryId: 'err-1a2b3c4d5e', entryText: 'some other wording' },
      );
      expect(only(run({ findings: [readBeforeEdit, byEntryId] }), 'stale')).toEqual([]);
      const byFindingKey = toolError({ id: 'err-1a2b3c4d5e' }, { entryId: null, entryText: null });
      expect(only(run({ findings: [readBeforeEdit, byFindingKey] }), 'stale')).toEqual([]);
    });

    it('does not count a finding whose evidence is all older than the window', () => {
      const old = toolError(
        { id: 'err-1a2b3c4d5e' },
        { entryId: 'err-1a2b3c4d5e', entryText: null, lastSeen: '2026-02-10T00:00:00.000Z' },
      );
      expect(only(run({ findings: [readBeforeEdit, old] }), 'stale').map((f) => f.entryIds)).toEqual([
        ['err-1a2b3c4d5e'],
      ]);
    });

    it("never marks a person's text stale: entries worded by hand, instructions from corrections, hand lines", () => {
      const file = snapshot(claudeMd, {
        entries: {
          'err-1a2b3c4d5e': { writtenBy: 'person' },
          'read-before-edit': { findingKind: 'user-correction' },
        },
      });
      const stale = only(findMemoryHygiene({ files: [file], findings: [], now, retentionMs }), 'stale');
      // install-with-npm came from a correction too; edit-copy-old-string is a duplicate, which claims it first.
      expect(stale).toEqual([]);
    });

    it('judges nothing stale in a file whose agents were idle in the window', () => {
      expect(only(run({ files: [snapshot(claudeMd, { sessionsInWindow: 4 })] }), 'stale')).toEqual([]);
      expect(
        only(run({ files: [snapshot(claudeMd, { sessionsInWindow: 1 })], minSessionsForStale: 1 }), 'stale'),
      ).toHaveLength(1);
    });
  });

  describe('duplicate', () => {
    it("removes Reverie's entry, never the person's line it repeats", () => {
      const [duplicate] = only(run(), 'duplicate');
      expect(duplicate?.entryIds).toEqual(['edit-copy-old-string', 'line-10']);
      expect(duplicate?.subjects.map((subject) => [subject.source, subject.writtenBy])).toEqual([
        ['entry', 'reverie'],
        ['hand-written-line', 'person'],
      ]);
      expect(duplicate?.detail).toMatch(
        /^entry edit-copy-old-string \(written 2026-02-01\) says the same as line 10 \("- Copy `Edit`'s .*"\) \(similarity 0\.\d\d\); keep line-10: it is your wording$/,
      );
    });

    it('keeps the supported one of two Reverie entries, else the newer one', () => {
      const content = [
        '# Notes',
        '',
        '<!-- reverie:begin -->',
        '<!-- reverie:entry run-tests-a -->',
        '- Run `npm test` before every commit.',
        '<!-- reverie:entry run-tests-b -->',
        '- Run the tests (`npm test`) before each commit.',
        '<!-- reverie:end -->',
      ].join('\n');
      const newer = snapshot(content, {
        entries: { 'run-tests-a': { writtenAt: '2026-03-20T00:00:00.000Z' } },
      });
      expect(only(run({ files: [newer], findings: [] }), 'duplicate')[0]?.entryIds).toEqual([
        'run-tests-b',
        'run-tests-a',
      ]);
      const supported = toolError({ id: 'err-tests00000' }, { entryId: 'run-tests-b', entryText: null });
      expect(only(run({ files: [newer], findings: [supported] }), 'duplicate')[0]).toMatchObject({
        entryIds: ['run-tests-a', 'run-tests-b'],
        detail: expect.stringMatching(
          /keep run-tests-b: a finding of this dream still supports it$/,
        ) as string,
      });
    });

    it('reports two hand lines saying the same thing, keeping the first', () => {
      const content = '# Notes\n\n- Always read a file before editing it.\n- Read files before editing.\n';
      const [duplicate] = only(run({ files: [snapshot(content)], findings: [] }), 'duplicate');
      expect(duplicate?.entryIds).toEqual(['line-4', 'line-3']);
      expect(duplicate?.detail).toMatch(/both are yours$/);
    });

    it('leaves similar-looking rules about different things, code blocks and to-dos alone', () => {
      const content = [
        '# Notes',
        '',
        '- Use pnpm to install packages.',
        '- Use npm to install packages.',
        '- Run the tests before every commit.',
        '- Run the linter before every commit.',
        '- [ ] Run the linter before every commit.',
        '',
        '```',
        '- Use pnpm to install packages.',
        '```',
      ].join('\n');
      expect(only(run({ files: [snapshot(content)], findings: [] }), 'duplicate')).toEqual([]);
    });

    it('drops each entry at most once when three say the same thing', () => {
      const content = [
        '- Always read a file before editing it.',
        '<!-- reverie:begin -->',
        '<!-- reverie:entry a -->',
        '- Read a file before editing it.',
        '<!-- reverie:entry b -->',
        '- Always read the file before editing it.',
        '<!-- reverie:end -->',
      ].join('\n');
      const duplicates = only(run({ files: [snapshot(content)], findings: [] }), 'duplicate');
      expect(duplicates.map((finding) => finding.entryIds)).toEqual([
        ['a', 'line-1'],
        ['b', 'line-1'],
      ]);
    });
  });

  describe('contradicted', () => {
    it('supersedes an older entry by a newer correction on the same command, with its evidence', () => {
      const pnpm = correction();
      const [contradicted] = only(run({ findings: [readBeforeEdit, pnpm] }), 'contradicted');
      expect(contradicted).toMatchObject({
        problem: 'contradicted',
        entryIds: ['install-with-npm', 'use-pnpm'],
        supersededBy: 'cor-pnpm000000',
        evidence: pnpm.finding.evidence,
        agents: ['web'],
        sessionIds: ['s-20', 's-21', 's-22'],
        replacement: { entryId: 'use-pnpm', text: 'Use pnpm, not npm.' },
      });
      expect(contradicted?.detail).toBe(
        'entry install-with-npm (written 2026-01-20) recommends npm, which the newer evidence rejects in favour of pnpm: a user correction seen from 2026-03-10 to 2026-03-20 in 3 sessions says "Use pnpm, not npm."',
      );
    });

    it('leaves an entry written after the evidence: the newer word is the entry', () => {
      const file = snapshot(claudeMd, {
        entries: { 'install-with-npm': { writtenAt: '2026-03-25T00:00:00.000Z' } },
      });
      expect(only(run({ files: [file], findings: [correction()] }), 'contradicted')).toEqual([]);
    });

    it('leaves an entry whose own evidence is as new as the contradicting one', () => {
      const npmStill = correction(
        {
          id: 'cor-npm0000000',
          statement: 'Install dependencies with `npm install`.',
          lastSeen: '2026-03-22T00:00:00.000Z',
        },
        { entryId: 'install-with-npm', entryText: 'Install dependencies with `npm install`.' },
      );
      expect(only(run({ findings: [npmStill, correction()] }), 'contradicted')).toEqual([]);
    });

    it('does not match across different tools or other rules that mention the command', () => {
      const content = [
        '<!-- reverie:begin -->',
        '<!-- reverie:entry use-yarn-workspaces -->',
        '- Use `yarn` workspaces for the monorepo.',
        '<!-- reverie:entry npm-test -->',
        '- Run `npm test` before every commit.',
        '<!-- reverie:end -->',
      ].join('\n');
      expect(only(run({ files: [snapshot(content)], findings: [correction()] }), 'contradicted')).toEqual([]);
    });

    it("only lets evidence from the file's own agents overrule it", () => {
      const elsewhere = correction({ agents: ['api'] });
      expect(only(run({ findings: [elsewhere] }), 'contradicted')).toEqual([]);
      const shared = snapshot(claudeMd, { agent: null, path: '/home/dev/AGENTS.md' });
      expect(only(run({ files: [shared], findings: [correction()] }), 'contradicted')).toEqual([]);
      const twoAgents = correction({ agents: ['api', 'web'] });
      expect(only(run({ files: [shared], findings: [twoAgents] }), 'contradicted')).toHaveLength(1);
    });

    it('finds a lesson whose recommended recovery changed, but not one whose counts changed', () => {
      const generic =
        'When `Bash` (`uv run pytest`) fails with "ERROR: file or directory not found: <path>", what worked was `Glob`, then `Bash` again (2 of 7 times).';
      const pytest = (entryText: string) =>
        toolError({ id: 'err-1a2b3c4d5e', toolNames: ['Bash'] }, { entryId: 'err-1a2b3c4d5e', entryText });
      const changed = only(
        run({ findings: [pytest(generic.replace('`Glob`', '`Read`').replace('2 of 7', '6 of 9'))] }),
        'contradicted',
      );
      expect(changed.map((finding) => [finding.entryIds, finding.replacement?.entryId])).toEqual([
        [['err-1a2b3c4d5e'], 'err-1a2b3c4d5e'],
      ]);
      expect(changed[0]?.detail).toContain('recommends `glob` where the same lesson now recommends `read`');
      expect(only(run({ findings: [pytest(generic.replace('2 of 7', '6 of 9'))] }), 'contradicted')).toEqual(
        [],
      );
    });

    it('reports a contradicted hand-written rule only when it knows the line is older than the evidence', () => {
      expect(only(run({ findings: [correction()] }), 'contradicted')[0]?.entryIds).toEqual([
        'install-with-npm',
        'use-pnpm',
      ]);
      const dated = snapshot(claudeMd, { linesWrittenAt: { 7: '2025-12-01T00:00:00.000Z' } });
      const [contradicted] = only(run({ files: [dated], findings: [correction()] }), 'contradicted');
      expect(contradicted?.entryIds).toEqual(['install-with-npm', 'line-7', 'use-pnpm']);
      expect(contradicted?.subjects.map((subject) => subject.source)).toEqual(['entry', 'hand-written-line']);
    });

    it('lets the newest of two contradicting findings win', () => {
      const older = correction(
        { id: 'cor-yarn000000', statement: 'Use yarn, not npm.', lastSeen: '2026-03-05T00:00:00.000Z' },
        { entryId: 'use-yarn', entryText: 'Use yarn, not npm.' },
      );
      const [contradicted] = only(run({ findings: [older, correction()] }), 'contradicted');
      expect(contradicted?.supersededBy).toBe('cor-pnpm000000');
    });

    it('is not also reported as a duplicate or stale entry', () => {
      const findings = run({ findings: [correction()] });
      const named = findings.flatMap((finding) => finding.subjects.map((subject) => subject.entryId));
      expect(new Set(named).size).toBe(named.length);
    });
  });

  it('throws on a time that is not ISO: a bug in the caller, not a condition of the data', () => {
    expect(() => run({ now: 'yesterday' })).toThrow(/now is not an ISO time/);
  });

  it('ignores memory-hygiene findings given as input', () => {
    const [hygiene] = run();
    if (hygiene === undefined) throw new Error('expected a finding');
    const again = run({
      findings: [
        readBeforeEdit,
        { finding: hygiene, entryId: 'x', entryText: 'Use `x`, not `npm`.', firstSeen: now, lastSeen: now },
      ],
    });
    expect(again).toEqual(run());
  });

  it('is deterministic: the same input in any order gives the same findings and ids', () => {
    const other = snapshot('- Always read a file before editing it.\n- Read files before editing.\n', {
      path: '/home/dev/api/CLAUDE.md',
      agent: 'api',
    });
    const findings = [readBeforeEdit, correction()];
    const forward = findMemoryHygiene({ files: [snapshot(), other], findings, now, retentionMs });
    const backward = findMemoryHygiene({
      files: [other, snapshot()],
      findings: [...findings].reverse(),
      now,
      retentionMs,
    });
    expect(backward).toEqual(forward);
    expect(forward.map((finding) => finding.memoryPath)).toEqual([
      '/home/dev/api/CLAUDE.md',
      path,
      path,
      path,
    ]);
    expect(new Set(forward.map((finding) => finding.id)).size).toBe(forward.length);
  });

  it('keeps the id of a finding about a hand line when the line moves', () => {
    const before = run({
      files: [snapshot('- Always read a file before editing it.\n- Read files before editing.\n')],
    });
    const after = run({
      files: [snapshot('# Notes\n\n- Always read a file before editing it.\n- Read files before editing.\n')],
    });
    expect(after.map((finding) => finding.id)).toEqual(before.map((finding) => finding.id));
    expect(after[0]?.entryIds).not.toEqual(before[0]?.entryIds);
  });
});
