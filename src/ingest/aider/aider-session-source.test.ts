import { appendFile, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import type { FileCursor } from '../../ports/session-source.js';
import { createFileSystemLogFiles } from '../file-system-log-files.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import type { ReadResult } from '../session-source.contract.js';
import { aiderRecordKit } from './aider-record-kit.js';
import { createAiderSessionSource, deriveAiderSessionPrefix } from './aider-session-source.js';

const fixturesDirectory = fileURLToPath(new URL('../../../fixtures/aider', import.meta.url));
const fullHistory = join(fixturesDirectory, 'gauthier.aider.chat.history.md');
const excerpt = join(fixturesDirectory, 'gauthier-2024-08-09.aider.chat.history.md');

// What the contract cannot check on Markdown, with the reason (reviewed like code).
const gaps = {
  skip: [
    {
      reason:
        'a Markdown line cut short and followed by a newline is still a valid line (a shorter message); only a last line without its newline can be seen to be cut',
      tests: ['warns about a record cut short in the middle of the file and keeps the rest'],
    },
  ],
};

// The contract runs on a 39-session excerpt (whole sessions; 168 KB): the full 4 MB history takes a second a read,
// and the contract reads a fixture a dozen times. The facts below are pinned on the full history, read once.
runSessionSourceContract({
  name: 'aider',
  createSource: (options) => createAiderSessionSource(options),
  fixtures: [excerpt],
  kit: aiderRecordKit,
  ...gaps,
});

describe('AiderSessionSource', () => {
  const source = createAiderSessionSource();
  let full: ReadResult;
  const results = (toolName: string) =>
    full.events.filter((event) => event.kind === 'tool-result' && event.toolName === toolName);

  beforeAll(async () => {
    full = await readAllChunks(source, fullHistory, { agent: 'aider' });
  });

  describe('on the real history (aider 0.47-0.51, 1,133 launches)', () => {
    it('reads the whole file without a warning', async () => {
      expect(full.warnings).toEqual([]);
      expect(full.cursor?.offset).toBe((await readFile(fullHistory)).length);
      expect(full.cursor?.line).toBe(99_961);
    });

    it('gives each launch a session named after the file and its start time, plus one for the cut-off start', () => {
      const sessions = [...full.sessions.values()];
      expect(sessions).toHaveLength(1_134);
      const prefix = deriveAiderSessionPrefix(fullHistory);
      expect(sessions[0]).toMatchObject({ id: `${prefix}-preamble`, startedAt: null });
      expect(sessions[1]).toMatchObject({
        id: `${prefix}-20240805T193302`,
        agent: 'aider',
        format: 'aider',
        sourcePath: fullHistory,
        startedAt: '2024-08-05T19:33:02',
        endedAt: null,
        cwd: null,
        outcome: null,
      });
      expect(sessions[2]?.title).toBe('Use the Spinner instead of the inlined custom spinner');
      for (const session of sessions.slice(1)) expect(session.id).toMatch(/^aider-[0-9a-f]{8}-\d{8}T\d{6}$/);
      expect(new Set(sessions.map((session) => session.startedAt)).size).toBe(1_134);
    });

    it('reads 1,768 user messages (864 commands, 37 written by aider) and 875 replies', () => {
      const user = full.events.filter((event) => event.kind === 'user-message');
      expect(user).toHaveLength(1_768);
      expect(user.filter((event) => event.subtype === 'command')).toHaveLength(864);
      const meta = user.filter((event) => event.subtype === 'meta');
      expect(meta).toHaveLength(37);
      for (const event of meta) expect(event.text).toMatch(/^# (Fix any errors below|Question: )/);
      expect(full.events.filter((event) => event.kind === 'assistant-message')).toHaveLength(875);
    });

    it('reports 57 failed edits (49 SEARCH blocks that did not match) as errors of the edit tool', () => {
      const failed = results('edit').filter((event) => event.isError);
      expect(failed).toHaveLength(57);
      for (const event of failed) expect(event.text).toMatch(/^The LLM did not conform to the edit format\./);
      expect(failed.filter((event) => event.text.includes('SearchReplaceNoExactMatch'))).toHaveLength(49);
      expect(results('edit').filter((event) => !event.isError)).toHaveLength(401);
    });

    it('reports 54 lint failures (flake8) as errors of the lint tool', () => {
      const lint = results('lint');
      expect(lint).toHaveLength(54);
      for (const event of lint) {
        expect(event.isError).toBe(true);
        expect(event.text).toMatch(/^# Fix any errors below, if possible\.\n\n## Running: /);
        expect(event.text).toContain('flake8');
      }
    });

    it('reads commits, /test and /run results, API errors and questions', () => {
      expect(results('git-commit')).toHaveLength(667);
      expect(
        results('git-commit').every((event) => !event.isError && /^Commit [0-9a-f]{7} /.test(event.text)),
      ).toBe(true);
      expect(results('test')).toHaveLength(12);
      expect(results('test').filter((event) => event.isError)).toHaveLength(11);
      expect(results('run')).toHaveLength(26);
      expect(results('run').filter((event) => event.isError)).toHaveLength(17);
      const system = full.events.filter((event) => event.kind === 'system');
      expect(system.filter((event) => event.subtype === 'api-error')).toHaveLength(93);
      expect(system.filter((event) => event.subtype === 'confirm')).toHaveLength(165);
      expect(full.events.some((event) => event.text.startsWith('Tokens: '))).toBe(false);
    });

    it('puts a derived call with the same tool and id right before every result', () => {
      const bySession = new Map<string, SessionEvent[]>();
      for (const event of full.events)
        bySession.set(event.sessionId, [...(bySession.get(event.sessionId) ?? []), event]);
      let pairs = 0;
      for (const events of bySession.values()) {
        events.forEach((event, index) => {
          if (event.kind !== 'tool-result') return;
          const call = events[index - 1];
          expect(call).toMatchObject({
            kind: 'tool-call',
            subtype: 'derived',
            toolName: event.toolName,
            toolCallId: event.toolCallId,
            sequence: event.sequence - 1,
          });
          pairs += 1;
        });
      }
      expect(pairs).toBe(57 + 401 + 54 + 667 + 12 + 26);
    });

    it('gives the same events when resumed from a chunk cursor, with stable ids', async () => {
      const small = createAiderSessionSource({ maxChunkLines: 997 });
      const chunks: { events: SessionEvent[]; cursor: FileCursor }[] = [];
      for await (const chunk of small.read({
        path: fullHistory,
        agent: 'aider',
        agentIsExplicit: false,
        cursor: null,
      })) {
        chunks.push({ events: [...chunk.events], cursor: chunk.cursor });
      }
      expect(chunks.flatMap((chunk) => chunk.events)).toEqual(full.events);
      for (const at of [0, Math.floor(chunks.length / 2), chunks.length - 2]) {
        const cursor = JSON.parse(JSON.stringify(chunks[at]?.cursor)) as FileCursor;
        const rest = await readAllChunks(source, fullHistory, { agent: 'aider', cursor });
        expect(rest.events).toEqual(chunks.slice(at + 1).flatMap((chunk) => chunk.events));
      }
    });
  });

  describe('growth', () => {
    let directory = '';
    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'reverie-aider-'));
    });
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it('holds the last block of a file until aider writes again, then emits it in the right session', async () => {
      const path = join(directory, '.aider.chat.history.md');
      await copyFile(excerpt, path);
      const first = await readAllChunks(source, path, { agent: 'aider' });
      const lastSession = [...first.sessions.keys()].at(-1);
      expect(first.events.at(-1)?.text).not.toBe('/ex');
      await appendFile(path, '\n# aider chat started at 2024-08-10 05:00:00\n\n');
      const second = await readAllChunks(source, path, { agent: 'aider', cursor: first.cursor });
      expect(second.events.map((event) => [event.sessionId, event.kind, event.subtype, event.text])).toEqual([
        [lastSession, 'user-message', 'command', '/ex'],
      ]);
      expect([...second.sessions.keys()]).toEqual([
        lastSession,
        `${deriveAiderSessionPrefix(path)}-20240810T050000`,
      ]);
    });
  });

  describe('isCandidate and detect', () => {
    it('considers Markdown files and leaves the decision to the head', () => {
      expect(source.isCandidate('/home/u/app/.aider.chat.history.md')).toBe(true);
      expect(source.isCandidate('/home/u/app/notes.md')).toBe(true);
      expect(source.isCandidate('/home/u/app/s.jsonl')).toBe(false);
    });

    it('recognizes both fixtures, also after a cut-off start, and not their README', async () => {
      const files = createFileSystemLogFiles();
      expect(source.detect(await files.readHead(fullHistory, 16_384))).toBe(true);
      expect(source.detect(await files.readHead(excerpt, 16_384))).toBe(true);
      expect(source.detect(await readFile(join(fixturesDirectory, 'README.md'), 'utf8'))).toBe(false);
    });

    it('wants a whole header line with aider time format', () => {
      expect(source.detect('\n# aider chat started at 2024-08-05 19:33:02\n\n')).toBe(true);
      expect(source.detect('# Notes\n\n# aider chat started at yesterday\n')).toBe(false);
      expect(source.detect('    # aider chat started at 2024-08-05 19:33:02\n')).toBe(false);
      expect(source.detect('{"type":"user","text":"# aider chat started at 2024-08-05 19:33:02"}\n')).toBe(
        false,
      );
      expect(source.detect('')).toBe(false);
    });
  });
});
