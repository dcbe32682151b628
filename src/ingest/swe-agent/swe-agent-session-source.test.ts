import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../domain/session.js';
import { jsonDocumentRecordKit } from '../record-kit.js';
import { readAllChunks, runSessionSourceContract } from '../session-source.contract.js';
import type { ReadResult } from '../session-source.contract.js';
import { isSweAgentErrorObservation, sweAgentOutcome } from './parse-swe-agent-record.js';
import { createSweAgentSessionSource, deriveSweAgentSessionId } from './swe-agent-session-source.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureFolder = join(repository, 'fixtures', 'swe-agent');
const names = [
  'demo__ctf_crypto_BabyEncryption.traj',
  'demo__ctf_forensics_flash.traj',
  'demo__ctf_pwn_warmup.traj',
  'demo__ctf_web_i_got_id_demo.traj',
  'demo__replay_function_calling_replace__marshmallow-1867.traj',
  'gpt4__pydicom__pydicom-1458.traj',
  'gpt4__swe-agent__test-repo-i1.traj',
  'gpt4__sweagenttestrepo-1c2844.traj',
] as const;
const fixture = (name: (typeof names)[number]) => join(fixtureFolder, name);

const kit = {
  ...jsonDocumentRecordKit({
    recordsAt: ['trajectory'],
    // Steps have no type field: what a step is follows from its keys.
    withUnknownType: () => null,
  }),
};

runSessionSourceContract({
  name: 'swe-agent',
  createSource: (options) => createSweAgentSessionSource({ maxChunkRecords: options?.maxChunkLines }),
  fixtures: names.map(fixture),
  kit,
});

describe('SweAgentSessionSource', () => {
  const source = createSweAgentSessionSource();
  const results = new Map<string, ReadResult>();
  let directory = '';

  beforeAll(async () => {
    for (const name of names)
      results.set(name, await readAllChunks(source, fixture(name), { agent: 'swe-agent' }));
    directory = await mkdtemp(join(tmpdir(), 'reverie-swe-agent-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const read = (name: (typeof names)[number]) => {
    const result = results.get(name);
    if (result === undefined) throw new Error(`not read: ${name}`);
    return result;
  };
  const session = (name: (typeof names)[number]) => [...read(name).sessions.values()][0];

  it('reads each trajectory as one session without warnings', () => {
    for (const name of names) {
      expect(read(name).warnings, name).toEqual([]);
      expect([...read(name).sessions.keys()], name).toEqual([deriveSweAgentSessionId(fixture(name))]);
    }
    expect(deriveSweAgentSessionId(fixture('gpt4__pydicom__pydicom-1458.traj'))).toMatch(
      /^gpt4__pydicom__pydicom-1458-[0-9a-f]{8}$/,
    );
  });

  it('keeps exit_status "submitted" as an outcome that does not claim the task was resolved', () => {
    for (const name of names) {
      expect(session(name)?.outcome, name).toEqual({
        passed: null,
        score: null,
        source: 'log',
        name: 'exit_status',
        detail: 'submitted',
      });
    }
  });

  it('titles sessions with the problem statement and takes cwd from the first step state', () => {
    expect(session('gpt4__pydicom__pydicom-1458.traj')).toMatchObject({
      title: 'Pixel Representation attribute should be optional for pixel data handler',
      cwd: '/pydicom__pydicom',
      agent: 'swe-agent',
      startedAt: null,
    });
    // 1.x: from replay_config.problem_statement.text; a GitHub-issue statement has none, so from history.
    expect(session('demo__replay_function_calling_replace__marshmallow-1867.traj')).toMatchObject({
      title: 'TimeDelta serialization precision',
      cwd: '/testbed',
    });
    expect(session('gpt4__sweagenttestrepo-1c2844.traj')?.title).toBe('SyntaxError: invalid syntax');
    expect(session('demo__ctf_crypto_BabyEncryption.traj')?.title).toBe(
      'BabyEncryption (cryptography CTF challenge)',
    );
  });

  it('reads each step as thought, command and observation, named by the command', () => {
    const events = read('gpt4__pydicom__pydicom-1458.traj').events;
    const calls = events.filter((event) => event.kind === 'tool-call');
    expect(calls.map((event) => event.toolName)).toEqual([
      'create',
      'edit',
      'python',
      'find_file',
      'open',
      'edit',
      'edit',
      'edit',
      'edit',
      'python',
      'rm',
      'submit',
    ]);
    expect(
      events.slice(0, 3).map((event) => [event.kind, event.text.slice(0, 40), event.toolCallId]),
    ).toEqual([
      ['assistant-message', "First, I'll create a new Python script t", null],
      ['tool-call', 'create reproduce_bug.py\n', 'step-0'],
      ['tool-result', '[File: /pydicom__pydicom/reproduce_bug.p', 'step-0'],
    ]);
    expect(events[1]?.toolInput).toBe('create reproduce_bug.py\n');
    expect(events.every((event) => event.timestamp === null)).toBe(true);
  });

  it('marks the failing observations of the corpus as errors: 11 in 4 trajectories', () => {
    const errors = (name: (typeof names)[number]) =>
      read(name).events.filter((event) => event.kind === 'tool-result' && event.isError);
    expect(names.map((name) => errors(name).length)).toEqual([5, 1, 0, 0, 1, 4, 0, 0]);
    const all = names.flatMap((name) => errors(name));
    const starts = (prefix: string) => all.filter((event) => event.text.startsWith(prefix));
    expect(
      starts('Your proposed edit has introduced new syntax error(s)').map((event) => event.toolName),
    ).toEqual(Array(7).fill('edit'));
    expect(starts('Traceback (most recent call last):').map((event) => event.toolName)).toEqual([
      'python',
      'python',
      'python',
    ]);
    expect(errors('demo__ctf_forensics_flash.traj').map((event) => event.text)).toEqual([
      "strings: 'flash_c8429a430278283c0e571baebca3d139.img': No such file",
    ]);
    // The run that fixed its script: the second `python reproduce_bug.py` succeeds.
    const pydicom = read('gpt4__pydicom__pydicom-1458.traj').events.filter(
      (event) => event.kind === 'tool-result',
    );
    expect(pydicom[9]).toMatchObject({ toolName: 'python', isError: false });
  });

  it('reads an empty trajectory as a session with its outcome only', async () => {
    const path = join(directory, 'empty.traj');
    await writeFile(
      path,
      JSON.stringify({ environment: 'main', trajectory: [], info: { exit_status: 'exit_cost' } }),
    );
    const result = await readAllChunks(source, path);
    expect(result.events).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect([...result.sessions.values()][0]?.outcome).toEqual({
      passed: false,
      score: null,
      source: 'log',
      name: 'exit_status',
      detail: 'exit_cost',
    });
  });

  it('warns about a step that is not a step and about a document without a trajectory', async () => {
    const odd = join(directory, 'odd.traj');
    await writeFile(
      odd,
      '{"trajectory": [\n{"action": "ls\\n", "observation": "a.py\\n"},\n42,\n{"foo": 1}\n]}',
    );
    const result = await readAllChunks(source, odd);
    expect(result.warnings).toEqual([
      {
        type: 'invalid-record',
        path: odd,
        line: 3,
        message: 'SWE-agent step 1: not a step (no "action", "observation" or "thought")',
      },
      {
        type: 'invalid-record',
        path: odd,
        line: 4,
        message: 'SWE-agent step 2: not a step (no "action", "observation" or "thought")',
      },
    ]);
    expect(result.events.map((event: SessionEvent) => [event.kind, event.toolName, event.text])).toEqual([
      ['tool-call', 'ls', 'ls\n'],
      ['tool-result', 'ls', 'a.py\n'],
    ]);
    const other = join(directory, 'other.json');
    await writeFile(other, '{"messages": []}');
    expect((await readAllChunks(source, other)).warnings).toEqual([
      {
        type: 'invalid-record',
        path: other,
        line: 1,
        message: 'not a SWE-agent trajectory: the document has no "trajectory" array',
      },
    ]);
  });
});

describe('sweAgentOutcome', () => {
  it('leaves passed open for a submission and fails a run that submitted nothing', () => {
    expect(sweAgentOutcome({ exit_status: 'submitted (exit_cost)', submission: 'diff --git' })).toMatchObject(
      {
        passed: null,
        detail: 'submitted (exit_cost)',
      },
    );
    expect(sweAgentOutcome({ exit_status: 'exit_format', submission: null })).toMatchObject({
      passed: false,
      detail: 'exit_format',
    });
    expect(
      sweAgentOutcome({ exit_status: 'early_exit', submission: 'diff --git a/x b/x' })?.passed,
    ).toBeNull();
    expect(sweAgentOutcome({ exit_status: null })).toBeNull();
    expect(sweAgentOutcome(null)).toBeNull();
  });
});

describe('isSweAgentErrorObservation', () => {
  it('recognizes what the shell and the SWE-agent tools print on failure', () => {
    for (const text of [
      'bash: pyhton: command not found',
      'cat: missing.py: No such file or directory',
      'File missing.py not found',
      'Usage: edit <start_line>:<end_line>',
      'No file opened. Use the `open` command first.',
      'Error: <line_number> must be a number',
      "The command 'sleep 999' was cancelled because it took more than 25 seconds. Please try a different command.",
    ]) {
      expect(isSweAgentErrorObservation(text), text).toBe(true);
    }
  });

  it('leaves ordinary output alone, including tracebacks shown inside a file view', () => {
    for (const text of [
      '[File: /repo/a.py (3 lines total)]\n1:Traceback (most recent call last):\n2:x',
      'Found 1 matches for "x.py" in /repo',
      'Function main not found! Instead, here is the disassembly of equivalent function FUN_0040061d:',
      '',
    ]) {
      expect(isSweAgentErrorObservation(text), text).toBe(false);
    }
  });
});

describe('SweAgentSessionSource.detect', () => {
  const source = createSweAgentSessionSource();

  it('detects its fixtures from their first 16 KiB', async () => {
    for (const name of names) expect(await detectFile(source, fixture(name)), name).toBe(true);
  });

  it('rejects every other fixture of the repository', async () => {
    const others = (await listFixtures()).filter((path) => !path.startsWith(fixtureFolder));
    expect(others.length).toBeGreaterThan(0);
    for (const path of others) expect(await detectFile(source, path), path).toBe(false);
  });

  it('detects the 1.x layout, where trajectory comes first, and rejects look-alikes', () => {
    expect(source.detect('{\n  "trajectory": [\n    {\n      "action": "ls",\n      "observation": "')).toBe(
      true,
    );
    expect(source.detect('{"trajectory": [], "history": []}')).toBe(true);
    expect(source.detect('{"trajectory": [{"role": "user"}]}')).toBe(false);
    expect(source.detect('{"trajectory": []}')).toBe(false);
    expect(source.detect('[{"action": "ls"}]')).toBe(false);
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
