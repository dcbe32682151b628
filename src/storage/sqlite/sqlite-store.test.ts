import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import type { ReverieErrorCode } from '../../domain/errors.js';
import { isReverieError } from '../../domain/errors.js';
import type { Store } from '../../ports/store.js';
import { runStoreContract } from '../store.contract.js';
import { latestSchemaVersion, migrations, reverieApplicationId } from './migrations.js';
import { SqliteStore, createSqliteStore } from './sqlite-store.js';

const temporaryDirectories: string[] = [];
const openStores: Store[] = [];

function makeTemporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'reverie-sqlite-store-'));
  temporaryDirectories.push(directory);
  return directory;
}

function openStore(path: string): Store {
  const store = createSqliteStore({ path });
  openStores.push(store);
  return store;
}

function openFailure(path: string): unknown {
  try {
    openStore(path);
  } catch (error) {
    return error;
  }
  throw new Error(`opening ${path} was expected to fail`);
}

function expectCode(error: unknown, code: ReverieErrorCode): void {
  expect(isReverieError(error) ? error.code : error).toBe(code);
}

afterEach(async () => {
  await Promise.all(openStores.splice(0).map((store) => store.close()));
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('SqliteStore', () => {
  runStoreContract({ name: 'sqlite :memory:', createStore: () => createSqliteStore({ path: ':memory:' }) });

  // The same suite on a file: WAL mode, and the parts of SQLite that `:memory:` never exercises.
  runStoreContract({
    name: 'sqlite file',
    createStore: () => createSqliteStore({ path: join(makeTemporaryDirectory(), 'reverie.db') }),
  });

  describe('migrations', () => {
    it('numbers migrations consecutively from 1', () => {
      expect(migrations.map((migration) => migration.version)).toEqual(
        Array.from({ length: migrations.length }, (_, index) => index + 1),
      );
      expect(latestSchemaVersion).toBe(migrations.length);
    });

    it('creates the parent directory, migrates a new file and keeps the data when reopened', async () => {
      const path = join(makeTemporaryDirectory(), 'nested', 'data', 'reverie.db');
      const first = openStore(path);
      await first.acquireLock({
        name: 'dream:coder',
        owner: 'run-a',
        now: '2025-01-10T10:00:00.000Z',
        expiresAt: '2025-01-10T10:05:00.000Z',
      });
      await first.close();

      const raw = new Database(path, { readonly: true });
      try {
        expect(raw.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
        expect(raw.pragma('application_id', { simple: true })).toBe(reverieApplicationId);
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        raw.close();
      }

      const second = openStore(path);
      expect((await second.getLock('dream:coder'))?.owner).toBe('run-a');
    });

    it('refuses a database written by a newer Reverie and leaves it unchanged', async () => {
      const path = join(makeTemporaryDirectory(), 'reverie.db');
      await openStore(path).close();
      const raw = new Database(path);
      raw.pragma(`user_version = ${String(latestSchemaVersion + 1)}`);
      raw.close();
      const before = readFileSync(path);

      const error = openFailure(path);
      expectCode(error, 'STORE_MIGRATION_REQUIRED');
      expect(isReverieError(error) && error.message).toMatch(/newer Reverie.*Upgrade Reverie.*--data-dir/s);
      expect(isReverieError(error) && error.data).toMatchObject({
        path,
        databaseVersion: latestSchemaVersion + 1,
        supportedVersion: latestSchemaVersion,
      });
      expect(readFileSync(path).equals(before)).toBe(true);
    });

    it('refuses a file that is not a SQLite database and leaves it byte-identical', () => {
      const directory = makeTemporaryDirectory();
      const path = join(directory, 'reverie.db');
      const foreign = Buffer.from('{"notes": "my own data, not a database"}\n'.repeat(200), 'utf8');
      writeFileSync(path, foreign);

      const error = openFailure(path);
      expectCode(error, 'STORE_CORRUPT');
      expect(isReverieError(error) && error.message).toContain(path);
      expect(isReverieError(error) && error.message).toMatch(/move it aside.*--data-dir/is);
      expect(readFileSync(path).equals(foreign)).toBe(true);
      expect(readdirSync(directory)).toEqual(['reverie.db']);
    });

    it('refuses a SQLite database of another program and leaves it untouched', () => {
      const path = join(makeTemporaryDirectory(), 'reverie.db');
      const raw = new Database(path);
      raw.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');");
      raw.close();
      const before = readFileSync(path);

      expectCode(openFailure(path), 'STORE_CORRUPT');
      expect(readFileSync(path).equals(before)).toBe(true);
    });

    it('uses an empty file as a new database', async () => {
      const path = join(makeTemporaryDirectory(), 'reverie.db');
      writeFileSync(path, '');
      const store = openStore(path);
      expect(await store.countSessions()).toEqual({ sessions: 0, events: 0 });
    });

    it('reports a path where no database can be created', () => {
      const directory = makeTemporaryDirectory();
      writeFileSync(join(directory, 'a-file'), 'not a directory');
      const error = openFailure(join(directory, 'a-file', 'reverie.db'));
      expectCode(error, 'STORE_FAILED');
      expect(isReverieError(error) && error.message).toContain('--data-dir');
    });

    it('rejects an empty path', () => {
      expectCode(openFailure('  '), 'CONFIG_INVALID');
    });

    it('exposes the path it was opened with', () => {
      const store = new SqliteStore({ path: ':memory:' });
      openStores.push(store);
      expect(store.path).toBe(':memory:');
    });
  });

  describe('two stores on one file', () => {
    function openPair(): [Store, Store] {
      const path = join(makeTemporaryDirectory(), 'reverie.db');
      return [openStore(path), openStore(path)];
    }

    it("sees the other store's writes", async () => {
      const [first, second] = openPair();
      await first.saveIngestChunks([
        {
          sessions: [
            {
              id: 's1',
              agent: 'coder',
              format: 'claude-code',
              sourcePath: '/logs/a.jsonl',
              parentSessionId: null,
              outcome: null,
              title: null,
              cwd: null,
              startedAt: null,
              endedAt: null,
              eventCount: 0,
            },
          ],
          events: [],
          file: {
            path: '/logs/a.jsonl',
            format: 'claude-code',
            agent: 'coder',
            size: 10,
            mtimeMs: 1,
            headHash: 'h',
            headBytes: 10,
            cursor: { offset: 10, line: 1, state: null },
            updatedAt: '2025-01-10T10:00:00.000Z',
          },
        },
      ]);
      expect(await second.countSessions()).toEqual({ sessions: 1, events: 0 });
      expect((await second.getSourceFile('/logs/a.jsonl'))?.cursor.offset).toBe(10);
    });

    it('lets only one of them move a memory file from the same version', async () => {
      const [first, second] = openPair();
      const draft = {
        path: '/home/user/project/CLAUDE.md',
        agent: 'coder',
        content: 'v1\n',
        exists: true,
        actor: { kind: 'initial' as const, name: null },
        dreamRunId: null,
        proposalId: null,
        reason: 'first sighting',
        createdAt: '2025-01-10T10:00:00.000Z',
      };
      await first.recordMemoryVersion({ draft, expectedCurrent: null });
      const pending = await first.beginMemoryWrite({
        draft: { ...draft, content: 'v2\n' },
        expectedCurrent: 1,
      });

      let caught: unknown;
      try {
        await second.beginMemoryWrite({ draft: { ...draft, content: 'other\n' }, expectedCurrent: 1 });
      } catch (error) {
        caught = error;
      }
      expectCode(caught, 'MEMORY_VERSION_CONFLICT');
      expect((await second.getPendingMemoryWrite(draft.path))?.version).toBe(pending.version);

      await first.commitMemoryWrite({ path: draft.path, version: pending.version, proposal: null });
      await expect(
        second.recordMemoryVersion({ draft: { ...draft, content: 'stale\n' }, expectedCurrent: 1 }),
      ).rejects.toMatchObject({ code: 'MEMORY_VERSION_CONFLICT', data: { expected: 1, actual: 2 } });
      expect((await second.getMemoryFile(draft.path))?.currentVersion).toBe(2);
    });

    it('lets only one of them transition a proposal or take a lock', async () => {
      const [first, second] = openPair();
      await first.saveProposals([
        {
          id: 'p-1',
          dreamRunId: 'run-1',
          memoryPath: '/home/user/project/CLAUDE.md',
          agent: 'coder',
          baseVersion: 1,
          edits: [],
          diff: '',
          reason: 'r',
          routing: 'r',
          findingIds: [],
          evidence: [],
          status: 'pending',
          createdAt: '2025-01-10T10:00:00.000Z',
          decidedAt: null,
          decidedBy: null,
          statusReason: null,
          appliedVersion: null,
          screening: [],
          holds: [],
        },
      ]);
      const decision = { id: 'p-1', from: ['pending'] as const, decidedAt: '2025-01-10T11:00:00.000Z' };
      expect(
        await first.transitionProposal({ ...decision, to: 'approved', decidedBy: 'ana', statusReason: null }),
      ).not.toBeNull();
      expect(
        await second.transitionProposal({ ...decision, to: 'rejected', decidedBy: 'bo', statusReason: 'no' }),
      ).toBeNull();
      expect((await second.getProposal('p-1'))?.status).toBe('approved');

      const lock = {
        name: 'dream:coder',
        now: '2025-01-10T10:00:00.000Z',
        expiresAt: '2025-01-10T10:05:00.000Z',
      };
      expect(await first.acquireLock({ ...lock, owner: 'run-a' })).toBe(true);
      expect(await second.acquireLock({ ...lock, owner: 'run-b' })).toBe(false);
      await first.releaseLock({ name: lock.name, owner: 'run-a' });
      expect(await second.acquireLock({ ...lock, owner: 'run-b' })).toBe(true);
    });
  });
});
