import { describe, expect, it } from 'vitest';
import { createClaudeCodeParserState, parseClaudeCodeLine } from './parse-claude-code-line.js';
import type { ClaudeCodeParserState, ParseClaudeCodeLineResult } from './parse-claude-code-line.js';

const path = '/logs/project/s1.jsonl';
const context = { sessionId: 's1' };

/** Feeds records (objects are serialized, strings are taken as raw lines) through the parser, line 1 on. */
function parseAll(
  lines: readonly (Record<string, unknown> | string)[],
  state: ClaudeCodeParserState = createClaudeCodeParserState(),
): { state: ClaudeCodeParserState; results: ParseClaudeCodeLineResult[] } {
  const results: ParseClaudeCodeLineResult[] = [];
  let current = state;
  lines.forEach((value, index) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const result = parseClaudeCodeLine(
      current,
      { text, line: index + 1, path, binary: false, terminated: true },
      context,
    );
    results.push(result);
    current = result.state;
  });
  return { state: current, results };
}

const envelope = (uuid: string, timestamp = '2026-08-01T10:00:00.000Z') => ({
  uuid,
  parentUuid: null,
  sessionId: 's1',
  cwd: '/home/u/app',
  timestamp,
});

const assistant = (
  uuid: string,
  messageId: string,
  content: unknown[],
  extra: Record<string, unknown> = {},
) => ({
  type: 'assistant',
  ...envelope(uuid),
  message: { id: messageId, role: 'assistant', content },
  ...extra,
});

const user = (uuid: string, content: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'user',
  ...envelope(uuid),
  message: { role: 'user', content },
  ...extra,
});

describe('parseClaudeCodeLine', () => {
  it('reads a line with several blocks into one event per block, joined to its results', () => {
    const { results } = parseAll([
      assistant('a1', 'msg_1', [
        { type: 'thinking', thinking: 'I should read first.', signature: 'sig' },
        { type: 'text', text: 'Reading the file.' },
        { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/a.ts' } },
        { type: 'tool_use', id: 'toolu_2', name: 'Bash', input: { command: 'npm test' } },
      ]),
      user('u1', [
        { type: 'tool_result', tool_use_id: 'toolu_2', content: 'Exit code 1\nFAIL', is_error: true },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [
            { type: 'text', text: 'line one' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'text', text: 'line two' },
          ],
        },
      ]),
    ]);
    const [calls, outputs] = results;
    expect(
      calls?.events.map((event) => [event.id, event.sequence, event.kind, event.subtype, event.text]),
    ).toEqual([
      ['cc:a1:0', 1000, 'assistant-message', 'thinking', 'I should read first.'],
      ['cc:a1:1', 1001, 'assistant-message', null, 'Reading the file.'],
      ['cc:a1:2', 1002, 'tool-call', null, '{"file_path":"/a.ts"}'],
      ['cc:a1:3', 1003, 'tool-call', null, '{"command":"npm test"}'],
    ]);
    expect(calls?.events[2]).toMatchObject({
      toolName: 'Read',
      toolCallId: 'toolu_1',
      toolInput: { file_path: '/a.ts' },
      messageId: 'msg_1',
      sessionId: 's1',
      timestamp: '2026-08-01T10:00:00.000Z',
      source: { path, line: 1 },
    });
    expect(outputs?.events.map((event) => [event.id, event.toolName, event.isError, event.text])).toEqual([
      ['cc:u1:0', 'Bash', true, 'Exit code 1\nFAIL'],
      ['cc:u1:1', 'Read', false, 'line one\n[image]\nline two'],
    ]);
    expect(outputs?.events.every((event) => event.messageId === null && !event.isRejection)).toBe(true);
    // Results remove their calls: the state stays small.
    expect(outputs?.state.pendingToolCalls).toEqual({});
  });

  it('flags refusals and interrupts as rejections', () => {
    const refusals = [
      "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing.",
      "The user doesn't want to take this action right now. STOP what you are doing and wait for the user to tell you how to proceed.",
      '[Request interrupted by user for tool use]',
    ];
    const { results } = parseAll([
      assistant(
        'a1',
        'msg_1',
        refusals.map((_, index) => ({ type: 'tool_use', id: `t${String(index)}`, name: 'Edit', input: {} })),
      ),
      ...refusals.map((content, index) =>
        user(`u${String(index)}`, [
          { type: 'tool_result', tool_use_id: `t${String(index)}`, content, is_error: true },
        ]),
      ),
      user('u9', [{ type: 'tool_result', tool_use_id: 'tx', content: refusals[0], is_error: false }]),
    ]);
    expect(results.slice(1, 4).map((result) => result.events[0]?.isRejection)).toEqual([true, true, true]);
    // Not an error, so not a refusal of a tool use.
    expect(results[4]?.events[0]).toMatchObject({ isRejection: false, toolName: null });
  });

  it('skips an assistant block repeated under the same message id', () => {
    const block = { type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} };
    const text = { type: 'text', text: 'Let me look.' };
    const { results } = parseAll([
      assistant('a1', 'msg_1', [text]),
      assistant('a2', 'msg_1', [text, block]),
      assistant('a3', 'msg_1', [text, block]),
      assistant('a4', 'msg_2', [text]),
    ]);
    expect(results.map((result) => result.events.map((event) => event.id))).toEqual([
      ['cc:a1:0'],
      ['cc:a2:1'],
      [],
      ['cc:a4:0'],
    ]);
    expect(results[3]?.state.lastMessageBlockKeys).toHaveLength(1);
  });

  it('gives injected, compacted and command text a subtype', () => {
    const { results } = parseAll([
      user('u1', 'Caveat: the messages below were generated by the user while running local commands.', {
        isMeta: true,
      }),
      user('u2', 'This session is being continued from a previous conversation.', { isCompactSummary: true }),
      user('u3', '<command-name>/model</command-name>\n<command-message>model</command-message>'),
      user('u4', [{ type: 'text', text: '<local-command-stdout>Set model</local-command-stdout>' }]),
      user('u5', 'plain prompt mentioning <command-name> later'),
      assistant('a1', 'msg_1', [{ type: 'text', text: 'API Error: 529 overloaded' }], {
        isApiErrorMessage: true,
      }),
    ]);
    expect(results.map((result) => result.events[0]?.subtype)).toEqual([
      'meta',
      'compact-summary',
      'command',
      'command',
      null,
      'api-error',
    ]);
  });

  it('reads system lines, images, documents and unknown blocks without warnings', () => {
    const { results } = parseAll([
      { type: 'system', ...envelope('s1'), content: 'Running PostToolUse:Edit...', level: 'info' },
      { type: 'system', ...envelope('s2'), subtype: 'compact_boundary', content: 'Conversation compacted' },
      { type: 'system', ...envelope('s3'), subtype: 'turn_duration', durationMs: 5 },
      user('u1', [
        { type: 'image', source: {} },
        { type: 'document', source: {} },
        { type: 'server_tool_use', id: 'x' },
        'not a block',
      ]),
      assistant('a1', 'msg_1', [{ type: 'redacted_thinking', data: 'xyz' }]),
    ]);
    expect(results.flatMap((result) => result.warnings)).toEqual([]);
    expect(
      results.flatMap((result) => result.events.map((event) => [event.kind, event.subtype, event.text])),
    ).toEqual([
      ['system', 'info', 'Running PostToolUse:Edit...'],
      ['system', 'compact_boundary', 'Conversation compacted'],
      ['system', 'turn_duration', 'turn_duration'],
      ['user-message', 'image', '[image]'],
      ['user-message', 'document', '[document]'],
      ['other', 'server_tool_use', ''],
      ['other', null, ''],
      ['assistant-message', 'thinking', '[redacted thinking]'],
    ]);
  });

  it('keeps an unknown record type as an `other` event with a warning, and known metadata as nothing', () => {
    const { results } = parseAll([
      { type: 'file-history-snapshot', messageId: 'm', snapshot: {} },
      {
        type: 'queue-operation',
        operation: 'enqueue',
        sessionId: 's1',
        timestamp: '2026-08-01T09:00:00.000Z',
      },
      { type: 'brand-new-type', uuid: 'n1', timestamp: '2026-08-01T10:00:00.000Z' },
    ]);
    expect(results[0]).toMatchObject({ events: [], warnings: [], isRecord: true });
    expect(results[1]).toMatchObject({ events: [], warnings: [] });
    expect(results[2]?.events).toEqual([
      expect.objectContaining({ id: 'cc:n1:0', kind: 'other', subtype: 'brand-new-type', text: '' }),
    ]);
    expect(results[2]?.warnings).toEqual([
      { type: 'unknown-record', path, line: 3, recordType: 'brand-new-type' },
    ]);
  });

  it('gives lines without a uuid an id from the session, line and block', () => {
    const { results } = parseAll(['', { type: 'user', message: { role: 'user', content: 'hi' } }]);
    expect(results[1]?.events[0]?.id).toBe('cc:s1:L2:0');
    expect(results[1]?.events[0]?.timestamp).toBeNull();
  });

  it('tracks the time range and first cwd, and patches only what changed', () => {
    const { state, results } = parseAll([
      { ...user('u1', 'b'), timestamp: '2026-08-01T10:00:05.000Z' },
      { ...user('u2', 'a'), timestamp: '2026-08-01T10:00:01.000Z', cwd: '/elsewhere' },
      { ...user('u3', 'c'), timestamp: '2026-08-01T10:00:09.000Z' },
      { ...user('u4', 'd'), timestamp: 'not a time' },
    ]);
    expect(state.session).toMatchObject({
      startedAt: '2026-08-01T10:00:01.000Z',
      endedAt: '2026-08-01T10:00:09.000Z',
      cwd: '/home/u/app',
      hasConversation: true,
    });
    expect(results.map((result) => result.sessionPatch)).toEqual([
      { startedAt: '2026-08-01T10:00:05.000Z', endedAt: '2026-08-01T10:00:05.000Z', cwd: '/home/u/app' },
      { startedAt: '2026-08-01T10:00:01.000Z' },
      { endedAt: '2026-08-01T10:00:09.000Z' },
      {},
    ]);
    expect(results[3]?.events[0]?.timestamp).toBeNull();
  });

  describe('titles', () => {
    it('takes a summary whose leaf is in this session, before or after it', () => {
      const before = parseAll([
        { type: 'summary', summary: 'Fix the tests', leafUuid: 'u2' },
        user('u1', 'a'),
        user('u2', 'b'),
      ]);
      expect(before.results.map((result) => result.sessionPatch.title)).toEqual([
        undefined,
        undefined,
        'Fix the tests',
      ]);
      const after = parseAll([
        user('u1', 'a'),
        { type: 'summary', summary: 'Fix the tests', leafUuid: 'u1' },
      ]);
      expect(after.state.session.title).toBe('Fix the tests');
    });

    it('ignores a summary of another session (its leaf never appears here)', () => {
      const { state } = parseAll([
        { type: 'summary', summary: 'Other work', leafUuid: 'elsewhere' },
        user('u1', 'a'),
      ]);
      expect(state.session.title).toBeNull();
      expect(state.pendingSummaries).toEqual({ elsewhere: 'Other work' });
    });

    it('prefers a custom title over an AI title over a summary, whatever the order', () => {
      const { state } = parseAll([
        { type: 'custom-title', customTitle: 'Mine', sessionId: 's1' },
        { type: 'ai-title', aiTitle: 'Generated', sessionId: 's1' },
        user('u1', 'a'),
        { type: 'summary', summary: 'Summary', leafUuid: 'u1' },
      ]);
      expect(state.session.title).toBe('Mine');
      const aiOnly = parseAll([{ type: 'ai-title', aiTitle: 'Generated', sessionId: 's1' }]);
      expect(aiOnly.state.session).toMatchObject({ title: 'Generated', hasConversation: true });
    });
  });

  describe('damaged lines', () => {
    const parseRaw = (text: string, options: { binary?: boolean; terminated?: boolean } = {}) =>
      parseClaudeCodeLine(
        createClaudeCodeParserState(),
        { text, line: 7, path, binary: options.binary ?? false, terminated: options.terminated ?? true },
        context,
      );

    it('skips blank lines silently', () => {
      expect(parseRaw('   ')).toMatchObject({ events: [], warnings: [], incomplete: false, isRecord: false });
    });

    it('warns about binary content, or a truncated line when it is the unterminated last line', () => {
      expect(parseRaw('\u0000\uFFFD', { binary: true }).warnings).toEqual([
        { type: 'binary-content', path, line: 7 },
      ]);
      expect(parseRaw('{"type":"user"\uFFFD', { binary: true, terminated: false })).toMatchObject({
        warnings: [{ type: 'truncated-line', path, line: 7 }],
        incomplete: true,
      });
    });

    it('tells a truncated line from invalid JSON', () => {
      expect(parseRaw('{"type":"user","message":{"content":"half').warnings).toEqual([
        { type: 'truncated-line', path, line: 7 },
      ]);
      expect(parseRaw('{"type":"user",').warnings).toEqual([{ type: 'truncated-line', path, line: 7 }]);
      expect(parseRaw('{"type" "user"}').warnings).toEqual([
        { type: 'invalid-json', path, line: 7, message: expect.any(String) as string },
      ]);
      expect(parseRaw('not json').warnings[0]?.type).toBe('invalid-json');
      expect(parseRaw('{"type":"user"', { terminated: false })).toMatchObject({
        warnings: [{ type: 'truncated-line', path, line: 7 }],
        incomplete: true,
      });
    });

    it('warns about JSON that is not a typed record', () => {
      expect(parseRaw('42').warnings).toEqual([
        { type: 'invalid-record', path, line: 7, message: 'expected a JSON object, got a number' },
      ]);
      expect(parseRaw('{"type":3}').warnings).toEqual([
        { type: 'invalid-record', path, line: 7, message: 'record has no string "type" field' },
      ]);
    });

    it('reads a line whose optional fields have unexpected types', () => {
      const result = parseRaw(
        JSON.stringify({
          type: 'user',
          uuid: 'u1',
          isMeta: 'yes',
          cwd: 42,
          message: { role: 'user', content: 'hi' },
        }),
      );
      expect(result.warnings).toEqual([]);
      expect(result.events[0]).toMatchObject({ id: 'cc:u1:0', subtype: null, text: 'hi' });
    });
  });

  it('caps a huge tool result at 64 KiB and says how much was cut', () => {
    const content = `${'é'.repeat(40_000)}tail`;
    const { results } = parseAll([user('u1', [{ type: 'tool_result', tool_use_id: 't', content }])]);
    const text = results[0]?.events[0]?.text ?? '';
    const head = text.slice(0, text.indexOf('\n…[truncated'));
    expect(content.startsWith(head)).toBe(true);
    expect(Buffer.byteLength(head)).toBeLessThanOrEqual(64 * 1024);
    expect(
      text.endsWith(`\n…[truncated ${String(Buffer.byteLength(content) - Buffer.byteLength(head))} bytes]`),
    ).toBe(true);
  });

  it('never mutates the state it is given, and keeps it JSON-serialisable', () => {
    const { state } = parseAll([
      assistant('a1', 'msg_1', [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} }]),
      { type: 'summary', summary: 'x', leafUuid: 'later' },
    ]);
    const frozen = structuredClone(state);
    const next = parseAll(
      [
        user('u1', [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }]),
        assistant('a2', 'msg_2', [{ type: 'text', text: 'done' }]),
      ],
      state,
    ).state;
    expect(state).toEqual(frozen);
    expect(JSON.parse(JSON.stringify(next))).toEqual(next);
    expect(next.pendingToolCalls).toEqual({});
  });

  it('does not resolve tool names through the object prototype', () => {
    const { results } = parseAll([
      user('u1', [{ type: 'tool_result', tool_use_id: 'constructor', content: 'x' }]),
    ]);
    expect(results[0]?.events[0]?.toolName).toBeNull();
  });
});
