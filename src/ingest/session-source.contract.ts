/**
 * The suite every log format passes (STYLE section 7): run it from `<format>-session-source.test.ts` with real
 * fixtures. It checks the promises of the `SessionSource` port: valid sessions and events, stable ids, exact
 * resumption from a saved cursor (a grown file, an interrupted ingest), and lenient reading of damaged files.
 */
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it as vitestIt } from 'vitest';
import type { IngestWarning } from '../domain/ingest-warning.js';
import type { EventKind, Session, SessionEvent } from '../domain/session.js';
import type { FileCursor, SessionSource } from '../ports/session-source.js';
import { jsonLinesRecordKit } from './record-kit.js';
import type { RecordKit } from './record-kit.js';

/** Options for {@link runSessionSourceContract}. */
export interface SessionSourceContractOptions {
  /** Shown in the `describe` title. */
  name: string;
  /** A fresh source; `maxChunkLines` forces small chunks so chunk boundaries get exercised. */
  createSource: (options?: { maxChunkLines?: number }) => SessionSource;
  /** Real log files of this format (absolute paths). Each must be fully newline-terminated. */
  fixtures: readonly string[];
  /**
   * The fixture the damage tests cut up (default: the first fixture with at least 6 records that each produce
   * events).
   */
  damageFixture?: string;
  /** Agent passed in read requests (default `contract-agent`). */
  agent?: string;
  /** How this format's files split into records (default: JSON lines). */
  kit?: RecordKit;
  /**
   * Tests this format cannot pass, by title, each with a reason (reviewed like code, as in the Store contract);
   * naming a test that does not exist fails.
   */
  skip?: readonly { reason: string; tests: readonly string[] }[];
}

/** Everything one read produced. */
export interface ReadResult {
  chunks: number;
  /** Session upserts merged the way the store merges them. */
  sessions: Map<string, Session>;
  events: SessionEvent[];
  warnings: IngestWarning[];
  cursors: FileCursor[];
  /** The last chunk's cursor. */
  cursor: FileCursor | null;
}

const eventKinds: readonly EventKind[] = [
  'user-message',
  'assistant-message',
  'tool-call',
  'tool-result',
  'system',
  'other',
];
const unknownRecordType = 'reverie-contract-unknown';

/** Reads a whole file (from `cursor` on) and collects the chunks. */
export async function readAllChunks(
  source: SessionSource,
  path: string,
  options: { agent?: string; cursor?: FileCursor | null } = {},
): Promise<ReadResult> {
  const result: ReadResult = {
    chunks: 0,
    sessions: new Map(),
    events: [],
    warnings: [],
    cursors: [],
    cursor: null,
  };
  for await (const chunk of source.read({
    path,
    agent: options.agent ?? 'contract-agent',
    agentIsExplicit: false,
    cursor: options.cursor ?? null,
  })) {
    result.chunks += 1;
    for (const session of chunk.sessions) {
      result.sessions.set(session.id, mergeSession(result.sessions.get(session.id), session));
    }
    result.events.push(...chunk.events);
    result.warnings.push(...chunk.warnings);
    result.cursors.push(chunk.cursor);
    result.cursor = chunk.cursor;
  }
  return result;
}

/** The store's upsert rule: widen the time range, a new title wins, first cwd/parent stay. */
export function mergeSession(previous: Session | undefined, next: Session): Session {
  if (previous === undefined) return next;
  const earliest = (left: string | null, right: string | null) =>
    left === null ? right : right === null ? left : left < right ? left : right;
  const latest = (left: string | null, right: string | null) =>
    left === null ? right : right === null ? left : left > right ? left : right;
  return {
    ...previous,
    startedAt: earliest(previous.startedAt, next.startedAt),
    endedAt: latest(previous.endedAt, next.endedAt),
    title: next.title ?? previous.title,
    cwd: previous.cwd ?? next.cwd,
    parentSessionId: previous.parentSessionId ?? next.parentSessionId,
    outcome: next.outcome ?? previous.outcome,
  };
}

/**
 * Registers the contract tests for one format.
 *
 * @example
 * runSessionSourceContract({ name: 'claude-code', createSource: (o) => createClaudeCodeSessionSource(o), fixtures });
 */
export function runSessionSourceContract(options: SessionSourceContractOptions): void {
  const agent = options.agent ?? 'contract-agent';
  const kit = options.kit ?? jsonLinesRecordKit;
  const skipped = new Map<string, string>();
  for (const entry of options.skip ?? []) for (const title of entry.tests) skipped.set(title, entry.reason);
  const defined = new Set<string>();
  /** vitest's `it`, unless the format skips the test, or the test needs an appendable format and this one is not. */
  const contractTest = (needsAppendable: boolean) =>
    ((title: string, ...rest: unknown[]) => {
      defined.add(title);
      const reason = skipped.get(title);
      if (reason !== undefined) vitestIt.skip(`${title} (skipped: ${reason})`, ...(rest as []));
      else (needsAppendable && !kit.appendable ? vitestIt.skip : vitestIt)(title, ...(rest as []));
    }) as typeof vitestIt;
  const it = contractTest(false);
  const itAppendable = contractTest(true);
  const read = (source: SessionSource, path: string, cursor: FileCursor | null = null) =>
    readAllChunks(source, path, { agent, cursor });

  describe(`SessionSource contract: ${options.name}`, () => {
    let directory = '';
    let fileCounter = 0;
    // Each file gets its own folder so it keeps the fixture's name (formats may read meaning into names).
    const tempPath = async (name: string) => {
      fileCounter += 1;
      const folder = join(directory, String(fileCounter));
      await mkdir(folder);
      return join(folder, name);
    };

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'reverie-contract-'));
    });
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it('has fixtures', () => {
      expect(options.fixtures.length).toBeGreaterThan(0);
    });

    describe.each(options.fixtures.map((path) => ({ path, name: basename(path) })))(
      'fixture $name',
      ({ path }) => {
        it('yields valid sessions and events with unique ids and increasing sequences', async () => {
          const source = options.createSource();
          const result = await read(source, path);
          expectValidRead(result, { path, format: source.format, size: (await stat(path)).size, agent });
        });

        it('gives the same ids and events when read twice', async () => {
          const first = await read(options.createSource(), path);
          const second = await read(options.createSource(), path);
          expect(second.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
          expect(second.events).toEqual(first.events);
          expect([...second.sessions.values()]).toEqual([...first.sessions.values()]);
          expect(second.warnings).toEqual(first.warnings);
        });

        it('gives the same events in small chunks, and resumes exactly from any chunk cursor', async () => {
          const whole = await read(options.createSource(), path);
          const small = options.createSource({ maxChunkLines: 3 });
          const chunks: { events: SessionEvent[]; cursor: FileCursor }[] = [];
          for await (const chunk of small.read({ path, agent, agentIsExplicit: false, cursor: null })) {
            chunks.push({ events: [...chunk.events], cursor: chunk.cursor });
          }
          expect(chunks.flatMap((chunk) => chunk.events)).toEqual(whole.events);
          const resumeAt = Math.floor(chunks.length / 2);
          const cursor = chunks[resumeAt]?.cursor;
          if (cursor === undefined) return;
          const rest = await read(options.createSource(), path, structuredClone(cursor));
          // A JSON document is read again from the start (its ids are stable, the store keeps no duplicates).
          const expected = kit.appendable
            ? chunks.slice(resumeAt + 1).flatMap((chunk) => chunk.events)
            : whole.events;
          expect(rest.events).toEqual(expected);
        });

        itAppendable('reads a grown file from the saved cursor with no duplicates and no gaps', async () => {
          const lines = splitLines(await readFile(path));
          for (const keep of new Set([1, Math.floor(lines.length / 2), lines.length - 1])) {
            if (keep < 1 || keep >= lines.length) continue;
            const grown = await tempPath(basename(path));
            await writeFile(grown, Buffer.concat(lines.slice(0, keep)));
            const before = await read(options.createSource(), grown);
            expect(before.cursor?.line).toBe(keep);
            await appendFile(grown, Buffer.concat(lines.slice(keep)));
            // The cursor goes through a JSON round trip, as it does through the store.
            const cursor = JSON.parse(JSON.stringify(before.cursor)) as FileCursor;
            const after = await read(options.createSource(), grown, cursor);
            const full = await read(options.createSource(), grown);
            expect([...before.events, ...after.events]).toEqual(full.events);
            expect(mergeAll(before.sessions, after.sessions)).toEqual(full.sessions);
            expect([...before.warnings, ...after.warnings]).toEqual(full.warnings);
          }
        });

        itAppendable(
          'does not consume a half-written last line, and reads it once it is complete',
          async () => {
            const lines = splitLines(await readFile(path));
            const keep = Math.floor(lines.length / 2);
            const partial = lines[keep];
            if (partial === undefined || partial.length < 4) return;
            const cut = Math.floor(partial.length / 2);
            const grown = await tempPath(basename(path));
            await writeFile(grown, Buffer.concat([...lines.slice(0, keep), partial.subarray(0, cut)]));
            const before = await read(options.createSource(), grown);
            expect(before.cursor?.line).toBe(keep);
            expect(before.warnings).toContainEqual({ type: 'truncated-line', path: grown, line: keep + 1 });
            await appendFile(grown, Buffer.concat([partial.subarray(cut), ...lines.slice(keep + 1)]));
            const cursor = JSON.parse(JSON.stringify(before.cursor)) as FileCursor;
            const after = await read(options.createSource(), grown, cursor);
            const full = await read(options.createSource(), grown);
            expect([...before.events, ...after.events]).toEqual(full.events);
            expect(mergeAll(before.sessions, after.sessions)).toEqual(full.sessions);
          },
        );
      },
    );

    describe('damaged files', () => {
      let head: Buffer = Buffer.alloc(0);
      let tail: Buffer = Buffer.alloc(0);
      let good: Buffer[] = [];
      let baseline: ReadResult | null = null;

      /** Reassembles a file from units, with each unit's first line (for the expected warnings). */
      const assemble = (units: readonly Buffer[]) => {
        const pieces: Buffer[] = [head];
        const lines: number[] = [];
        let line = 1 + countNewlines(head);
        units.forEach((unit, index) => {
          if (index > 0) {
            pieces.push(kit.separator);
            line += countNewlines(kit.separator);
          }
          lines.push(line + leadingNewlines(unit));
          pieces.push(unit);
          line += countNewlines(unit);
        });
        pieces.push(tail);
        return { content: Buffer.concat(pieces), lines };
      };

      beforeAll(async () => {
        const candidates = options.damageFixture === undefined ? options.fixtures : [options.damageFixture];
        for (const path of candidates) {
          const parts = kit.split(await readFile(path));
          if (parts.records.length < 6) continue;
          head = parts.head;
          tail = parts.tail;
          const withEvents: Buffer[] = [];
          for (const record of parts.records) {
            const probe = await tempPath(`probe${extname(path)}`);
            await writeFile(probe, Buffer.concat([head, record, tail]));
            if ((await read(options.createSource(), probe)).events.length > 0) withEvents.push(record);
            if (withEvents.length === 6) break;
          }
          if (withEvents.length === 6) {
            good = withEvents;
            break;
          }
        }
        expect(good.length, 'a fixture with 6 records that produce events').toBe(6);
        const path = await tempPath(`baseline${extension}`);
        await writeFile(path, assemble(good).content);
        baseline = await read(options.createSource(), path);
        expect(baseline.warnings).toEqual([]);
      });

      const extension = extname(options.damageFixture ?? options.fixtures[0] ?? '.jsonl');

      /** What must survive damage: every event of the good records, in order (ids may follow line numbers). */
      const essence = (events: readonly SessionEvent[]) =>
        events
          .filter((event) => event.subtype !== unknownRecordType)
          .map((event) => [event.kind, event.subtype, event.text, event.toolName, event.isError]);

      const damaged = async (name: string, content: Buffer) => {
        const path = await tempPath(`${name}${extension}`);
        await writeFile(path, content);
        return { path, result: await read(options.createSource(), path) };
      };

      it('warns about a truncated last record with its line number and keeps every earlier record', async () => {
        const intact = await damaged('intact', assemble(good.slice(0, 5)).content);
        const whole = assemble(good);
        const cutAt = whole.content.length - tail.length - Math.ceil(good[5]!.length / 2);
        const { path, result } = await damaged('truncated', whole.content.subarray(0, cutAt));
        expect(result.warnings).toHaveLength(1);
        expect(['truncated-line', 'invalid-json']).toContain(result.warnings[0]?.type);
        expect(result.warnings[0]).toMatchObject({ path });
        expect((result.warnings[0] as { line: number }).line).toBeGreaterThanOrEqual(whole.lines[5]!);
        const kept = (events: readonly SessionEvent[]) =>
          events.filter((event) => event.source.line < whole.lines[5]!);
        expect(essence(kept(result.events))).toEqual(essence(kept(intact.result.events)));
      });

      it('warns about junk between records with its line number and keeps the rest', async () => {
        const file = assemble([...good.slice(0, 2), kit.junk, ...good.slice(2)]);
        const { path, result } = await damaged('junk', file.content);
        expect(result.warnings).toHaveLength(1);
        expect(result.warnings[0]).toMatchObject({ path, line: file.lines[2] });
        expect(['invalid-json', 'invalid-record']).toContain(result.warnings[0]?.type);
        expect(essence(result.events)).toEqual(essence(baseline!.events));
      });

      it('warns about binary garbage with its line number and keeps the rest', async () => {
        const file = assemble([...good.slice(0, 3), kit.binaryJunk, ...good.slice(3)]);
        const { path, result } = await damaged('binary', file.content);
        expect(result.warnings).toEqual([{ type: 'binary-content', path, line: file.lines[3] }]);
        expect(essence(result.events)).toEqual(essence(baseline!.events));
      });

      it('warns about a record with invalid UTF-8 spliced into it and keeps the others', async () => {
        const third = Buffer.from(good[2]!);
        third[Math.floor(third.length / 2)] = 0xff;
        const file = assemble([...good.slice(0, 2), third, ...good.slice(3)]);
        const { path, result } = await damaged('spliced', file.content);
        expect(result.warnings).toEqual([{ type: 'binary-content', path, line: file.lines[2] }]);
        const others = assemble([...good.slice(0, 2), ...good.slice(3)]);
        const expected = await damaged('without-third', others.content);
        expect(essence(result.events)).toEqual(essence(expected.result.events));
      });

      it('keeps an unknown record type as an `other` event with an `unknown-record` warning', async (context) => {
        const unknown = kit.withUnknownType(good[1]!, unknownRecordType);
        if (unknown === null) {
          context.skip('this format has no record types');
          return;
        }
        const file = assemble([...good.slice(0, 2), unknown, ...good.slice(2)]);
        const { path, result } = await damaged('unknown', file.content);
        expect(result.warnings).toEqual([
          { type: 'unknown-record', path, line: file.lines[2], recordType: unknownRecordType },
        ]);
        const others = result.events.filter((event) => event.subtype === unknownRecordType);
        expect(others.length).toBeGreaterThanOrEqual(1);
        expect(others[0]).toMatchObject({ kind: 'other' });
        expect(essence(result.events)).toEqual(essence(baseline!.events));
      });

      it('reads CRLF line endings like LF', async () => {
        const crlf = Buffer.from(
          assemble(good).content.toString('latin1').replace(/\r?\n/g, '\r\n'),
          'latin1',
        );
        const { result } = await damaged('crlf', crlf);
        expect(result.warnings).toEqual([]);
        expect(essence(result.events)).toEqual(essence(baseline!.events));
      });

      itAppendable(
        'warns about a record cut short in the middle of the file and keeps the rest',
        async () => {
          const second = good[1]!;
          const cut = Buffer.concat([second.subarray(0, Math.floor(second.length / 2)), Buffer.from('\n')]);
          const file = assemble([good[0]!, cut, ...good.slice(2)]);
          const { path, result } = await damaged('cut-middle', file.content);
          expect(result.warnings).toHaveLength(1);
          expect(result.warnings[0]).toMatchObject({ path, line: file.lines[1] });
          const others = await damaged('without-second', assemble([good[0]!, ...good.slice(2)]).content);
          expect(essence(result.events)).toEqual(essence(others.result.events));
        },
      );

      itAppendable('skips blank lines silently', async () => {
        const file = assemble([Buffer.from('\n'), good[0]!, Buffer.from('   \r\n'), ...good.slice(1)]);
        const { result } = await damaged('blank', file.content);
        expect(result.warnings).toEqual([]);
        expect(essence(result.events)).toEqual(essence(baseline!.events));
      });

      it('yields one chunk with an `empty-file` warning and no session for an empty file', async () => {
        const { path, result } = await damaged('empty', Buffer.alloc(0));
        expect(result.chunks).toBe(1);
        expect(result.warnings).toEqual([{ type: 'empty-file', path }]);
        expect(result.sessions.size).toBe(0);
        expect(result.events).toEqual([]);
        expect(result.cursor).toMatchObject({ offset: 0, line: 0 });
      });

      itAppendable(
        'yields one chunk and keeps the cursor when nothing was added since the last read',
        async () => {
          const { path, result } = await damaged('unchanged', assemble(good).content);
          const again = await read(options.createSource(), path, result.cursor);
          expect(again.chunks).toBe(1);
          expect(again.events).toEqual([]);
          expect(again.warnings).toEqual([]);
          expect(again.cursor).toMatchObject({ offset: result.cursor!.offset, line: result.cursor!.line });
        },
      );

      it('reports a missing file as an `unreadable-file` warning instead of throwing', async () => {
        const path = join(directory, `does-not-exist${extension}`);
        const result = await read(options.createSource(), path);
        expect(result.warnings).toEqual([
          { type: 'unreadable-file', path, message: expect.any(String) as string },
        ]);
        expect(result.events).toEqual([]);
      });

      it('treats a cursor whose state it did not write as "read from the start"', async () => {
        const { path } = await damaged('foreign-cursor', assemble(good).content);
        const result = await read(options.createSource(), path, {
          offset: 10,
          line: 1,
          state: { foreign: true },
        });
        expect(essence(result.events)).toEqual(essence(baseline!.events));
      });
    });

    vitestIt('skips only tests that exist', () => {
      expect([...skipped.keys()].filter((title) => !defined.has(title))).toEqual([]);
    });
  });
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let index = bytes.indexOf(0x0a); index !== -1; index = bytes.indexOf(0x0a, index + 1)) count++;
  return count;
}

/** Newlines before a unit's first non-whitespace byte (a record may start with a line break). */
function leadingNewlines(bytes: Buffer): number {
  let count = 0;
  for (const byte of bytes) {
    if (byte === 0x0a) count++;
    else if (byte !== 0x20 && byte !== 0x0d && byte !== 0x09) break;
  }
  return count;
}

/** Splits a file into its lines, each keeping its `\n`. */
export function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let index = bytes.indexOf(0x0a); index !== -1; index = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, index + 1));
    start = index + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

function mergeAll(...maps: Map<string, Session>[]): Map<string, Session> {
  const merged = new Map<string, Session>();
  for (const map of maps) {
    for (const session of map.values()) merged.set(session.id, mergeSession(merged.get(session.id), session));
  }
  return merged;
}

/** Asserts the invariants of the port on one read. */
export function expectValidRead(
  result: ReadResult,
  expected: { path: string; format: string; size: number | null; agent: string },
): void {
  const isTime = (value: string | null) => value === null || !Number.isNaN(Date.parse(value));
  for (const session of result.sessions.values()) {
    expect(session.id.length).toBeGreaterThan(0);
    expect(session.format).toBe(expected.format);
    expect(session.sourcePath).toBe(expected.path);
    expect(typeof session.agent).toBe('string');
    expect(session.agent.length).toBeGreaterThan(0);
    expect(isTime(session.startedAt) && isTime(session.endedAt)).toBe(true);
    if (session.startedAt !== null && session.endedAt !== null) {
      expect(Date.parse(session.startedAt)).toBeLessThanOrEqual(Date.parse(session.endedAt));
    }
    expect(session.parentSessionId === null || session.parentSessionId.length > 0).toBe(true);
  }
  const ids = new Set<string>();
  const lastSequence = new Map<string, number>();
  for (const event of result.events) {
    expect(ids.has(event.id), `duplicate event id ${event.id}`).toBe(false);
    ids.add(event.id);
    expect(result.sessions.has(event.sessionId), `event ${event.id} has no session upsert`).toBe(true);
    expect(Number.isSafeInteger(event.sequence)).toBe(true);
    const previous = lastSequence.get(event.sessionId);
    if (previous !== undefined) expect(event.sequence, `sequence of ${event.id}`).toBeGreaterThan(previous);
    lastSequence.set(event.sessionId, event.sequence);
    expect(eventKinds).toContain(event.kind);
    expect(typeof event.text).toBe('string');
    expect(isTime(event.timestamp)).toBe(true);
    expect(event.source.path).toBe(expected.path);
    expect(event.source.line).toBeGreaterThanOrEqual(1);
    expect(typeof event.isError).toBe('boolean');
    if (event.isRejection) expect(event.isError).toBe(true);
    if (event.kind !== 'tool-call' && event.kind !== 'tool-result') {
      expect(event.toolCallId).toBeNull();
    }
  }
  for (const warning of result.warnings) {
    expect(warning.path).toBe(expected.path);
    if ('line' in warning) expect(warning.line).toBeGreaterThanOrEqual(1);
  }
  let offset = 0;
  for (const cursor of result.cursors) {
    expect(cursor.offset).toBeGreaterThanOrEqual(offset);
    offset = cursor.offset;
    // The cursor is stored as JSON: it must survive a round trip unchanged.
    expect(JSON.parse(JSON.stringify(cursor))).toEqual(cursor);
  }
  if (expected.size !== null) expect(result.cursor?.offset).toBe(expected.size);
}
