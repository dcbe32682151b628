/**
 * The behaviour every Store adapter must have. Each adapter's test file calls `runStoreContract`; an adapter that
 * cannot pass a test declares it in `skip` with a reason, reviewed like code.
 */
import { createHash } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import type { DreamRun } from '../domain/dream-run.js';
import type { ReverieError, ReverieErrorCode } from '../domain/errors.js';
import { isReverieError } from '../domain/errors.js';
import type { Proposal, ProposalStatus } from '../domain/proposal.js';
import type { Session, SessionEvent } from '../domain/session.js';
import type {
  IngestChunk,
  IngestChunkResult,
  MemoryVersionDraft,
  SourceFileState,
  Store,
} from '../ports/store.js';

/** Tests an adapter does not run, and why. Test names are `<group> > <test>`, as printed by the suite. */
export interface StoreContractSkip {
  reason: string;
  tests: readonly string[];
}

/** Options of {@link runStoreContract}. */
export interface StoreContractOptions {
  /** Adapter name, shown in the suite title. */
  name: string;
  /** A new, empty store; called once per test. The suite closes it after the test. */
  createStore: () => Promise<Store> | Store;
  skip?: readonly StoreContractSkip[];
}

type ContractTest = (title: string, body: () => Promise<void>) => void;

/**
 * Defines the Store contract suite (vitest `describe`/`it` blocks) for one adapter.
 *
 * @param options.createStore makes a fresh, empty store for each test.
 * @param options.skip tests this adapter does not run, each with a reason; naming a test that does not exist fails.
 * @example
 * describe('SqliteStore', () => {
 *   runStoreContract({ name: 'sqlite :memory:', createStore: () => createSqliteStore({ path: ':memory:' }) });
 * });
 */
export function runStoreContract(options: StoreContractOptions): void {
  const skipped = new Map<string, string>();
  for (const entry of options.skip ?? []) for (const test of entry.tests) skipped.set(test, entry.reason);
  const defined = new Set<string>();
  const opened: Store[] = [];

  async function open(): Promise<Store> {
    const store = await options.createStore();
    opened.push(store);
    return store;
  }

  function group(name: string, body: (test: ContractTest) => void): void {
    describe(name, () => {
      body((title, testBody) => {
        const key = `${name} > ${title}`;
        defined.add(key);
        const reason = skipped.get(key);
        if (reason === undefined) it(title, testBody);
        else it.skip(`${title} (skipped: ${reason})`, testBody);
      });
    });
  }

  describe(`Store contract: ${options.name}`, () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    group('ingest', (test) => {
      test('saves a chunk and reports the sessions and events it added', async () => {
        const store = await open();
        const result = await saveChunk(store, {
          sessions: [makeSession({ id: 's1' }), makeSession({ id: 's2' })],
          events: [
            makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 }),
            makeEvent({ id: 'e2', sessionId: 's1', sequence: 2 }),
            makeEvent({ id: 'e3', sessionId: 's2', sequence: 1 }),
          ],
          file: makeSourceFile(),
        });
        expect(result).toEqual({ sessionsAdded: 2, eventsAdded: 3 });
        expect(await store.countSessions()).toEqual({ sessions: 2, events: 3 });
        expect(await store.getSession('s1')).toEqual(makeSession({ id: 's1', eventCount: 2 }));
      });

      test('adds nothing when the same chunk is saved again', async () => {
        const store = await open();
        const chunk = {
          sessions: [makeSession({ id: 's1' })],
          events: [
            makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 }),
            makeEvent({ id: 'e2', sessionId: 's1', sequence: 2 }),
          ],
          file: makeSourceFile(),
        };
        await saveChunk(store, chunk);
        expect(await saveChunk(store, chunk)).toEqual({ sessionsAdded: 0, eventsAdded: 0 });
        expect(await store.countSessions()).toEqual({ sessions: 1, events: 2 });
        expect((await store.getSession('s1'))?.eventCount).toBe(2);
      });

      test('counts the events it inserted and ignores the incoming event count', async () => {
        const store = await open();
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1', eventCount: 99 })],
          events: [makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 })],
          file: makeSourceFile(),
        });
        const second = await saveChunk(store, {
          sessions: [makeSession({ id: 's1', eventCount: 42 })],
          events: [
            makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 }),
            makeEvent({ id: 'e2', sessionId: 's1', sequence: 2 }),
            makeEvent({ id: 'e2', sessionId: 's1', sequence: 2 }),
          ],
          file: makeSourceFile(),
        });
        expect(second).toEqual({ sessionsAdded: 0, eventsAdded: 1 });
        expect((await store.getSession('s1'))?.eventCount).toBe(2);
      });

      test('adds events to a session saved by an earlier chunk', async () => {
        const store = await open();
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1' })],
          events: [makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 })],
          file: makeSourceFile({ cursor: { offset: 100, line: 1, state: null } }),
        });
        const result = await saveChunk(store, {
          sessions: [],
          events: [makeEvent({ id: 'e2', sessionId: 's1', sequence: 2 })],
          file: makeSourceFile({ cursor: { offset: 200, line: 2, state: null } }),
        });
        expect(result).toEqual({ sessionsAdded: 0, eventsAdded: 1 });
        expect((await store.getSession('s1'))?.eventCount).toBe(2);
      });

      test('does not add an event whose id is already stored under another session', async () => {
        const store = await open();
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1' })],
          events: [makeEvent({ id: 'e1', sessionId: 's1', sequence: 1, text: 'first' })],
          file: makeSourceFile(),
        });
        const result = await saveChunk(store, {
          sessions: [makeSession({ id: 's2' })],
          events: [makeEvent({ id: 'e1', sessionId: 's2', sequence: 1, text: 'second' })],
          file: makeSourceFile(),
        });
        expect(result).toEqual({ sessionsAdded: 1, eventsAdded: 0 });
        expect((await store.getSession('s2'))?.eventCount).toBe(0);
        const [event] = await store.getEvents(['e1']);
        expect(event).toMatchObject({ sessionId: 's1', text: 'first' });
      });

      test('keeps the outcome a log gives a session, and a later chunk without one does not erase it', async () => {
        const store = await open();
        const outcome = { passed: false, score: 0, source: 'log' as const, name: 'reward', detail: null };
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1', outcome })],
          events: [],
          file: makeSourceFile(),
        });
        expect((await store.getSession('s1'))?.outcome).toEqual(outcome);
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1' })],
          events: [],
          file: makeSourceFile(),
        });
        expect((await store.getSession('s1'))?.outcome).toEqual(outcome);
        const passed = { ...outcome, passed: true, score: 1 };
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1', outcome: passed })],
          events: [],
          file: makeSourceFile(),
        });
        expect((await store.listSessions())[0]?.outcome).toEqual(passed);
        expect((await store.loadSessionsWithEvents())[0]?.outcome).toEqual(passed);
      });

      test('records outcomes append-only and lists them per session, oldest first', async () => {
        const store = await open();
        const base = {
          sessionId: 's1',
          source: 'cli' as const,
          name: 'manual',
          passed: true,
          score: null,
          detail: 'shipped',
          criteria: null,
          eventCount: null,
          recordedBy: 'ana',
        };
        await store.recordOutcome({ ...base, id: 'o2', recordedAt: '2025-01-02T00:00:00.000Z' });
        await store.recordOutcome({
          ...base,
          id: 'o1',
          sessionId: 's2',
          source: 'grader',
          passed: null,
          score: 0.5,
          criteria: [{ criterion: 'tool used: Bash', passed: null, detail: 'é' }],
          eventCount: 7,
          recordedAt: '2025-01-01T00:00:00.000Z',
        });
        expect((await store.listOutcomes()).map((record) => record.id)).toEqual(['o1', 'o2']);
        expect(await store.listOutcomes({ sessionIds: ['s2'] })).toEqual([
          {
            ...base,
            id: 'o1',
            sessionId: 's2',
            source: 'grader',
            passed: null,
            score: 0.5,
            criteria: [{ criterion: 'tool used: Bash', passed: null, detail: 'é' }],
            eventCount: 7,
            recordedAt: '2025-01-01T00:00:00.000Z',
          },
        ]);
        await expect(
          store.recordOutcome({ ...base, id: 'o2', recordedAt: '2025-01-03T00:00:00.000Z' }),
        ).rejects.toMatchObject({
          code: 'STORE_FAILED',
        });
      });

      test('keeps digests per miner and version, and replaces them', async () => {
        const store = await open();
        await store.saveDigests({
          miner: 'tool-errors',
          version: 1,
          digests: [
            { sessionId: 's1', eventCount: 3, digest: { occurrences: [{ quote: 'é' }] } },
            { sessionId: 's2', eventCount: 5, digest: { occurrences: [] } },
          ],
        });
        const found = await store.getDigests({
          miner: 'tool-errors',
          version: 1,
          sessionIds: ['s1', 's2', 's3'],
        });
        expect([...found.entries()]).toEqual([
          ['s1', { eventCount: 3, digest: { occurrences: [{ quote: 'é' }] } }],
          ['s2', { eventCount: 5, digest: { occurrences: [] } }],
        ]);
        expect((await store.getDigests({ miner: 'tool-errors', version: 2, sessionIds: ['s1'] })).size).toBe(
          0,
        );
        expect((await store.getDigests({ miner: 'other', version: 1, sessionIds: ['s1'] })).size).toBe(0);
        await store.saveDigests({
          miner: 'tool-errors',
          version: 2,
          digests: [{ sessionId: 's1', eventCount: 4, digest: 'new' }],
        });
        expect(await store.getDigests({ miner: 'tool-errors', version: 2, sessionIds: ['s1'] })).toEqual(
          new Map([['s1', { eventCount: 4, digest: 'new' }]]),
        );
        expect((await store.getDigests({ miner: 'tool-errors', version: 1, sessionIds: ['s1'] })).size).toBe(
          0,
        );
      });

      test('filters sessions by id', async () => {
        const store = await open();
        await saveChunk(store, {
          sessions: [makeSession({ id: 'a' }), makeSession({ id: 'b' }), makeSession({ id: 'c' })],
          events: [],
          file: makeSourceFile(),
        });
        expect((await store.listSessions({ sessionIds: ['c', 'a'] })).map((session) => session.id)).toEqual([
          'a',
          'c',
        ]);
        expect(
          (await store.loadSessionsWithEvents({ sessionIds: ['b'] })).map((session) => session.id),
        ).toEqual(['b']);
        expect(await store.listSessions({ sessionIds: [] })).toEqual([]);
      });

      test('merges a session seen again: widens its time range and fills what was unknown', async () => {
        const store = await open();
        await saveChunk(store, {
          sessions: [
            makeSession({
              id: 's1',
              title: null,
              cwd: '/work/app',
              parentSessionId: null,
              startedAt: '2025-01-10T09:00:00.000Z',
              endedAt: '2025-01-10T09:30:00.000Z',
            }),
          ],
          events: [],
          file: makeSourceFile(),
        });
        await saveChunk(store, {
          sessions: [
            makeSession({
              id: 's1',
              agent: 'other-agent',
              sourcePath: '/logs/elsewhere.jsonl',
              title: 'Fix the flaky test',
              cwd: '/somewhere/else',
              parentSessionId: 'root',
              startedAt: '2025-01-10T08:00:00.000Z',
              endedAt: '2025-01-10T10:00:00.000Z',
            }),
          ],
          events: [],
          file: makeSourceFile(),
        });
        expect(await store.getSession('s1')).toEqual(
          makeSession({
            id: 's1',
            title: 'Fix the flaky test',
            cwd: '/work/app',
            parentSessionId: 'root',
            startedAt: '2025-01-10T08:00:00.000Z',
            endedAt: '2025-01-10T10:00:00.000Z',
          }),
        );
      });

      test('keeps stored values a later sighting does not know', async () => {
        const store = await open();
        await saveChunk(store, {
          sessions: [
            makeSession({
              id: 's1',
              title: 'Original title',
              cwd: null,
              parentSessionId: 'root',
              startedAt: '2025-01-10T09:00:00.000Z',
              endedAt: '2025-01-10T09:30:00.000Z',
            }),
          ],
          events: [],
          file: makeSourceFile(),
        });
        await saveChunk(store, {
          sessions: [
            makeSession({
              id: 's1',
              title: null,
              cwd: '/work/app',
              parentSessionId: 'other-root',
              startedAt: null,
              endedAt: '2025-01-10T09:10:00.000Z',
            }),
          ],
          events: [],
          file: makeSourceFile(),
        });
        expect(await store.getSession('s1')).toMatchObject({
          title: 'Original title',
          cwd: '/work/app',
          parentSessionId: 'root',
          startedAt: '2025-01-10T09:00:00.000Z',
          endedAt: '2025-01-10T09:30:00.000Z',
        });
      });

      test('fills a time range from a later sighting when the first had none', async () => {
        const store = await open();
        const untimed = makeSession({ id: 's1', startedAt: null, endedAt: null });
        await saveChunk(store, { sessions: [untimed], events: [], file: makeSourceFile() });
        await saveChunk(store, {
          sessions: [
            { ...untimed, startedAt: '2025-01-10T09:00:00.000Z', endedAt: '2025-01-10T09:05:00.000Z' },
          ],
          events: [],
          file: makeSourceFile(),
        });
        expect(await store.getSession('s1')).toMatchObject({
          startedAt: '2025-01-10T09:00:00.000Z',
          endedAt: '2025-01-10T09:05:00.000Z',
        });
      });

      test('saves the source file state and replaces it on the next chunk', async () => {
        const store = await open();
        expect(await store.getSourceFile('/logs/a.jsonl')).toBeNull();
        const first = makeSourceFile({
          cursor: { offset: 512, line: 4, state: { openMessages: ['m1'], depth: 2, note: null } },
        });
        await saveChunk(store, { sessions: [], events: [], file: first });
        expect(await store.getSourceFile('/logs/a.jsonl')).toEqual(first);
        const second = makeSourceFile({
          size: 4096,
          mtimeMs: 1736500000123.5,
          headHash: 'b'.repeat(64),
          headBytes: 1024,
          cursor: { offset: 4096, line: 30, state: null },
          updatedAt: '2025-01-10T11:00:00.000Z',
        });
        await saveChunk(store, { sessions: [], events: [], file: second });
        expect(await store.getSourceFile('/logs/a.jsonl')).toEqual(second);
      });

      test('saves a batch of chunks in order, one result each, events joining sessions of earlier chunks', async () => {
        const store = await open();
        const results = await store.saveIngestChunks([
          {
            sessions: [makeSession({ id: 's1' })],
            events: [makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 })],
            file: makeSourceFile(),
          },
          {
            sessions: [],
            events: [
              makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 }),
              makeEvent({ id: 'e2', sessionId: 's1', sequence: 2 }),
            ],
            file: makeSourceFile({ path: '/logs/b.jsonl' }),
          },
        ]);
        expect(results).toEqual([
          { sessionsAdded: 1, eventsAdded: 1 },
          { sessionsAdded: 0, eventsAdded: 1 },
        ]);
        expect((await store.getSession('s1'))?.eventCount).toBe(2);
        expect(await store.getSourceFile('/logs/b.jsonl')).not.toBeNull();
      });

      test('saves nothing of a batch when one of its chunks is bad', async () => {
        const store = await open();
        await rejection(
          store.saveIngestChunks([
            { sessions: [makeSession({ id: 's1' })], events: [], file: makeSourceFile() },
            {
              sessions: [],
              events: [makeEvent({ id: 'e2', sessionId: 'ghost', sequence: 1 })],
              file: makeSourceFile({ path: '/logs/b.jsonl' }),
            },
          ]),
          'STORE_FAILED',
        );
        expect(await store.countSessions()).toEqual({ sessions: 0, events: 0 });
        expect(await store.getSourceFile('/logs/a.jsonl')).toBeNull();
      });

      test('rejects an event of an unknown session and saves nothing of the chunk', async () => {
        const store = await open();
        const error = await rejection(
          saveChunk(store, {
            sessions: [makeSession({ id: 's1' })],
            events: [
              makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 }),
              makeEvent({ id: 'e2', sessionId: 'ghost', sequence: 1 }),
            ],
            file: makeSourceFile(),
          }),
          'STORE_FAILED',
        );
        expect(error.data).toMatchObject({ eventId: 'e2', sessionId: 'ghost' });
        expect(await store.countSessions()).toEqual({ sessions: 0, events: 0 });
        expect(await store.getSourceFile('/logs/a.jsonl')).toBeNull();
      });

      test('round-trips every event field', async () => {
        const store = await open();
        const call = makeEvent({
          id: 'e1',
          sessionId: 's1',
          sequence: 10,
          kind: 'tool-call',
          subtype: null,
          timestamp: '2025-01-10T09:01:00.000Z',
          text: 'Edit src/app.ts',
          messageId: 'msg_01',
          toolName: 'Edit',
          toolCallId: 'toolu_01',
          toolInput: {
            file_path: '/work/app/src/app.ts',
            replace_all: false,
            edits: [{ old: 'a', new: 'b' }],
          },
        });
        const result = makeEvent({
          id: 'e2',
          sessionId: 's1',
          sequence: 11,
          kind: 'tool-result',
          subtype: 'api-error',
          timestamp: null,
          text: 'Error: String to replace not found in file.\r\n\tat line 3 \u{1F600}',
          messageId: null,
          toolName: 'Edit',
          toolCallId: 'toolu_01',
          toolInput: null,
          isError: true,
          isRejection: true,
          source: { path: '/logs/a.jsonl', line: 12 },
        });
        const scalarInput = makeEvent({ id: 'e3', sessionId: 's1', sequence: 12, toolInput: 'ls -la' });
        // A call whose text is its input as JSON (as most readers write it), and a text that only looks like one.
        const input = { command: 'npm test', timeout: 60_000 };
        const textIsInput = makeEvent({
          id: 'e4',
          sessionId: 's1',
          sequence: 13,
          text: JSON.stringify(input),
          toolInput: input,
        });
        const textLikeMarker = makeEvent({
          id: 'e5',
          sessionId: 's1',
          sequence: 14,
          text: '=',
          toolInput: '=',
        });
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1' })],
          events: [call, result, scalarInput, textIsInput, textLikeMarker],
          file: makeSourceFile(),
        });
        const stored = await store.getEvents(['e1', 'e2', 'e3', 'e4', 'e5']);
        expect(sortById(stored)).toEqual([call, result, scalarInput, textIsInput, textLikeMarker]);
      });
    });

    group('sessions', (test) => {
      test('returns null for an unknown session', async () => {
        const store = await open();
        expect(await store.getSession('nope')).toBeNull();
      });

      test('lists sessions by start time, then id, with sessions of unknown start last', async () => {
        const store = await open();
        await saveSessions(store, [
          makeSession({ id: 'c', startedAt: '2025-01-10T09:00:00.000Z', endedAt: null }),
          makeSession({ id: 'z', startedAt: null, endedAt: null }),
          makeSession({ id: 'b', startedAt: '2025-01-10T09:00:00.000Z', endedAt: null }),
          makeSession({ id: 'y', startedAt: null, endedAt: '2025-01-09T00:00:00.000Z' }),
          makeSession({ id: 'a', startedAt: '2025-01-11T09:00:00.000Z', endedAt: null }),
          makeSession({ id: 'd', startedAt: '2025-01-02T09:00:00.000Z', endedAt: null }),
        ]);
        expect(ids(await store.listSessions())).toEqual(['d', 'b', 'c', 'a', 'y', 'z']);
      });

      test('filters by agent', async () => {
        const store = await open();
        await saveSessions(store, [
          makeSession({ id: 's1', agent: 'coder' }),
          makeSession({ id: 's2', agent: 'reviewer' }),
          makeSession({ id: 's3', agent: 'writer' }),
        ]);
        expect(ids(await store.listSessions({ agents: ['coder', 'writer'] }))).toEqual(['s1', 's3']);
        expect(await store.listSessions({ agents: [] })).toEqual([]);
      });

      test('keeps sessions that ended or started at or after `since`, and sessions with no time at all', async () => {
        const store = await open();
        const since = '2025-01-10T00:00:00.000Z';
        await saveSessions(store, [
          makeSession({
            id: 'ended-before',
            startedAt: '2025-01-01T00:00:00.000Z',
            endedAt: '2025-01-02T00:00:00.000Z',
          }),
          makeSession({ id: 'ended-at-since', startedAt: '2025-01-01T00:00:00.000Z', endedAt: since }),
          makeSession({ id: 'started-after', startedAt: '2025-01-11T00:00:00.000Z', endedAt: null }),
          makeSession({ id: 'started-before', startedAt: '2025-01-05T00:00:00.000Z', endedAt: null }),
          makeSession({ id: 'only-end-after', startedAt: null, endedAt: '2025-01-12T00:00:00.000Z' }),
          makeSession({ id: 'timeless', startedAt: null, endedAt: null }),
        ]);
        expect(ids(await store.listSessions({ since }))).toEqual([
          'ended-at-since',
          'started-after',
          'only-end-after',
          'timeless',
        ]);
      });

      test('combines filters and applies the limit after ordering', async () => {
        const store = await open();
        await saveSessions(store, [
          makeSession({ id: 's3', agent: 'coder', startedAt: '2025-01-13T00:00:00.000Z', endedAt: null }),
          makeSession({ id: 's1', agent: 'coder', startedAt: '2025-01-11T00:00:00.000Z', endedAt: null }),
          makeSession({ id: 's2', agent: 'writer', startedAt: '2025-01-12T00:00:00.000Z', endedAt: null }),
          makeSession({ id: 's0', agent: 'coder', startedAt: '2025-01-01T00:00:00.000Z', endedAt: null }),
          makeSession({ id: 's4', agent: 'coder', startedAt: '2025-01-14T00:00:00.000Z', endedAt: null }),
        ]);
        const filter = { agents: ['coder'], since: '2025-01-10T00:00:00.000Z', limit: 2 };
        expect(ids(await store.listSessions(filter))).toEqual(['s1', 's3']);
        expect(ids(await store.loadSessionsWithEvents(filter))).toEqual(['s1', 's3']);
        expect(await store.listSessions({ limit: 0 })).toEqual([]);
      });

      test('loads sessions with their events in sequence order', async () => {
        const store = await open();
        await saveChunk(store, {
          sessions: [
            makeSession({ id: 's1', startedAt: '2025-01-10T09:00:00.000Z' }),
            makeSession({ id: 's2', startedAt: '2025-01-10T10:00:00.000Z' }),
            makeSession({ id: 's3', startedAt: '2025-01-10T11:00:00.000Z' }),
          ],
          events: [
            makeEvent({ id: 'e-30', sessionId: 's1', sequence: 30 }),
            makeEvent({ id: 'e-2', sessionId: 's1', sequence: 2 }),
            makeEvent({ id: 'e-10', sessionId: 's1', sequence: 10 }),
            makeEvent({ id: 'f-1', sessionId: 's2', sequence: 1 }),
          ],
          file: makeSourceFile(),
        });
        const loaded = await store.loadSessionsWithEvents();
        expect(loaded.map((session) => [session.id, ids(session.events)])).toEqual([
          ['s1', ['e-2', 'e-10', 'e-30']],
          ['s2', ['f-1']],
          ['s3', []],
        ]);
        expect(loaded[0]).toMatchObject(
          makeSession({ id: 's1', startedAt: '2025-01-10T09:00:00.000Z', eventCount: 3 }),
        );
        expect(loaded[0]?.events[0]).toEqual(makeEvent({ id: 'e-2', sessionId: 's1', sequence: 2 }));
      });

      test('gets the events it has among the ids asked for', async () => {
        const store = await open();
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1' }), makeSession({ id: 's2' })],
          events: [
            makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 }),
            makeEvent({ id: 'e2', sessionId: 's1', sequence: 2 }),
            makeEvent({ id: 'e3', sessionId: 's2', sequence: 1 }),
          ],
          file: makeSourceFile(),
        });
        expect(ids(sortById(await store.getEvents(['e3', 'missing', 'e1', 'e1'])))).toEqual(['e1', 'e3']);
        expect(await store.getEvents([])).toEqual([]);
      });

      test('counts sessions and events', async () => {
        const store = await open();
        expect(await store.countSessions()).toEqual({ sessions: 0, events: 0 });
        await saveChunk(store, {
          sessions: [makeSession({ id: 's1' }), makeSession({ id: 's2' })],
          events: [makeEvent({ id: 'e1', sessionId: 's1', sequence: 1 })],
          file: makeSourceFile(),
        });
        expect(await store.countSessions()).toEqual({ sessions: 2, events: 1 });
      });
    });

    group('dream runs', (test) => {
      test('saves a run and reads it back', async () => {
        const store = await open();
        const run = makeDreamRun({ id: 'run-1' });
        await store.saveDreamRun(run);
        expect(await store.getDreamRun('run-1')).toEqual(run);
        expect(await store.getDreamRun('run-unknown')).toBeNull();
      });

      test('replaces a run saved again under the same id', async () => {
        const store = await open();
        const started = makeDreamRun({ id: 'run-1', status: 'running', endedAt: null, report: null });
        await store.saveDreamRun(started);
        const ended = makeDreamRun({ id: 'run-1', status: 'failed', error: 'model call failed: 503' });
        await store.saveDreamRun(ended);
        expect(await store.getDreamRun('run-1')).toEqual(ended);
        expect(await store.listDreamRuns(10)).toHaveLength(1);
      });

      test('lists runs newest first, up to the limit', async () => {
        const store = await open();
        await store.saveDreamRun(makeDreamRun({ id: 'run-a', startedAt: '2025-01-10T09:00:00.000Z' }));
        await store.saveDreamRun(makeDreamRun({ id: 'run-c', startedAt: '2025-01-12T09:00:00.000Z' }));
        await store.saveDreamRun(makeDreamRun({ id: 'run-b', startedAt: '2025-01-11T09:00:00.000Z' }));
        await store.saveDreamRun(makeDreamRun({ id: 'run-d', startedAt: '2025-01-12T09:00:00.000Z' }));
        expect(ids(await store.listDreamRuns(3))).toEqual(['run-d', 'run-c', 'run-b']);
        expect(ids(await store.listDreamRuns(10))).toEqual(['run-d', 'run-c', 'run-b', 'run-a']);
        expect(await store.listDreamRuns(0)).toEqual([]);
      });
    });

    group('proposals', (test) => {
      test('saves proposals and reads them back', async () => {
        const store = await open();
        const proposal = makeProposal({ id: 'p-1' });
        await store.saveProposals([proposal, makeProposal({ id: 'p-2' })]);
        expect(await store.getProposal('p-1')).toEqual(proposal);
        expect(await store.getProposal('p-unknown')).toBeNull();
      });

      test('rejects an id already stored and saves nothing of the batch', async () => {
        const store = await open();
        await store.saveProposals([makeProposal({ id: 'p-1' })]);
        const error = await rejection(
          store.saveProposals([makeProposal({ id: 'p-2' }), makeProposal({ id: 'p-1', reason: 'again' })]),
          'STORE_FAILED',
        );
        expect(error.data).toMatchObject({ proposalId: 'p-1' });
        expect(await store.getProposal('p-2')).toBeNull();
        expect((await store.getProposal('p-1'))?.reason).toBe(makeProposal({ id: 'p-1' }).reason);
      });

      test('rejects an id repeated within one batch and saves nothing of it', async () => {
        const store = await open();
        await rejection(
          store.saveProposals([makeProposal({ id: 'p-1' }), makeProposal({ id: 'p-1' })]),
          'STORE_FAILED',
        );
        expect(await store.listProposals()).toEqual([]);
      });

      test('finds proposals by id prefix, case-sensitively', async () => {
        const store = await open();
        await store.saveProposals([
          makeProposal({ id: 'ab12-x', createdAt: '2025-01-10T09:02:00.000Z' }),
          makeProposal({ id: 'ab12-y', createdAt: '2025-01-10T09:01:00.000Z' }),
          makeProposal({ id: 'AB12-z' }),
          makeProposal({ id: 'xab12' }),
          makeProposal({ id: 'a_%12' }),
        ]);
        expect(ids(await store.findProposalsByPrefix('ab12'))).toEqual(['ab12-y', 'ab12-x']);
        expect(ids(await store.findProposalsByPrefix('ab12-x'))).toEqual(['ab12-x']);
        expect(ids(await store.findProposalsByPrefix('a_%'))).toEqual(['a_%12']);
        expect(await store.findProposalsByPrefix('zz')).toEqual([]);
      });

      test('lists proposals by status, memory file and run, ordered by creation time then id', async () => {
        const store = await open();
        await store.saveProposals([
          makeProposal({ id: 'p-3', createdAt: '2025-01-10T09:00:00.000Z' }),
          makeProposal({ id: 'p-1', createdAt: '2025-01-10T09:00:00.000Z' }),
          makeProposal({ id: 'p-0', createdAt: '2025-01-10T08:00:00.000Z', status: 'rejected' }),
          makeProposal({
            id: 'p-2',
            createdAt: '2025-01-10T08:30:00.000Z',
            memoryPath: '/home/user/AGENTS.md',
          }),
          makeProposal({ id: 'p-4', createdAt: '2025-01-10T10:00:00.000Z', dreamRunId: 'run-2' }),
        ]);
        expect(ids(await store.listProposals())).toEqual(['p-0', 'p-2', 'p-1', 'p-3', 'p-4']);
        expect(ids(await store.listProposals({ status: 'pending' }))).toEqual(['p-2', 'p-1', 'p-3', 'p-4']);
        expect(ids(await store.listProposals({ memoryPath: '/home/user/AGENTS.md' }))).toEqual(['p-2']);
        expect(ids(await store.listProposals({ dreamRunId: 'run-2' }))).toEqual(['p-4']);
        expect(ids(await store.listProposals({ status: 'pending', dreamRunId: 'run-1' }))).toEqual([
          'p-2',
          'p-1',
          'p-3',
        ]);
      });

      test('transitions a proposal whose status is one of `from`', async () => {
        const store = await open();
        await store.saveProposals([
          makeProposal({ id: 'p-1', status: 'apply-failed', statusReason: 'disk full' }),
        ]);
        const updated = await store.transitionProposal({
          id: 'p-1',
          from: ['pending', 'apply-failed'],
          to: 'approved',
          decidedAt: '2025-01-10T12:00:00.000Z',
          decidedBy: 'ana',
          statusReason: null,
        });
        const expected = makeProposal({
          id: 'p-1',
          status: 'approved',
          decidedAt: '2025-01-10T12:00:00.000Z',
          decidedBy: 'ana',
          statusReason: null,
        });
        expect(updated).toEqual(expected);
        expect(await store.getProposal('p-1')).toEqual(expected);
      });

      test('leaves a proposal unchanged and returns null when its status is not in `from`', async () => {
        const store = await open();
        await store.saveProposals([makeProposal({ id: 'p-1' })]);
        const transition = {
          id: 'p-1',
          from: ['pending'] as ProposalStatus[],
          decidedAt: '2025-01-10T12:00:00.000Z',
          decidedBy: 'ana',
          statusReason: 'duplicate',
        };
        expect(await store.transitionProposal({ ...transition, to: 'rejected' })).not.toBeNull();
        expect(await store.transitionProposal({ ...transition, to: 'approved', decidedBy: 'bo' })).toBeNull();
        expect(await store.getProposal('p-1')).toMatchObject({ status: 'rejected', decidedBy: 'ana' });
        expect(await store.transitionProposal({ ...transition, from: [], to: 'approved' })).toBeNull();
      });

      test('returns null when transitioning an unknown proposal', async () => {
        const store = await open();
        expect(
          await store.transitionProposal({
            id: 'p-unknown',
            from: ['pending'],
            to: 'approved',
            decidedAt: '2025-01-10T12:00:00.000Z',
            decidedBy: null,
            statusReason: null,
          }),
        ).toBeNull();
      });
    });

    group('memory versions', (test) => {
      test('records the first version of a new file and makes it current', async () => {
        const store = await open();
        const draft = makeDraft({ content: 'hello\n', actor: { kind: 'initial', name: null } });
        const version = await store.recordMemoryVersion({ draft, expectedCurrent: null });
        const expected = {
          path: memoryFilePath,
          version: 1,
          parentVersion: null,
          content: 'hello\n',
          exists: true,
          contentHash: sha256('hello\n'),
          actor: { kind: 'initial', name: null },
          dreamRunId: null,
          proposalId: null,
          reason: draft.reason,
          createdAt: draft.createdAt,
        };
        expect(version).toEqual(expected);
        expect(await store.getMemoryVersion(memoryFilePath, 1)).toEqual(expected);
        expect(await store.getMemoryFile(memoryFilePath)).toEqual({
          path: memoryFilePath,
          agent: 'coder',
          currentVersion: 1,
        });
      });

      test('records a file that does not exist yet', async () => {
        const store = await open();
        const version = await store.recordMemoryVersion({
          draft: makeDraft({ content: '', exists: false, agent: null }),
          expectedCurrent: null,
        });
        expect(version).toMatchObject({ version: 1, exists: false, content: '', contentHash: sha256('') });
        expect(await store.getMemoryFile(memoryFilePath)).toMatchObject({ agent: null, currentVersion: 1 });
      });

      test('appends a version on top of the expected current one', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        const draft = makeDraft({
          content: 'v2 by hand\n',
          actor: { kind: 'external', name: 'ana' },
          agent: 'x',
        });
        const version = await store.recordMemoryVersion({ draft, expectedCurrent: 1 });
        expect(version).toMatchObject({
          version: 2,
          parentVersion: 1,
          actor: { kind: 'external', name: 'ana' },
        });
        expect(await store.getMemoryFile(memoryFilePath)).toEqual({
          path: memoryFilePath,
          agent: 'coder',
          currentVersion: 2,
        });
        expect((await store.listMemoryVersions(memoryFilePath)).map((each) => each.content)).toEqual([
          'v1\n',
          'v2 by hand\n',
        ]);
      });

      test('refuses to record a new file that is already managed', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        const error = await rejection(
          store.recordMemoryVersion({ draft: makeDraft({ content: 'other' }), expectedCurrent: null }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(error.data).toMatchObject({ path: memoryFilePath, expected: null, actual: 1 });
        expect(await store.listMemoryVersions(memoryFilePath)).toHaveLength(1);
      });

      test('refuses to record on top of a stale version', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        await store.recordMemoryVersion({ draft: makeDraft({ content: 'v2\n' }), expectedCurrent: 1 });
        const error = await rejection(
          store.recordMemoryVersion({ draft: makeDraft({ content: 'late\n' }), expectedCurrent: 1 }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(error.data).toMatchObject({ path: memoryFilePath, expected: 1, actual: 2 });
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(2);
      });

      test('refuses to record on top of a version of a file that is not managed', async () => {
        const store = await open();
        const error = await rejection(
          store.recordMemoryVersion({ draft: makeDraft(), expectedCurrent: 3 }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(error.data).toMatchObject({ path: memoryFilePath, expected: 3, actual: null });
        expect(await store.getMemoryFile(memoryFilePath)).toBeNull();
      });

      test('round-trips content byte for byte', async () => {
        const store = await open();
        const withBom = '\uFEFF# Memory with a BOM\n';
        const contents = [
          '# Memory\r\n\r\n- Use `npm test`\r\n',
          withBom,
          'Emoji \u{1F9E0} and accents: d\u00e9j\u00e0 vu, \u4e2d\u6587',
          'no trailing newline',
          '',
          '\n\n  trailing spaces  \n\t\n',
        ];
        let current: number | null = null;
        for (const content of contents) {
          const recorded: { version: number } = await store.recordMemoryVersion({
            draft: makeDraft({ content }),
            expectedCurrent: current,
          });
          current = recorded.version;
        }
        const pending = await store.beginMemoryWrite({
          draft: makeDraft({ content: withBom }),
          expectedCurrent: current ?? 0,
        });
        expect((await store.getPendingMemoryWrite(memoryFilePath))?.content).toBe(withBom);
        await store.commitMemoryWrite({ path: memoryFilePath, version: pending.version, proposal: null });
        const stored = await store.listMemoryVersions(memoryFilePath);
        expect(stored.map((version) => version.content)).toEqual([...contents, withBom]);
        for (const version of stored) {
          expect(version.contentHash).toBe(sha256(version.content));
          const original = contents[version.version - 1] ?? withBom;
          expect(Buffer.from(version.content, 'utf8').equals(Buffer.from(original, 'utf8'))).toBe(true);
          expect((await store.getMemoryVersion(memoryFilePath, version.version))?.content).toBe(original);
        }
      });

      test('begins a write as a pending version without moving the current pointer', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        const draft = makeDraft({
          content: 'v1\n- Run `npm test` before committing.\n',
          actor: { kind: 'reviewer', name: 'ana' },
          dreamRunId: 'run-1',
          proposalId: 'p-1',
        });
        const pending = await store.beginMemoryWrite({ draft, expectedCurrent: 1 });
        expect(pending).toMatchObject({
          version: 2,
          parentVersion: 1,
          proposalId: 'p-1',
          dreamRunId: 'run-1',
        });
        expect(await store.getPendingMemoryWrite(memoryFilePath)).toEqual(pending);
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(1);
        expect(await store.getMemoryVersion(memoryFilePath, 2)).toBeNull();
        expect(await store.listMemoryVersions(memoryFilePath)).toHaveLength(1);
      });

      test('refuses to begin a write on top of a stale version', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        await store.recordMemoryVersion({ draft: makeDraft({ content: 'v2\n' }), expectedCurrent: 1 });
        const error = await rejection(
          store.beginMemoryWrite({ draft: makeDraft(), expectedCurrent: 1 }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(error.data).toMatchObject({ path: memoryFilePath, expected: 1, actual: 2 });
        expect(await store.getPendingMemoryWrite(memoryFilePath)).toBeNull();
      });

      test('refuses to begin a write to a file that is not managed', async () => {
        const store = await open();
        const error = await rejection(
          store.beginMemoryWrite({ draft: makeDraft(), expectedCurrent: 1 }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(error.data).toMatchObject({ path: memoryFilePath, expected: 1, actual: null });
        expect(await store.getMemoryFile(memoryFilePath)).toBeNull();
      });

      test('refuses every other write while one is pending', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        const pending = await store.beginMemoryWrite({
          draft: makeDraft({ content: 'v2\n' }),
          expectedCurrent: 1,
        });
        const begin = await rejection(
          store.beginMemoryWrite({ draft: makeDraft({ content: 'other\n' }), expectedCurrent: 1 }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(begin.data).toMatchObject({ path: memoryFilePath, pendingVersion: pending.version });
        await rejection(
          store.recordMemoryVersion({ draft: makeDraft({ content: 'hand edit\n' }), expectedCurrent: 1 }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(await store.getPendingMemoryWrite(memoryFilePath)).toEqual(pending);
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(1);
      });

      test('commits a pending write and makes it current', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        const pending = await store.beginMemoryWrite({
          draft: makeDraft({ content: 'v2\n' }),
          expectedCurrent: 1,
        });
        const committed = await store.commitMemoryWrite({ path: memoryFilePath, version: 2, proposal: null });
        expect(committed).toEqual(pending);
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(2);
        expect(await store.getMemoryVersion(memoryFilePath, 2)).toEqual(pending);
        expect(await store.getPendingMemoryWrite(memoryFilePath)).toBeNull();
        expect((await store.listMemoryVersions(memoryFilePath)).map((version) => version.version)).toEqual([
          1, 2,
        ]);
      });

      test('refuses to commit a version twice', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        await store.beginMemoryWrite({ draft: makeDraft({ content: 'v2\n' }), expectedCurrent: 1 });
        await store.commitMemoryWrite({ path: memoryFilePath, version: 2, proposal: null });
        const error = await rejection(
          store.commitMemoryWrite({ path: memoryFilePath, version: 2, proposal: null }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(error.data).toMatchObject({ path: memoryFilePath, version: 2, state: 'committed' });
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(2);
      });

      test('refuses to commit a version that was never begun', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        const error = await rejection(
          store.commitMemoryWrite({ path: memoryFilePath, version: 7, proposal: null }),
          'MEMORY_VERSION_CONFLICT',
        );
        expect(error.data).toMatchObject({ path: memoryFilePath, version: 7, state: null });
        await rejection(
          store.commitMemoryWrite({ path: '/nowhere/CLAUDE.md', version: 1, proposal: null }),
          'MEMORY_VERSION_CONFLICT',
        );
      });

      test('marks the proposal applied in the same commit', async () => {
        const store = await open();
        const applicable: ProposalStatus[] = ['pending', 'approved', 'apply-failed'];
        await store.saveProposals(
          applicable.map((status) =>
            makeProposal({
              id: `p-${status}`,
              status,
              statusReason: status === 'apply-failed' ? 'disk full' : null,
            }),
          ),
        );
        let current = await seedMemoryFile(store, 'v1\n');
        for (const status of applicable) {
          const pending = await store.beginMemoryWrite({
            draft: makeDraft({ content: `after ${status}\n`, proposalId: `p-${status}` }),
            expectedCurrent: current,
          });
          await store.commitMemoryWrite({
            path: memoryFilePath,
            version: pending.version,
            proposal: { id: `p-${status}`, decidedAt: '2025-01-10T12:00:00.000Z', decidedBy: 'ana' },
          });
          expect(await store.getProposal(`p-${status}`)).toEqual(
            makeProposal({
              id: `p-${status}`,
              status: 'applied',
              decidedAt: '2025-01-10T12:00:00.000Z',
              decidedBy: 'ana',
              statusReason: null,
              appliedVersion: pending.version,
            }),
          );
          current = pending.version;
        }
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(4);
      });

      test('commits nothing when the proposal cannot become applied', async () => {
        const store = await open();
        const inapplicable: ProposalStatus[] = ['rejected', 'superseded', 'applied'];
        const proposals = inapplicable.map((status) =>
          makeProposal({ id: `p-${status}`, status, decidedBy: 'bo', decidedAt: '2025-01-10T11:00:00.000Z' }),
        );
        await store.saveProposals(proposals);
        await seedMemoryFile(store, 'v1\n');
        const pending = await store.beginMemoryWrite({
          draft: makeDraft({ content: 'v2\n' }),
          expectedCurrent: 1,
        });
        for (const proposal of proposals) {
          const error = await rejection(
            store.commitMemoryWrite({
              path: memoryFilePath,
              version: 2,
              proposal: { id: proposal.id, decidedAt: '2025-01-10T12:00:00.000Z', decidedBy: 'ana' },
            }),
            'PROPOSAL_INVALID_TRANSITION',
          );
          expect(error.data).toMatchObject({ proposalId: proposal.id, from: proposal.status, to: 'applied' });
          expect(await store.getProposal(proposal.id)).toEqual(proposal);
        }
        expect(await store.getPendingMemoryWrite(memoryFilePath)).toEqual(pending);
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(1);
      });

      test('commits nothing when the proposal is unknown', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        await store.beginMemoryWrite({ draft: makeDraft({ content: 'v2\n' }), expectedCurrent: 1 });
        await rejection(
          store.commitMemoryWrite({
            path: memoryFilePath,
            version: 2,
            proposal: { id: 'p-unknown', decidedAt: '2025-01-10T12:00:00.000Z', decidedBy: 'ana' },
          }),
          'PROPOSAL_NOT_FOUND',
        );
        expect((await store.getPendingMemoryWrite(memoryFilePath))?.version).toBe(2);
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(1);
      });

      test('aborts a pending write and lets the next write begin', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        await store.beginMemoryWrite({ draft: makeDraft({ content: 'lost\n' }), expectedCurrent: 1 });
        await store.abortMemoryWrite({ path: memoryFilePath, version: 2 });
        expect(await store.getPendingMemoryWrite(memoryFilePath)).toBeNull();
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(1);
        const next = await store.beginMemoryWrite({
          draft: makeDraft({ content: 'kept\n' }),
          expectedCurrent: 1,
        });
        const committed = await store.commitMemoryWrite({
          path: memoryFilePath,
          version: next.version,
          proposal: null,
        });
        expect(committed).toMatchObject({ parentVersion: 1, content: 'kept\n' });
        expect((await store.listMemoryVersions(memoryFilePath)).map((version) => version.content)).toEqual([
          'v1\n',
          'kept\n',
        ]);
      });

      test('ignores an abort of a version that is not pending', async () => {
        const store = await open();
        await seedMemoryFile(store, 'v1\n');
        await store.abortMemoryWrite({ path: memoryFilePath, version: 1 });
        await store.abortMemoryWrite({ path: memoryFilePath, version: 9 });
        await store.abortMemoryWrite({ path: '/nowhere/CLAUDE.md', version: 1 });
        expect(await store.getMemoryVersion(memoryFilePath, 1)).not.toBeNull();
        expect((await store.getMemoryFile(memoryFilePath))?.currentVersion).toBe(1);
      });

      test('numbers committed versions in strictly increasing order', async () => {
        const store = await open();
        let current = await seedMemoryFile(store, 'v1\n');
        for (let round = 0; round < 3; round++) {
          const aborted = await store.beginMemoryWrite({
            draft: makeDraft({ content: 'x' }),
            expectedCurrent: current,
          });
          await store.abortMemoryWrite({ path: memoryFilePath, version: aborted.version });
          const pending = await store.beginMemoryWrite({
            draft: makeDraft({ content: `round ${String(round)}` }),
            expectedCurrent: current,
          });
          await store.commitMemoryWrite({ path: memoryFilePath, version: pending.version, proposal: null });
          const recorded = await store.recordMemoryVersion({
            draft: makeDraft({ content: `hand ${String(round)}` }),
            expectedCurrent: pending.version,
          });
          current = recorded.version;
        }
        const versions = await store.listMemoryVersions(memoryFilePath);
        expect(versions.map((version) => version.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(versions.map((version) => version.parentVersion)).toEqual([null, 1, 2, 3, 4, 5, 6]);
      });

      test('keeps the versions of each file apart and lists files by path', async () => {
        const store = await open();
        await store.recordMemoryVersion({
          draft: makeDraft({ path: '/work/b/CLAUDE.md', agent: 'b', content: 'b1' }),
          expectedCurrent: null,
        });
        await store.recordMemoryVersion({
          draft: makeDraft({ path: '/work/a/CLAUDE.md', agent: null, content: 'a1' }),
          expectedCurrent: null,
        });
        await store.recordMemoryVersion({
          draft: makeDraft({ path: '/work/a/CLAUDE.md', agent: null, content: 'a2' }),
          expectedCurrent: 1,
        });
        expect(await store.listMemoryFiles()).toEqual([
          { path: '/work/a/CLAUDE.md', agent: null, currentVersion: 2 },
          { path: '/work/b/CLAUDE.md', agent: 'b', currentVersion: 1 },
        ]);
        expect(
          (await store.listMemoryVersions('/work/b/CLAUDE.md')).map((version) => version.content),
        ).toEqual(['b1']);
        expect(await store.getMemoryFile('/work/c/CLAUDE.md')).toBeNull();
        expect(await store.listMemoryVersions('/work/c/CLAUDE.md')).toEqual([]);
        expect(await store.getMemoryVersion('/work/b/CLAUDE.md', 2)).toBeNull();
        expect(await store.getPendingMemoryWrite('/work/c/CLAUDE.md')).toBeNull();
      });
    });

    group('locks', (test) => {
      const lock = {
        name: 'dream:coder',
        now: '2025-01-10T10:00:00.000Z',
        expiresAt: '2025-01-10T10:05:00.000Z',
      };

      test('takes a free lock', async () => {
        const store = await open();
        expect(await store.getLock(lock.name)).toBeNull();
        expect(await store.acquireLock({ ...lock, owner: 'run-a' })).toBe(true);
        expect(await store.getLock(lock.name)).toEqual({
          owner: 'run-a',
          acquiredAt: lock.now,
          expiresAt: lock.expiresAt,
        });
      });

      test('refuses a lock another owner holds until it expires', async () => {
        const store = await open();
        await store.acquireLock({ ...lock, owner: 'run-a' });
        expect(
          await store.acquireLock({
            ...lock,
            owner: 'run-b',
            now: '2025-01-10T10:04:59.999Z',
            expiresAt: '2025-01-10T10:10:00.000Z',
          }),
        ).toBe(false);
        expect((await store.getLock(lock.name))?.owner).toBe('run-a');
        expect(
          await store.acquireLock({
            ...lock,
            owner: 'run-b',
            now: lock.expiresAt,
            expiresAt: '2025-01-10T10:10:00.000Z',
          }),
        ).toBe(true);
        expect(await store.getLock(lock.name)).toEqual({
          owner: 'run-b',
          acquiredAt: lock.expiresAt,
          expiresAt: '2025-01-10T10:10:00.000Z',
        });
      });

      test('extends a lock its owner takes again', async () => {
        const store = await open();
        await store.acquireLock({ ...lock, owner: 'run-a' });
        expect(
          await store.acquireLock({
            ...lock,
            owner: 'run-a',
            now: '2025-01-10T10:03:00.000Z',
            expiresAt: '2025-01-10T10:08:00.000Z',
          }),
        ).toBe(true);
        expect(await store.getLock(lock.name)).toEqual({
          owner: 'run-a',
          acquiredAt: lock.now,
          expiresAt: '2025-01-10T10:08:00.000Z',
        });
      });

      test('releases a lock only for its owner', async () => {
        const store = await open();
        await store.acquireLock({ ...lock, owner: 'run-a' });
        await store.acquireLock({ ...lock, name: 'dream:writer', owner: 'run-a' });
        await store.releaseLock({ name: lock.name, owner: 'run-b' });
        expect((await store.getLock(lock.name))?.owner).toBe('run-a');
        await store.releaseLock({ name: lock.name, owner: 'run-a' });
        expect(await store.getLock(lock.name)).toBeNull();
        expect((await store.getLock('dream:writer'))?.owner).toBe('run-a');
        await store.releaseLock({ name: 'unknown', owner: 'run-a' });
        expect(await store.acquireLock({ ...lock, owner: 'run-b' })).toBe(true);
      });
    });

    group('isolation', (test) => {
      test('returns copies that callers cannot change stored state through', async () => {
        const store = await open();
        const proposal = makeProposal({ id: 'p-1' });
        const run = makeDreamRun({ id: 'run-1' });
        const event = makeEvent({
          id: 'e1',
          sessionId: 's1',
          sequence: 1,
          toolInput: { command: 'npm test' },
        });
        const file = makeSourceFile({ cursor: { offset: 1, line: 1, state: { open: ['m1'] } } });
        await store.saveProposals([proposal]);
        await store.saveDreamRun(run);
        await saveChunk(store, { sessions: [makeSession({ id: 's1' })], events: [event], file });

        // Mutate what was saved and what was read back; the store must not notice either.
        (proposal.findingIds as string[]).push('f-mutated');
        (run.agents as string[]).push('mutated');
        (event.toolInput as { command: string }).command = 'rm -rf /';
        (file.cursor.state as { open: string[] }).open.push('m2');
        const readProposal = await store.getProposal('p-1');
        (readProposal?.evidence as unknown as { quote: string }[])[0]!.quote = 'mutated';
        const readRun = await store.getDreamRun('run-1');
        (readRun?.report?.skipped as unknown as { reason: string }[])[0]!.reason = 'mutated';
        const [readEvent] = await store.getEvents(['e1']);
        (readEvent?.toolInput as { command: string }).command = 'mutated';

        expect(await store.getProposal('p-1')).toEqual(makeProposal({ id: 'p-1' }));
        expect(await store.getDreamRun('run-1')).toEqual(makeDreamRun({ id: 'run-1' }));
        expect((await store.getEvents(['e1']))[0]?.toolInput).toEqual({ command: 'npm test' });
        expect((await store.getSourceFile(file.path))?.cursor.state).toEqual({ open: ['m1'] });
      });

      test('closes, and closing again is harmless', async () => {
        const store = await options.createStore();
        await expect(store.close()).resolves.toBeUndefined();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });

    it('skips only tests that exist', () => {
      expect([...skipped.keys()].filter((key) => !defined.has(key))).toEqual([]);
    });
  });
}

// Test data: realistic values, overridable per test.

const memoryFilePath = '/home/user/project/CLAUDE.md';

function makeSession(overrides: Partial<Session> & { id: string }): Session {
  return {
    agent: 'coder',
    format: 'claude-code',
    sourcePath: '/home/user/.claude/projects/project/a.jsonl',
    parentSessionId: null,
    title: 'Add retry to the HTTP client',
    cwd: '/home/user/project',
    startedAt: '2025-01-10T09:00:00.000Z',
    endedAt: '2025-01-10T09:45:00.000Z',
    eventCount: 0,
    outcome: null,
    ...overrides,
  };
}

function makeEvent(
  overrides: Partial<SessionEvent> & { id: string; sessionId: string; sequence: number },
): SessionEvent {
  return {
    kind: 'assistant-message',
    subtype: null,
    timestamp: '2025-01-10T09:00:05.000Z',
    text: 'I will run the tests first.',
    messageId: null,
    toolName: null,
    toolCallId: null,
    toolInput: null,
    isError: false,
    isRejection: false,
    source: { path: '/home/user/.claude/projects/project/a.jsonl', line: overrides.sequence },
    ...overrides,
  };
}

/** Saves one chunk as a batch of one (what the ingest does for a file read in one chunk). */
async function saveChunk(store: Store, chunk: IngestChunk): Promise<IngestChunkResult> {
  const [result] = await store.saveIngestChunks([chunk]);
  if (result === undefined) throw new Error('saveIngestChunks returned no result for its chunk');
  return result;
}

function makeSourceFile(overrides: Partial<SourceFileState> = {}): SourceFileState {
  return {
    path: '/logs/a.jsonl',
    format: 'claude-code',
    agent: 'coder',
    size: 2048,
    mtimeMs: 1736499600000,
    headHash: 'a'.repeat(64),
    headBytes: 512,
    cursor: { offset: 2048, line: 12, state: null },
    updatedAt: '2025-01-10T10:00:00.000Z',
    ...overrides,
  };
}

function makeDreamRun(overrides: Partial<DreamRun> & { id: string }): DreamRun {
  return {
    trigger: 'manual',
    approval: 'manual',
    dryRun: false,
    agents: ['coder'],
    status: 'succeeded',
    startedAt: '2025-01-10T10:00:00.000Z',
    endedAt: '2025-01-10T10:00:04.000Z',
    report: {
      agents: ['coder'],
      since: '2024-12-11T10:00:00.000Z',
      ingest: {
        filesScanned: 3,
        filesRead: 2,
        filesUnchanged: 1,
        sessionsAdded: 2,
        eventsAdded: 40,
        warningCount: 1,
        redactions: { 'github-token': 1 },
      },
      sessionsRead: 12,
      sessionsAnalysed: 12,
      eventsRead: 480,
      toolErrorsRead: 9,
      grading: [{ rubric: 'tests-pass', graded: 2, passed: 1, failed: 1, undecided: 0 }],
      findings: [],
      proposals: [],
      skipped: [{ subject: 'finding f-1', reason: 'seen in only one session' }],
      warnings: [
        {
          type: 'ingest',
          warning: { type: 'truncated-line', path: '/logs/a.jsonl', line: 13 },
        },
      ],
      nothingReason: 'No tool error recurred in two or more sessions.',
    },
    error: null,
    ...overrides,
  };
}

function makeProposal(overrides: Partial<Proposal> & { id: string }): Proposal {
  return {
    dreamRunId: 'run-1',
    memoryPath: memoryFilePath,
    agent: 'coder',
    baseVersion: 1,
    edits: [
      { op: 'add', entryId: 'r-1a2b', text: 'Run `npm test -- --run` so vitest does not wait for input.' },
    ],
    diff: '--- a/CLAUDE.md\n+++ b/CLAUDE.md\n@@ -1 +1,2 @@\n # Memory\n+- Run `npm test -- --run`.\n',
    reason: '`npm test` hung in watch mode in 3 sessions.',
    routing: 'Only agent coder runs the test suite.',
    findingIds: ['f-1'],
    evidence: [
      {
        sessionId: 's1',
        eventId: 'e1',
        agent: 'coder',
        timestamp: '2025-01-10T09:00:05.000Z',
        quote: 'Watch mode: press q to quit',
        role: 'error',
      },
    ],
    status: 'pending',
    createdAt: '2025-01-10T10:00:03.000Z',
    decidedAt: null,
    decidedBy: null,
    statusReason: null,
    appliedVersion: null,
    screening: [
      {
        where: 'evidence',
        eventId: 'e1',
        kind: 'url',
        excerpt: 'https://collect.evil.example',
        reason: 'collect.evil.example is not in screening.allowed_domains',
      },
    ],
    holds: ['an evidence quote was flagged by the screen'],
    ...overrides,
  };
}

function makeDraft(overrides: Partial<MemoryVersionDraft> = {}): MemoryVersionDraft {
  return {
    path: memoryFilePath,
    agent: 'coder',
    content: '# Memory\n',
    exists: true,
    actor: { kind: 'dream', name: 'reverie' },
    dreamRunId: null,
    proposalId: null,
    reason: 'Apply proposal p-1',
    createdAt: '2025-01-10T10:00:05.000Z',
    ...overrides,
  };
}

async function seedMemoryFile(store: Store, content: string): Promise<number> {
  const version = await store.recordMemoryVersion({
    draft: makeDraft({ content, actor: { kind: 'initial', name: null }, reason: 'first sighting' }),
    expectedCurrent: null,
  });
  return version.version;
}

async function saveSessions(store: Store, sessions: Session[]): Promise<void> {
  await saveChunk(store, { sessions, events: [], file: makeSourceFile() });
}

/** Awaits a promise that must reject with a ReverieError of `code`, and returns that error. */
async function rejection(promise: Promise<unknown>, code: ReverieErrorCode): Promise<ReverieError> {
  let caught: unknown = undefined;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(isReverieError(caught) ? caught.code : caught).toBe(code);
  const error = caught as ReverieError;
  // Messages must say what happened and what to do: never a bare word.
  expect(error.message.length).toBeGreaterThan(40);
  return error;
}

function ids(items: readonly { id: string }[]): string[] {
  return items.map((item) => item.id);
}

function sortById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
}

function sha256(content: string): string {
  return createHash('sha256').update(Buffer.from(content, 'utf8')).digest('hex');
}
