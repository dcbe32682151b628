/**
 * Decides which typed edit, if any, turns a lesson into a change of one memory file: add it, update the entry
 * that already holds it, supersede an entry it improves on, or nothing (with the reason).
 */
import type { MemoryEdit } from '../domain/proposal.js';
import { findEntry } from '../memory/memory-document.js';
import type { MemoryDocument } from '../memory/memory-document.js';
import type { Lesson } from './tool-error-lessons.js';

export type PlannedEdit = { edit: MemoryEdit } | { skip: string };

/** Lines of the file outside Reverie's entries: what the user wrote. */
function handWrittenLines(document: MemoryDocument): string[] {
  const managed = new Set<number>();
  for (const entry of document.entries) {
    for (let line = entry.markerLine; line < entry.endLine; line++) managed.add(line);
  }
  return document.lines.filter((_, index) => !managed.has(index));
}

/**
 * Plans the edit of `document` that records `lesson`.
 * @param options.textsWrittenByReverie the texts Reverie itself gave an entry (from applied proposals). An entry
 * whose text is not one of them was reworded by a person, and Reverie keeps their wording.
 * @returns `{ edit }` or `{ skip: reason }`
 */
export function planMemoryEdit(
  document: MemoryDocument,
  lesson: Lesson,
  options: { textsWrittenByReverie?: (entryId: string) => ReadonlySet<string> } = {},
): PlannedEdit {
  const existing = findEntry(document, lesson.entryId);
  if (existing !== undefined) {
    if (existing.text === lesson.text.trim()) return { skip: `already in memory as entry ${lesson.entryId}` };
    const written = options.textsWrittenByReverie?.(lesson.entryId);
    if (written !== undefined && !written.has(existing.text)) {
      return { skip: `entry ${lesson.entryId} was reworded by hand; Reverie keeps your wording` };
    }
    return { edit: { op: 'update', entryId: lesson.entryId, text: lesson.text } };
  }
  for (const oldId of lesson.supersedes) {
    if (findEntry(document, oldId) !== undefined) {
      return { edit: { op: 'supersede', entryId: oldId, newEntryId: lesson.entryId, text: lesson.text } };
    }
  }
  if (lesson.coveredBy.length > 0) {
    const covering = handWrittenLines(document).find((line) =>
      lesson.coveredBy.every((pattern) => pattern.test(line)),
    );
    if (covering !== undefined) {
      return { skip: `a hand-written line already says this: "${covering.trim().slice(0, 120)}"` };
    }
  }
  return { edit: { op: 'add', entryId: lesson.entryId, text: lesson.text } };
}
