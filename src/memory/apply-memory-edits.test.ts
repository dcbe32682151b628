import { describe, expect, it } from 'vitest';
import { isReverieError } from '../domain/errors.js';
import { applyMemoryEdits, measureMemory } from './apply-memory-edits.js';
import { renderUnifiedDiff } from './render-unified-diff.js';

const budget = { maxLines: 200, maxBytes: 25_600 };
const base = '# Notes\n\n- Use pnpm.\n';

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return isReverieError(error) ? error.code : 'not-a-reverie-error';
  }
}

describe('applyMemoryEdits', () => {
  it('applies edits in order and keeps every line it does not name', () => {
    const result = applyMemoryEdits({
      content: base,
      edits: [
        { op: 'add', entryId: 'a', text: 'A.' },
        { op: 'add', entryId: 'b', text: 'B.' },
      ],
      budget,
      path: 'CLAUDE.md',
    });
    expect(result.content.startsWith(base)).toBe(true);
    expect(result.document.entries.map((entry) => entry.id)).toEqual(['a', 'b']);
    expect(result.after.lines).toBeGreaterThan(result.before.lines);
  });

  it('refuses a result over the line budget', () => {
    const code = codeOf(() =>
      applyMemoryEdits({
        content: base,
        edits: [{ op: 'add', entryId: 'a', text: 'A.' }],
        budget: { maxLines: 4, maxBytes: 25_600 },
        path: 'CLAUDE.md',
      }),
    );
    expect(code).toBe('MEMORY_BUDGET_EXCEEDED');
  });

  it('refuses a result over the byte budget', () => {
    const code = codeOf(() =>
      applyMemoryEdits({
        content: base,
        edits: [{ op: 'add', entryId: 'a', text: 'x'.repeat(2000) }],
        budget: { maxLines: 200, maxBytes: 1000 },
        path: 'CLAUDE.md',
      }),
    );
    expect(code).toBe('MEMORY_BUDGET_EXCEEDED');
  });

  it('allows an edit that shrinks a file already over budget', () => {
    const big = applyMemoryEdits({
      content: base,
      edits: [{ op: 'add', entryId: 'a', text: 'x'.repeat(1500) }],
      budget,
      path: 'f',
    });
    const result = applyMemoryEdits({
      content: big.content,
      edits: [{ op: 'update', entryId: 'a', text: 'short' }],
      budget: { maxLines: 200, maxBytes: 1000 },
      path: 'f',
    });
    expect(result.after.bytes).toBeLessThan(result.before.bytes);
  });

  it('never produces an empty file', () => {
    expect(codeOf(() => applyMemoryEdits({ content: '', edits: [], budget, path: 'f' }))).toBe(
      'MEMORY_EDIT_INVALID',
    );
  });

  it('measures lines and UTF-8 bytes', () => {
    expect(measureMemory('')).toEqual({ lines: 0, bytes: 0 });
    expect(measureMemory('a\nb')).toEqual({ lines: 2, bytes: 3 });
    expect(measureMemory('é\n')).toEqual({ lines: 1, bytes: 3 });
  });
});

describe('renderUnifiedDiff', () => {
  it('renders a git-style diff and nothing for equal contents', () => {
    const after = applyMemoryEdits({
      content: base,
      edits: [{ op: 'add', entryId: 'a', text: 'A.' }],
      budget,
      path: 'f',
    }).content;
    const diff = renderUnifiedDiff({ path: '/w/CLAUDE.md', before: base, after });
    expect(diff.split('\n').slice(0, 3)).toEqual([
      '--- a/w/CLAUDE.md',
      '+++ b/w/CLAUDE.md',
      '@@ -1,3 +1,10 @@',
    ]);
    expect(diff).toContain('+- A.');
    expect(renderUnifiedDiff({ path: 'x', before: base, after: base })).toBe('');
  });
});
