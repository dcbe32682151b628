import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { anyValueToJson, attributesToRecord, nanosToIso, parseUnixNanos } from './otel-genai-schema.js';
import { createOtelGenAiParserState, parseOtelGenAiSpans } from './parse-otel-genai-spans.js';
import type { OtelGenAiParserState, ParseOtelGenAiSpansResult } from './parse-otel-genai-spans.js';

const path = '/traces/otel.jsonl';
const trace = 'aaaabbbbccccddddeeeeffff00001111';

type Attributes = Record<string, unknown>;
const value = (raw: unknown): unknown =>
  typeof raw === 'string'
    ? { stringValue: raw }
    : typeof raw === 'number'
      ? { intValue: String(raw) }
      : typeof raw === 'boolean'
        ? { boolValue: raw }
        : raw;
const attributes = (record: Attributes) =>
  Object.entries(record).map(([key, raw]) => ({ key, value: value(raw) }));

function span(spanId: string, second: number, record: Attributes, extra: Record<string, unknown> = {}) {
  const operation = record['gen_ai.operation.name'];
  return {
    traceId: trace,
    spanId,
    name: typeof operation === 'string' ? operation : 'span',
    startTimeUnixNano: String(1_700_000_000n * 1_000_000_000n + BigInt(second) * 1_000_000_000n),
    endTimeUnixNano: String(1_700_000_000n * 1_000_000_000n + BigInt(second + 1) * 1_000_000_000n),
    attributes: attributes(record),
    ...extra,
  };
}

const requestOf = (spans: unknown[], service = 'svc') => [
  { resource: { attributes: attributes({ 'service.name': service }) }, scopeSpans: [{ spans }] },
];

function parse(
  spans: unknown[],
  state: OtelGenAiParserState = createOtelGenAiParserState(),
  line = 1,
): ParseOtelGenAiSpansResult {
  return parseOtelGenAiSpans(state, {
    resourceSpans: requestOf(spans),
    path,
    line,
    sequenceBase: line * 1_000_000,
  });
}

const shape = (events: readonly SessionEvent[]) =>
  events.map((event) => [event.kind, event.subtype, event.toolName, event.isError, event.text]);

describe('OTLP values', () => {
  it('decodes every AnyValue kind, int64 as number or string', () => {
    expect(anyValueToJson({ stringValue: 'a' })).toBe('a');
    expect(anyValueToJson({ boolValue: false })).toBe(false);
    expect(anyValueToJson({ intValue: '42' })).toBe(42);
    expect(anyValueToJson({ intValue: 42 })).toBe(42);
    expect(anyValueToJson({ intValue: '9223372036854775807' })).toBe('9223372036854775807');
    expect(anyValueToJson({ doubleValue: 0.5 })).toBe(0.5);
    expect(anyValueToJson({ doubleValue: 'NaN' })).toBeNaN();
    expect(anyValueToJson({ arrayValue: { values: [{ stringValue: 'x' }, { intValue: '1' }] } })).toEqual([
      'x',
      1,
    ]);
    expect(anyValueToJson({ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } })).toEqual({
      k: true,
    });
    expect(anyValueToJson({ bytesValue: 'AAE=' })).toBe('AAE=');
    expect(anyValueToJson({})).toBeNull();
    expect(attributesToRecord([{ key: 'a', value: { stringValue: 'x' } }, 'junk', { value: {} }])).toEqual({
      a: 'x',
    });
  });

  it('reads nanosecond times as strings or numbers, and treats zero as unset', () => {
    expect(nanosToIso(parseUnixNanos('1544712660123456789'))).toBe('2018-12-13T14:51:00.123Z');
    expect(nanosToIso(parseUnixNanos(1544712660000000000))).toBe('2018-12-13T14:51:00.000Z');
    expect(parseUnixNanos('0')).toBeNull();
    expect(parseUnixNanos('soon')).toBeNull();
    expect(parseUnixNanos(null)).toBeNull();
  });
});

describe('parseOtelGenAiSpans', () => {
  it('reads structured (non-string) message attributes and Anthropic-style tool results in a user message', () => {
    const input = {
      arrayValue: {
        values: [
          {
            kvlistValue: {
              values: [
                { key: 'role', value: { stringValue: 'user' } },
                {
                  key: 'parts',
                  value: {
                    arrayValue: {
                      values: [
                        {
                          kvlistValue: {
                            values: [
                              { key: 'type', value: { stringValue: 'tool_call_response' } },
                              { key: 'id', value: { stringValue: 'toolu_1' } },
                              { key: 'response', value: { stringValue: 'Exit code 1' } },
                            ],
                          },
                        },
                      ],
                    },
                  },
                },
              ],
            },
          },
        ],
      },
    };
    const result = parse([
      span('01', 0, { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': input }),
    ]);
    expect(shape(result.events)).toEqual([['tool-result', null, null, false, 'Exit code 1']]);
    expect(result.warnings).toEqual([]);
  });

  it('warns about a messages attribute that is not a list of messages and keeps the rest of the span', () => {
    const result = parse([
      span('01', 0, {
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': '[{"role":"user"',
        'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"hi"}]}]',
      }),
    ]);
    expect(result.warnings).toEqual([
      {
        type: 'invalid-record',
        path,
        line: 1,
        message: 'span 01: "gen_ai.input.messages" is not a list of messages',
      },
    ]);
    expect(shape(result.events)).toEqual([['assistant-message', null, null, false, 'hi']]);
  });

  it('warns once about spans without ids and skips them', () => {
    const result = parse([
      { spanId: 'x' },
      { traceId: 't' },
      span('01', 0, { 'gen_ai.operation.name': 'chat' }),
    ]);
    expect(result.warnings).toEqual([
      { type: 'invalid-record', path, line: 1, message: '2 span(s) without "traceId"/"spanId" skipped' },
    ]);
    expect(result.sessionIds).toEqual([trace]);
  });

  it('treats error.type or a STATUS_CODE_ERROR name as failure and names the tool from the span name', () => {
    const result = parse([
      span(
        '01',
        0,
        { 'gen_ai.operation.name': 'execute_tool', 'error.type': 'ValueError' },
        { name: 'execute_tool grep' },
      ),
      span(
        '02',
        1,
        {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'bash',
          'gen_ai.tool.call.result': 'ok',
        },
        { status: { code: 'STATUS_CODE_ERROR', message: 'exit 2' } },
      ),
      span('03', 2, {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'ls',
        'gen_ai.tool.call.arguments': {
          kvlistValue: { values: [{ key: 'path', value: { stringValue: '.' } }] },
        },
      }),
    ]);
    expect(shape(result.events)).toEqual([
      ['tool-call', null, 'grep', false, ''],
      ['tool-result', null, null, true, 'error.type: ValueError'],
      ['tool-call', null, 'bash', false, ''],
      ['tool-result', null, null, true, 'exit 2\nok'],
      // A successful span without a recorded result: the call only.
      ['tool-call', null, 'ls', false, '{"path":"."}'],
    ]);
    expect(result.events.at(-1)?.toolInput).toEqual({ path: '.' });
  });

  it('lends a trace its conversation id, also across batches, and keeps unknown operations as `other`', () => {
    const first = parse([
      span('01', 0, {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.conversation.id': 'conv-1',
        'gen_ai.agent.name': 'bot',
      }),
    ]);
    expect(first.sessionIds).toEqual(['conv-1']);
    expect(first.events).toEqual([]);
    expect(first.state.sessions['conv-1']).toMatchObject({
      agentName: 'bot',
      title: 'bot',
      serviceName: 'svc',
    });
    const second = parse([span('02', 1, { 'gen_ai.operation.name': 'summarize_memory' })], first.state, 2);
    expect(second.sessionIds).toEqual(['conv-1']);
    expect(shape(second.events)).toEqual([['other', 'summarize_memory', null, false, 'summarize_memory']]);
    expect(second.events[0]?.sequence).toBe(2_000_000);
  });

  it('reads evaluation results into the outcome (label pass/true, score as a string)', () => {
    const evaluation = (attributesRecord: Attributes) =>
      parse([
        span(
          '01',
          0,
          { 'gen_ai.operation.name': 'invoke_agent' },
          {
            events: [
              {
                name: 'gen_ai.evaluation.result',
                timeUnixNano: '1',
                attributes: attributes(attributesRecord),
              },
            ],
          },
        ),
      ]).state.sessions[trace]?.outcome;
    expect(
      evaluation({
        'gen_ai.evaluation.name': 'relevance',
        'gen_ai.evaluation.score.value': { doubleValue: 0.9 },
        'gen_ai.evaluation.score.label': 'Pass',
      }),
    ).toEqual({ passed: true, score: 0.9, source: 'log', name: 'relevance', detail: 'Pass' });
    expect(
      evaluation({
        'gen_ai.evaluation.score.value': { stringValue: '1' },
        'gen_ai.evaluation.score.label': 'true',
      }),
    ).toEqual({
      passed: true,
      score: 1,
      source: 'log',
      name: 'evaluation',
      detail: 'true',
    });
    expect(evaluation({ 'gen_ai.evaluation.score.label': 'medium' })).toMatchObject({
      passed: null,
      score: null,
    });
  });

  it('ignores spans that are not GenAI spans', () => {
    const result = parse([span('01', 0, { 'http.request.method': 'GET' })]);
    expect(result).toMatchObject({ events: [], warnings: [], sessionIds: [] });
  });

  it('orders spans by start time then span id, whatever their order in the file', () => {
    const chat = (id: string, second: number, text: string) =>
      span(id, second, {
        'gen_ai.operation.name': 'chat',
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: text }] },
        ]),
      });
    const result = parse([chat('0c', 5, 'third'), chat('0b', 1, 'second'), chat('0a', 1, 'first')]);
    expect(result.events.map((event) => [event.text, event.sequence])).toEqual([
      ['first', 1_000_000],
      ['second', 1_000_001],
      ['third', 1_000_002],
    ]);
  });
});
