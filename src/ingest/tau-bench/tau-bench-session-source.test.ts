import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { jsonDocumentRecordKit } from '../record-kit.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import type { ReadResult } from '../session-source.contract.js';
import { createTauBenchSessionSource, deriveTauBenchFileKey } from './tau-bench-session-source.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureFolder = join(repository, 'fixtures', 'tau-bench');
const whole = join(fixtureFolder, 'gpt-4o-airline.tasks-0-39.json');
const excerpt = join(fixtureFolder, 'gpt-4o-airline.first-8-runs.json');

const kit = {
  ...jsonDocumentRecordKit({
    recordsAt: [],
    // A run has no record type of its own (its messages have roles, checked inside the run).
    withUnknownType: () => null,
  }),
};

runSessionSourceContract({
  name: 'tau-bench',
  createSource: (options) => createTauBenchSessionSource({ maxChunkRecords: options?.maxChunkLines }),
  // The whole 3 MB corpus is pinned below; the contract's many reads use the first 8 runs, byte for byte.
  fixtures: [excerpt],
  kit,
  agent: 'tau-bench',
});

describe('TauBenchSessionSource', () => {
  const source = createTauBenchSessionSource();
  let corpus: ReadResult;
  let directory = '';

  beforeAll(async () => {
    corpus = await readAllChunks(source, whole, { agent: 'tau-bench' });
    directory = await mkdtemp(join(tmpdir(), 'reverie-tau-bench-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const kinds = (events: readonly SessionEvent[]) => {
    const counts: Record<string, number> = {};
    for (const event of events) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
    return counts;
  };

  it('reads the 160 runs of the corpus as 160 sessions without warnings', () => {
    expect(corpus.warnings).toEqual([]);
    expect(corpus.sessions.size).toBe(160);
    const key = deriveTauBenchFileKey(whole);
    expect([...corpus.sessions.keys()].slice(0, 2)).toEqual([
      `${key}/task-0/trial-0`,
      `${key}/task-1/trial-0`,
    ]);
    expect(corpus.sessions.has(`${key}/task-39/trial-3`)).toBe(true);
  });

  it('gives each run its reward as the outcome: 59 passed, 101 failed', () => {
    const outcomes = [...corpus.sessions.values()].map((session) => session.outcome);
    expect(outcomes.filter((outcome) => outcome?.passed === true)).toHaveLength(59);
    expect(outcomes.filter((outcome) => outcome?.passed === false)).toHaveLength(101);
    expect(outcomes.every((outcome) => outcome?.source === 'log' && outcome.name === 'reward')).toBe(true);
    const key = deriveTauBenchFileKey(whole);
    expect(corpus.sessions.get(`${key}/task-6/trial-0`)?.outcome).toEqual({
      passed: true,
      score: 1,
      source: 'log',
      name: 'reward',
      detail: null,
    });
    expect(corpus.sessions.get(`${key}/task-0/trial-0`)).toMatchObject({
      agent: 'tau-bench',
      format: 'tau-bench',
      title: expect.stringMatching(
        /^You are mia_li_3668\. You want to fly from New York to Seattle/,
      ) as string,
      outcome: { passed: false, score: 0 },
      startedAt: null,
      endedAt: null,
    });
  });

  it('reads every message: 1039 tool calls, each result joined to its call', () => {
    expect(kinds(corpus.events)).toEqual({
      system: 160,
      'user-message': 1287,
      'assistant-message': 1206,
      'tool-call': 1039,
      'tool-result': 1039,
    });
    // The corpus reuses call ids, even within a run (68 ids in 47 runs): a result joins the latest call with its id.
    const key = (event: SessionEvent) => `${event.sessionId}\n${event.toolCallId ?? ''}`;
    const latest = new Map<string, SessionEvent>();
    let joined = 0;
    for (const event of corpus.events) {
      if (event.kind === 'tool-call') latest.set(key(event), event);
      if (event.kind === 'tool-result' && latest.get(key(event))?.toolName === event.toolName) joined++;
    }
    expect(joined).toBe(1039);
    expect(corpus.events.every((event) => event.timestamp === null)).toBe(true);
    const first = corpus.events.find((event) => event.kind === 'tool-call');
    expect(first).toMatchObject({
      toolName: 'get_user_details',
      toolCallId: 'call_oIHazX6yQrB8hUwl4cRilFKj',
      toolInput: { user_id: 'mia_li_3668' },
      text: '{"user_id":"mia_li_3668"}',
    });
  });

  it('marks the 70 "Error: ..." tool outputs as errors, with the recurring messages of the corpus', () => {
    const errors = corpus.events.filter((event) => event.kind === 'tool-result' && event.isError);
    expect(errors).toHaveLength(70);
    expect(errors.every((event) => event.text.startsWith('Error: '))).toBe(true);
    const count = (needle: string) => errors.filter((event) => event.text.includes(needle)).length;
    expect(count('payment amount does not add up')).toBe(21);
    expect(count('not available on date')).toBe(15);
    expect(count('gift card balance is not enough')).toBe(12);
    expect(count('not enough seats on flight')).toBe(9);
    const tools: Record<string, number> = {};
    for (const event of errors) tools[event.toolName ?? ''] = (tools[event.toolName ?? ''] ?? 0) + 1;
    expect(tools).toEqual({
      update_reservation_flights: 42,
      book_reservation: 27,
      update_reservation_baggages: 1,
    });
    // Empty output (the `think` tool) and plain sentences are not errors.
    const transfer = corpus.events.find(
      (event) => event.kind === 'tool-result' && event.text === 'Transfer successful',
    );
    expect(transfer?.isError).toBe(false);
  });

  it('reads the excerpt like the same runs of the whole file', async () => {
    const part = await readAllChunks(source, excerpt, { agent: 'tau-bench' });
    expect(part.sessions.size).toBe(8);
    const strip = (events: readonly SessionEvent[]) =>
      events.map((event) => [event.kind, event.text, event.toolName, event.isError]);
    const wholeKey = deriveTauBenchFileKey(whole);
    const wholeRuns = corpus.events.filter((event) => {
      const task = /\/task-(\d+)\/trial-0:/.exec(event.id.slice(wholeKey.length));
      return task !== null && Number(task[1]) < 8;
    });
    expect(strip(part.events)).toEqual(strip(wholeRuns));
  });

  it('keeps runs with a repeated task and trial apart, and runs without ids by position', async () => {
    const path = join(directory, 'results.json');
    const run = { task_id: 3, trial: 0, reward: 1, info: {}, traj: [{ role: 'user', content: 'hi' }] };
    const bare = { reward: 0.5, traj: [{ role: 'user', content: 'hello' }] };
    await writeFile(path, JSON.stringify([run, run, bare]));
    const result = await readAllChunks(source, path);
    const key = deriveTauBenchFileKey(path);
    expect([...result.sessions.keys()]).toEqual([
      `${key}/task-3/trial-0`,
      `${key}/task-3/trial-0/2`,
      `${key}/run-2`,
    ]);
    // Partial credit is a score, not a pass.
    expect(result.sessions.get(`${key}/run-2`)?.outcome).toMatchObject({ passed: false, score: 0.5 });
    expect(deriveTauBenchFileKey(join(directory, 'other', 'results.json'))).not.toBe(key);
  });

  it('warns about a run without traj, an unknown role and a message without role, and keeps the rest', async () => {
    const path = join(directory, 'odd.json');
    await writeFile(
      path,
      [
        '[',
        '{"task_id": 1, "reward": 0},',
        '{"task_id": 2, "trial": 0, "reward": 0, "traj": [{"role": "developer", "content": "be nice"}, {"content": "x"},',
        '  {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "function": {"name": "calculate", "arguments": "not json"}}]},',
        '  {"role": "tool", "tool_call_id": "c1", "content": "Unknown action calculate"}]}',
        ']',
      ].join('\n'),
    );
    const result = await readAllChunks(source, path);
    expect(result.warnings).toEqual([
      {
        type: 'invalid-record',
        path,
        line: 2,
        message: 'tau-bench run: no "traj" array',
      },
      { type: 'unknown-record', path, line: 3, recordType: 'developer' },
      {
        type: 'invalid-record',
        path,
        line: 3,
        message: `tau-bench run ${deriveTauBenchFileKey(path)}/task-2/trial-0: traj[1] has no "role"; message skipped`,
      },
    ]);
    expect(
      result.events.map((event) => [event.kind, event.subtype, event.text, event.toolInput, event.isError]),
    ).toEqual([
      ['other', 'developer', 'be nice', null, false],
      ['tool-call', null, 'not json', 'not json', false],
      ['tool-result', null, 'Unknown action calculate', null, true],
    ]);
  });

  it('warns once about a document that is not an array of runs', async () => {
    const path = join(directory, 'object.json');
    await writeFile(path, '{"task_id": 1}');
    const result = await readAllChunks(source, path);
    expect(result.warnings).toEqual([
      {
        type: 'invalid-record',
        path,
        line: 1,
        message: 'not a tau-bench results file: the document is not a JSON array of runs',
      },
    ]);
    expect(result.sessions.size).toBe(0);
  });

  it('rejects a chunk size that is not a positive integer', () => {
    expect(() => createTauBenchSessionSource({ maxChunkRecords: 0 })).toThrow(RangeError);
  });
});

describe('TauBenchSessionSource.detect', () => {
  const source = createTauBenchSessionSource();

  it('detects its fixtures from their first 16 KiB', async () => {
    for (const path of [whole, excerpt]) expect(await detectFile(path), path).toBe(true);
  });

  it('rejects every other fixture of the repository', async () => {
    const others = (await listFixtures()).filter((path) => !path.startsWith(fixtureFolder));
    expect(others.length).toBeGreaterThan(0);
    for (const path of others) expect(await detectFile(path), path).toBe(false);
  });

  it('rejects arrays of other objects and non-arrays', () => {
    expect(source.detect('[{"id": 0, "task_id": 1, "traj": []}]')).toBe(false);
    expect(source.detect('{"task_id": 1, "traj": []}')).toBe(false);
    expect(source.detect('[{"task_id": 1, "info": {}}]')).toBe(false);
    expect(
      source.detect('[\n  {\n    "task_id": 1,\n    "reward": 0.0,\n    "info": {"task": {"instruction": "'),
    ).toBe(true);
  });

  async function detectFile(path: string): Promise<boolean> {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(16_384);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return source.detect(new TextDecoder('utf-8').decode(buffer.subarray(0, bytesRead)));
    } finally {
      await handle.close();
    }
  }
});

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
