import { appendFile, mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { createFileSystemLogFiles } from '../file-system-log-files.js';
import { jsonDocumentRecordKit, jsonLinesRecordKit } from '../record-kit.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import type { ReadResult } from '../session-source.contract.js';
import { createOtelGenAiSessionSource, MAX_JSON_DOCUMENT_BYTES } from './otel-genai-session-source.js';

const fixturesRoot = fileURLToPath(new URL('../../../fixtures', import.meta.url));
const ingestRoot = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => join(fixturesRoot, 'otel-genai', name);

const weather = fixture('otel-genai-weather-agent-derived.jsonl');
const legacy = fixture('otel-genai-legacy-events-derived.json');
const protoExample = fixture('opentelemetry-proto-example-trace.json');
const corpus = [weather, legacy, protoExample];

// OTLP records have no record type, so the contract's unknown-record damage does not apply.
runSessionSourceContract({
  name: 'otel-genai (JSON lines)',
  createSource: (options) => createOtelGenAiSessionSource(options),
  fixtures: [weather],
  kit: { ...jsonLinesRecordKit, withUnknownType: () => null },
});

runSessionSourceContract({
  name: 'otel-genai (JSON document)',
  createSource: (options) => createOtelGenAiSessionSource(options),
  fixtures: [legacy, protoExample],
  damageFixture: legacy,
  kit: {
    ...jsonDocumentRecordKit({ recordsAt: ['resourceSpans'], withUnknownType: () => null }),
  },
});

/** Every file under a folder, recursively (READMEs excluded). */
async function listFiles(folder: string): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) paths.push(...(await listFiles(path)));
    else if (entry.isFile() && !entry.name.endsWith('.md')) paths.push(path);
  }
  return paths;
}

/** Other formats' fixtures: `fixtures/<format>/` and `src/ingest/<format>/__fixtures__/`, all but this format's. */
async function foreignFixtures(): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(fixturesRoot, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'otel-genai') {
      paths.push(...(await listFiles(join(fixturesRoot, entry.name))));
    }
  }
  for (const entry of await readdir(ingestRoot, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'otel-genai') {
      paths.push(...(await listFiles(join(ingestRoot, entry.name, '__fixtures__')).catch(() => [])));
    }
  }
  return paths;
}

describe('OtelGenAiSessionSource', () => {
  const source = createOtelGenAiSessionSource();
  const read = (path: string, agent = 'caller') => readAllChunks(source, path, { agent });
  const results = new Map<string, ReadResult>();
  const resultOf = (path: string) => {
    const result = results.get(path);
    if (result === undefined) throw new Error(`not read: ${path}`);
    return result;
  };
  const shape = (events: readonly SessionEvent[]) =>
    events.map((event) => [
      event.kind,
      event.subtype,
      event.toolName,
      event.isError,
      event.text.slice(0, 40),
    ]);
  let directory = '';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'reverie-otel-genai-'));
    for (const path of corpus) results.set(path, await read(path));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads every fixture without a warning', () => {
    expect(corpus.flatMap((path) => resultOf(path).warnings)).toEqual([]);
  });

  describe('current conventions (gen_ai.input/output.messages, execute_tool), JSON lines', () => {
    it('groups spans by gen_ai.conversation.id, else by trace id, and names the agent from the spans', () => {
      const sessions = [...resultOf(weather).sessions.values()];
      expect(sessions).toEqual([
        {
          id: 'conv_5j66UpCpwteGg4YSxUnt7lPY',
          agent: 'weather-agent',
          format: 'otel-genai',
          sourcePath: weather,
          parentSessionId: null,
          title: 'weather-agent',
          cwd: null,
          startedAt: '2026-09-10T00:26:40.000Z',
          endedAt: '2026-09-10T00:27:18.000Z',
          eventCount: 0,
          outcome: {
            passed: false,
            score: 0.5,
            source: 'log',
            name: 'task_success',
            detail: 'The forecast was not delivered.',
          },
        },
        // No conversation id and no agent name: the trace is the session and service.name the agent.
        expect.objectContaining({
          id: '0af7651916cd43dd8448eb211c80319c',
          agent: 'weather-service',
          outcome: null,
        }),
      ]);
    });

    it('lets an explicitly named agent win over the one in the spans', async () => {
      const result = await readAllChunks(source, weather, { agent: 'my-agent' });
      expect([...result.sessions.values()].map((session) => session.agent)).toEqual([
        'weather-agent',
        'weather-service',
      ]);
      const explicit = source.read({ path: weather, agent: 'my-agent', agentIsExplicit: true, cursor: null });
      const agents = new Set<string>();
      for await (const chunk of explicit) for (const session of chunk.sessions) agents.add(session.agent);
      expect([...agents]).toEqual(['my-agent']);
    });

    it('reads each message once although every call repeats the conversation, and each tool call once', () => {
      const conversation = resultOf(weather).events.filter(
        (event) => event.sessionId === 'conv_5j66UpCpwteGg4YSxUnt7lPY',
      );
      expect(shape(conversation)).toEqual([
        ['user-message', null, null, false, 'Weather in Paris?'],
        ['tool-call', null, 'get_weather', false, '{"location":"Paris"}'],
        ['tool-result', null, 'get_weather', false, 'rainy, 57°F'],
        ['assistant-message', null, null, false, 'It is rainy and 57°F in Paris right now.'],
        ['tool-call', null, 'get_forecast', false, '{"location":"Paris","days":3}'],
        ['tool-result', null, 'get_forecast', true, 'upstream timeout after 30s\nerror.type: T'],
        ['assistant-message', 'thinking', null, false, 'The forecast tool timed out; answer with'],
        ['assistant-message', null, null, false, "It's rainy and 57°F in Paris. I couldn't"],
      ]);
      expect(conversation[1]?.toolInput).toEqual({ location: 'Paris' });
      expect(conversation.map((event) => event.toolCallId).filter((id) => id !== null)).toEqual([
        'call_VSPygqKTWdrhaFErNvMV18Yl',
        'call_VSPygqKTWdrhaFErNvMV18Yl',
        'call_F9sXp2kQm3LrT7vW8yZa1Bc0',
        'call_F9sXp2kQm3LrT7vW8yZa1Bc0',
      ]);
    });

    it('reports a failed execute_tool span (status 2, error.type) with its status message', () => {
      const failures = resultOf(weather).events.filter((event) => event.isError);
      expect(failures.map((event) => [event.toolName, event.text, event.timestamp])).toEqual([
        ['get_forecast', 'upstream timeout after 30s\nerror.type: TimeoutError', '2026-09-10T00:27:14.000Z'],
      ]);
    });

    it('gives stable `<traceId>:<spanId>:<n>` ids and sequences that follow the lines', () => {
      const events = resultOf(weather).events;
      expect(events[0]?.id).toBe('5b8efff798038103d269b633813fc60c:a1b2c3d4e5f60701:0');
      expect(events.map((event) => event.source.line)).toEqual([1, 1, 2, 3, 3, 4, 5, 5, 6, 6, 6]);
      expect(events[0]?.sequence).toBe(1_000_000);
      expect(events.at(-1)?.sequence).toBe(6_000_002);
    });

    it('continues a conversation across lines appended later (upserts merge)', async () => {
      const lines = (await readFile(weather, 'utf8')).split('\n').filter((line) => line.length > 0);
      const path = join(directory, 'growing.jsonl');
      await writeFile(path, `${lines.slice(0, 3).join('\n')}\n`);
      const first = await read(path);
      expect(first.sessions.get('conv_5j66UpCpwteGg4YSxUnt7lPY')?.outcome).toBeNull();
      await appendFile(path, `${lines.slice(3).join('\n')}\n`);
      const second = await readAllChunks(source, path, { agent: 'caller', cursor: first.cursor });
      expect(second.events.map((event) => event.source.line)).toEqual([4, 5, 5, 6, 6, 6]);
      expect(second.sessions.get('conv_5j66UpCpwteGg4YSxUnt7lPY')).toMatchObject({
        title: 'weather-agent',
        outcome: { passed: false, score: 0.5 },
      });
    });
  });

  describe('deprecated per-message span events, JSON document', () => {
    it('reads system, user, assistant, tool and choice events into one session per trace', () => {
      const result = resultOf(legacy);
      expect([...result.sessions.values()]).toEqual([
        expect.objectContaining({
          id: '25f4bdeebaab60e6e1bee7e8469554bc',
          // service.name is the SDK default `unknown_service`: the caller's agent.
          agent: 'caller',
          title: null,
          startedAt: '2026-09-10T00:26:40.000Z',
          endedAt: '2026-09-10T00:26:58.000Z',
        }),
      ]);
      expect(shape(result.events)).toEqual([
        ['system', null, null, false, 'You are a helpful assistant that answers'],
        ['user-message', null, null, false, 'What is Langfuse?'],
        ['tool-call', null, 'search_docs', false, '{"query": "What is Langfuse?"}'],
        ['tool-result', null, 'search_docs', false, 'Langfuse: open source LLM engineering pl'],
        ['assistant-message', null, null, false, 'Langfuse is a tool designed for observab'],
        ['user-message', null, null, false, 'How much does it cost?'],
        ['tool-call', null, 'fetch_url', false, '{"url": "https://langfuse.com/pricing"}'],
        ['tool-result', null, 'fetch_url', true, 'HTTP 403 Forbidden: https://langfuse.com'],
        ['assistant-message', null, null, false, 'I could not open the pricing page (HTTP '],
      ]);
    });

    it('reads both event body styles: gen_ai.event.content JSON and plain attributes', () => {
      const call = resultOf(legacy).events.find((event) => event.toolName === 'search_docs');
      expect(call?.toolInput).toEqual({ query: 'What is Langfuse?' });
      expect(call?.timestamp).toBe('2026-09-10T00:26:42.000Z');
    });
  });

  describe('plain OTLP', () => {
    it('reads a trace without GenAI spans as no session (opentelemetry-proto example, numeric nanos, upper-case ids)', () => {
      expect(resultOf(protoExample)).toMatchObject({ events: [], warnings: [] });
      expect(resultOf(protoExample).sessions.size).toBe(0);
    });

    it('warns about JSON that is not an export request', async () => {
      const lines = join(directory, 'not-otlp.jsonl');
      await writeFile(lines, '{"spans":[]}\n');
      expect((await read(lines)).warnings).toEqual([
        {
          type: 'invalid-record',
          path: lines,
          line: 1,
          message: 'not an OTLP ExportTraceServiceRequest (no "resourceSpans" array)',
        },
      ]);
      const document = join(directory, 'not-otlp.json');
      await writeFile(document, '{"spans":[]}\n');
      expect((await read(document)).warnings).toEqual([
        {
          type: 'invalid-record',
          path: document,
          line: 1,
          message: 'not an OTLP ExportTraceServiceRequest (no "resourceSpans" array)',
        },
      ]);
    });

    it('refuses a JSON document over the size limit, saying to export JSON lines', async () => {
      const path = join(directory, 'huge.json');
      const handle = await open(path, 'w');
      await handle.write('{"resourceSpans":[');
      // A sparse file: nothing is written past the head.
      await handle.truncate(MAX_JSON_DOCUMENT_BYTES + 1);
      await handle.close();
      const result = await read(path);
      expect(result.events).toEqual([]);
      expect(result.warnings).toEqual([
        expect.objectContaining({
          type: 'invalid-record',
          path,
          message: expect.stringContaining('JSON lines') as string,
        }),
      ]);
    });
  });

  describe('isCandidate', () => {
    it('takes .json and .jsonl files', () => {
      expect(source.isCandidate('/traces/otel.jsonl')).toBe(true);
      expect(source.isCandidate('/traces/export.json')).toBe(true);
      expect(source.isCandidate('/traces/export.pb')).toBe(false);
    });
  });

  describe('detect', () => {
    const files = createFileSystemLogFiles();

    it('recognizes the head of every fixture, pretty-printed or not', async () => {
      for (const path of corpus) expect(source.detect(await files.readHead(path, 16_384)), path).toBe(true);
      expect(
        source.detect('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"str'),
      ).toBe(true);
      expect(source.detect('{"schemaUrl":"x","resourceSpans":[]}\n')).toBe(true);
    });

    it("rejects every other format's fixtures", async () => {
      const foreign = await foreignFixtures();
      expect(foreign.length).toBeGreaterThan(0);
      for (const path of foreign) expect(source.detect(await files.readHead(path, 16_384)), path).toBe(false);
    });

    it('rejects other OTLP signals and JSON without resourceSpans', () => {
      expect(source.detect('{"resourceLogs":[]}\n')).toBe(false);
      expect(source.detect('{"resourceMetrics":[]}\n')).toBe(false);
      expect(source.detect('{"data":[{"traceID":"x","spans":[]}]}')).toBe(false);
      expect(source.detect('{"resourceSpans":"no"}\n')).toBe(false);
      expect(source.detect('')).toBe(false);
    });
  });
});
