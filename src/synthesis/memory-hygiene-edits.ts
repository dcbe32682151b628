/**
 * Turns a memory-hygiene finding into typed edits of one memory file, or into the reason there are none.
 *
 * Nothing is deleted silently: a removal or a supersede keeps the old text in the version history, and the reason
 * says why it went. A person's text is never removed as stale or duplicate. It changes only when newer evidence
 * contradicts an entry a person worded, and then the plan says so (`touchesHumanText`), so the approval policy holds
 * it for a person. Hand-written lines outside Reverie's entries are never edited: no typed edit can name them, and
 * the plan says which line to change by hand.
 */
import type { MemoryEdit } from '../domain/proposal.js';
import { findEntry } from '../memory/memory-document.js';
import type { MemoryDocument } from '../memory/memory-document.js';
import type { HygieneFinding, HygieneSubject } from '../mining/find-memory-hygiene.js';

/** The edits for a hygiene finding, or why there are none. */
export type HygienePlan =
  | {
      edits: MemoryEdit[];
      /** One line: what is wrong and what the edits do about it. */
      reason: string;
      /** The edits change text a person wrote: an approval policy must hold them for a person. */
      touchesHumanText: boolean;
    }
  | { skip: string };

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Whether the subject still reads in `document` as it did when the dream mined it. */
function isUnchanged(subject: HygieneSubject, document: MemoryDocument): boolean {
  if (subject.source === 'hand-written-line') {
    return (
      subject.line !== null && (document.lines[subject.line - 1] ?? '').trimEnd() === subject.text.trimEnd()
    );
  }
  return findEntry(document, subject.entryId)?.text === subject.text.trim();
}

function changedSkip(subject: HygieneSubject): { skip: string } {
  const what = subject.source === 'entry' ? `entry ${subject.entryId}` : `line ${subject.line ?? '?'}`;
  return { skip: `${what} changed since the dream read the file; the next dream looks at it again` };
}

function describeLines(subjects: readonly HygieneSubject[]): string {
  const lines = subjects.map((subject) => subject.line ?? '?');
  return lines.length === 1 ? `line ${lines[0] ?? '?'}` : `lines ${lines.join(', ')}`;
}

function planStale(finding: HygieneFinding, document: MemoryDocument): HygienePlan {
  const subject = finding.subjects[0];
  if (subject === undefined) return { skip: 'the finding names no entry' };
  if (subject.source !== 'entry' || subject.writtenBy !== 'reverie') {
    return { skip: `${subject.entryId} is your text; Reverie only retires entries it wrote` };
  }
  if (!isUnchanged(subject, document)) return changedSkip(subject);
  return {
    edits: [{ op: 'remove', entryId: subject.entryId }],
    reason: `${capitalize(finding.detail)}; remove it (its text stays in the version history).`,
    touchesHumanText: false,
  };
}

function planDuplicate(finding: HygieneFinding, document: MemoryDocument): HygienePlan {
  const [drop, keep] = finding.subjects;
  if (drop === undefined || keep === undefined) return { skip: 'the finding names fewer than two entries' };
  if (drop.source !== 'entry' || drop.writtenBy !== 'reverie') {
    return {
      skip: `${capitalize(finding.detail)}; Reverie never removes your text: delete one of them by hand if you want`,
    };
  }
  if (!isUnchanged(drop, document)) return changedSkip(drop);
  if (!isUnchanged(keep, document)) return changedSkip(keep);
  return {
    edits: [{ op: 'remove', entryId: drop.entryId }],
    reason: `${capitalize(finding.detail)}; remove ${drop.entryId} (its text stays in the version history).`,
    touchesHumanText: false,
  };
}

function planContradicted(finding: HygieneFinding, document: MemoryDocument): HygienePlan {
  const replacement = finding.replacement;
  if (replacement === null || replacement.text.trim() === '') {
    return { skip: 'the contradicting finding has no lesson text to supersede with' };
  }
  if (replacement.text.includes('<!--') || replacement.text.includes('-->')) {
    return {
      skip: 'the newer lesson contains an HTML comment delimiter, which would break the entry markers',
    };
  }
  const handWritten = finding.subjects.filter((subject) => subject.source === 'hand-written-line');
  const byHand =
    handWritten.length === 0
      ? ''
      : ` ${capitalize(describeLines(handWritten))} ${handWritten.length === 1 ? 'is' : 'are'} yours, outside Reverie's entries: change ${handWritten.length === 1 ? 'it' : 'them'} by hand.`;
  const entries = finding.subjects.filter((subject) => subject.source === 'entry');
  if (entries.length === 0) {
    return { skip: `${capitalize(finding.detail)}.${byHand}` };
  }
  const changed = entries.find((subject) => !isUnchanged(subject, document));
  if (changed !== undefined) return changedSkip(changed);

  // The entry that already has the replacement's id takes the new text; an id cannot be superseded by itself.
  const ordered = [
    ...entries.filter((subject) => subject.entryId === replacement.entryId),
    ...entries.filter((subject) => subject.entryId !== replacement.entryId),
  ];
  const replacementExists = findEntry(document, replacement.entryId) !== undefined;
  const edits: MemoryEdit[] = ordered.map((subject, index): MemoryEdit => {
    if (subject.entryId === replacement.entryId) {
      return { op: 'update', entryId: subject.entryId, text: replacement.text };
    }
    // Once the replacement is in the file (before this plan, or by the first edit), the others only make way for it.
    if (index > 0 || replacementExists) return { op: 'remove', entryId: subject.entryId };
    return {
      op: 'supersede',
      entryId: subject.entryId,
      newEntryId: replacement.entryId,
      text: replacement.text,
    };
  });
  const olds = entries.map((subject) => subject.entryId).join(', ');
  return {
    edits,
    reason: `${capitalize(finding.detail)}; supersede ${olds} with the newer lesson as entry ${replacement.entryId} (the old text stays in the version history).${byHand}`,
    touchesHumanText: entries.some((subject) => subject.writtenBy === 'person'),
  };
}

/**
 * Plans the edits that resolve one hygiene finding in `document` (the file's current content, parsed).
 *
 * - `stale`: remove the entry.
 * - `duplicate`: remove the first subject (the miner orders them: a Reverie entry, never the person's text); skip
 *   when both are the person's.
 * - `contradicted`: supersede the old entry by the newer lesson (update it when it already has the lesson's id;
 *   remove it when the lesson is already in the file); several old entries give one supersede and removals.
 *   Hand-written lines are left for the person, named in the reason.
 *
 * Every plan is skipped when a subject changed since the dream read the file.
 * @returns the edits with a one-line reason and whether they touch text a person wrote, or `{ skip: reason }`
 */
export function planHygieneEdits(finding: HygieneFinding, document: MemoryDocument): HygienePlan {
  switch (finding.problem) {
    case 'stale':
      return planStale(finding, document);
    case 'duplicate':
      return planDuplicate(finding, document);
    case 'contradicted':
      return planContradicted(finding, document);
  }
}
