import { appendFile, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { createFileSystemLogFiles } from '../file-system-log-files.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import type { ReadResult } from '../session-source.contract.js';
import { createCodexSessionSource, resolveCodexSessionIdentity } from './codex-session-source.js';

const fixturesRoot = fileURLToPath(new URL('../../../fixtures', import.meta.url));
const ingestRoot = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => join(fixturesRoot, 'codex', name);

const openPrintKit = fixture('rollout-2025-10-31T19-02-58-c61729d4-da6d-46a4-9a29-ec2c614e5e23.jsonl');
const moonMind = fixture('rollout-2025-11-13T18-21-11-019a802a-aab1-7c31-9831-d2510c7a74a2.jsonl');
const inkflow = fixture('rollout-2026-03-10T11-10-18-019cd5b9-53ba-7011-a6d5-c955c916e391.jsonl');
const derived = fixture('rollout-2026-05-18T00-57-57-019e0000-5b2c-7c10-9d61-6a8f2d1c0b07-derived.jsonl');
const corpus = [openPrintKit, moonMind, inkflow, derived];

runSessionSourceContract({
  name: 'codex',
  createSource: (options) => createCodexSessionSource(options),
  fixtures: corpus,
  damageFixture: moonMind,
});

/** Every file under a folder, recursively. */
async function listFiles(folder: string): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) paths.push(...(await listFiles(path)));
    else if (entry.isFile() && !entry.name.endsWith('.md')) paths.push(path);
  }
  return paths;
}

/** Other formats' fixtures: `fixtures/<format>/` and `src/ingest/<format>/__fixtures__/`, all but Codex's own. */
async function foreignFixtures(): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(fixturesRoot, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'codex')
      paths.push(...(await listFiles(join(fixturesRoot, entry.name))));
  }
  for (const entry of await readdir(ingestRoot, { withFileTypes: true })) {
    const folder = join(ingestRoot, entry.name, '__fixtures__');
    if (entry.isDirectory() && entry.name !== 'codex') {
      paths.push(...(await listFiles(folder).catch(() => [])));
    }
  }
  return paths;
}

describe('CodexSessionSource', () => {
  const source = createCodexSessionSource();
  const read = (path: string) => readAllChunks(source, path, { agent: 'codex' });
  const results = new Map<string, ReadResult>();
  const resultOf = (path: string) => {
    const result = results.get(path);
    if (result === undefined) throw new Error(`not read: ${path}`);
    return result;
  };
  const kinds = (events: readonly SessionEvent[]) =>
    events.map((event) => `${event.kind}/${String(event.subtype)}`);
  let directory = '';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'reverie-codex-'));
    for (const path of corpus) results.set(path, await read(path));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  describe('on the real rollouts', () => {
    it('reads every fixture without a warning', () => {
      expect(corpus.flatMap((path) => resultOf(path).warnings)).toEqual([]);
    });

    it('names each session after its session_meta id and fills cwd and time range', () => {
      expect([...resultOf(moonMind).sessions.values()]).toEqual([
        {
          id: '019a802a-aab1-7c31-9831-d2510c7a74a2',
          agent: 'codex',
          format: 'codex',
          sourcePath: moonMind,
          parentSessionId: null,
          title: null,
          cwd: '/mnt/d/ai/MoonMind',
          startedAt: '2025-11-14T02:21:11.289Z',
          endedAt: '2025-11-14T02:21:29.210Z',
          eventCount: 0,
          outcome: null,
        },
      ]);
      expect([...resultOf(openPrintKit).sessions.keys()]).toEqual(['c61729d4-da6d-46a4-9a29-ec2c614e5e23']);
      expect([...resultOf(inkflow).sessions.values()]).toEqual([
        expect.objectContaining({
          id: '019cd5b9-53ba-7011-a6d5-c955c916e391',
          cwd: '/Users/ray/developer/github/inkflow',
        }),
      ]);
    });

    it('detects the failures the shell wrapper reports by exit code (127 and 2) and keeps the output text', () => {
      const toolResults = resultOf(moonMind).events.filter((event) => event.kind === 'tool-result');
      expect(toolResults.map((event) => [event.toolName, event.isError])).toEqual([
        ['update_plan', false],
        ['shell', true],
        ['shell', true],
      ]);
      // CLI 0.58 wraps shell output as {"output": …, "metadata": {"exit_code": N}}; the text is the output itself.
      expect(toolResults[1]?.text).toBe(
        '/usr/bin/env: ‘bash\\r’: No such file or directory\n/usr/bin/env: use -[v]S to pass options in shebang lines\n',
      );
      expect(toolResults[2]?.text).toContain("line 30: syntax error near unexpected token `$'do\\r''");
      const calls = resultOf(moonMind).events.filter((event) => event.kind === 'tool-call');
      expect(calls.map((event) => event.toolCallId)).toEqual(toolResults.map((event) => event.toolCallId));
      expect(calls[1]?.toolInput).toEqual({
        command: ['bash', '-lc', '.specify/scripts/bash/check-prerequisites.sh --json'],
        workdir: '/mnt/d/ai/MoonMind',
      });
    });

    it('reads successful wrapped shell output (exit code 0) as no error', () => {
      const toolResults = resultOf(openPrintKit).events.filter((event) => event.kind === 'tool-result');
      expect(toolResults).toHaveLength(2);
      expect(toolResults.every((event) => !event.isError && event.toolName === 'shell')).toBe(true);
      expect(toolResults[0]?.text.startsWith('total 788\ndrwxrwxr-x  19 randy randy')).toBe(true);
    });

    it('keeps what the person typed once, and harness text as meta', () => {
      expect(kinds(resultOf(inkflow).events)).toEqual([
        'user-message/meta',
        'user-message/null',
        'system/turn-aborted',
      ]);
      const typed = resultOf(openPrintKit).events.filter((event) => event.kind === 'user-message');
      expect(typed.map((event) => [event.subtype, event.text.slice(0, 21)])).toEqual([
        ['meta', '<environment_context>'],
        [null, 'Can we continue from '],
      ]);
      const meta = resultOf(moonMind).events.filter((event) => event.subtype === 'meta');
      expect(meta.map((event) => event.text.split('\n')[0])).toEqual([
        '# AGENTS.md instructions for /mnt/d/ai/MoonMind',
        '<environment_context>',
      ]);
    });

    it('reads assistant text and reasoning from response_item only, never twice', () => {
      const assistant = resultOf(openPrintKit).events.filter((event) => event.kind === 'assistant-message');
      expect(assistant).toHaveLength(1);
      expect(assistant[0]?.source.line).toBe(7);
      const thinking = resultOf(moonMind).events.filter((event) => event.subtype === 'thinking');
      expect(thinking.map((event) => [event.text, event.source.line])).toEqual([
        ['**Considering multi-step plan**', 8],
      ]);
    });

    it('ignores bookkeeping (token_count, turn_context, ghost_snapshot) without events', () => {
      const lines = new Set(resultOf(moonMind).events.map((event) => event.source.line));
      for (const line of [4, 5, 7, 11, 13, 14, 15]) expect(lines.has(line)).toBe(false);
      expect(resultOf(moonMind).events).toHaveLength(9);
    });

    it('gives events stable ids from the session and line', () => {
      expect(resultOf(inkflow).events.map((event) => event.id)).toEqual([
        'codex:019cd5b9-53ba-7011-a6d5-c955c916e391:2',
        'codex:019cd5b9-53ba-7011-a6d5-c955c916e391:4',
        'codex:019cd5b9-53ba-7011-a6d5-c955c916e391:7',
      ]);
    });
  });

  describe('on the derived newer-CLI rollout', () => {
    it('links a sub-agent thread to its parent and takes the thread name as title', () => {
      expect([...resultOf(derived).sessions.values()]).toEqual([
        expect.objectContaining({
          id: '019e0000-5b2c-7c10-9d61-6a8f2d1c0b07',
          parentSessionId: '019a802a-aab1-7c31-9831-d2510c7a74a2',
          title: 'Fix CRLF in prerequisite scripts',
          cwd: '/mnt/d/ai/MoonMind',
        }),
      ]);
    });

    it('detects failures from "Process exited with code N", patch_apply_end and user refusals', () => {
      const toolResults = resultOf(derived).events.filter((event) => event.kind === 'tool-result');
      expect(
        toolResults.map((event) => [event.toolName, event.toolCallId, event.isError, event.isRejection]),
      ).toEqual([
        ['exec_command', 'call_exec_1', true, false],
        ['apply_patch', 'call_patch_1', true, false],
        ['shell_command', 'call_shell_1', false, false],
        ['exec_command', 'call_exec_2', false, false],
        ['exec_command', 'call_exec_3', true, true],
      ]);
      const patch = resultOf(derived).events.find(
        (event) => event.kind === 'tool-call' && event.toolName === 'apply_patch',
      );
      // A custom tool's input is free text, kept as the string.
      expect(patch?.toolInput).toBe(patch?.text);
    });

    it('reads compaction, aborted turns and unknown item types', () => {
      expect(kinds(resultOf(derived).events)).toEqual([
        'user-message/meta',
        'user-message/null',
        'assistant-message/thinking',
        'tool-call/null',
        'tool-result/null',
        'tool-call/null',
        'tool-result/null',
        'tool-call/null',
        'tool-result/null',
        'tool-call/null',
        'tool-result/null',
        'other/web_search_call',
        'system/compact-summary',
        'assistant-message/null',
        'user-message/meta',
        'system/turn-aborted',
        'tool-call/null',
        'tool-result/null',
      ]);
    });
  });

  describe('session identity', () => {
    it('falls back to the uuid in the file name when there is no session_meta', async () => {
      const path = join(directory, 'rollout-2026-01-02T03-04-05-0199a213-81c0-7f2a-9d2e-3c4b5a6f7e81.jsonl');
      const lines = (await readFile(inkflow, 'utf8')).split('\n').filter((line) => line.length > 0);
      await writeFile(path, `${lines.slice(1).join('\n')}\n`);
      const result = await read(path);
      expect([...result.sessions.keys()]).toEqual(['0199a213-81c0-7f2a-9d2e-3c4b5a6f7e81']);
    });

    it('falls back to a stable hash of the path for any other name', async () => {
      const path = join(directory, 'exported.jsonl');
      const lines = (await readFile(inkflow, 'utf8')).split('\n').filter((line) => line.length > 0);
      await writeFile(path, `${lines.slice(1).join('\n')}\n`);
      const first = await resolveCodexSessionIdentity(path);
      expect(first).toMatchObject({ resolved: false, parentSessionId: null });
      expect(first.sessionId).toMatch(/^codex-exported-[0-9a-f]{8}$/);
      expect(await resolveCodexSessionIdentity(path)).toEqual(first);
    });

    it('keeps the resolved identity in the cursor, so a resumed read uses it', async () => {
      const path = join(directory, basename(moonMind));
      const lines = (await readFile(moonMind, 'utf8')).split('\n').filter((line) => line.length > 0);
      await writeFile(path, `${lines.slice(0, 3).join('\n')}\n`);
      const first = await read(path);
      await appendFile(path, `${lines.slice(3).join('\n')}\n`);
      const cursor = structuredClone(first.cursor!) as {
        state: { parser: { identity: { sessionId: string } } };
      };
      cursor.state.parser.identity.sessionId = 'from-cursor';
      const second = await readAllChunks(source, path, { agent: 'codex', cursor: cursor as never });
      expect([...second.sessions.keys()]).toEqual(['from-cursor']);
      expect(second.events.every((event) => event.sessionId === 'from-cursor')).toBe(true);
    });

    it('emits a held-back model-input copy as meta when no typed twin follows, even across reads', async () => {
      const path = join(directory, 'held-back.jsonl');
      const meta = '{"timestamp":"2026-01-01T00:00:00Z","type":"session_meta","payload":{"id":"s-held"}}';
      const copy =
        '{"timestamp":"2026-01-01T00:00:01Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"Earlier request, replayed"}]}}';
      const next =
        '{"timestamp":"2026-01-01T00:00:02Z","type":"event_msg","payload":{"type":"turn_aborted","reason":"x"}}';
      await writeFile(path, `${meta}\n${copy}\n`);
      const first = await read(path);
      expect(first.events).toEqual([]);
      await appendFile(path, `${next}\n`);
      const second = await readAllChunks(source, path, { agent: 'codex', cursor: first.cursor });
      expect(
        second.events.map((event) => [event.source.line, event.kind, event.subtype, event.text]),
      ).toEqual([
        [2, 'user-message', 'meta', 'Earlier request, replayed'],
        [3, 'system', 'turn-aborted', 'x'],
      ]);
    });
  });

  describe('isCandidate', () => {
    it('takes rollout JSON lines and skips Codex side files', () => {
      expect(source.isCandidate('/h/.codex/sessions/2026/01/02/rollout-2026-01-02T03-04-05-x.jsonl')).toBe(
        true,
      );
      expect(source.isCandidate('/h/.codex/archived_sessions/rollout-x.jsonl')).toBe(true);
      expect(source.isCandidate('/h/.codex/history.jsonl')).toBe(false);
      expect(source.isCandidate('/h/.codex/session_index.jsonl')).toBe(false);
      expect(source.isCandidate('/h/.codex/state.db')).toBe(false);
    });
  });

  describe('detect', () => {
    const files = createFileSystemLogFiles();

    it('recognizes the head of every fixture', async () => {
      for (const path of corpus) expect(source.detect(await files.readHead(path, 16_384)), path).toBe(true);
    });

    it("rejects every other format's fixtures", async () => {
      const foreign = await foreignFixtures();
      expect(foreign.length).toBeGreaterThan(0);
      for (const path of foreign) expect(source.detect(await files.readHead(path, 16_384)), path).toBe(false);
    });

    it('rejects the `codex exec --json` event stream and Claude Code lines', () => {
      expect(
        source.detect('{"type":"thread.started","thread_id":"0199a213-81c0-7f2a-9d2e-3c4b5a6f7e81"}\n'),
      ).toBe(false);
      expect(source.detect('{"type":"item.completed","item":{"id":"item_0","type":"agent_message"}}\n')).toBe(
        false,
      );
      expect(source.detect('{"type":"user","sessionId":"s","message":{"content":"hi"}}\n')).toBe(false);
      expect(source.detect('{"type":"response_item","payload":"not an object"}\n')).toBe(false);
      expect(source.detect('')).toBe(false);
    });

    it('recognizes a first line longer than the head by its envelope', async () => {
      const head = (await readFile(moonMind, 'utf8')).slice(0, 300);
      expect(head.includes('\n')).toBe(false);
      expect(source.detect(head)).toBe(true);
      expect(
        source.detect(
          '{"timestamp":"2026-01-01T00:00:00Z","ordinal":0,"type":"session_meta","payload":{"id":"x","base_',
        ),
      ).toBe(true);
      expect(
        source.detect('{"timestamp":"2026-01-01T00:00:00Z","type":"thread.started","payload":{"id":'),
      ).toBe(false);
    });
  });

  describe('growth', () => {
    it('reads a resumed session appended to the same file from the saved cursor', async () => {
      const folder = join(directory, 'growth');
      await mkdir(folder);
      const path = join(folder, basename(inkflow));
      await copyFile(inkflow, path);
      const first = await read(path);
      const resumed = [
        '{"timestamp":"2026-03-11T08:00:00.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"continue"}]}}',
        '{"timestamp":"2026-03-11T08:00:00.001Z","type":"event_msg","payload":{"type":"user_message","message":"continue","kind":"plain"}}',
      ];
      await appendFile(path, `${resumed.join('\n')}\n`);
      const second = await readAllChunks(source, path, { agent: 'codex', cursor: first.cursor });
      expect(second.events.map((event) => [event.sequence, event.kind, event.subtype, event.text])).toEqual([
        [9, 'user-message', null, 'continue'],
      ]);
      expect([...second.sessions.values()]).toEqual([
        expect.objectContaining({
          id: '019cd5b9-53ba-7011-a6d5-c955c916e391',
          endedAt: '2026-03-11T08:00:00.001Z',
        }),
      ]);
    });
  });
});
