import { describe, expect, it } from 'vitest';
import {
  applyMemoryEdit,
  findEntry,
  parseMemoryDocument,
  protectedText,
  renderMemoryDocument,
  sectionBeginMarker,
  sectionEndMarker,
  sectionHeading,
} from './memory-document.js';

const handWritten = '# Notes\n\n- Use pnpm.\n- Run the tests.\n';

describe('parseMemoryDocument', () => {
  it('round-trips content byte for byte, whatever the line endings', () => {
    for (const content of ['', 'a', 'a\n', 'a\r\nb\r\n', '\uFEFF# Title\n\n- x', 'emoji 🎉\n\n\n']) {
      expect(renderMemoryDocument(parseMemoryDocument(content))).toBe(content);
    }
  });

  it('finds entries and their text between markers', () => {
    const document = parseMemoryDocument(
      [
        '# Notes',
        '<!-- reverie:begin: lessons -->',
        '## Lessons from past sessions',
        '',
        '<!-- reverie:entry read-before-edit -->',
        '- Read before `Edit`.',
        '  Second line.',
        '<!-- reverie:entry err-1 -->',
        '- Other.',
        '- A hand-written bullet right after.',
        '<!-- reverie:end -->',
      ].join('\n'),
    );
    expect(document.section).toEqual({ beginLine: 1, endLine: 10 });
    expect(document.entries.map((entry) => [entry.id, entry.text])).toEqual([
      ['read-before-edit', 'Read before `Edit`.\nSecond line.'],
      ['err-1', 'Other.'],
    ]);
  });
});

describe('applyMemoryEdit', () => {
  it('appends a section with the entry after the hand-written content', () => {
    const result = applyMemoryEdit(parseMemoryDocument(handWritten), {
      op: 'add',
      entryId: 'a',
      text: 'Read first.',
    });
    const content = renderMemoryDocument(result);
    expect(content.startsWith(handWritten)).toBe(true);
    expect(content).toContain('<!-- reverie:entry a -->\n- Read first.\n<!-- reverie:end -->\n');
    expect(result.entries).toHaveLength(1);
  });

  it('adds to an existing section before its end marker', () => {
    const once = applyMemoryEdit(parseMemoryDocument(handWritten), { op: 'add', entryId: 'a', text: 'One.' });
    const twice = applyMemoryEdit(once, { op: 'add', entryId: 'b', text: 'Two.' });
    expect(twice.entries.map((entry) => entry.id)).toEqual(['a', 'b']);
    expect(renderMemoryDocument(twice).match(/reverie:begin/g)).toHaveLength(1);
  });

  it('updates only the named entry', () => {
    const base = applyMemoryEdit(
      applyMemoryEdit(parseMemoryDocument(handWritten), { op: 'add', entryId: 'a', text: 'One.' }),
      { op: 'add', entryId: 'b', text: 'Two.' },
    );
    const updated = applyMemoryEdit(base, { op: 'update', entryId: 'a', text: 'One, better.' });
    expect(updated.entries.map((entry) => [entry.id, entry.text])).toEqual([
      ['a', 'One, better.'],
      ['b', 'Two.'],
    ]);
  });

  it('supersedes an entry in place with a new id', () => {
    const base = applyMemoryEdit(parseMemoryDocument(handWritten), {
      op: 'add',
      entryId: 'old',
      text: 'Old.',
    });
    const next = applyMemoryEdit(base, { op: 'supersede', entryId: 'old', newEntryId: 'new', text: 'New.' });
    expect(next.entries.map((entry) => [entry.id, entry.text])).toEqual([['new', 'New.']]);
  });

  it('removes only the named entry', () => {
    const base = applyMemoryEdit(
      applyMemoryEdit(parseMemoryDocument(handWritten), { op: 'add', entryId: 'a', text: 'One.' }),
      { op: 'add', entryId: 'b', text: 'Two.' },
    );
    const removed = applyMemoryEdit(base, { op: 'remove', entryId: 'a' });
    expect(removed.entries.map((entry) => entry.id)).toEqual(['b']);
    expect(renderMemoryDocument(removed).startsWith(handWritten)).toBe(true);
    expect(() => applyMemoryEdit(removed, { op: 'remove', entryId: 'a' })).toThrow(/nothing to remove/);
  });

  it('keeps CRLF line endings in added lines', () => {
    const result = renderMemoryDocument(
      applyMemoryEdit(parseMemoryDocument('# Notes\r\n- a\r\n'), { op: 'add', entryId: 'x', text: 'X.' }),
    );
    expect(result).not.toMatch(/[^\r]\n/);
    expect(result.startsWith('# Notes\r\n- a\r\n')).toBe(true);
  });

  it('refuses an add of an existing id, an update of a missing id, empty text and comment delimiters', () => {
    const base = applyMemoryEdit(parseMemoryDocument(''), { op: 'add', entryId: 'a', text: 'A.' });
    expect(() => applyMemoryEdit(base, { op: 'add', entryId: 'a', text: 'again' })).toThrow(/already exists/);
    expect(() => applyMemoryEdit(base, { op: 'update', entryId: 'zz', text: 'x' })).toThrow(
      /not in the file/,
    );
    expect(() => applyMemoryEdit(base, { op: 'update', entryId: 'a', text: '  ' })).toThrow(/empty text/);
    expect(() => applyMemoryEdit(base, { op: 'update', entryId: 'a', text: 'x --> y' })).toThrow(
      /HTML comment/,
    );
    expect(() => applyMemoryEdit(base, { op: 'add', entryId: 'bad id', text: 'x' })).toThrow(/not valid/);
  });
});

describe('protected regions', () => {
  const protectedFile = [
    '# Project',
    '<!-- reverie:protected -->',
    '- Deploys go through the release train; never deploy on Fridays.',
    '<!-- /reverie:protected -->',
    '',
    sectionBeginMarker,
    sectionHeading,
    '',
    '<!-- reverie:protected -->',
    '<!-- reverie:entry pinned -->',
    '- Run `npm test` before committing.',
    '<!-- /reverie:protected -->',
    '<!-- reverie:entry free -->',
    '- Use `pnpm`, not `npm`.',
    sectionEndMarker,
    '',
  ].join('\n');

  it('finds the regions', () => {
    const document = parseMemoryDocument(protectedFile);
    expect(document.protectedRegions).toEqual([
      { startLine: 1, endLine: 3 },
      { startLine: 8, endLine: 11 },
    ]);
  });

  it.each([
    { op: 'update', entryId: 'pinned', text: 'Run the tests.' },
    { op: 'remove', entryId: 'pinned' },
    { op: 'supersede', entryId: 'pinned', newEntryId: 'other', text: 'Run the tests.' },
  ] as const)('refuses to $op an entry inside one', (edit) => {
    expect(() => applyMemoryEdit(parseMemoryDocument(protectedFile), edit)).toThrow(
      expect.objectContaining({ code: 'MEMORY_EDIT_PROTECTED' }),
    );
  });

  it('edits entries outside and adds to the section, leaving protected text byte for byte', () => {
    let document = parseMemoryDocument(protectedFile);
    document = applyMemoryEdit(document, {
      op: 'update',
      entryId: 'free',
      text: 'Use `pnpm` for everything.',
    });
    document = applyMemoryEdit(document, { op: 'add', entryId: 'new', text: 'Read before Edit.' });
    document = applyMemoryEdit(document, { op: 'remove', entryId: 'free' });
    expect(protectedText(document)).toEqual(protectedText(parseMemoryDocument(protectedFile)));
    expect(findEntry(document, 'new')?.text).toBe('Read before Edit.');
  });

  it('never places the section inside a region left open at the end of the file', () => {
    const open = '# Notes\n<!-- reverie:protected -->\n- keep this\n';
    expect(() =>
      applyMemoryEdit(parseMemoryDocument(open), { op: 'add', entryId: 'a', text: 'x y' }),
    ).toThrow(expect.objectContaining({ code: 'MEMORY_EDIT_PROTECTED' }));
  });

  it('refuses an add when the whole section is protected', () => {
    const wrapped = `<!-- reverie:protected -->\n${sectionBeginMarker}\n${sectionHeading}\n${sectionEndMarker}\n<!-- /reverie:protected -->\n`;
    expect(() =>
      applyMemoryEdit(parseMemoryDocument(wrapped), { op: 'add', entryId: 'a', text: 'x y' }),
    ).toThrow(expect.objectContaining({ code: 'MEMORY_EDIT_PROTECTED' }));
  });
});
