/**
 * Use-case step: what the memory-hygiene miner needs to know about one memory file, read from its version history
 * and the proposals applied to it: each entry's text with when it was written and by whom (Reverie or a person),
 * and the hand-written lines with when they appeared.
 */
import type { Finding } from '../domain/finding.js';
import type { MemoryVersion } from '../domain/memory-version.js';
import type { Proposal } from '../domain/proposal.js';
import { parseMemoryDocument } from '../memory/memory-document.js';
import { listHandWrittenLines } from '../mining/find-memory-hygiene.js';
import type { MemoryFileSnapshot, RecordedMemoryEntry } from '../mining/find-memory-hygiene.js';
import type { AppContext } from './app-context.js';

/** How far back the history is read to date an entry: older text is dated by the oldest version read. */
const maxVersionsRead = 500;

const kindByIdPrefix: readonly [string, Finding['kind']][] = [
  ['err-', 'recurring-tool-error'],
  ['corr-', 'user-correction'],
  ['workflow-', 'workflow'],
  ['contrast-', 'outcome-contrast'],
  ['hyg-', 'memory-hygiene'],
];

/** The kind of finding a finding id belongs to (ids carry their miner's prefix). */
export function findingKindOfId(id: string): Finding['kind'] | null {
  return kindByIdPrefix.find(([prefix]) => id.startsWith(prefix))?.[1] ?? null;
}

/** The newest applied proposal that gave entry `entryId` the text `text`. */
function writerOf(applied: readonly Proposal[], entryId: string, text: string): Proposal | null {
  let writer: Proposal | null = null;
  for (const proposal of applied) {
    for (const edit of proposal.edits) {
      if (edit.op === 'remove') continue;
      const id = edit.op === 'supersede' ? edit.newEntryId : edit.entryId;
      if (id === entryId && edit.text.trim() === text) {
        if (writer === null || (proposal.decidedAt ?? '') >= (writer.decidedAt ?? '')) writer = proposal;
      }
    }
  }
  return writer;
}

/**
 * When a piece of text last appeared in the file and stayed: the creation time of the oldest version in the
 * unbroken run of versions, up to the current one, whose content has it.
 */
function datedBy(
  versions: readonly MemoryVersion[],
  has: (version: MemoryVersion) => boolean,
  fallback: string,
): string {
  let since: string | null = null;
  for (let index = versions.length - 1; index >= 0; index--) {
    const version = versions[index];
    if (version === undefined || !has(version)) break;
    since = version.createdAt;
  }
  return since ?? fallback;
}

/**
 * Builds the hygiene miner's view of one memory file.
 * @param input.content the file's current content (what the dream plans against)
 * @param input.proposals every proposal of this file (only applied ones are read)
 * @param input.sessionsInWindow sessions of the agents the file serves, in the retention window
 * @param input.now the dream's time: text the history cannot date counts as written now (never stale)
 */
export async function snapshotMemoryFile(
  context: AppContext,
  input: {
    path: string;
    agent: string | null;
    content: string;
    proposals: readonly Proposal[];
    sessionsInWindow: number;
    now: string;
  },
): Promise<MemoryFileSnapshot> {
  const versions = (await context.store.listMemoryVersions(input.path)).slice(-maxVersionsRead);
  const parsed = new Map<number, ReturnType<typeof parseMemoryDocument>>();
  const documentOf = (version: MemoryVersion): ReturnType<typeof parseMemoryDocument> => {
    let document = parsed.get(version.version);
    if (document === undefined) {
      document = parseMemoryDocument(version.content);
      parsed.set(version.version, document);
    }
    return document;
  };
  const lineSets = new Map<number, Set<string>>();
  const linesOf = (version: MemoryVersion): Set<string> => {
    let lines = lineSets.get(version.version);
    if (lines === undefined) {
      lines = new Set(version.content.split('\n').map((line) => line.trimEnd()));
      lineSets.set(version.version, lines);
    }
    return lines;
  };

  const applied = input.proposals.filter((proposal) => proposal.status === 'applied');
  const document = parseMemoryDocument(input.content);
  const entries: RecordedMemoryEntry[] = document.entries.map((entry) => {
    const writer = writerOf(applied, entry.id, entry.text);
    const findingKey = writer?.findingIds[0] ?? null;
    return {
      id: entry.id,
      text: entry.text,
      writtenAt: datedBy(
        versions,
        (version) =>
          documentOf(version).entries.some(
            (candidate) => candidate.id === entry.id && candidate.text === entry.text,
          ),
        input.now,
      ),
      writtenBy: writer === null ? 'person' : 'reverie',
      findingKey,
      findingKind: findingKey === null ? null : findingKindOfId(findingKey),
    };
  });
  const handWrittenLines = listHandWrittenLines(document).map((line) => ({
    ...line,
    writtenAt:
      versions.length === 0
        ? null
        : datedBy(versions, (version) => linesOf(version).has(line.text.trimEnd()), input.now),
  }));
  return {
    path: input.path,
    agent: input.agent,
    entries,
    handWrittenLines,
    sessionsInWindow: input.sessionsInWindow,
  };
}
