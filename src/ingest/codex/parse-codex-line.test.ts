import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { createCodexParserState, parseCodexLine } from './parse-codex-line.js';
import type { CodexParserState, ParseCodexLineResult } from './parse-codex-line.js';

const path = '/logs/rollout.jsonl';
const context = { sessionId: 's1' };

/** Parses lines in order from a fresh state; returns every result. */
function parseAll(records: readonly unknown[]): { results: ParseCodexLineResult[]; state: CodexParserState } {
  let state = createCodexParserState();
  const results: ParseCodexLineResult[] = [];
  records.forEach((record, index) => {
    const text = typeof record === 'string' ? record : JSON.stringify(record);
    const result = parseCodexLine(
      state,
      { text, line: index + 1, path, binary: false, terminated: true },
      context,
    );
    results.push(result);
    state = result.state;
  });
  return { results, state };
}

const events = (results: readonly ParseCodexLineResult[]): SessionEvent[] =>
  results.flatMap((result) => result.events);
const item = (payload: unknown) => ({ timestamp: '2026-01-01T00:00:00Z', type: 'response_item', payload });
const eventMsg = (payload: unknown) => ({ timestamp: '2026-01-01T00:00:00Z', type: 'event_msg', payload });
const call = (callId: string, name = 'shell') =>
  item({ type: 'function_call', name, arguments: '{"cmd":"x"}', call_id: callId });
const output = (callId: string, value: unknown) =>
  item({ type: 'function_call_output', call_id: callId, output: value });

describe('parseCodexLine', () => {
  it('keeps an unknown top-level type as `other` with an `unknown-record` warning', () => {
    const { results } = parseAll([{ timestamp: '2026-01-01T00:00:00Z', type: 'hologram', payload: {} }]);
    expect(results[0]?.warnings).toEqual([{ type: 'unknown-record', path, line: 1, recordType: 'hologram' }]);
    expect(events(results).map((event) => [event.kind, event.subtype])).toEqual([['other', 'hologram']]);
  });

  it('keeps unknown payload types of known records as `other` without a warning', () => {
    const { results } = parseAll([
      item({ type: 'image_generation_call' }),
      eventMsg({ type: 'brand_new_ui_event' }),
    ]);
    expect(results.flatMap((result) => result.warnings)).toEqual([]);
    expect(events(results).map((event) => [event.kind, event.subtype])).toEqual([
      ['other', 'image_generation_call'],
      ['other', 'brand_new_ui_event'],
    ]);
  });

  it('ignores newer bookkeeping records silently', () => {
    const { results } = parseAll([
      { timestamp: '2026-01-01T00:00:00Z', type: 'token_usage_record', payload: { input_tokens: 1 } },
      eventMsg({ type: 'token_count', info: null }),
      item({ type: 'ghost_snapshot', ghost_commit: {} }),
    ]);
    expect(results.flatMap((result) => [...result.events, ...result.warnings])).toEqual([]);
  });

  it('warns about a known record without a payload object', () => {
    const { results } = parseAll([{ type: 'response_item', payload: 'text' }, { type: 'event_msg' }]);
    expect(results.flatMap((result) => result.warnings)).toEqual([
      { type: 'invalid-record', path, line: 1, message: 'response_item line has no "payload" object' },
      { type: 'invalid-record', path, line: 2, message: 'event_msg line has no "payload" object' },
    ]);
  });

  it('drops the model-input copy of typed text in either order', () => {
    const typed = 'fix the build';
    const copy = item({ type: 'message', role: 'user', content: [{ type: 'input_text', text: typed }] });
    const event = eventMsg({ type: 'user_message', message: typed });
    for (const order of [
      [copy, event],
      [event, copy],
    ]) {
      const { results, state } = parseAll(order);
      expect(events(results).map((entry) => [entry.kind, entry.subtype, entry.text])).toEqual([
        ['user-message', null, typed],
      ]);
      expect(state.pendingUserCopy).toBeNull();
    }
  });

  it('emits a model-input user message without a typed twin as meta, under its own line', () => {
    const { results } = parseAll([
      item({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'replayed history' }] }),
      eventMsg({ type: 'user_message', message: 'something else' }),
    ]);
    expect(
      events(results).map((event) => [event.source.line, event.sequence, event.subtype, event.text]),
    ).toEqual([
      [1, 1, 'meta', 'replayed history'],
      [2, 2, null, 'something else'],
    ]);
    expect(results[0]?.events).toEqual([]);
  });

  it('marks developer messages and tagged harness text as meta at once', () => {
    const { results } = parseAll([
      item({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rules' }] }),
      item({
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: '<user_instructions>\nx' }],
      }),
    ]);
    expect(results.map((result) => result.events.map((event) => event.subtype))).toEqual([
      ['meta'],
      ['meta'],
    ]);
  });

  it('reads the exit code of every output style', () => {
    const cases: [unknown, boolean][] = [
      ['{"output":"boom","metadata":{"exit_code":1,"duration_seconds":0.1}}', true],
      ['{"output":"ok","metadata":{"exit_code":0,"duration_seconds":0.1}}', false],
      ['Exit code: 2\nWall time: 0.1 seconds\nOutput:\nno such file', true],
      ['Chunk ID: a\nWall time: 0.0 seconds\nProcess exited with code 0\nOutput:\nfine', false],
      ['Chunk ID: a\nWall time: 0.0 seconds\nProcess exited with code 1\nOutput:\nerror', true],
      ['Process running with session ID 1000', false],
      [[{ type: 'input_text', text: 'Process exited with code 3' }], true],
      [{ content: 'denied', success: false }, true],
      [{ content: 'fine', success: true }, false],
    ];
    for (const [value, isError] of cases) {
      const { results } = parseAll([call('c'), output('c', value)]);
      const result = results[1]?.events[0];
      expect(result?.isError, JSON.stringify(value)).toBe(isError);
      expect(result?.toolName).toBe('shell');
    }
    const { results } = parseAll([call('c'), output('c', '{"output":"boom","metadata":{"exit_code":1}}')]);
    expect(results[1]?.events[0]?.text).toBe('boom');
  });

  it('marks an output failed when exec_command_end, patch_apply_end or mcp_tool_call_end said so first', () => {
    const { results, state } = parseAll([
      call('a', 'exec_command'),
      eventMsg({ type: 'exec_command_end', call_id: 'a', exit_code: 1 }),
      output('a', 'no exit code in this text'),
      item({ type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch', call_id: 'b' }),
      eventMsg({ type: 'patch_apply_end', call_id: 'b', success: false }),
      item({ type: 'custom_tool_call_output', call_id: 'b', output: 'verification failed' }),
      call('m', 'mcp__github__search'),
      eventMsg({ type: 'mcp_tool_call_end', call_id: 'm', result: { Err: 'timeout' } }),
      output('m', 'timeout'),
      call('n'),
      eventMsg({ type: 'exec_command_end', call_id: 'n', exit_code: 0 }),
      output('n', 'fine'),
    ]);
    const toolResults = events(results).filter((event) => event.kind === 'tool-result');
    expect(toolResults.map((event) => [event.toolCallId, event.toolName, event.isError])).toEqual([
      ['a', 'exec_command', true],
      ['b', 'apply_patch', true],
      ['m', 'mcp__github__search', true],
      ['n', 'shell', false],
    ]);
    expect(state.failedToolCalls).toEqual([]);
    expect(state.pendingToolCalls).toEqual({});
  });

  it('reads a call input as JSON when it parses, else keeps the string', () => {
    const { results } = parseAll([
      item({ type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: 'a' }),
      item({ type: 'function_call', name: 'shell', arguments: '{not json', call_id: 'b' }),
      item({ type: 'local_shell_call', call_id: 'c', action: { type: 'exec', command: ['ls'] } }),
    ]);
    expect(events(results).map((event) => [event.toolName, event.toolInput])).toEqual([
      ['shell', { command: ['ls'] }],
      ['shell', '{not json'],
      ['local_shell', { type: 'exec', command: ['ls'] }],
    ]);
  });

  it('skips reasoning with nothing readable and prefers summaries to raw content', () => {
    const { results } = parseAll([
      item({ type: 'reasoning', summary: [], content: null, encrypted_content: 'gAAAA' }),
      item({
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'plan' }],
        content: [{ type: 'reasoning_text', text: 'raw' }],
      }),
      item({ type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'raw only' }] }),
    ]);
    expect(events(results).map((event) => [event.source.line, event.text])).toEqual([
      [2, 'plan'],
      [3, 'raw only'],
    ]);
  });

  it('keeps the state object when a line changes nothing', () => {
    const state = createCodexParserState();
    const result = parseCodexLine(
      state,
      {
        text: JSON.stringify(eventMsg({ type: 'token_count' })),
        line: 1,
        path,
        binary: false,
        terminated: true,
      },
      context,
    );
    expect(result.state.pendingToolCalls).toBe(state.pendingToolCalls);
    expect(result.state.session.hasConversation).toBe(false);
  });
});
