import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { createFileSystemLogFiles } from '../file-system-log-files.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import type { ReadResult } from '../session-source.contract.js';
import { createClaudeCodeSessionSource } from './claude-code-session-source.js';

const corpusRoot = fileURLToPath(new URL('../../../fixtures/claude-code', import.meta.url));
const fixturesDirectory = fileURLToPath(new URL('./__fixtures__', import.meta.url));

async function listCorpus(): Promise<string[]> {
  const paths: string[] = [];
  for await (const path of createFileSystemLogFiles().list(corpusRoot)) {
    if (path.endsWith('.jsonl')) paths.push(path);
  }
  return paths;
}

const corpus = await listCorpus();
const damageFixture = join(
  corpusRoot,
  '-Users-dain-workspace-danieldemmel-me-next',
  '5ed31c36-bca8-40fd-8d24-f1a1f0af7901.jsonl',
);

runSessionSourceContract({
  name: 'claude-code',
  createSource: (options) => createClaudeCodeSessionSource(options),
  fixtures: corpus,
  damageFixture,
});

describe('ClaudeCodeSessionSource', () => {
  const source = createClaudeCodeSessionSource();
  const read = (path: string) => readAllChunks(source, path, { agent: 'claude' });
  let directory = '';
  const results = new Map<string, ReadResult>();
  const allEvents = () => [...results.values()].flatMap((result) => result.events);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'reverie-claude-code-'));
    for (const path of corpus) results.set(path, await read(path));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  describe('on the real corpus', () => {
    it('reads all 66 files without a warning', () => {
      expect(corpus).toHaveLength(66);
      expect([...results.values()].flatMap((result) => result.warnings)).toEqual([]);
    });

    it('reports "File has not been read yet" as an Edit or Write error with the tool name resolved', () => {
      const notRead = allEvents().filter(
        (event) => event.kind === 'tool-result' && event.text.includes('File has not been read yet'),
      );
      expect(notRead.length).toBeGreaterThanOrEqual(8);
      for (const event of notRead) {
        expect(event.isError).toBe(true);
        expect(event.isRejection).toBe(false);
        expect(['Edit', 'Write']).toContain(event.toolName);
      }
    });

    it('resolves the tool name of every tool result from its call', () => {
      const results = allEvents().filter((event) => event.kind === 'tool-result');
      expect(results.length).toBe(626);
      expect(results.filter((event) => event.toolName === null)).toEqual([]);
      const calls = new Map(
        allEvents()
          .filter((event) => event.kind === 'tool-call')
          .map((event) => [event.toolCallId, event.toolName]),
      );
      for (const result of results) expect(result.toolName).toBe(calls.get(result.toolCallId));
    });

    it('flags user refusals as rejections and leaves tool failures alone', () => {
      const errors = allEvents().filter((event) => event.kind === 'tool-result' && event.isError);
      const rejections = errors.filter((event) => event.isRejection);
      expect(rejections.length).toBe(13);
      for (const event of rejections) expect(event.text).toMatch(/^The user doesn't want to (proceed|take)/);
      const failures = errors.filter((event) => !event.isRejection);
      expect(failures.some((event) => event.text.startsWith('Exit code 1'))).toBe(true);
      expect(failures.some((event) => event.text.includes('String to replace not found'))).toBe(true);
    });

    it('gives legacy agent-*.jsonl sidechains their own session under the parent session', () => {
      const path = join(corpusRoot, '-Users-dain-workspace-JSSoundRecorder', 'agent-88061e52.jsonl');
      const sessions = [...(results.get(path)?.sessions.values() ?? [])];
      expect(sessions).toEqual([
        expect.objectContaining({
          id: '7acd37a8-2745-4b58-a8a9-46164b22ad9e/agent-88061e52',
          parentSessionId: '7acd37a8-2745-4b58-a8a9-46164b22ad9e',
          agent: 'claude',
        }),
      ]);
      for (const [file, result] of results) {
        const isAgentFile = basename(file).startsWith('agent-');
        for (const session of result.sessions.values()) {
          expect(session.parentSessionId !== null).toBe(isAgentFile);
          if (isAgentFile)
            expect(session.id).toBe(`${session.parentSessionId ?? ''}/${basename(file, '.jsonl')}`);
        }
      }
    });

    it('names main sessions after their file and fills time range and cwd', () => {
      const path = join(
        corpusRoot,
        '-Users-dain-workspace-JSSoundRecorder',
        '7acd37a8-2745-4b58-a8a9-46164b22ad9e.jsonl',
      );
      const [session] = [...(results.get(path)?.sessions.values() ?? [])];
      expect(session).toMatchObject({
        id: '7acd37a8-2745-4b58-a8a9-46164b22ad9e',
        format: 'claude-code',
        sourcePath: path,
        cwd: '/Users/dain/workspace/JSSoundRecorder',
        startedAt: '2025-11-17T23:50:06.046Z',
        endedAt: '2025-11-18T00:18:57.199Z',
      });
    });

    it('does not give a session the summary of another session (CLI 1.0.x writes them into the next file)', () => {
      // 3680252d's three summaries have leaves in 4379d1bf, f852ad25 and b25638d7.
      const path = join(
        corpusRoot,
        '-Users-dain-workspace-danieldemmel-me-next',
        '3680252d-d4e3-4416-bddd-8f5b5b4fdb7f.jsonl',
      );
      expect([...(results.get(path)?.sessions.values() ?? [])].map((session) => session.title)).toEqual([
        null,
      ]);
      // A file holding only a summary of another session is no session at all.
      const summaryOnly = join(
        corpusRoot,
        '-Users-dain-workspace-claude-code-log-sample',
        '4e27c414-a885-46a0-b5c8-d58e1417377d.jsonl',
      );
      expect(results.get(summaryOnly)).toMatchObject({ events: [], warnings: [] });
      expect(results.get(summaryOnly)?.sessions.size).toBe(0);
    });

    it('reads a line with several content blocks into one event per block', () => {
      const events = results.get(damageFixture)?.events.filter((event) => event.source.line === 1) ?? [];
      expect(events.map((event) => [event.kind, event.sequence])).toEqual([
        ['user-message', 1000],
        ['user-message', 1001],
      ]);
      expect(events[0]?.id).toMatch(/^cc:[0-9a-f-]{36}:0$/);
      expect(events[1]?.id).toBe(events[0]?.id.replace(/:0$/, ':1'));
    });

    it('marks meta, command, thinking and image events with a subtype', () => {
      const subtypes = new Set(allEvents().map((event) => `${event.kind}/${String(event.subtype)}`));
      for (const expected of [
        'user-message/meta',
        'user-message/command',
        'user-message/image',
        'assistant-message/thinking',
        'system/info',
      ]) {
        expect(subtypes).toContain(expected);
      }
    });

    it('keeps every assistant message id on its events', () => {
      const assistant = allEvents().filter(
        (event) => event.kind === 'assistant-message' || event.kind === 'tool-call',
      );
      expect(assistant.every((event) => event.messageId?.startsWith('msg_') === true)).toBe(true);
    });
  });

  describe('damaged fixtures', () => {
    const fixture = (name: string) => join(fixturesDirectory, name);
    const sessionId = '5ed31c36-bca8-40fd-8d24-f1a1f0af7901';

    it('does not consume a truncated last line and says where it is', async () => {
      const path = fixture('claude-code-truncated-last-line.jsonl');
      const result = await read(path);
      expect(result.warnings).toEqual([{ type: 'truncated-line', path, line: 12 }]);
      expect(result.cursor?.line).toBe(11);
      expect(new Set(result.events.map((event) => event.source.line))).toEqual(
        new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      );
      // Not a UUID file name: the session is the one the lines name.
      expect([...result.sessions.keys()]).toEqual([sessionId]);
    });

    it('warns about binary garbage and a spliced invalid byte, keeping the other lines', async () => {
      const path = fixture('claude-code-binary-garbage.jsonl');
      const result = await read(path);
      expect(result.warnings).toEqual([
        { type: 'binary-content', path, line: 4 },
        { type: 'binary-content', path, line: 9 },
      ]);
      expect(new Set(result.events.map((event) => event.source.line))).toEqual(
        new Set([1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13]),
      );
    });

    it('keeps an unknown record type as `other` with a warning, and ignores known metadata silently', async () => {
      const path = fixture('claude-code-unknown-record.jsonl');
      const result = await read(path);
      expect(result.warnings).toEqual([
        { type: 'unknown-record', path, line: 3, recordType: 'future-record-type' },
      ]);
      expect(result.events.filter((event) => event.source.line === 3)).toEqual([
        expect.objectContaining({ kind: 'other', subtype: 'future-record-type', text: '' }),
      ]);
      expect(result.events.filter((event) => event.source.line === 4)).toEqual([]);
    });

    it('warns about invalid JSON, a line cut short, and JSON that is not a record', async () => {
      const path = fixture('claude-code-invalid-json.jsonl');
      const result = await read(path);
      expect(result.warnings).toEqual([
        { type: 'truncated-line', path, line: 5 },
        { type: 'invalid-json', path, line: 9, message: expect.any(String) as string },
        { type: 'invalid-record', path, line: 10, message: 'expected a JSON object, got an array' },
        { type: 'invalid-record', path, line: 11, message: 'record has no string "type" field' },
      ]);
      expect(new Set(result.events.map((event) => event.source.line))).toEqual(
        new Set([1, 2, 3, 4, 6, 7, 8, 12, 13, 14, 15]),
      );
      // The call on the cut line 5 is lost, so its result (line 6) has no tool name; the others resolve.
      const toolResults = result.events.filter((event) => event.kind === 'tool-result');
      expect(toolResults.map((event) => [event.source.line, event.toolName !== null])).toEqual([
        [6, false],
        [7, true],
        [8, true],
        [14, true],
      ]);
    });
  });

  describe('session identity', () => {
    it('uses the directory name as parent for <session>/subagents/agent-<id>.jsonl', async () => {
      const session = '11111111-2222-4333-8444-555555555555';
      const subagents = join(directory, 'project', session, 'subagents');
      await mkdir(subagents, { recursive: true });
      const path = join(subagents, 'agent-a1b2c3.jsonl');
      await copyFile(join(corpusRoot, '-Users-dain-workspace-JSSoundRecorder', 'agent-88061e52.jsonl'), path);
      const result = await read(path);
      expect([...result.sessions.values()]).toEqual([
        expect.objectContaining({ id: `${session}/agent-a1b2c3`, parentSessionId: session }),
      ]);
    });

    it('keeps the resolved identity in the cursor, so a resumed read uses it', async () => {
      const path = join(directory, 'agent-668b5ac2.jsonl');
      const text = await readFile(
        join(corpusRoot, '-Users-dain-workspace-coderabbit-review-helper', 'agent-668b5ac2.jsonl'),
        'utf8',
      );
      const lines = text.split('\n').filter((line) => line.length > 0);
      await writeFile(path, `${lines.slice(0, 3).join('\n')}\n`);
      const first = await read(path);
      expect([...first.sessions.keys()]).toEqual(['741790a4-4fe2-4644-9a51-fb4482074060/agent-668b5ac2']);
      await appendFile(path, `${lines.slice(3).join('\n')}\n`);
      const cursor = structuredClone(first.cursor!) as {
        state: { parser: { identity: { sessionId: string } } };
      };
      cursor.state.parser.identity.sessionId = 'from-cursor';
      const second = await readAllChunks(source, path, { agent: 'claude', cursor: cursor as never });
      expect([...second.sessions.keys()]).toEqual(['from-cursor']);
      expect(second.events.every((event) => event.sessionId === 'from-cursor')).toBe(true);
    });
  });

  describe('isCandidate', () => {
    it('takes transcripts and skips compaction agents, memory files and spilled tool results', () => {
      expect(source.isCandidate('/p/-home-u-app/0a6a.jsonl')).toBe(true);
      expect(source.isCandidate('/p/-home-u-app/agent-1234.jsonl')).toBe(true);
      expect(source.isCandidate('/p/-home-u-app/s/subagents/agent-1234.jsonl')).toBe(true);
      expect(source.isCandidate('/p/-home-u-app/agent-acompact-1234.jsonl')).toBe(false);
      expect(source.isCandidate('/p/-home-u-app/memory/notes.jsonl')).toBe(false);
      expect(source.isCandidate('/p/-home-u-app/s/tool-results/x.jsonl')).toBe(false);
      expect(source.isCandidate('/p/-home-u-app/s.json')).toBe(false);
      expect(source.isCandidate('C:\\p\\app\\memory\\x.jsonl')).toBe(false);
    });
  });

  describe('detect', () => {
    it('recognizes the head of every corpus file', async () => {
      const files = createFileSystemLogFiles();
      for (const path of corpus) expect(source.detect(await files.readHead(path, 16_384)), path).toBe(true);
    });

    it('rejects Reverie JSONL and other JSON lines', () => {
      expect(source.detect('{"type":"session","reverie":1,"id":"s1"}\n')).toBe(false);
      expect(source.detect('{"type":"message","role":"user","text":"hi"}\n')).toBe(false);
      expect(source.detect('{"type":"user"}\n')).toBe(false);
      expect(source.detect('[1,2]\n')).toBe(false);
      expect(source.detect('')).toBe(false);
    });

    it('skips an unparseable first line and recognizes a first line longer than the head', () => {
      expect(source.detect('garbage\n{"type":"summary","summary":"x","leafUuid":"u"}\n')).toBe(true);
      const long = `{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/x","sessionId":"s","message":{"content":"${'a'.repeat(100)}`;
      expect(source.detect(long)).toBe(true);
    });
  });

  describe('growth', () => {
    it('consumes an unterminated last line that parses, then continues numbering after its newline', async () => {
      const lines = (await readFile(damageFixture, 'utf8')).split('\n').filter((line) => line.length > 0);
      const path = join(directory, basename(damageFixture));
      await writeFile(path, lines.slice(0, 4).join('\n'));
      const first = await read(path);
      expect(first.warnings).toEqual([]);
      expect(first.cursor?.line).toBe(4);
      await appendFile(path, `\n${lines.slice(4).join('\n')}\n`);
      const second = await readAllChunks(source, path, { agent: 'claude', cursor: first.cursor });
      const full = await read(path);
      const combined: SessionEvent[] = [...first.events, ...second.events];
      expect(combined).toEqual(full.events);
      expect(second.cursor?.line).toBe(12);
    });
  });
});
