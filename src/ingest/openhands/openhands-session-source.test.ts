import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { jsonDocumentRecordKit } from '../record-kit.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import type { ReadResult } from '../session-source.contract.js';
import { createOpenHandsSessionSource, deriveOpenHandsSessionId } from './openhands-session-source.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureFolder = join(repository, 'fixtures', 'openhands');
const names = [
  'basic.json',
  'basic_gui_mode.json',
  'basic_interactions.json',
  'wrong_initial_state.json',
] as const;
const fixture = (name: (typeof names)[number]) => join(fixtureFolder, name);

const kit = {
  ...jsonDocumentRecordKit({
    recordsAt: [],
    // An event's type is its `action` or `observation` value.
    withUnknownType: (record, unknownType) => {
      const parsed = safeParseJson(record.toString('utf8'));
      if (!parsed.success || !isJsonObject(parsed.value)) return null;
      const key = 'action' in parsed.value ? 'action' : 'observation' in parsed.value ? 'observation' : null;
      return key === null ? null : Buffer.from(JSON.stringify({ ...parsed.value, [key]: unknownType }));
    },
  }),
};

runSessionSourceContract({
  name: 'openhands',
  createSource: (options) => createOpenHandsSessionSource({ maxChunkRecords: options?.maxChunkLines }),
  fixtures: names.map(fixture),
  damageFixture: fixture('basic_gui_mode.json'),
  kit,
});

describe('OpenHandsSessionSource', () => {
  const source = createOpenHandsSessionSource();
  const results = new Map<string, ReadResult>();
  let directory = '';

  beforeAll(async () => {
    for (const name of names)
      results.set(name, await readAllChunks(source, fixture(name), { agent: 'openhands' }));
    directory = await mkdtemp(join(tmpdir(), 'reverie-openhands-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const read = (name: (typeof names)[number]) => {
    const result = results.get(name);
    if (result === undefined) throw new Error(`not read: ${name}`);
    return result;
  };
  const summary = (events: readonly SessionEvent[]) =>
    events.map((event) => [event.kind, event.subtype, event.toolName, event.isError]);

  it('reads each trajectory as one session, without warnings and without an outcome', () => {
    for (const name of names) {
      const result = read(name);
      expect(result.warnings, name).toEqual([]);
      expect([...result.sessions.keys()], name).toEqual([deriveOpenHandsSessionId(fixture(name))]);
      expect([...result.sessions.values()][0]?.outcome, name).toBeNull();
    }
    expect([...read('basic_gui_mode.json').sessions.values()][0]).toMatchObject({
      agent: 'openhands',
      format: 'openhands',
      title: 'I want to create a VueJS app that allows me to:',
      cwd: '/workspace',
      startedAt: '2025-01-20T20:29:13.519638',
      endedAt: '2025-01-20T20:30:35.429675',
    });
  });

  it('joins each tool action to its observation by cause, with the tool call id', () => {
    const events = read('wrong_initial_state.json').events;
    expect(summary(events)).toEqual([
      ['user-message', null, null, false],
      ['assistant-message', null, null, false],
      ['tool-call', null, 'read', false],
      ['tool-result', null, 'read', false],
      ['assistant-message', null, null, false],
      ['tool-call', null, 'run', false],
      ['tool-result', null, 'run', false],
      ['assistant-message', null, null, false],
      ['tool-call', null, 'read', false],
      ['tool-result', null, 'read', false],
      ['assistant-message', 'finish', null, false],
    ]);
    const call = events[5];
    expect(call).toMatchObject({
      toolCallId: 'toolu_01PuY3mXrE6fm3j52GscR4rj',
      toolInput: { command: 'mv /workspace/game_2048.py /workspace/2048.py', is_input: false },
      timestamp: '2025-01-27T23:16:56.951967',
    });
    expect(events[6]).toMatchObject({
      toolCallId: 'toolu_01PuY3mXrE6fm3j52GscR4rj',
      text: '\n[The command completed with exit code 0.]',
    });
    // A thought and its tool call come from one model response.
    expect(events[4]?.messageId).toBe(call?.messageId);
    expect(call?.messageId).toEqual(expect.any(String));
  });

  it('marks a command that never finished (exit code -1) as an error and keeps state changes as system events', () => {
    const events = read('basic_gui_mode.json').events;
    const errors = events.filter((event) => event.isError);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'tool-result', toolName: 'run' });
    expect(errors[0]?.text).toMatch(
      /^Serving HTTP on 0\.0\.0\.0 port 8000 .*\n\[The command has no new output after 30 seconds/s,
    );
    expect(
      events.filter((event) => event.subtype === 'agent_state_changed').map((event) => event.text),
    ).toEqual(['loading', 'init', 'running', 'awaiting_user_input']);
    // The three `null` observations ("No observation") give no event.
    expect(events.some((event) => event.text === 'No observation')).toBe(false);
    expect(events).toHaveLength(19);
  });

  it('reads a chat without tools as messages, and the finish action as the last assistant message', () => {
    expect(summary(read('basic_interactions.json').events)).toEqual([
      ['user-message', null, null, false],
      ['assistant-message', null, null, false],
      ['user-message', null, null, false],
      ['assistant-message', null, null, false],
      ['user-message', null, null, false],
      ['assistant-message', 'finish', null, false],
    ]);
    expect(read('basic_interactions.json').events[5]?.text).toBe("All done! What's next on the agenda?");
    expect(summary(read('basic.json').events)).toEqual([
      ['user-message', null, null, false],
      ['assistant-message', null, null, false],
      ['tool-call', null, 'edit', false],
      ['tool-result', null, 'edit', false],
      ['assistant-message', 'finish', null, false],
    ]);
  });

  it('reads errors, rejections, IPython tracebacks and unknown types from other OpenHands versions', async () => {
    const path = join(directory, 'versions.json');
    const events = [
      { id: 1, source: 'agent', action: 'run', args: { command: 'pytest', thought: '' } },
      { id: 2, source: 'agent', observation: 'run', cause: 1, content: 'FAILED', extras: { exit_code: 1 } },
      { id: 3, source: 'agent', action: 'edit', args: { path: '/a.py' } },
      { id: 4, source: 'agent', observation: 'error', cause: 3, content: 'ERROR:\nInvalid `path` parameter' },
      { id: 5, source: 'agent', action: 'run_ipython', args: { code: '1/0' } },
      {
        id: 6,
        source: 'agent',
        observation: 'run_ipython',
        cause: 5,
        content: 'ZeroDivisionError                         Traceback (most recent call last)',
      },
      { id: 7, source: 'agent', action: 'run', args: { command: 'rm -rf /' } },
      {
        id: 8,
        source: 'user',
        observation: 'user_rejected',
        cause: 7,
        content: 'Action has been rejected by the user!',
      },
      { id: 9, source: 'agent', observation: 'error', content: 'Agent got stuck in a loop' },
      { id: 10, source: 'agent', action: 'future_action', message: 'something new' },
      { id: 11, source: 'agent', message: 'no type' },
    ];
    await writeFile(path, `[\n${events.map((event) => JSON.stringify(event)).join(',\n')}\n]\n`);
    const result = await readAllChunks(source, path);
    expect(result.warnings).toEqual([
      { type: 'unknown-record', path, line: 11, recordType: 'future_action' },
      { type: 'invalid-record', path, line: 12, message: 'OpenHands event: no "action" or "observation"' },
    ]);
    expect(
      result.events.map((event) => [
        event.kind,
        event.subtype,
        event.toolName,
        event.isError,
        event.isRejection,
      ]),
    ).toEqual([
      ['tool-call', null, 'run', false, false],
      ['tool-result', null, 'run', true, false],
      ['tool-call', null, 'edit', false, false],
      ['tool-result', null, 'edit', true, false],
      ['tool-call', null, 'run_ipython', false, false],
      ['tool-result', null, 'run_ipython', true, false],
      ['tool-call', null, 'run', false, false],
      ['tool-result', null, 'run', true, true],
      ['system', 'error', null, false, false],
      ['other', 'future_action', null, false, false],
    ]);
  });

  it('warns once about a document that is not an array of events', async () => {
    const path = join(directory, 'object.json');
    await writeFile(path, '{"id": 0, "source": "user", "action": "message"}');
    expect((await readAllChunks(source, path)).warnings).toEqual([
      {
        type: 'invalid-record',
        path,
        line: 1,
        message: 'not an OpenHands trajectory: the document is not a JSON array of events',
      },
    ]);
  });
});

describe('OpenHandsSessionSource.detect', () => {
  const source = createOpenHandsSessionSource();

  it('detects its fixtures from their first 16 KiB', async () => {
    for (const name of names) expect(await detectFile(source, fixture(name)), name).toBe(true);
  });

  it('rejects every other fixture of the repository', async () => {
    const others = (await listFixtures()).filter((path) => !path.startsWith(fixtureFolder));
    expect(others.length).toBeGreaterThan(0);
    for (const path of others) expect(await detectFile(source, path), path).toBe(false);
  });

  it('detects a first event longer than the head, and rejects other arrays', () => {
    expect(
      source.detect(
        '[\n  {\n    "id": 0,\n    "timestamp": "2025-01-01T00:00:00",\n    "source": "agent",\n    "message": "You are',
      ),
    ).toBe(true);
    expect(source.detect('[{"id": 0, "source": "agent", "message": "hi"}]')).toBe(false);
    expect(source.detect('[{"role": "user", "content": "hi"}]')).toBe(false);
    expect(source.detect('{"source": "agent", "action": "run"}')).toBe(false);
  });
});

async function detectFile(source: { detect(head: string): boolean }, path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(16_384);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return source.detect(new TextDecoder('utf-8').decode(buffer.subarray(0, bytesRead)));
  } finally {
    await handle.close();
  }
}

/** Every fixture file of the repository (`fixtures/` and the adapters' `__fixtures__/`), READMEs aside. */
async function listFixtures(): Promise<string[]> {
  const roots = [join(repository, 'fixtures')];
  for (const entry of await readdir(join(repository, 'src', 'ingest'), { withFileTypes: true })) {
    if (entry.isDirectory()) roots.push(join(repository, 'src', 'ingest', entry.name, '__fixtures__'));
  }
  const files: string[] = [];
  for (const root of roots) {
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isFile() && entry.name !== 'README.md') files.push(join(entry.parentPath, entry.name));
    }
  }
  return files;
}
