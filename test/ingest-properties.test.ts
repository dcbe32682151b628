/**
 * Property-based tests (fast-check): real fixtures of every format, mutated at random (cut short, bytes inserted,
 * deleted or flipped, a line repeated), must read without throwing, keep the port's invariants, and, for formats
 * read line by line, keep every event that came before the damage exactly as a clean read gives it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createSessionSources } from '../src/create-reverie.js';
import type { SessionEvent } from '../src/domain/session.js';
import { readAllChunks } from '../src/ingest/session-source.contract.js';
import type { SessionSource } from '../src/ports/session-source.js';
import { fixturesRoot } from './support/workspace.js';

const fixturesDirectory = path.dirname(fixturesRoot.replace(/\/$/, ''));
/** Format-specific fixtures live next to their readers (`src/ingest/<format>/__fixtures__/`). */
const ingestDirectory = path.join(path.dirname(fixturesDirectory), 'src', 'ingest');
const directory = mkdtempSync(path.join(tmpdir(), 'reverie-properties-'));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Formats read line by line from a cursor: damage can only affect what comes after it. */
const lineFormats = new Set(['claude-code', 'codex', 'reverie-jsonl', 'aider']);

interface Fixture {
  path: string;
  source: SessionSource;
  bytes: Buffer;
}

/** Up to two small fixtures per format, each with the source that detects it. */
function collectFixtures(): Fixture[] {
  const sources = createSessionSources();
  const chosen: Fixture[] = [];
  const perFormat = new Map<string, number>();
  const files = [fixturesDirectory, ingestDirectory]
    .flatMap((root) => readdirSync(root, { withFileTypes: true, recursive: true }))
    .filter((entry) => entry.isFile() && !entry.name.startsWith('README') && !entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => statSync(file).size > 200 && statSync(file).size < 400_000)
    .sort();
  for (const file of files) {
    const bytes = readFileSync(file);
    const head = bytes.subarray(0, 16_384).toString('utf8');
    const source = sources.find((candidate) => candidate.isCandidate(file) && candidate.detect(head));
    if (source === undefined) continue;
    const count = perFormat.get(source.format) ?? 0;
    if (count >= 2) continue;
    perFormat.set(source.format, count + 1);
    chosen.push({ path: file, source, bytes });
  }
  return chosen;
}

const fixtures = collectFixtures();

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'repeat-line'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.constantFrom(
        ...['{', '}', '"', '\n', ',', ']', '\u0000'].map((text) => new TextEncoder().encode(text)),
      ),
    ),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('repeat-line' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

/** The mutated bytes and the offset of the first byte that differs from the original. */
function mutate(bytes: Buffer, change: Mutation): { bytes: Buffer; firstChange: number } {
  const at = Math.min(bytes.length - 1, Math.floor(change.at * bytes.length));
  switch (change.kind) {
    case 'truncate':
      return { bytes: bytes.subarray(0, at), firstChange: at };
    case 'insert':
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]),
        firstChange: at,
      };
    case 'delete':
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]),
        firstChange: at,
      };
    case 'flip': {
      const copy = Buffer.from(bytes);
      copy[at] = change.byte;
      return { bytes: copy, firstChange: change.byte === bytes[at] ? bytes.length : at };
    }
    case 'repeat-line': {
      const start = bytes.lastIndexOf(0x0a, at) + 1;
      const end = bytes.indexOf(0x0a, at);
      if (end === -1) return { bytes, firstChange: bytes.length };
      const line = bytes.subarray(start, end + 1);
      return {
        bytes: Buffer.concat([bytes.subarray(0, end + 1), line, bytes.subarray(end + 1)]),
        firstChange: end + 1,
      };
    }
  }
}

function lineOf(bytes: Buffer, offset: number): number {
  let line = 1;
  for (
    let index = bytes.indexOf(0x0a);
    index !== -1 && index < offset;
    index = bytes.indexOf(0x0a, index + 1)
  )
    line++;
  return line;
}

const essence = (events: readonly SessionEvent[]) =>
  events.map((event) => [
    event.id,
    event.kind,
    event.subtype,
    event.text,
    event.toolName,
    event.isError,
    event.source.line,
  ]);

let counter = 0;

describe('ingest under random damage (fast-check)', () => {
  it('covers every format that has a small real fixture', () => {
    expect(new Set(fixtures.map((fixture) => fixture.source.format)).size).toBeGreaterThanOrEqual(11);
  });

  it.each(
    fixtures.map((fixture) => ({
      ...fixture,
      name: `${fixture.source.format}: ${path.basename(fixture.path)}`,
    })),
  )(
    'keeps its invariants on mutated copies of $name',
    async ({ path: fixturePath, source, bytes }) => {
      await fc.assert(
        fc.asyncProperty(mutation, async (change) => {
          const mutated = mutate(bytes, change);
          // Keep the file's name (formats may read meaning into it) in a folder of its own.
          const folder = path.join(directory, String(counter++));
          const file = path.join(folder, path.basename(fixturePath));
          mkdirSync(folder, { recursive: true });
          // The clean read is made at the same path: formats may derive ids from it (aider hashes the path).
          writeFileSync(file, bytes);
          const clean = await readAllChunks(source, file);
          writeFileSync(file, mutated.bytes);
          const result = await readAllChunks(source, file);

          const lines = mutated.bytes.length === 0 ? 0 : lineOf(mutated.bytes, mutated.bytes.length);
          for (const warning of result.warnings) {
            expect(warning.path).toBe(file);
            if ('line' in warning) expect(warning.line).toBeGreaterThanOrEqual(1);
          }
          const ids = new Set<string>();
          const sequences = new Map<string, number>();
          for (const event of result.events) {
            expect(ids.has(event.id)).toBe(false);
            ids.add(event.id);
            expect(result.sessions.has(event.sessionId)).toBe(true);
            const previous = sequences.get(event.sessionId);
            if (previous !== undefined) expect(event.sequence).toBeGreaterThan(previous);
            sequences.set(event.sessionId, event.sequence);
            expect(event.source.line).toBeLessThanOrEqual(Math.max(lines, 1));
          }
          if (lineFormats.has(source.format) && mutated.firstChange < bytes.length) {
            // Events that ended before the damaged line are read exactly as from the clean file. The last event
            // before it may belong to a block the damage runs into, so it is left out.
            const damagedLine = lineOf(bytes, mutated.firstChange);
            const before = clean.events.filter((event) => event.source.line < damagedLine);
            // (A block may give several events, e.g. aider's derived call and its result: all of them.)
            const lastLine = Math.max(0, ...before.map((event) => event.source.line));
            const kept = before.filter((event) => event.source.line < lastLine);
            expect(essence(result.events.slice(0, kept.length))).toEqual(essence(kept));
          }
        }),
        { numRuns: 60, seed: 20261126 },
      );
    },
    120_000,
  );
});
