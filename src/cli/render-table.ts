/** Renders rows as left-aligned columns separated by two spaces; the last column is never padded. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Cuts text to one line of at most `width` characters. */
export function oneLine(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

/** `2026-11-26T03:00:12.345Z` → `2026-11-26 03:00`. */
export function shortTime(iso: string | null): string {
  if (iso === null) return '-';
  return iso.replace('T', ' ').slice(0, 16);
}

/** A path shown relative to the working directory when it is inside it. */
export function displayPath(filePath: string, cwd: string): string {
  if (filePath.startsWith(`${cwd}/`)) return filePath.slice(cwd.length + 1);
  return filePath;
}
