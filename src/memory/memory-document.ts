/**
 * Reading and editing a memory file as lines, without ever rewriting what an edit does not name.
 *
 * Reverie's entries live in a section delimited by `<!-- reverie:begin -->` and `<!-- reverie:end -->`, each entry
 * introduced by a marker line `<!-- reverie:entry <id> -->` followed by its text (a Markdown list item). Claude
 * Code strips block-level HTML comments before the file reaches the model, so the markers cost no context there.
 * Everything outside the markers is the user's, and is never touched.
 */
import { ReverieError } from '../domain/errors.js';
import type { MemoryEdit } from '../domain/proposal.js';

export const sectionBeginMarker =
  '<!-- reverie:begin: lessons maintained by Reverie (`reverie history` shows every change) -->';
export const sectionEndMarker = '<!-- reverie:end -->';
export const sectionHeading = '## Lessons from past sessions';

const beginPattern = /^\s*<!--\s*reverie:begin\b.*-->\s*$/;
const endPattern = /^\s*<!--\s*reverie:end\s*-->\s*$/;
const entryPattern = /^\s*<!--\s*reverie:entry\s+([A-Za-z0-9][\w.-]*)\s*-->\s*$/;
const entryIdPattern = /^[A-Za-z0-9][\w.-]*$/;
const protectedBeginPattern = /^\s*<!--\s*reverie:protected\s*-->\s*$/;
const protectedEndPattern = /^\s*<!--\s*\/reverie:protected\s*-->\s*$/;

export const protectedBeginMarker = '<!-- reverie:protected -->';
export const protectedEndMarker = '<!-- /reverie:protected -->';

/** One Reverie-managed entry found in a file. */
export interface MemoryEntry {
  id: string;
  /** The entry's text without the list bullet, continuation lines joined with "\n". */
  text: string;
  /** Index of the marker line. */
  markerLine: number;
  /** Index one past the entry's last body line. */
  endLine: number;
}

/** A memory file split into lines, with its managed section and entries located. */
export interface MemoryDocument {
  lines: readonly string[];
  /** "\r\n" when the file uses CRLF line endings, else "\n". */
  newline: string;
  /** Whether the content ended with a newline. */
  finalNewline: boolean;
  /** Indexes of the section markers, or null when the file has no Reverie section. */
  section: { beginLine: number; endLine: number } | null;
  entries: readonly MemoryEntry[];
  /**
   * Regions between `<!-- reverie:protected -->` and `<!-- /reverie:protected -->` (line indexes of the two markers;
   * an unclosed region runs to the end of the file). Nothing in them is ever edited.
   */
  protectedRegions: readonly { startLine: number; endLine: number }[];
}

/** Splits content into a document. Never throws: a file without markers simply has no entries. */
export function parseMemoryDocument(content: string): MemoryDocument {
  const newline = content.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = content.endsWith('\n');
  const body = finalNewline ? content.slice(0, content.length - (content.endsWith('\r\n') ? 2 : 1)) : content;
  const lines = content === '' ? [] : body.split(/\r?\n/);
  let beginLine = -1;
  let endLine = -1;
  const entries: MemoryEntry[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (beginLine === -1 && beginPattern.test(line)) beginLine = index;
    else if (beginLine !== -1 && endLine === -1 && endPattern.test(line)) endLine = index;
    const match = entryPattern.exec(line);
    if (match?.[1] !== undefined) {
      const end = findEntryEnd(lines, index + 1);
      entries.push({
        id: match[1],
        text: entryTextFromLines(lines.slice(index + 1, end)),
        markerLine: index,
        endLine: end,
      });
    }
  }
  const section = beginLine !== -1 && endLine !== -1 ? { beginLine, endLine } : null;
  const protectedRegions: { startLine: number; endLine: number }[] = [];
  let open = -1;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (open === -1 && protectedBeginPattern.test(line)) open = index;
    else if (open !== -1 && protectedEndPattern.test(line)) {
      protectedRegions.push({ startLine: open, endLine: index });
      open = -1;
    }
  }
  if (open !== -1) protectedRegions.push({ startLine: open, endLine: Math.max(open, lines.length - 1) });
  return { lines, newline, finalNewline, section, entries, protectedRegions };
}

/** Whether line `index` is inside a protected region (markers included). */
export function isProtectedLine(document: MemoryDocument, index: number): boolean {
  return document.protectedRegions.some((region) => index >= region.startLine && index <= region.endLine);
}

/** The text of every protected region, in order: an edit must leave it byte for byte as it was. */
export function protectedText(document: MemoryDocument): string[] {
  return document.protectedRegions.map((region) =>
    document.lines.slice(region.startLine, region.endLine + 1).join('\n'),
  );
}

function protectedError(message: string, entryId: string): ReverieError {
  return new ReverieError({
    code: 'MEMORY_EDIT_PROTECTED',
    message: `${message} It is inside a <!-- reverie:protected --> region, which Reverie never edits; move it out of the region by hand if it should change.`,
    data: { entryId },
  });
}

function assertNotProtected(document: MemoryDocument, edit: MemoryEdit): void {
  if (edit.op !== 'add') {
    const entry = findEntry(document, edit.entryId);
    if (entry !== undefined) {
      for (let line = entry.markerLine; line < entry.endLine; line++) {
        if (isProtectedLine(document, line))
          throw protectedError(`Entry ${edit.entryId} is protected.`, edit.entryId);
      }
    }
    return;
  }
  // Where an add goes: before the section's end marker, or appended at the end of the file.
  const insertAt = document.section === null ? document.lines.length : document.section.endLine;
  const last = document.protectedRegions.at(-1);
  const insideOpenRegion =
    last?.endLine === document.lines.length - 1 &&
    !protectedEndPattern.test(document.lines[last.endLine] ?? '');
  if (
    (document.section !== null &&
      isProtectedLine(document, insertAt) &&
      !protectedBeginPattern.test(document.lines[insertAt] ?? '')) ||
    (document.section === null && insideOpenRegion)
  ) {
    throw protectedError(
      `Entry ${edit.entryId} cannot be added: Reverie's section would be protected.`,
      edit.entryId,
    );
  }
}

/** An entry's body runs from its marker to the next blank line, marker, heading or list item. */
function findEntryEnd(lines: readonly string[], start: number): number {
  let index = start;
  while (index < lines.length) {
    const line = lines[index] ?? '';
    const isFirst = index === start;
    if (line.trim() === '') break;
    if (entryPattern.test(line) || endPattern.test(line) || beginPattern.test(line)) break;
    if (/^\s{0,3}#/.test(line)) break;
    if (!isFirst && /^\s{0,1}([-*+]|\d+[.)])\s/.test(line)) break;
    index++;
  }
  return index;
}

function entryTextFromLines(lines: readonly string[]): string {
  return lines
    .map((line, index) => (index === 0 ? line.replace(/^\s*[-*+]\s+/, '') : line.replace(/^\s{2}/, '')))
    .join('\n')
    .trim();
}

/** Renders an entry's text as the lines of a list item (continuation lines indented). */
export function renderEntryLines(text: string): string[] {
  const textLines = text.trim().split(/\r?\n/);
  return textLines.map((line, index) => (index === 0 ? `- ${line}` : `  ${line}`));
}

function renderEntry(id: string, text: string): string[] {
  return [`<!-- reverie:entry ${id} -->`, ...renderEntryLines(text)];
}

/** Joins lines back into file content with the document's newline style. */
export function renderMemoryDocument(
  document: Pick<MemoryDocument, 'lines' | 'newline' | 'finalNewline'>,
): string {
  if (document.lines.length === 0) return '';
  const joined = document.lines.join(document.newline);
  return document.finalNewline ? joined + document.newline : joined;
}

/** Finds an entry by id. */
export function findEntry(document: MemoryDocument, id: string): MemoryEntry | undefined {
  return document.entries.find((entry) => entry.id === id);
}

function assertEdit(document: MemoryDocument, edit: MemoryEdit): void {
  const ids = edit.op === 'supersede' ? [edit.entryId, edit.newEntryId] : [edit.entryId];
  if (edit.op === 'remove') {
    if (findEntry(document, edit.entryId) === undefined) {
      throw new ReverieError({
        code: 'MEMORY_EDIT_INVALID',
        message: `Entry ${edit.entryId} is not in the file any more, so there is nothing to remove.`,
        data: { entryId: edit.entryId },
      });
    }
    return;
  }
  for (const id of ids) {
    if (!entryIdPattern.test(id)) {
      throw new ReverieError({
        code: 'MEMORY_EDIT_INVALID',
        message: `Entry id "${id}" is not valid: use letters, digits, ".", "_" and "-".`,
        data: { entryId: id },
      });
    }
  }
  if (edit.text.trim() === '') {
    throw new ReverieError({
      code: 'MEMORY_EDIT_INVALID',
      message: `The ${edit.op} of entry ${edit.entryId} has empty text; an edit never empties an entry.`,
      data: { entryId: edit.entryId },
    });
  }
  if (edit.text.includes('<!--') || edit.text.includes('-->')) {
    throw new ReverieError({
      code: 'MEMORY_EDIT_INVALID',
      message: `The text of entry ${edit.entryId} contains an HTML comment delimiter, which would break its markers.`,
      data: { entryId: edit.entryId },
    });
  }
  const existing = findEntry(document, edit.entryId);
  if (edit.op === 'add' && existing !== undefined) {
    throw new ReverieError({
      code: 'MEMORY_EDIT_INVALID',
      message: `Entry ${edit.entryId} already exists; an add cannot repeat it (use update).`,
      data: { entryId: edit.entryId },
    });
  }
  if (edit.op !== 'add' && existing === undefined) {
    throw new ReverieError({
      code: 'MEMORY_EDIT_INVALID',
      message: `Entry ${edit.entryId} is not in the file any more (it was removed or renamed by hand); make a fresh proposal with \`reverie dream\`.`,
      data: { entryId: edit.entryId },
    });
  }
  if (edit.op === 'supersede' && findEntry(document, edit.newEntryId) !== undefined) {
    throw new ReverieError({
      code: 'MEMORY_EDIT_INVALID',
      message: `Entry ${edit.newEntryId} already exists; superseding ${edit.entryId} by it would duplicate it.`,
      data: { entryId: edit.newEntryId },
    });
  }
}

/** Applies one edit to a document and returns the new document. Throws MEMORY_EDIT_INVALID when it cannot apply. */
export function applyMemoryEdit(document: MemoryDocument, edit: MemoryEdit): MemoryDocument {
  assertEdit(document, edit);
  assertNotProtected(document, edit);
  const lines = [...document.lines];
  switch (edit.op) {
    case 'add': {
      const entryLines = renderEntry(edit.entryId, edit.text);
      if (document.section === null) {
        // Separate the new section from the user's content by one blank line.
        const prefix = lines.length > 0 && (lines[lines.length - 1] ?? '').trim() !== '' ? [''] : [];
        lines.push(...prefix, sectionBeginMarker, sectionHeading, '', ...entryLines, sectionEndMarker);
      } else {
        lines.splice(document.section.endLine, 0, ...entryLines);
      }
      break;
    }
    case 'update': {
      const entry = findEntry(document, edit.entryId);
      if (entry === undefined) throw new Error('unreachable: checked by assertEdit');
      lines.splice(
        entry.markerLine + 1,
        entry.endLine - entry.markerLine - 1,
        ...renderEntryLines(edit.text),
      );
      break;
    }
    case 'supersede': {
      const entry = findEntry(document, edit.entryId);
      if (entry === undefined) throw new Error('unreachable: checked by assertEdit');
      lines.splice(
        entry.markerLine,
        entry.endLine - entry.markerLine,
        ...renderEntry(edit.newEntryId, edit.text),
      );
      break;
    }
    case 'remove': {
      const entry = findEntry(document, edit.entryId);
      if (entry === undefined) throw new Error('unreachable: checked by assertEdit');
      lines.splice(entry.markerLine, entry.endLine - entry.markerLine);
      break;
    }
  }
  // A file that had no newline at all gains one only if it gets a section appended (clean end of file).
  const finalNewline = document.finalNewline || (document.section === null && edit.op === 'add');
  const next = parseMemoryDocument(renderMemoryDocument({ lines, newline: document.newline, finalNewline }));
  // Defence in depth: whatever the edit, protected text comes out byte for byte as it went in.
  if (JSON.stringify(protectedText(next)) !== JSON.stringify(protectedText(document))) {
    throw protectedError(
      `The ${edit.op} of entry ${edit.entryId} would change protected text.`,
      edit.entryId,
    );
  }
  return next;
}
