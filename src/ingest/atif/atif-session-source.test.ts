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
import { createAtifSessionSource, deriveAtifSessionId, readAtifHeader } from './atif-session-source.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureFolder = join(repository, 'fixtures', 'atif');
const names = [
  'hello-world-context-summarization.trajectory.json',
  'hello-world-timeout.trajectory.json',
] as const;
const fixture = (name: (typeof names)[number]) => join(fixtureFolder, name);

const kit = {
  ...jsonDocumentRecordKit({
    recordsAt: ['steps'],
    // A step's type is its `source` (system, user, agent).
    withUnknownType: (record, unknownType) => {
      const parsed = safeParseJson(record.toString('utf8'));
      if (!parsed.success || !isJsonObject(parsed.value)) return null;
      return Buffer.from(JSON.stringify({ ...parsed.value, source: unknownType }));
    },
  }),
};

runSessionSourceContract({
  name: 'atif',
  createSource: (options) => createAtifSessionSource({ maxChunkRecords: options?.maxChunkLines }),
  fixtures: names.map(fixture),
  kit,
});

describe('AtifSessionSource', () => {
  const source = createAtifSessionSource();
  const results = new Map<string, ReadResult>();
  let directory = '';

  beforeAll(async () => {
    for (const name of names)
      results.set(name, await readAllChunks(source, fixture(name), { agent: 'caller' }));
    directory = await mkdtemp(join(tmpdir(), 'reverie-atif-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const read = (name: (typeof names)[number]) => {
    const result = results.get(name);
    if (result === undefined) throw new Error(`not read: ${name}`);
    return result;
  };
  const kinds = (events: readonly SessionEvent[]) => {
    const counts: Record<string, number> = {};
    for (const event of events) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
    return counts;
  };

  it('reads each file as one session named by session_id and the path, with the agent the file names', async () => {
    for (const name of names) {
      const result = read(name);
      expect(result.warnings, name).toEqual([]);
      const id = deriveAtifSessionId(fixture(name), 'NORMALIZED_SESSION_ID');
      expect([...result.sessions.keys()], name).toEqual([id]);
      expect(result.sessions.get(id), name).toMatchObject({
        agent: 'terminus-2',
        format: 'atif',
        title: 'Create a file called hello.txt with "Hello, world!" as the content.',
        outcome: null,
        startedAt: null,
      });
    }
    // Both golden files carry the same normalized session_id: the path keeps them apart.
    expect(deriveAtifSessionId(fixture(names[0]), 'NORMALIZED_SESSION_ID')).not.toBe(
      deriveAtifSessionId(fixture(names[1]), 'NORMALIZED_SESSION_ID'),
    );
    expect(await readAtifHeader(fixture(names[1]))).toEqual({
      sessionId: 'NORMALIZED_SESSION_ID',
      agentName: 'terminus-2',
    });
  });

  it('lets an explicit agent win over agent.name', async () => {
    const chunks = [];
    for await (const chunk of source.read({
      path: fixture(names[1]),
      agent: 'my-agent',
      agentIsExplicit: true,
      cursor: null,
    })) {
      chunks.push(chunk);
    }
    expect(chunks.flatMap((chunk) => chunk.sessions).map((session) => session.agent)).toEqual(['my-agent']);
  });

  it('reads the steps of the timeout trajectory: a prompt, then three agent turns with one command each', () => {
    const events = read('hello-world-timeout.trajectory.json').events;
    expect(kinds(events)).toEqual({
      'user-message': 1,
      'assistant-message': 3,
      'tool-call': 3,
      'tool-result': 3,
    });
    expect(events.slice(1, 4).map((event) => [event.kind, event.toolName, event.toolCallId])).toEqual([
      ['assistant-message', null, null],
      ['tool-call', 'bash_command', 'call_0_1'],
      ['tool-result', 'bash_command', 'call_0_1'],
    ]);
    expect(events[2]?.toolInput).toEqual({ keystrokes: "echo 'Hello, world!'\n", duration: 0.1 });
    expect(events[3]?.text).toBe(
      "New Terminal Output:\n\nroot@CONTAINER_ID:/app# echo 'Hello, world!'\nHello, world!\n\n",
    );
    expect(events.every((event) => !event.isError && event.timestamp === null)).toBe(true);
  });

  it('reads the system step of a context summarization with its subagent references', () => {
    const events = read('hello-world-context-summarization.trajectory.json').events;
    expect(kinds(events)).toEqual({
      'user-message': 2,
      'assistant-message': 7,
      'tool-call': 7,
      'tool-result': 7,
      system: 2,
    });
    const system = events.filter((event) => event.kind === 'system');
    expect(system.map((event) => [event.subtype, event.text.split('\n')[0]])).toEqual([
      [null, 'Performed context summarization and handoff to continue task.'],
      [
        'subagent',
        'subagent test-session-context-summarization-summarization-1-summary (trajectory.summarization-1-summary.json): Context summarization 1: Step 1 - Summary generation',
      ],
    ]);
    expect(system[1]?.text.split('\n')).toHaveLength(3);
    const calls = events.filter((event) => event.kind === 'tool-call').map((event) => event.toolName);
    expect(calls).toEqual([
      'bash_command',
      'bash_command',
      'bash_command',
      'bash_command',
      'bash_command',
      'mark_task_complete',
      'mark_task_complete',
    ]);
  });

  it('joins results by source_call_id, skips copied context and reads content parts (v1.6, v1.7)', async () => {
    const path = join(directory, 'trajectory.cont-1.json');
    const trajectory = {
      schema_version: 'ATIF-v1.7',
      session_id: 'run-1',
      agent: { name: 'harbor-agent', version: '1.0.0' },
      steps: [
        { step_id: 1, source: 'user', message: 'Copied prompt', is_copied_context: true },
        {
          step_id: 2,
          timestamp: '2025-10-11T10:30:02Z',
          source: 'agent',
          message: [
            { type: 'text', text: 'Two lookups.' },
            { type: 'image', source: { path: 'a.png' } },
          ],
          reasoning_content: 'Price and volume.',
          tool_calls: [
            { tool_call_id: 'p', function_name: 'financial_search', arguments: { metric: 'price' } },
            { tool_call_id: 'v', function_name: 'financial_search', arguments: { metric: 'volume' } },
          ],
          observation: {
            results: [
              { source_call_id: 'v', content: '1.5M' },
              { source_call_id: 'p', content: '$185.35' },
              { content: 'no call' },
            ],
          },
        },
        { step_id: 3, timestamp: '2025-10-11T10:30:05Z', source: 'critic', message: 'looks fine' },
        { step_id: 4, message: 'no source' },
      ],
    };
    await writeFile(path, JSON.stringify(trajectory, null, 2));
    const result = await readAllChunks(source, path);
    expect(result.warnings).toEqual([
      { type: 'unknown-record', path, line: expect.any(Number) as number, recordType: 'critic' },
      {
        type: 'invalid-record',
        path,
        line: expect.any(Number) as number,
        message: 'ATIF step 3: no "source"',
      },
    ]);
    expect(
      result.events.map((event) => [event.kind, event.subtype, event.text, event.toolName, event.toolCallId]),
    ).toEqual([
      ['assistant-message', 'thinking', 'Price and volume.', null, null],
      ['assistant-message', null, 'Two lookups.\n[image]', null, null],
      ['tool-call', null, '{"metric":"price"}', 'financial_search', 'p'],
      ['tool-call', null, '{"metric":"volume"}', 'financial_search', 'v'],
      ['tool-result', null, '1.5M', 'financial_search', 'v'],
      ['tool-result', null, '$185.35', 'financial_search', 'p'],
      ['tool-result', null, 'no call', null, null],
      ['other', 'critic', 'looks fine', null, null],
    ]);
    expect([...result.sessions.values()][0]).toMatchObject({
      id: deriveAtifSessionId(path, 'run-1'),
      agent: 'harbor-agent',
      startedAt: '2025-10-11T10:30:02Z',
      endedAt: '2025-10-11T10:30:05Z',
      title: null,
    });
  });

  it('names a trajectory without session_id after its file, and warns about a document without steps', async () => {
    const path = join(directory, 'run.trajectory.json');
    await writeFile(
      path,
      '{"schema_version": "ATIF-v1.4", "agent": {"name": "x"}, "steps": [{"source": "user", "message": "hi"}]}',
    );
    expect([...(await readAllChunks(source, path)).sessions.keys()]).toEqual([
      deriveAtifSessionId(path, null),
    ]);
    expect(deriveAtifSessionId(path, null)).toMatch(/^run-[0-9a-f]{8}$/);
    const other = join(directory, 'other.json');
    await writeFile(other, '{"schema_version": "ATIF-v1.4"}');
    expect((await readAllChunks(source, other)).warnings).toEqual([
      {
        type: 'invalid-record',
        path: other,
        line: 1,
        message: 'not an ATIF trajectory: the document has no "steps" array',
      },
    ]);
  });
});

describe('AtifSessionSource.detect', () => {
  const source = createAtifSessionSource();

  it('detects its fixtures from their first 16 KiB', async () => {
    for (const name of names) expect(await detectFile(source, fixture(name)), name).toBe(true);
  });

  it('rejects every other fixture of the repository', async () => {
    const others = (await listFixtures()).filter((path) => !path.startsWith(fixtureFolder));
    expect(others.length).toBeGreaterThan(0);
    for (const path of others) expect(await detectFile(source, path), path).toBe(false);
  });

  it('needs an ATIF schema_version', () => {
    expect(
      source.detect('{"schema_version": "ATIF-v1.2", "session_id": "x", "steps": [{"step_id": 1, "mess'),
    ).toBe(true);
    expect(source.detect('{"schema_version": "2.0", "steps": []}')).toBe(false);
    expect(source.detect('[{"schema_version": "ATIF-v1.2"}]')).toBe(false);
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
