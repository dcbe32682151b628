import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/**
 * A unified diff between two versions of a file, `git diff` style (`--- a/<path>` / `+++ b/<path>`), with
 * 3 lines of context. Empty string when the contents are equal.
 */
export function renderUnifiedDiff(options: { path: string; before: string; after: string }): string {
  if (options.before === options.after) return '';
  const name = options.path.replace(/^\/+/, '');
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, options.before, options.after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
