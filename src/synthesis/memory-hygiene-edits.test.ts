import { describe, expect, it } from 'vitest';
import type { Evidence, UserCorrectionFinding } from '../domain/finding.js';
import type { MemoryEdit } from '../domain/proposal.js';
import { applyMemoryEdits } from '../memory/apply-memory-edits.js';
import { parseMemoryDocument } from '../memory/memory-document.js';
import type { MemoryDocument } from '../memory/memory-document.js';
import { findMemoryHygiene, listHandWrittenLines } from '../mining/find-memory-hygiene.js';
import type {
  CurrentFinding,
  HygieneFinding,
  MemoryFileSnapshot,
  RecordedMemoryEntry,
} from '../mining/find-memory-hygiene.js';
import { planHygieneEdits } from './memory-hygiene-edits.js';
import type { HygienePlan } from './memory-hygiene-edits.js';

const now = '2026-03-31T12:00:00.000Z';
const retentionMs = 30 * 86_400_000;
const path = '/home/dev/web/CLAUDE.md';
const budget = { maxLines: 200, maxBytes: 25_600 };

const claudeMd = [
  '# Project notes',
  '',
  'Web app for the booking service. Ask before touching the payment code.',
  '',
  '## Conventions',
  '',
  '- Use npm to install packages.', // 7
  '- Run the tests before every commit.',
  "- Copy `Edit`'s `old_string` exactly from a fresh `Read` of the file (same indentation and quotes); never retype it from memory.", // 9
  '- Always read a file before editing it.', // 10
  '- Read files before editing.', // 11
  '',
  '<!-- reverie:begin: lessons maintained by Reverie (`reverie history` shows every change) -->',
  '## Lessons from past sessions',
  '',
  '<!-- reverie:entry err-1a2b3c4d5e -->',
  '- When `Bash` (`uv run pytest`) fails with "ERROR: file or directory not found: <path>", what worked was `Glob`, then `Bash` again (2 of 7 times).',
  '  Seen in the API tests only.',
  '<!-- reverie:entry install-with-npm -->',
  '- Install dependencies with `npm install`.',
  '<!-- reverie:entry npm-only -->',
  '- Use `npm`.',
  '<!-- reverie:entry edit-copy-old-string -->',
  "- Copy `Edit`'s `old_string` exactly from a fresh `Read` of the file (same indentation, quotes and line breaks); never retype it from memory.",
  '',
  'A note the person added inside the section.',
  '<!-- reverie:end -->',
  '',
  'Trailing notes stay too.',
  '',
].join('\n');

function snapshot(
  content = claudeMd,
  entries: Record<string, Partial<RecordedMemoryEntry>> = {},
  linesWrittenAt: Record<number, string> = {},
): MemoryFileSnapshot {
  const document = parseMemoryDocument(content);
  return {
    path,
    agent: 'web',
    sessionsInWindow: 12,
    entries: document.entries.map((entry): RecordedMemoryEntry => ({
      id: entry.id,
      text: entry.text,
      writtenAt: '2026-01-15T09:00:00.000Z',
      writtenBy: 'reverie',
      findingKey: entry.id,
      findingKind: 'recurring-tool-error',
      ...entries[entry.id],
    })),
    handWrittenLines: listHandWrittenLines(document).map((line) => ({
      ...line,
      writtenAt: linesWrittenAt[line.line] ?? null,
    })),
  };
}

function evidence(role: Evidence['role'], quote: string): Evidence {
  return {
    sessionId: 's-20',
    eventId: 's-20-e1',
    agent: 'web',
    timestamp: '2026-03-20T10:00:00.000Z',
    quote,
    role,
  };
}

function correction(lesson: { entryId?: string; entryText?: string } = {}): CurrentFinding {
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
  };
  return {
    finding,
    entryId: lesson.entryId ?? 'use-pnpm',
    entryText: lesson.entryText ?? finding.statement,
    firstSeen: finding.firstSeen,
    lastSeen: finding.lastSeen,
  };
}

function mine(file: MemoryFileSnapshot, findings: readonly CurrentFinding[] = []): HygieneFinding[] {
  return findMemoryHygiene({ files: [file], findings, now, retentionMs });
}

function pick(
  findings: readonly HygieneFinding[],
  problem: HygieneFinding['problem'],
  id?: string,
): HygieneFinding {
  const found = findings.find(
    (finding) => finding.problem === problem && (id === undefined || finding.entryIds.includes(id)),
  );
  if (found === undefined) throw new Error(`no ${problem} finding${id === undefined ? '' : ` for ${id}`}`);
  return found;
}

function editsOf(plan: HygienePlan): { edits: MemoryEdit[]; reason: string; touchesHumanText: boolean } {
  if ('skip' in plan) throw new Error(`expected edits, got skip: ${plan.skip}`);
  return plan;
}

/** The lines of a document outside the entries with these ids. */
function linesOutside(document: MemoryDocument, ids: readonly string[]): string[] {
  const named = new Set<number>();
  for (const entry of document.entries) {
    if (!ids.includes(entry.id)) continue;
    for (let line = entry.markerLine; line < entry.endLine; line++) named.add(line);
  }
  return document.lines.filter((_, index) => !named.has(index));
}

/** Applies the edits and checks that every line outside the entries they name is still there, in order. */
function applyChecked(content: string, edits: readonly MemoryEdit[]): MemoryDocument {
  const result = applyMemoryEdits({ content, edits, budget, path });
  const named = edits.flatMap((edit) =>
    edit.op === 'supersede' ? [edit.entryId, edit.newEntryId] : [edit.entryId],
  );
  expect(linesOutside(result.document, named)).toEqual(linesOutside(parseMemoryDocument(content), named));
  return result.document;
}

const document = parseMemoryDocument(claudeMd);

describe('planHygieneEdits', () => {
  describe('stale', () => {
    it('removes the entry, saying since when it had no evidence', () => {
      const plan = editsOf(planHygieneEdits(pick(mine(snapshot()), 'stale', 'err-1a2b3c4d5e'), document));
      expect(plan.edits).toEqual([{ op: 'remove', entryId: 'err-1a2b3c4d5e' }]);
      expect(plan.reason).toBe(
        'Entry err-1a2b3c4d5e (written 2026-01-15) had no supporting finding in the 30-day window since 2026-03-01 (12 sessions read); remove it (its text stays in the version history).',
      );
      expect(plan.touchesHumanText).toBe(false);
      const after = applyChecked(claudeMd, plan.edits);
      expect(after.entries.map((entry) => entry.id)).not.toContain('err-1a2b3c4d5e');
    });

    it("refuses to retire a person's entry even when handed one", () => {
      const finding = pick(mine(snapshot()), 'stale', 'err-1a2b3c4d5e');
      const person = {
        ...finding,
        subjects: finding.subjects.map((subject) => ({ ...subject, writtenBy: 'person' as const })),
      };
      expect(planHygieneEdits(person, document)).toHaveProperty('skip');
    });
  });

  describe('duplicate', () => {
    it("removes Reverie's copy of a hand-written rule and keeps the person's line", () => {
      const finding = pick(mine(snapshot()), 'duplicate', 'edit-copy-old-string');
      expect(finding.entryIds).toEqual(['edit-copy-old-string', 'line-9']);
      const plan = editsOf(planHygieneEdits(finding, document));
      expect(plan.edits).toEqual([{ op: 'remove', entryId: 'edit-copy-old-string' }]);
      expect(plan.reason).toMatch(
        /keep line-9: it is your wording; remove edit-copy-old-string \(its text stays/,
      );
      const after = applyChecked(claudeMd, plan.edits);
      expect(after.lines).toContain(document.lines[8]);
      expect(after.lines).toContain('A note the person added inside the section.');
    });

    it('skips two hand-written lines: the person decides', () => {
      const finding = pick(mine(snapshot()), 'duplicate', 'line-11');
      expect(finding.entryIds).toEqual(['line-11', 'line-10']);
      const plan = planHygieneEdits(finding, document);
      expect(plan).toEqual({
        skip: expect.stringMatching(/both are yours; Reverie never removes your text/) as string,
      });
    });
  });

  describe('contradicted', () => {
    it('supersedes the old entries by the newer lesson in one plan, which applies cleanly', () => {
      const finding = pick(mine(snapshot(), [correction()]), 'contradicted');
      expect(finding.entryIds).toEqual(['install-with-npm', 'npm-only', 'use-pnpm']);
      const plan = editsOf(planHygieneEdits(finding, document));
      expect(plan.edits).toEqual([
        { op: 'supersede', entryId: 'install-with-npm', newEntryId: 'use-pnpm', text: 'Use pnpm, not npm.' },
        { op: 'remove', entryId: 'npm-only' },
      ]);
      expect(plan.touchesHumanText).toBe(false);
      expect(plan.reason).toMatch(
        /^Entry install-with-npm \(written 2026-01-15\) recommends npm, .*; supersede install-with-npm, npm-only with the newer lesson as entry use-pnpm \(the old text stays in the version history\)\.$/,
      );
      const after = applyChecked(claudeMd, plan.edits);
      expect(after.entries.map((entry) => [entry.id, entry.text])).toEqual([
        ['err-1a2b3c4d5e', expect.stringContaining('`uv run pytest`') as string],
        ['use-pnpm', 'Use pnpm, not npm.'],
        ['edit-copy-old-string', expect.stringContaining('`old_string`') as string],
      ]);
    });

    it('flags a supersede of an entry a person worded, for the approval policy', () => {
      const file = snapshot(claudeMd, { 'npm-only': { writtenBy: 'person' } });
      const plan = editsOf(planHygieneEdits(pick(mine(file, [correction()]), 'contradicted'), document));
      expect(plan.touchesHumanText).toBe(true);
      applyChecked(claudeMd, plan.edits);
    });

    it('updates an entry that already has the lesson id, since an id cannot supersede itself', () => {
      const generic =
        'When `Bash` (`uv run pytest`) fails with "ERROR: file or directory not found: <path>", what worked was `Read`, then `Bash` again (6 of 9 times).';
      const changed: CurrentFinding = {
        ...correction({ entryId: 'err-1a2b3c4d5e', entryText: generic }),
        finding: { ...correction().finding, id: 'err-1a2b3c4d5e' },
      };
      const finding = pick(mine(snapshot(), [changed]), 'contradicted');
      const plan = editsOf(planHygieneEdits(finding, document));
      expect(plan.edits).toEqual([{ op: 'update', entryId: 'err-1a2b3c4d5e', text: generic }]);
      expect(applyChecked(claudeMd, plan.edits).entries[0]?.text).toBe(generic);
    });

    it('removes the old entry when the newer lesson is already in the file', () => {
      const content = claudeMd.replace(
        '<!-- reverie:end -->',
        '<!-- reverie:entry use-pnpm -->\n- Use pnpm, not npm.\n<!-- reverie:end -->',
      );
      const file = snapshot(content, { 'use-pnpm': { writtenAt: '2026-03-21T00:00:00.000Z' } });
      const plan = editsOf(
        planHygieneEdits(pick(mine(file, [correction()]), 'contradicted'), parseMemoryDocument(content)),
      );
      expect(plan.edits).toEqual([
        { op: 'remove', entryId: 'install-with-npm' },
        { op: 'remove', entryId: 'npm-only' },
      ]);
      applyChecked(content, plan.edits);
    });

    it('never edits a hand-written line: it names the line for the person instead', () => {
      const onlyLine = '# Notes\n\n- Use npm to install packages.\n';
      const lineFile = snapshot(onlyLine, {}, { 3: '2025-12-01T00:00:00.000Z' });
      const finding = pick(mine(lineFile, [correction()]), 'contradicted');
      expect(finding.entryIds).toEqual(['line-3', 'use-pnpm']);
      expect(planHygieneEdits(finding, parseMemoryDocument(onlyLine))).toEqual({
        skip: expect.stringMatching(
          /\. Line 3 is yours, outside Reverie's entries: change it by hand\.$/,
        ) as string,
      });

      const mixed = snapshot(claudeMd, {}, { 7: '2025-12-01T00:00:00.000Z' });
      const plan = editsOf(planHygieneEdits(pick(mine(mixed, [correction()]), 'contradicted'), document));
      expect(plan.edits.map((edit) => edit.op)).toEqual(['supersede', 'remove']);
      expect(plan.reason).toMatch(/ Line 7 is yours, outside Reverie's entries: change it by hand\.$/);
      expect(plan.touchesHumanText).toBe(false);
      expect(applyChecked(claudeMd, plan.edits).lines[6]).toBe('- Use npm to install packages.');
    });

    it('skips a lesson text that would break the entry markers', () => {
      const finding = pick(mine(snapshot(), [correction()]), 'contradicted');
      const broken = { ...finding, replacement: { entryId: 'use-pnpm', text: 'Use pnpm <!-- not npm -->' } };
      expect(planHygieneEdits(broken, document)).toHaveProperty('skip');
    });
  });

  it('skips when a subject changed since the dream read the file', () => {
    const findings = mine(snapshot(), [correction()]);
    const edited = parseMemoryDocument(claudeMd.replace('- Use `npm`.', '- Use `npm` (I mean it).'));
    expect(planHygieneEdits(pick(findings, 'contradicted'), edited)).toEqual({
      skip: 'entry npm-only changed since the dream read the file; the next dream looks at it again',
    });
    const moved = parseMemoryDocument(`# Intro\n${claudeMd}`);
    expect(planHygieneEdits(pick(findings, 'duplicate', 'line-11'), moved)).toHaveProperty('skip');
    const gone = parseMemoryDocument(claudeMd.replace('<!-- reverie:entry err-1a2b3c4d5e -->\n', ''));
    expect(planHygieneEdits(pick(findings, 'stale'), gone)).toHaveProperty('skip');
  });

  it('applies every plan of a dream in turn without losing a line no edit names', () => {
    const findings = mine(snapshot(), [correction()]);
    expect(findings.map((finding) => finding.problem)).toEqual([
      'contradicted',
      'duplicate',
      'duplicate',
      'stale',
    ]);
    let content = claudeMd;
    const all: MemoryEdit[] = [];
    for (const finding of findings) {
      const plan = planHygieneEdits(finding, document);
      if ('skip' in plan) continue;
      all.push(...plan.edits);
      content = applyMemoryEdits({ content, edits: plan.edits, budget, path }).content;
    }
    expect(applyChecked(claudeMd, all).lines).toEqual(parseMemoryDocument(content).lines);
    expect(parseMemoryDocument(content).entries.map((entry) => entry.id)).toEqual(['use-pnpm']);
    for (const line of listHandWrittenLines(document)) expect(content).toContain(line.text);
  });
});
