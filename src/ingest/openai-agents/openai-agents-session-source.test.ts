import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { jsonDocumentRecordKit, jsonLinesRecordKit } from '../record-kit.js';
import type { RecordKit } from '../record-kit.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import {
  createOpenAiAgentsSessionSource,
  deriveOpenAiAgentsSessionId,
} from './openai-agents-session-source.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureFolder = join(repository, 'fixtures', 'openai-agents');
const helloWorldLines = join(fixtureFolder, 'openai-agents-hello-world-derived.jsonl');
const helloWorldIngest = join(fixtureFolder, 'openai-agents-hello-world-ingest-derived.json');
const toolErrorLines = join(fixtureFolder, 'openai-agents-tool-error-derived.jsonl');
const toolErrorIngest = join(fixtureFolder, 'openai-agents-tool-error-ingest-derived.json');

/** The record with its `object` (the SDK's record type) replaced. */
function withUnknownObject(record: Buffer, unknownType: string): Buffer | null {
  const parsed = safeParseJson(record.toString('utf8'));
  if (!parsed.success || !isJsonObject(parsed.value)) return null;
  return Buffer.from(JSON.stringify({ ...parsed.value, object: unknownType }));
}

const linesKit: RecordKit = {
  ...jsonLinesRecordKit,
  withUnknownType: (record, unknownType) => {
    const replaced = withUnknownObject(record, unknownType);
    return replaced === null ? null : Buffer.concat([replaced, Buffer.from('\n')]);
  },
};
const ingestKit: RecordKit = {
  ...jsonDocumentRecordKit({ recordsAt: ['data'], withUnknownType: withUnknownObject }),
  // The shared junk has a comma, which splits into two elements of the records array.
  junk: Buffer.from('this is not JSON; it is a stray log line'),
};

runSessionSourceContract({
  name: 'openai-agents (JSON lines)',
  createSource: (options) => createOpenAiAgentsSessionSource({ maxChunkLines: options?.maxChunkLines }),
  fixtures: [helloWorldLines, toolErrorLines],
  damageFixture: toolErrorLines,
  kit: linesKit,
});

runSessionSourceContract({
  name: 'openai-agents (ingest payload)',
  createSource: (options) => createOpenAiAgentsSessionSource({ maxChunkLines: options?.maxChunkLines }),
  fixtures: [helloWorldIngest, toolErrorIngest],
  damageFixture: toolErrorIngest,
  kit: ingestKit,
});

describe('OpenAiAgentsSessionSource', () => {
  const source = createOpenAiAgentsSessionSource();
  const read = (path: string, agent = 'caller') => readAllChunks(source, path, { agent });
  let directory = '';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'reverie-openai-agents-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  describe('on the hello-world run', () => {
    it('reads one trace as one session titled by its workflow, with the conversation and the tool run', async () => {
      const result = await read(helloWorldLines);
      expect(result.warnings).toEqual([]);
      expect([...result.sessions.values()]).toEqual([
        expect.objectContaining({
          id: 'trace_fee618f96dc31e0ca38b2f7b26eb8b29',
          format: 'openai-agents',
          title: 'Agent workflow',
          startedAt: '2025-09-30T09:03:59.962000+00:00',
          endedAt: '2025-09-30T09:04:02.152000+00:00',
          outcome: null,
        }),
      ]);
      expect(result.events.map((event) => [event.kind, event.subtype, event.text])).toEqual([
        ['system', 'instructions', 'You are a helpful agent.'],
        ['user-message', null, "What's the weather in Tokyo?"],
        ['assistant-message', 'tool-request', 'get_weather({"city":"Tokyo"})'],
        ['tool-call', null, '{"city":"Tokyo"}'],
        ['tool-result', null, 'The weather in Tokyo is sunny.'],
        [
          'assistant-message',
          null,
          'The weather in Tokyo is currently sunny. If you need more details like temperature or forecast for the upcoming days, just let me know!',
        ],
      ]);
      expect(result.events[3]).toMatchObject({
        id: 'oa:span_5b99c3e3411ed17b00000000:0',
        toolName: 'get_weather',
        toolCallId: 'span_5b99c3e3411ed17b00000000',
        toolInput: { city: 'Tokyo' },
        timestamp: '2025-09-30T09:04:01.000000+00:00',
      });
      expect(result.events[4]).toMatchObject({ toolCallId: 'span_5b99c3e3411ed17b00000000', isError: false });
      expect(result.events[5]).toMatchObject({
        messageId: 'resp_0f00ca5b7e22bb4c0068db9d0110d8819da676bd1f2dd03a40',
      });
    });

    it('keeps the caller agent in JSON lines, where the agent span comes after the session began', async () => {
      const result = await read(helloWorldLines, 'weather-bot');
      expect([...result.sessions.values()].map((session) => session.agent)).toEqual(['weather-bot']);
    });

    it('names the agent after the agent span in a document, and keeps what the export leaves out', async () => {
      const result = await read(helloWorldIngest);
      expect(result.warnings).toEqual([]);
      expect([...result.sessions.values()]).toEqual([
        expect.objectContaining({ id: 'trace_fee618f96dc31e0ca38b2f7b26eb8b29', agent: 'Hello world' }),
      ]);
      // The SDK's own export of a response span carries only its id.
      expect(result.events.map((event) => [event.kind, event.subtype, event.text])).toEqual([
        ['other', 'response', 'resp_0f00ca5b7e22bb4c0068db9d000be4819d824c447c54b65bc1'],
        ['tool-call', null, '{"city":"Tokyo"}'],
        ['tool-result', null, 'The weather in Tokyo is sunny.'],
        ['other', 'response', 'resp_0f00ca5b7e22bb4c0068db9d0110d8819da676bd1f2dd03a40'],
      ]);
      expect(result.events.map((event) => event.sequence)).toEqual([1, 2, 3, 4]);
    });

    it('lets the caller agent win when it was named explicitly', async () => {
      const chunks = [];
      for await (const chunk of source.read({
        path: helloWorldIngest,
        agent: 'configured',
        agentIsExplicit: true,
        cursor: null,
      })) {
        chunks.push(chunk);
      }
      expect(chunks.flatMap((chunk) => chunk.sessions).map((session) => session.agent)).toEqual([
        'configured',
      ]);
    });
  });

  describe('on the tool-error conversation', () => {
    it('groups the two traces of one group_id into one session', async () => {
      for (const path of [toolErrorLines, toolErrorIngest]) {
        const result = await read(path);
        expect(result.warnings).toEqual([]);
        expect([...result.sessions.keys()]).toEqual(['conv_0f00ca5b7e22bb4c']);
        expect(result.sessions.get('conv_0f00ca5b7e22bb4c')).toMatchObject({
          title: 'Agent workflow',
          startedAt: '2025-09-30T09:03:59.962000+00:00',
          endedAt: '2025-09-30T09:05:10.881000+00:00',
        });
      }
    });

    it('reads a failing function span as a failed tool result with the error message, data and output', async () => {
      const result = await read(toolErrorLines);
      const results = result.events.filter((event) => event.kind === 'tool-result');
      expect(results.map((event) => [event.toolName, event.isError, event.isRejection])).toEqual([
        ['get_weather', true, false],
        ['get_weather', false, false],
      ]);
      expect(results[0]?.text).toBe(
        [
          'Error running tool (non-fatal)',
          '{"tool_name":"get_weather","error":"Weather service timed out"}',
          'An error occurred while running the tool. Please try again. Error: Weather service timed out',
        ].join('\n'),
      );
    });

    it('makes a tripped guardrail a system event, not a tool failure, and a passed one `other`', async () => {
      const result = await read(toolErrorLines);
      const guardrails = result.events.filter((event) => event.subtype === 'guardrail');
      expect(guardrails.map((event) => [event.kind, event.text, event.isError])).toEqual([
        ['other', 'guardrail is_weather_question passed', false],
        ['system', 'guardrail is_weather_question tripped', false],
      ]);
      expect(result.events.filter((event) => event.subtype === 'error')).toEqual([
        expect.objectContaining({
          kind: 'system',
          text: 'Guardrail tripwire triggered\n{"guardrail":"is_weather_question","type":"input_guardrail"}',
        }),
      ]);
    });

    it('adds only the new messages of an input that repeats the history', async () => {
      const result = await read(toolErrorLines);
      const messages = result.events.filter(
        (event) => event.kind.endsWith('message') || event.kind === 'system',
      );
      expect(messages.map((event) => [event.kind, event.subtype, event.source.line])).toEqual([
        ['system', 'instructions', 3],
        ['user-message', null, 3],
        ['assistant-message', 'tool-request', 3],
        ['assistant-message', 'tool-request', 6],
        ['assistant-message', null, 9],
        ['system', 'guardrail', 13],
        ['system', 'error', 14],
      ]);
      // Turn spans are the SDK's own `custom` spans: kept as `other`, without a warning.
      expect(result.events.filter((event) => event.subtype === 'custom')).toHaveLength(3);
    });

    it('orders a document by started_at, then id', async () => {
      const result = await read(toolErrorIngest);
      const starts = result.events.map((event) => event.timestamp);
      expect(result.events[0]).toMatchObject({
        subtype: 'guardrail',
        text: 'guardrail is_weather_question passed',
      });
      expect(result.events.at(-1)).toMatchObject({ subtype: 'guardrail', kind: 'system' });
      // The agent span's error starts with the agent, before the guardrail that tripped it.
      expect(result.events.at(-2)).toMatchObject({ subtype: 'error' });
      expect(starts.slice(0, 3)).toEqual([
        '2025-09-30T09:03:59.962000+00:00',
        '2025-09-30T09:03:59.963000+00:00',
        '2025-09-30T09:03:59.963000+00:00',
      ]);
    });
  });

  describe('leniency', () => {
    const write = async (name: string, records: readonly unknown[]) => {
      const path = join(directory, name);
      await writeFile(path, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
      return path;
    };
    const span = (id: string, data: unknown, extra: Record<string, unknown> = {}) => ({
      object: 'trace.span',
      id,
      trace_id: 'trace_1',
      parent_id: null,
      started_at: '2026-01-01T00:00:00+00:00',
      ended_at: '2026-01-01T00:00:01+00:00',
      span_data: data,
      error: null,
      ...extra,
    });

    it('keeps an unknown object and an unknown span type as `other`, each with a warning', async () => {
      const path = await write('unknown.jsonl', [
        { object: 'trace', id: 'trace_1', workflow_name: 'w', group_id: null, metadata: null },
        { object: 'trace.event', id: 'event_1', trace_id: 'trace_1' },
        span('span_1', { type: 'hologram', name: 'x' }),
      ]);
      const result = await read(path);
      expect(result.warnings).toEqual([
        { type: 'unknown-record', path, line: 2, recordType: 'trace.event' },
        { type: 'unknown-record', path, line: 3, recordType: 'hologram' },
      ]);
      expect(result.events.map((event) => [event.kind, event.subtype, event.sessionId])).toEqual([
        ['other', 'trace.event', 'trace_1'],
        ['other', 'hologram', 'trace_1'],
      ]);
    });

    it('skips records it cannot place with a warning naming what is missing', async () => {
      const path = await write('invalid.jsonl', [
        { id: 'no-object' },
        { object: 'trace', workflow_name: 'no id' },
        span('span_2', { name: 'no type' }),
        span('span_3', { type: 'custom', name: 'kept' }),
      ]);
      const result = await read(path);
      expect(result.warnings.map((warning) => [warning.type, 'line' in warning ? warning.line : 0])).toEqual([
        ['invalid-record', 1],
        ['invalid-record', 2],
        ['invalid-record', 3],
      ]);
      expect(result.events).toEqual([
        expect.objectContaining({ kind: 'other', subtype: 'custom', text: 'kept' }),
      ]);
    });

    it('reads a line holding a whole ingest payload, an array document, chat generations and handoffs', async () => {
      const generation = span('span_g', {
        type: 'generation',
        model: 'gpt-4o',
        input: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Add 2 and 3.' }] },
        ],
        output: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":2,"b":3}' } },
            ],
          },
        ],
      });
      const handoff = span('span_h', { type: 'handoff', from_agent: 'Triage', to_agent: 'Math' });
      const payloadLine = await write('payload.jsonl', [{ data: [generation, handoff] }]);
      const arrayPath = join(directory, 'array.json');
      await writeFile(arrayPath, JSON.stringify([generation, handoff], null, 2));
      for (const path of [payloadLine, arrayPath]) {
        const result = await read(path);
        expect(result.warnings).toEqual([]);
        expect(result.events.map((event) => [event.kind, event.subtype, event.text])).toEqual([
          ['system', 'instructions', 'Be brief.'],
          ['user-message', null, 'Add 2 and 3.'],
          ['assistant-message', 'tool-request', 'add({"a":2,"b":3})'],
          ['system', 'handoff', 'Triage -> Math'],
        ]);
      }
    });

    it('names the agent from trace metadata, even in JSON lines', async () => {
      const path = await write('metadata-agent.jsonl', [
        {
          object: 'trace',
          id: 'trace_1',
          workflow_name: 'w',
          group_id: null,
          metadata: { agent_name: 'planner' },
        },
        span('span_1', { type: 'custom', name: 'c' }),
      ]);
      const result = await read(path);
      expect([...result.sessions.values()].map((session) => session.agent)).toEqual(['planner']);
    });

    it('derives a stable file session id for records without a trace', () => {
      expect(deriveOpenAiAgentsSessionId('/logs/agents/traces.jsonl')).toMatch(/^traces-[0-9a-f]{8}$/);
      expect(deriveOpenAiAgentsSessionId('/logs/agents/traces.jsonl')).not.toBe(
        deriveOpenAiAgentsSessionId('/logs/other/traces.jsonl'),
      );
    });

    it('rejects chunk options that are not positive integers', () => {
      expect(() => createOpenAiAgentsSessionSource({ maxChunkLines: 0 })).toThrow(RangeError);
    });
  });

  describe('detect', () => {
    it('recognizes its own fixtures', async () => {
      for (const path of [helloWorldLines, helloWorldIngest, toolErrorLines, toolErrorIngest]) {
        expect(source.detect(await readHead(path)), relative(repository, path)).toBe(true);
      }
    });

    it('rejects every other fixture of the repository', async () => {
      const paths = (await listFixtures()).filter(
        (path) => !path.includes(join('fixtures', 'openai-agents')),
      );
      expect(paths.length).toBeGreaterThan(20);
      for (const path of paths)
        expect(source.detect(await readHead(path)), relative(repository, path)).toBe(false);
    });

    it('accepts only JSON and JSON-lines files as candidates', () => {
      expect(source.isCandidate('/traces/2026-08-01.jsonl')).toBe(true);
      expect(source.isCandidate('/traces/ingest.json')).toBe(true);
      expect(source.isCandidate('/traces/notes.md')).toBe(false);
    });
  });
});

/** Every file under `fixtures/` and `src/ingest/*\/__fixtures__/` (READMEs aside). */
async function listFixtures(): Promise<string[]> {
  const repository = fileURLToPath(new URL('../../../', import.meta.url));
  const paths: string[] = [];
  for (const root of ['fixtures', join('src', 'ingest')]) {
    for (const entry of await readdir(join(repository, root), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name === 'README.md') continue;
      const path = join(entry.parentPath, entry.name);
      if (root === 'fixtures' || path.includes('__fixtures__')) paths.push(path);
    }
  }
  return paths;
}

/** The head detection sees (`ingest-sessions.ts` reads 16 KiB). */
async function readHead(path: string): Promise<string> {
  const handle = await open(path);
  try {
    const buffer = Buffer.alloc(16_384);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return new TextDecoder('utf-8').decode(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
