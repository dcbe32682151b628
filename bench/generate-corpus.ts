/**
 * Builds a large benchmark corpus from the real fixtures, outside the repository: copies of every Claude Code
 * transcript with every id rewritten (so each copy is new sessions and events to the store) and the text varied
 * (so nothing compresses or dedupes away), plus copies of the other formats' fixtures.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const uuidPattern = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const toolIdPattern = /\b(toolu|msg|req)_[A-Za-z0-9]{10,}\b/g;

function rewriteId(id: string, copy: number): string {
  const hash = createHash('sha1').update(`${id}:${copy}`).digest('hex');
  if (id.includes('-')) {
    return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
  }
  const prefix = id.slice(0, id.indexOf('_') + 1);
  return `${prefix}${hash.slice(0, id.length - prefix.length)}`;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.md'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

export interface CorpusSummary {
  directory: string;
  claudeCodeBytes: number;
  otherBytes: number;
  files: number;
}

/**
 * Writes the corpus (reusing one already there with the same size target).
 * @param options.fixtures the repository's `fixtures/` directory
 * @param options.claudeCodeBytes at least this many bytes of Claude Code JSONL
 * @param options.otherCopies copies of each other format's fixtures
 */
export function generateCorpus(options: {
  fixtures: string;
  directory: string;
  claudeCodeBytes: number;
  otherCopies: number;
}): CorpusSummary {
  const marker = path.join(options.directory, `.complete-${options.claudeCodeBytes}-${options.otherCopies}`);
  const summary: CorpusSummary = {
    directory: options.directory,
    claudeCodeBytes: 0,
    otherBytes: 0,
    files: 0,
  };
  if (existsSync(marker)) {
    for (const file of listFiles(options.directory)) {
      const size = statSync(file).size;
      if (file.includes(`${path.sep}claude-code${path.sep}`)) summary.claudeCodeBytes += size;
      else summary.otherBytes += size;
      summary.files++;
    }
    return summary;
  }
  mkdirSync(options.directory, { recursive: true });
  const claudeFiles = listFiles(path.join(options.fixtures, 'claude-code')).filter((file) =>
    file.endsWith('.jsonl'),
  );
  const sources = claudeFiles.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  for (let copy = 0; summary.claudeCodeBytes < options.claudeCodeBytes; copy++) {
    for (const { file, text } of sources) {
      const rewritten = text
        .replace(uuidPattern, (id) => rewriteId(id, copy))
        .replace(toolIdPattern, (id) => rewriteId(id, copy))
        // Vary the text a little so copies are not byte-identical: a copy number in every user prompt.
        .replace(/("role":"user","content":")/g, `$1[copy ${copy}] `);
      const project = path.basename(path.dirname(file));
      const name = path.basename(file).replace(uuidPattern, (id) => rewriteId(id, copy));
      const target = path.join(options.directory, 'claude-code', `${project}-${copy}`, name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, rewritten);
      summary.claudeCodeBytes += Buffer.byteLength(rewritten);
      summary.files++;
    }
  }
  for (const format of readdirSync(options.fixtures)) {
    if (format === 'claude-code') continue;
    const formatDirectory = path.join(options.fixtures, format);
    if (!statSync(formatDirectory).isDirectory()) continue;
    for (const file of listFiles(formatDirectory)) {
      for (let copy = 0; copy < options.otherCopies; copy++) {
        const target = path.join(
          options.directory,
          format,
          String(copy),
          path.relative(formatDirectory, file),
        );
        mkdirSync(path.dirname(target), { recursive: true });
        // Other formats derive ids from the file path, so a copy in another folder is new sessions.
        const content = readFileSync(file);
        writeFileSync(target, content);
        summary.otherBytes += content.length;
        summary.files++;
      }
    }
  }
  writeFileSync(marker, '');
  return summary;
}
