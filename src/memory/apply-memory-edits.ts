/**
 * Applies typed edits to a memory file's content with the guarantees a user relies on: nothing an edit does not
 * name is dropped (checked by an independent line diff, not by trusting the edit code), the result is never empty,
 * and it never grows past the file's budget.
 */
import { diffArrays } from 'diff';
import type { MemoryBudget } from '../domain/agent.js';
import { ReverieError } from '../domain/errors.js';
import type { MemoryEdit } from '../domain/proposal.js';
import { applyMemoryEdit, findEntry, parseMemoryDocument, renderMemoryDocument } from './memory-document.js';
import type { MemoryDocument } from './memory-document.js';

/** Size of a content in the units budgets use. */
export interface MemorySize {
  lines: number;
  bytes: number;
}

/** Lines and UTF-8 bytes of a content. */
export function measureMemory(content: string): MemorySize {
  const lines = content === '' ? 0 : content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
  return { lines, bytes: new TextEncoder().encode(content).length };
}

export interface ApplyMemoryEditsResult {
  content: string;
  document: MemoryDocument;
  before: MemorySize;
  after: MemorySize;
}

/**
 * Applies edits in order.
 * @param options.content the base version's content
 * @param options.edits typed edits (add / update / supersede)
 * @param options.budget the file's size limits; a result over budget is refused unless the edits do not grow it
 * @throws ReverieError MEMORY_EDIT_INVALID, MEMORY_BUDGET_EXCEEDED
 */
export function applyMemoryEdits(options: {
  content: string;
  edits: readonly MemoryEdit[];
  budget: MemoryBudget;
  path: string;
}): ApplyMemoryEditsResult {
  const original = parseMemoryDocument(options.content);
  let document = original;
  for (const edit of options.edits) document = applyMemoryEdit(document, edit);
  const content = renderMemoryDocument(document);

  if (content.trim() === '') {
    throw new ReverieError({
      code: 'MEMORY_EDIT_INVALID',
      message: `Refusing to write an empty ${options.path}: an edit never empties a memory file.`,
      data: { path: options.path },
    });
  }
  assertNothingLost(original, document, options.edits, options.path);

  const before = measureMemory(options.content);
  const after = measureMemory(content);
  const overBudget = after.lines > options.budget.maxLines || after.bytes > options.budget.maxBytes;
  const grows = after.lines > before.lines || after.bytes > before.bytes;
  if (overBudget && grows) {
    throw new ReverieError({
      code: 'MEMORY_BUDGET_EXCEEDED',
      message:
        `${options.path} would grow to ${after.lines} lines / ${after.bytes} bytes, over its budget of ` +
        `${options.budget.maxLines} lines / ${options.budget.maxBytes} bytes. Trim the file, or raise its ` +
        'budget in reverie.yaml (`memory: { path: ..., max_lines: ..., max_bytes: ... }`).',
      data: { path: options.path, after, budget: options.budget },
    });
  }
  return { content, document, before, after };
}

/** Every line removed between the two documents must belong to an entry that an update or supersede names. */
function assertNothingLost(
  original: MemoryDocument,
  result: MemoryDocument,
  edits: readonly MemoryEdit[],
  path: string,
): void {
  const replaceable = new Set<number>();
  for (const edit of edits) {
    if (edit.op === 'add') continue;
    const entry = findEntry(original, edit.entryId);
    if (entry === undefined) continue;
    for (let line = entry.markerLine; line < entry.endLine; line++) replaceable.add(line);
  }
  let index = 0;
  for (const change of diffArrays([...original.lines], [...result.lines])) {
    if (change.added) continue;
    if (change.removed) {
      for (let offset = 0; offset < change.count; offset++) {
        if (!replaceable.has(index + offset)) {
          throw new ReverieError({
            code: 'MEMORY_EDIT_INVALID',
            message: `Refusing an edit to ${path} that would drop line ${index + offset + 1}, which no edit names.`,
            data: { path, line: index + offset + 1 },
          });
        }
      }
    }
    index += change.count;
  }
}
