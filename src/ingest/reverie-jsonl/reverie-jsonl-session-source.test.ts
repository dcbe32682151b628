import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import { createReverieJsonlParserState, parseReverieJsonlLine } from './parse-reverie-jsonl-line.js';
import {
  createReverieJsonlSessionSource,
  deriveReverieJsonlSessionId,
} from './reverie-jsonl-session-source.js';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
const basic = fixture('reverie-jsonl-basic.jsonl');
const interleaved = fixture('reverie-jsonl-interleaved.jsonl');
const minimal = fixture('reverie-jsonl-minimal.jsonl');

runSessionSourceContract({
  name: 'reverie-jsonl',
  createSource: (options) => createReverieJsonlSessionSource(options),
  fixtures: [basic, interleaved, minimal],
  damageFixture: basic,
});

describe('ReverieJsonlSessionSource', () => {
  const source = createReverieJsonlSessionSource();
  const read = (path: string, agent = 'caller-agent') => readAllChunks(source, path, { agent });
  let directory = '';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'reverie-jsonl-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads a session with its messages, tool calls, results and events', async () => {
    const result = await read(basic);
    expect(result.warnings).toEqual([]);
    expect([...result.sessions.values()]).toEqual([
      {
        id: 'fix-login-test-2026-08-01',
        agent: 'acme-coder',
        format: 'reverie-jsonl',
        sourcePath: basic,
        parentSessionId: null,
        title: 'Fix the failing login test',
        cwd: '/home/dev/acme-web',
        startedAt: '2026-08-01T09:00:00.000Z',
        endedAt: '2026-08-01T09:01:02.000Z',
        eventCount: 0,
        outcome: {
          passed: true,
          score: null,
          source: 'log',
          name: 'tests',
          detail: 'npm test passed (42 tests)',
        },
      },
    ]);
    expect(result.events.map((event) => [event.id, event.sequence, event.kind, event.subtype])).toEqual([
      ['fix-login-test-2026-08-01:id:m0', 2, 'system', null],
      ['fix-login-test-2026-08-01:id:m1', 3, 'user-message', null],
      ['fix-login-test-2026-08-01:id:m2', 4, 'assistant-message', null],
      ['fix-login-test-2026-08-01:id:t1', 5, 'tool-call', null],
      ['fix-login-test-2026-08-01:id:r1', 6, 'tool-result', null],
      ['fix-login-test-2026-08-01:id:t2', 7, 'tool-call', null],
      ['fix-login-test-2026-08-01:id:r2', 8, 'tool-result', null],
      ['fix-login-test-2026-08-01:id:t3', 9, 'tool-call', null],
      ['fix-login-test-2026-08-01:id:r3', 10, 'tool-result', null],
      ['fix-login-test-2026-08-01:id:t4', 11, 'tool-call', null],
      ['fix-login-test-2026-08-01:id:r4', 12, 'tool-result', null],
      ['fix-login-test-2026-08-01:id:e1', 13, 'system', 'compaction'],
      ['fix-login-test-2026-08-01:id:m3', 14, 'user-message', null],
      ['fix-login-test-2026-08-01:id:m4', 15, 'assistant-message', null],
    ]);
    const results = result.events.filter((event) => event.kind === 'tool-result');
    expect(
      results.map((event) => [event.toolName, event.toolCallId, event.isError, event.isRejection]),
    ).toEqual([
      ['Bash', 'c1', true, false],
      ['Edit', 'c2', true, false],
      ['Read', 'c3', false, false],
      ['Bash', 'c4', true, true],
    ]);
    expect(result.events[3]).toMatchObject({
      toolName: 'Bash',
      toolInput: { command: 'npm test -- login' },
      text: '{"command":"npm test -- login"}',
      timestamp: '2026-08-01T09:00:03.500Z',
    });
  });

  it('uses the caller agent for sessions that name none', async () => {
    const result = await read(minimal, 'my-bot');
    expect([...result.sessions.values()].map((session) => session.agent)).toEqual(['my-bot']);
  });

  it('splits interleaved sessions, keeps parents and joins calls per session', async () => {
    const result = await read(interleaved);
    expect(result.warnings).toEqual([]);
    const sessions = [...result.sessions.values()];
    expect(
      sessions.map((session) => [session.id, session.agent, session.parentSessionId, session.title]),
    ).toEqual([
      ['main-7', 'planner', null, 'Plan the release'],
      ['main-7/worker-1', 'caller-agent', 'main-7', 'Collect the changelog'],
    ]);
    const byLine = new Map(result.events.map((event) => [event.source.line, event]));
    expect([4, 9, 10, 11].map((line) => byLine.get(line)?.sessionId)).toEqual([
      'main-7',
      'main-7',
      'main-7',
      'main-7',
    ]);
    expect([5, 6, 7, 8].map((line) => byLine.get(line)?.sessionId)).toEqual(Array(4).fill('main-7/worker-1'));
    expect(byLine.get(9)).toMatchObject({
      toolName: 'Agent',
      text: 'One breaking change: Node 18 is dropped.',
    });
    expect(byLine.get(7)).toMatchObject({
      toolName: 'Grep',
      text: '["CHANGELOG.md:12: BREAKING: drop Node 18"]',
    });
    // An unknown role is kept, as `other` with the role as subtype.
    expect(byLine.get(11)).toMatchObject({ kind: 'other', subtype: 'tool-feedback' });
    expect(sessions[0]).toMatchObject({ startedAt: '2026-08-02T14:00:00Z', endedAt: '2026-08-02T14:00:11Z' });
  });

  it('derives a stable session id from the path when the file has no session record', async () => {
    const result = await read(minimal);
    const id = deriveReverieJsonlSessionId(minimal);
    expect(id).toMatch(/^reverie-jsonl-minimal-[0-9a-f]{8}$/);
    expect([...result.sessions.keys()]).toEqual([id]);
    expect(result.events.map((event) => event.id)).toEqual(
      [1, 2, 3, 4, 5, 6].map((line) => `${id}:L${String(line)}`),
    );
    expect(deriveReverieJsonlSessionId(join(directory, 'reverie-jsonl-minimal.jsonl'))).not.toBe(id);
    // A result without call_id names no tool.
    expect(result.events[3]).toMatchObject({ kind: 'tool-result', toolName: null, isError: false });
  });

  it('skips records that miss required fields with a warning naming the field', async () => {
    const path = join(directory, 'invalid.jsonl');
    await writeFile(
      path,
      [
        '{"type":"session","agent":"x"}',
        '{"type":"message","role":"user"}',
        '{"type":"tool_call","input":{}}',
        '{"type":"event","text":"no name"}',
        '{"type":"message","role":"user","text":"kept","ts":12}',
        '',
      ].join('\n'),
    );
    const result = await read(path);
    expect(result.warnings.map((warning) => [warning.type, 'line' in warning ? warning.line : 0])).toEqual([
      ['invalid-record', 1],
      ['invalid-record', 2],
      ['invalid-record', 3],
      ['invalid-record', 4],
    ]);
    expect(result.warnings[1]).toMatchObject({ message: expect.stringContaining('"text"') as string });
    expect(result.events).toEqual([expect.objectContaining({ text: 'kept', timestamp: null, sequence: 5 })]);
  });

  describe('detect', () => {
    it('recognizes Reverie JSONL heads', () => {
      expect(source.detect('{"type":"session","reverie":1,"id":"s"}\n')).toBe(true);
      expect(source.detect('\n{"type":"message","role":"user","text":"hi"}\n')).toBe(true);
      expect(source.detect('{"type":"tool_call","tool":"Read"}')).toBe(true);
    });

    it('rejects Claude Code lines and other JSON', () => {
      expect(source.detect('{"type":"user","uuid":"u","sessionId":"s","message":{}}\n')).toBe(false);
      expect(source.detect('{"type":"summary","summary":"x","leafUuid":"u"}\n')).toBe(false);
      expect(source.detect('{"type":"message","sessionId":"s"}\n')).toBe(false);
      expect(source.detect('{"timestamp":"t","type":"session_meta","payload":{}}\n')).toBe(false);
      expect(source.detect('[]\n')).toBe(false);
      expect(source.detect('')).toBe(false);
    });

    it('accepts only .jsonl files as candidates', () => {
      expect(source.isCandidate('/logs/agent/2026-08-01.jsonl')).toBe(true);
      expect(source.isCandidate('/logs/agent/2026-08-01.json')).toBe(false);
    });
  });

  describe('parseReverieJsonlLine', () => {
    it('is pure: the state it is given is never changed', () => {
      const state = createReverieJsonlParserState();
      const input = { line: 1, path: '/x.jsonl', binary: false, terminated: true };
      const first = parseReverieJsonlLine(
        state,
        { ...input, text: '{"type":"tool_call","call_id":"c","tool":"Read","ts":"2026-08-01T00:00:00Z"}' },
        { defaultSessionId: 'd' },
      );
      const snapshot = structuredClone(first.state);
      const second = parseReverieJsonlLine(
        first.state,
        { ...input, line: 2, text: '{"type":"tool_result","call_id":"c","output":"ok"}' },
        { defaultSessionId: 'd' },
      );
      expect(first.state).toEqual(snapshot);
      expect(state).toEqual(createReverieJsonlParserState());
      expect(second.events[0]).toMatchObject({ toolName: 'Read', id: 'd:L2', sessionId: 'd' });
      expect(second.state.pendingToolCalls).toEqual({});
    });

    it('keeps an unknown record type as `other` with a warning', () => {
      const result = parseReverieJsonlLine(
        createReverieJsonlParserState(),
        { text: '{"type":"handoff","id":"h1"}', line: 3, path: '/x.jsonl', binary: false, terminated: true },
        { defaultSessionId: 'd' },
      );
      expect(result.events).toEqual([
        expect.objectContaining({ id: 'd:id:h1', kind: 'other', subtype: 'handoff' }),
      ]);
      expect(result.warnings).toEqual([
        { type: 'unknown-record', path: '/x.jsonl', line: 3, recordType: 'handoff' },
      ]);
    });
  });
});
