import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJsonObject, safeParseJson } from '../../util/json.js';
import { jsonDocumentRecordKit, jsonLinesRecordKit } from '../record-kit.js';
import type { RecordKit } from '../record-kit.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import { createLangfuseSessionSource, deriveLangfuseSessionId } from './langfuse-session-source.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureFolder = join(repository, 'fixtures', 'langfuse');
const claudeAgent = join(fixtureFolder, 'langfuse-claude-agent-2025-12-22.json');
const pydanticAi = join(fixtureFolder, 'langfuse-pydantic-ai-2025-06-06.json');
const publicApi = join(fixtureFolder, 'langfuse-claude-agent-public-api-derived.json');
const batch = join(fixtureFolder, 'langfuse-claude-agent-batch-derived.json');
const observationLines = join(fixtureFolder, 'langfuse-claude-agent-observations-derived.jsonl');
const claudeTraceId = '097f1d8982fa909b8cffb14a166ec272';

/** The record (an observation or an ingestion event) with its `type` replaced. */
function withUnknownType(record: Buffer, unknownType: string): Buffer | null {
  const parsed = safeParseJson(record.toString('utf8'));
  if (!parsed.success || !isJsonObject(parsed.value)) return null;
  return Buffer.from(JSON.stringify({ ...parsed.value, type: unknownType }));
}
// The shared document junk has a comma, which splits into two elements of the records array.
const junk = Buffer.from('this is not JSON; it is a stray log line');
const observationsKit: RecordKit = {
  ...jsonDocumentRecordKit({ recordsAt: ['observations'], withUnknownType }),
  junk,
};
const batchKit: RecordKit = { ...jsonDocumentRecordKit({ recordsAt: ['batch'], withUnknownType }), junk };
const linesKit: RecordKit = {
  ...jsonLinesRecordKit,
  withUnknownType: (record, unknownType) => {
    const replaced = withUnknownType(record, unknownType);
    return replaced === null ? null : Buffer.concat([replaced, Buffer.from('\n')]);
  },
};

runSessionSourceContract({
  name: 'langfuse (trace exports)',
  createSource: (options) => createLangfuseSessionSource({ maxChunkLines: options?.maxChunkLines }),
  fixtures: [claudeAgent, pydanticAi, publicApi],
  damageFixture: claudeAgent,
  kit: observationsKit,
});

runSessionSourceContract({
  name: 'langfuse (ingestion batch)',
  createSource: (options) => createLangfuseSessionSource({ maxChunkLines: options?.maxChunkLines }),
  fixtures: [batch],
  kit: batchKit,
});

runSessionSourceContract({
  name: 'langfuse (JSON lines)',
  createSource: (options) => createLangfuseSessionSource({ maxChunkLines: options?.maxChunkLines }),
  fixtures: [observationLines],
  kit: linesKit,
});

describe('LangfuseSessionSource', () => {
  const source = createLangfuseSessionSource();
  const read = (path: string, agent = 'caller') => readAllChunks(source, path, { agent });
  let directory = '';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'reverie-langfuse-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const claudeAgentEvents = [
    ['user-message', null, "What's the weather like in Berlin and New York?"],
    ['assistant-message', null, "I'll check the weather in both Berlin and New York for you."],
    ['other', 'span', 'claude.conversation'],
    // The SDK recorded `{"content": "role"}` as the input of the later turns; it is read as it is.
    ['user-message', null, 'role'],
    ['assistant-message', 'tool-request', 'mcp__weather__get_weather({"city":"Berlin"})'],
    ['assistant-message', 'tool-request', 'mcp__weather__get_weather({"city":"New York"})'],
    ['tool-call', null, '{"input":{"city":"Berlin"}}'],
    ['tool-result', null, 'Weather in Berlin: Cloudy, 59°F'],
    ['tool-call', null, '{"input":{"city":"New York"}}'],
    ['tool-result', null, 'Weather in New York: Sunny, 75°F'],
    [
      'assistant-message',
      null,
      "Great! Here's the current weather for both cities:\n\n**Berlin**: Cloudy, 59°F (15°C)\n**New York**: Sunny, 75°F (24°C)\n\nNew York is enjoying warmer, sunny weather while Berlin is a bit cooler with cloudy skies. Is there anything else you'd like to know about these destinations?",
    ],
  ];
  const correctness = {
    passed: false,
    score: 0,
    source: 'log',
    name: 'correctness',
    detail:
      'The generation does not provide any factual information about the weather in Berlin and New York, which is the key fact required by the query.',
  };

  describe('on the Claude Agent SDK trace (web app export)', () => {
    it('reads the trace as one session, its observations in time order', async () => {
      const result = await read(claudeAgent);
      expect(result.warnings).toEqual([]);
      expect([...result.sessions.values()]).toEqual([
        expect.objectContaining({
          id: claudeTraceId,
          agent: 'caller',
          format: 'langfuse',
          title: 'claude.conversation',
          startedAt: '2025-12-22T10:46:15.528Z',
          endedAt: '2025-12-22T10:46:22.888Z',
        }),
      ]);
      expect(result.events.map((event) => [event.kind, event.subtype, event.text])).toEqual(
        claudeAgentEvents,
      );
      expect(result.events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    });

    it('joins each tool observation call to its result by the observation id', async () => {
      const result = await read(claudeAgent);
      const tools = result.events.filter((event) => event.toolCallId !== null);
      expect(tools.map((event) => [event.kind, event.toolName, event.toolCallId, event.isError])).toEqual([
        ['tool-call', 'mcp__weather__get_weather', 'f411dab686a064b1', false],
        ['tool-result', 'mcp__weather__get_weather', 'f411dab686a064b1', false],
        ['tool-call', 'mcp__weather__get_weather', 'edbd987c5f361fdf', false],
        ['tool-result', 'mcp__weather__get_weather', 'edbd987c5f361fdf', false],
      ]);
      expect(tools[0]).toMatchObject({
        id: 'lf:f411dab686a064b1:0',
        toolInput: { input: { city: 'Berlin' } },
        timestamp: '2025-12-22T10:46:19.027Z',
      });
    });

    it('takes the outcome from the pass/fail score, over the plain numeric ones', async () => {
      // Scores: correctness 0 (NUMERIC), hallucination 1, toxicity 0.
      const result = await read(claudeAgent);
      expect(result.sessions.get(claudeTraceId)?.outcome).toEqual(correctness);
    });

    it('reads the public API shape and JSON lines of observations into the same events', async () => {
      for (const path of [publicApi, observationLines]) {
        const result = await read(path);
        expect(result.warnings).toEqual([]);
        expect(result.events.map((event) => [event.kind, event.subtype, event.text])).toEqual(
          claudeAgentEvents,
        );
        expect(result.sessions.get(claudeTraceId)?.outcome).toEqual(correctness);
      }
    });
  });

  describe('on the Pydantic AI trace (web app export)', () => {
    it('groups by sessionId and keeps corrections out of the outcome', async () => {
      const result = await read(pydanticAi);
      expect(result.warnings).toEqual([]);
      expect([...result.sessions.values()]).toEqual([
        expect.objectContaining({
          id: 'session_abc',
          title: 'pydantic-ai-qa-trace',
          agent: 'caller',
          outcome: null,
        }),
      ]);
      expect(result.events.map((event) => [event.kind, event.subtype, event.text.slice(0, 40)])).toEqual([
        ['other', 'span', 'qa_agent run'],
        ['other', 'span', 'pydantic-ai-qa-trace'],
        ['system', 'instructions', 'You are a helpful assistant that answers'],
        ['user-message', null, 'What is Langfuse?'],
        ['assistant-message', null, 'Langfuse is a tool designed for observab'],
      ]);
    });
  });

  describe('on the ingestion batch', () => {
    it('merges a span update into its create: a failed tool call with its status message', async () => {
      const result = await read(batch);
      expect(result.warnings).toEqual([]);
      const results = result.events.filter((event) => event.kind === 'tool-result');
      expect(results.map((event) => [event.toolName, event.isError, event.text])).toEqual([
        ['mcp__weather__get_weather', true, 'MCP error -32001: Request timed out'],
        ['mcp__weather__get_weather', false, 'Weather in New York: Sunny, 75°F'],
      ]);
      expect(results[0]?.timestamp).toBe('2025-12-22T10:46:19.068Z');
    });

    it('names the session by the trace sessionId and takes the BOOLEAN score as the outcome', async () => {
      const result = await read(batch);
      expect([...result.sessions.keys()]).toEqual(['6fb9b4b8-dd4d-4d41-8d4f-c0c0799a6559']);
      expect(result.sessions.get('6fb9b4b8-dd4d-4d41-8d4f-c0c0799a6559')?.outcome).toEqual(correctness);
    });
  });

  describe('leniency', () => {
    const writeLines = async (name: string, records: readonly unknown[]) => {
      const path = join(directory, name);
      await writeFile(path, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
      return path;
    };
    const observation = (id: string, fields: Record<string, unknown>) => ({
      id,
      traceId: 't1',
      startTime: `2026-01-01T00:00:0${id.slice(-1)}.000Z`,
      endTime: `2026-01-01T00:00:0${id.slice(-1)}.500Z`,
      parentObservationId: null,
      name: id,
      level: 'DEFAULT',
      statusMessage: null,
      ...fields,
    });

    it('keeps an unknown observation type and an unknown ingestion event as `other`, each with a warning', async () => {
      const path = await writeLines('unknown.jsonl', [
        observation('o1', { type: 'HOLOGRAM' }),
        {
          id: 'e1',
          timestamp: '2026-01-01T00:00:05Z',
          type: 'hologram-create',
          body: { id: 'h1', traceId: 't1' },
        },
      ]);
      const result = await read(path);
      expect(result.warnings).toEqual([
        { type: 'unknown-record', path, line: 1, recordType: 'HOLOGRAM' },
        { type: 'unknown-record', path, line: 2, recordType: 'hologram-create' },
      ]);
      expect(result.events.map((event) => [event.kind, event.subtype, event.sessionId])).toEqual([
        ['other', 'hologram', 't1'],
        ['other', 'hologram-create', 't1'],
      ]);
    });

    it('warns about a value that is no trace, observation, score or event', async () => {
      const path = await writeLines('invalid.jsonl', [
        { hello: 'world' },
        observation('o1', { type: 'EVENT' }),
      ]);
      const result = await read(path);
      expect(result.warnings).toEqual([
        {
          type: 'invalid-record',
          path,
          line: 1,
          message: 'not a Langfuse trace, observation, score or ingestion event',
        },
      ]);
      expect(result.events).toEqual([
        expect.objectContaining({ kind: 'system', subtype: 'event', text: 'o1' }),
      ]);
    });

    it('reads tool runs from spans that say so, and errors of other observations as system events', async () => {
      const path = await writeLines('spans.jsonl', [
        observation('o1', {
          type: 'SPAN',
          name: 'execute_tool run_tests',
          input: { path: 'src' },
          output: 'ok',
        }),
        observation('o2', {
          type: 'SPAN',
          name: 'lookup',
          metadata: { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } },
          level: 'ERROR',
          statusMessage: 'rate limited',
          output: { error: 429 },
        }),
        observation('o3', {
          type: 'AGENT',
          name: 'planner',
          level: 'ERROR',
          statusMessage: 'max turns exceeded',
        }),
      ]);
      const result = await read(path);
      expect(
        result.events.map((event) => [event.kind, event.subtype, event.toolName, event.isError, event.text]),
      ).toEqual([
        ['tool-call', null, 'run_tests', false, '{"path":"src"}'],
        ['tool-result', null, 'run_tests', false, 'ok'],
        ['tool-call', null, 'search', false, ''],
        ['tool-result', null, 'search', true, 'rate limited\n{"error":429}'],
        ['other', 'agent', null, false, 'planner'],
        ['system', 'error', null, false, 'max turns exceeded'],
      ]);
    });

    it('reads a trace without generations from its own input and output, and names the agent from its tags', async () => {
      const path = join(directory, 'traces.json');
      await writeFile(
        path,
        JSON.stringify([
          {
            id: 't9',
            timestamp: '2026-01-02T00:00:00Z',
            name: 'answer',
            sessionId: 's9',
            tags: ['prod', 'agent:support-bot'],
            input: 'Where is my order?',
            output: { role: 'assistant', content: 'It ships tomorrow.' },
            observations: [],
            scores: [{ name: 'resolved', value: 1, dataType: 'NUMERIC', timestamp: '2026-01-02T00:01:00Z' }],
          },
        ]),
      );
      const result = await read(path);
      expect(result.warnings).toEqual([]);
      expect([...result.sessions.values()]).toEqual([
        expect.objectContaining({
          id: 's9',
          agent: 'support-bot',
          outcome: { passed: true, score: 1, source: 'log', name: 'resolved', detail: null },
        }),
      ]);
      expect(result.events.map((event) => [event.kind, event.text])).toEqual([
        ['user-message', 'Where is my order?'],
        ['assistant-message', 'It ships tomorrow.'],
      ]);
    });

    it('derives a stable file session id for records without a trace', () => {
      expect(deriveLangfuseSessionId('/exports/observations.jsonl')).toMatch(/^observations-[0-9a-f]{8}$/);
    });
  });

  describe('detect', () => {
    const own = [claudeAgent, pydanticAi, publicApi, batch, observationLines];

    it('recognizes its own fixtures', async () => {
      for (const path of own)
        expect(source.detect(await readHead(path)), relative(repository, path)).toBe(true);
    });

    it('rejects every other fixture of the repository', async () => {
      const paths = (await listFixtures()).filter((path) => !path.includes(join('fixtures', 'langfuse')));
      expect(paths.length).toBeGreaterThan(20);
      for (const path of paths)
        expect(source.detect(await readHead(path)), relative(repository, path)).toBe(false);
    });

    it('leaves OTLP documents to the OpenTelemetry reader', () => {
      const otlp = JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'a', startTime: 'x', statusMessage: 'y' }] }] }],
      });
      expect(source.detect(otlp)).toBe(false);
    });
  });
});

/** Every file under `fixtures/` and `src/ingest/*\/__fixtures__/` (READMEs aside). */
async function listFixtures(): Promise<string[]> {
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
