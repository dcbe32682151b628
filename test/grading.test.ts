/**
 * Rubric graders from reverie.yaml: sessions are graded once per rubric definition (again when they grow or the
 * rubric changes), each grade is an outcome with its criteria, and dreams learn from those outcomes.
 */
import { mkdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RandomIdGenerator } from '../src/runtime/random-id-generator.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/ports/store.js';
import { cli } from './support/run-cli.js';
import { createWorkspace } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

let workspace: Workspace;
let store: Store;
beforeEach(() => {
  workspace = createWorkspace();
  store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
});
afterEach(async () => {
  await store.close();
  workspace.remove();
});

function session(id: string, cwd: string, finalMessage: string, toolError: boolean): string {
  return (
    [
      { type: 'session', reverie: 1, id, agent: 'coder', cwd, started_at: '2025-11-20T10:00:00Z' },
      { type: 'message', role: 'user', text: 'fix the tests', ts: '2025-11-20T10:00:01Z' },
      {
        type: 'tool_call',
        call_id: 'c1',
        tool: 'Bash',
        input: { command: 'npm test' },
        ts: '2025-11-20T10:00:02Z',
      },
      {
        type: 'tool_result',
        call_id: 'c1',
        ok: !toolError,
        output: toolError ? 'Exit code 1' : 'ok',
        ts: '2025-11-20T10:00:03Z',
      },
      { type: 'message', role: 'assistant', text: finalMessage, ts: '2025-11-20T10:00:04Z' },
    ]
      .map((record) => JSON.stringify(record))
      .join('\n') + '\n'
  );
}

const config = (rubric: string) => `agents:
  coder:
    sources: [{ type: reverie-jsonl, path: ./logs }]
    memory: ./CLAUDE.md
dreaming:
  retention: 365d
grading:
  rubrics:
${rubric}`;

describe('rubric graders', () => {
  it('grade each session once, record every criterion, and regrade when the rubric changes', async () => {
    const good = workspace.file('repos/good');
    mkdirSync(good, { recursive: true });
    workspace.write('repos/good/ok.txt', 'x');
    workspace.write('logs/a.jsonl', session('s-good', good, 'All tests pass.', false));
    workspace.write(
      'logs/b.jsonl',
      session('s-bad', workspace.file('repos/good'), 'I could not fix it.', true),
    );
    workspace.write('logs/c.jsonl', session('s-gone', '/nowhere/at/all', 'All tests pass.', false));
    const rubric = `    - name: fixed
      pass: all
      criteria:
        - final_message_matches: "tests pass"
        - max_tool_errors: 0
        - command: "test -f ok.txt"
`;
    workspace.write('reverie.yaml', config(rubric));
    const reverie = workspace.open({ store });
    const first = await reverie.dream();
    expect(first.report?.grading).toEqual([
      { rubric: 'fixed', graded: 3, passed: 1, failed: 1, undecided: 1 },
    ]);
    const outcomes = await store.listOutcomes({ sessionIds: ['s-good', 's-bad', 's-gone'] });
    expect(outcomes.map((record) => [record.sessionId, record.passed])).toEqual(
      expect.arrayContaining([
        ['s-good', true],
        ['s-bad', false],
        ['s-gone', null],
      ]),
    );
    const bad = outcomes.find((record) => record.sessionId === 's-bad');
    expect(bad?.criteria).toEqual([
      { criterion: 'final message matches /tests pass/', passed: false, detail: null },
      { criterion: 'at most 0 tool errors', passed: false, detail: '1 tool errors' },
      { criterion: '`test -f ok.txt` exits 0', passed: true, detail: 'exit code 0' },
    ]);
    expect(outcomes.find((record) => record.sessionId === 's-gone')?.criteria?.[2]).toMatchObject({
      passed: null,
      detail: 'not run: the session has no working directory on this machine',
    });
    const sessions = await reverie.listSessions();
    expect(sessions.find((candidate) => candidate.id === 's-bad')?.outcome).toMatchObject({
      source: 'grader',
      passed: false,
    });

    const again = await reverie.dream();
    expect(again.report?.grading).toEqual([
      { rubric: 'fixed', graded: 0, passed: 0, failed: 0, undecided: 0 },
    ]);
    expect((await reverie.dream({ dryRun: true })).report?.grading).toEqual([]);

    // A person's verdict wins over the grader's.
    await reverie.recordOutcome({
      sessionId: 's-bad',
      passed: true,
      score: null,
      note: 'fixed by hand later',
    });
    expect(
      (await reverie.listSessions()).find((candidate) => candidate.id === 's-bad')?.outcome,
    ).toMatchObject({ source: 'cli', passed: true });

    workspace.write('reverie.yaml', config(rubric.replace('max_tool_errors: 0', 'max_tool_errors: 1')));
    // A second process: its ids do not repeat the first one's.
    const changed = await workspace.open({ store, ids: new RandomIdGenerator() }).dream();
    expect(changed.report?.grading).toEqual([
      { rubric: 'fixed', graded: 3, passed: 1, failed: 1, undecided: 1 },
    ]);
  });

  it('reports rubric mistakes with their keys', async () => {
    workspace.write(
      'reverie.yaml',
      config(`    - name: r
      pass: 3
      agents: [ghost]
      criteria:
        - final_message_matches: "(unclosed"
        - tool_usd: Bash
`),
    );
    const result = await cli(workspace.root, ['dream']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('grading.rubrics[0].criteria[1]: must be one of');
  });
});
