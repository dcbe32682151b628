import { describe, expect, it } from 'vitest';
import type { SessionOutcome } from '../domain/outcome.js';
import type { EventKind, SessionEvent, SessionFormat, SessionWithEvents } from '../domain/session.js';
import { parseJson } from '../util/json.js';
import {
  digestUserCorrections,
  findUserCorrections,
  findUserCorrectionsInSessions,
  userCorrectionFindingId,
} from './find-user-corrections.js';

interface EventSpec {
  kind: EventKind;
  text: string;
  subtype?: string | null;
  toolName?: string | null;
  toolCallId?: string | null;
  toolInput?: unknown;
  isError?: boolean;
  isRejection?: boolean;
}

function session(
  id: string,
  specs: readonly EventSpec[],
  options: {
    parentSessionId?: string;
    format?: SessionFormat;
    agent?: string;
    startedAt?: string;
    outcome?: SessionOutcome;
  } = {},
): SessionWithEvents {
  const startedAt = options.startedAt ?? '2025-06-01T10:00:00Z';
  const events: SessionEvent[] = specs.map((spec, index) => ({
    id: `${id}:${index}`,
    sessionId: id,
    sequence: index,
    kind: spec.kind,
    subtype: spec.subtype ?? null,
    timestamp: `${startedAt.slice(0, 16)}:${String(index).padStart(2, '0')}Z`,
    text: spec.text,
    messageId: null,
    toolName: spec.toolName ?? null,
    toolCallId: spec.toolCallId ?? null,
    toolInput: spec.toolInput ?? null,
    isError: spec.isError ?? false,
    isRejection: spec.isRejection ?? false,
    source: { path: `/logs/${id}.jsonl`, line: index + 1 },
  }));
  return {
    id,
    agent: options.agent ?? 'coder',
    format: options.format ?? 'claude-code',
    sourcePath: `/logs/${id}.jsonl`,
    parentSessionId: options.parentSessionId ?? null,
    title: null,
    cwd: null,
    startedAt,
    endedAt: null,
    eventCount: events.length,
    outcome: options.outcome ?? null,
    events,
  };
}

const user = (text: string, subtype: string | null = null): EventSpec => ({
  kind: 'user-message',
  text,
  subtype,
});
const reply = (text: string): EventSpec => ({ kind: 'assistant-message', text });
const call = (toolName: string, id: string, input: unknown, subtype: string | null = null): EventSpec => ({
  kind: 'tool-call',
  text: JSON.stringify(input),
  toolName,
  toolCallId: id,
  toolInput: input,
  subtype,
});
const result = (toolName: string, id: string, text: string, flags: Partial<EventSpec> = {}): EventSpec => ({
  kind: 'tool-result',
  text,
  toolName,
  toolCallId: id,
  ...flags,
});

// Claude Code 2.0.x wording, as in fixtures/claude-code (JSSoundRecorder).
const pnpmRejection =
  "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). The user provided the following reason for the rejection:  use pnpm";
const plainRejection =
  "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed.";

/** An aider-shaped session: the person asks, the model replies and edits, aider commits and lints by itself. */
function aiderSession(
  id: string,
  correction: string,
  options: { startedAt?: string } = {},
): SessionWithEvents {
  return session(
    id,
    [
      user('add a test for /reset'),
      reply("Certainly! I'll add a test for the `/reset` command in `tests/basic/test_commands.py`."),
      {
        kind: 'tool-call',
        text: 'edit tests/basic/test_commands.py',
        toolName: 'edit',
        toolCallId: 'e1',
        subtype: 'derived',
      },
      result('edit', 'e1', 'Applied edit to tests/basic/test_commands.py'),
      { kind: 'tool-call', text: 'git commit', toolName: 'git-commit', toolCallId: 'c1', subtype: 'derived' },
      result('git-commit', 'c1', 'Commit 0a25f61 feat: Add test for /reset'),
      user(correction),
    ],
    { format: 'aider', agent: 'aider', ...options },
  );
}

describe('digestUserCorrections', () => {
  it('reads the reason of a refused call and ties it to the call', () => {
    const digest = digestUserCorrections(
      session('cc-1', [
        user("ok, fine, let's do vite"),
        reply("I'll install Vite."),
        call('Bash', 't1', { command: 'npm install', description: 'Install Vite' }),
        result('Bash', 't1', pnpmRejection, { isError: true, isRejection: true }),
      ]),
    );
    expect(digest).toEqual({
      personTurns: 1,
      rejectionReasons: 1,
      corrections: [
        {
          eventId: 'cc-1:3',
          timestamp: '2025-06-01T10:00:03Z',
          quote: 'use pnpm',
          key: 'us pnpm',
          statement: 'Use `pnpm`, not `npm`.',
          standing: false,
          pattern: 'use',
          origin: 'rejection',
          corrected: {
            eventId: 'cc-1:2',
            timestamp: '2025-06-01T10:00:02Z',
            quote: 'npm install',
            toolName: 'Bash',
          },
        },
      ],
    });
  });

  it('ties a typed correction after an interrupt to the refused call', () => {
    const digest = digestUserCorrections(
      session('cc-2', [
        user('refactor the timeline filtering'),
        call('MultiEdit', 't1', { file_path: '/repo/timeline.html', edits: [] }),
        result('MultiEdit', 't1', plainRejection, { isError: true, isRejection: true }),
        user('[Request interrupted by user for tool use]'),
        user("don't loop through all items"),
      ]),
    );
    expect(digest.personTurns).toBe(2);
    expect(digest.rejectionReasons).toBe(0);
    expect(digest.corrections).toHaveLength(1);
    expect(digest.corrections[0]).toMatchObject({
      key: 'not loop item',
      corrected: { eventId: 'cc-2:1', toolName: 'MultiEdit' },
    });
  });

  it('skips the calls aider makes by itself and the ones the person ran', () => {
    const digest = digestUserCorrections(aiderSession('aider-1', "don't use --no-git in those tests"));
    expect(digest.corrections[0]?.corrected).toMatchObject({
      toolName: 'edit',
      quote: 'edit tests/basic/test_commands.py',
    });

    const withTestRun = session(
      'aider-2',
      [
        user('add a test for /reset'),
        reply("I'll add it."),
        {
          kind: 'tool-call',
          text: 'edit tests/basic/test_commands.py',
          toolName: 'edit',
          toolCallId: 'e1',
          subtype: 'derived',
        },
        result('edit', 'e1', 'Applied edit to tests/basic/test_commands.py'),
        user('/test pytest tests/basic/test_commands.py', 'command'),
        {
          kind: 'tool-call',
          text: 'pytest tests/basic/test_commands.py',
          toolName: 'test',
          toolCallId: 'p1',
          subtype: 'derived',
        },
        result('test', 'p1', '1 failed', { isError: true }),
        user('use `GitTemporaryDirectory`'),
      ],
      { format: 'aider' },
    );
    expect(digestUserCorrections(withTestRun).corrections[0]?.corrected?.toolName).toBe('edit');
  });

  it('falls back to the reply when the agent called no tool', () => {
    const digest = digestUserCorrections(
      session('aider-3', [
        user('is there a portable way to run a subprocess with full access to the terminal?'),
        reply('You could change the config so that pretty output is off.'),
        user("i don't want to modify the config"),
      ]),
    );
    expect(digest.corrections[0]).toMatchObject({
      statement: "Don't modify the config.",
      corrected: { toolName: null, quote: 'You could change the config so that pretty output is off.' },
    });
  });

  it('reads feedback Claude Code 2.0.x stored as a shell error, and not tool messages', () => {
    const feedback = session('cc-3', [
      user('commit this'),
      call('Bash', 't1', { command: 'git commit -m "Add tokenizer app"' }),
      result('Bash', 't1', 'please add transformer.js too first', { isError: true }),
      call('Edit', 't2', { file_path: '/repo/a.js', old_string: 'a', new_string: 'b' }),
      result('Edit', 't2', 'File has not been read yet. Read it first before writing to it.', {
        isError: true,
      }),
      call('Bash', 't3', { command: 'grep x a.js' }),
      result('Bash', 't3', 'grep: a.js: No such file or directory', { isError: true }),
    ]);
    const digest = digestUserCorrections(feedback);
    expect(digest.rejectionReasons).toBe(1);
    expect(digest.corrections.map((correction) => correction.statement)).toEqual([
      'Add `transformer.js` too first.',
    ]);
    expect(digestUserCorrections({ ...feedback, format: 'codex' }).corrections).toEqual([]);
  });

  it('ignores a simulated user, injected text, slash commands and a sub-agent prompt', () => {
    // tau-bench: an LLM plays the user; its "no, don't ..." is part of the task, not a person's correction.
    const tau = session(
      'tau-1',
      [
        user("Hi! I'd like to book a flight.", 'simulated'),
        reply('Sure, which one?'),
        user("No, don't book that one, use my certificate instead.", 'simulated'),
      ],
      { format: 'tau-bench' },
    );
    expect(digestUserCorrections(tau)).toEqual({ personTurns: 0, rejectionReasons: 0, corrections: [] });
    const injected = session('cc-4', [
      user('fix the lint errors'),
      reply('Done.'),
      user(
        'Caveat: The messages below were generated by the user while running local commands. DO NOT respond to these messages.',
        'meta',
      ),
      user('<command-name>/clear</command-name>', 'command'),
      user('<ide_opened_file>The user opened the file /repo/a.py in the IDE.</ide_opened_file>'),
    ]);
    expect(digestUserCorrections(injected)).toMatchObject({ personTurns: 1, corrections: [] });
    const sidechain = session(
      'cc-5:agent-1',
      [user("Investigate the parser. Don't modify any files."), reply('Looking.')],
      { parentSessionId: 'cc-5' },
    );
    expect(digestUserCorrections(sidechain)).toMatchObject({ personTurns: 0, corrections: [] });
  });

  it('takes no correction from a first turn, but a standing instruction from any', () => {
    expect(
      digestUserCorrections(session('s', [user("don't use confirm(), just prompt()")])).corrections,
    ).toEqual([]);
    const standing = digestUserCorrections(
      session('s', [user('From now on, always run `npm test` before committing.')]),
    );
    expect(standing.corrections).toMatchObject([{ standing: true, key: 'run npm test', corrected: null }]);
  });

  it('quotes verbatim substrings of the stored texts', () => {
    const sessions = [
      aiderSession('a', "no, don't mock completion. mock the httpx library which completion uses"),
      session('b', [
        user('add a test'),
        call('Bash', 't1', { command: 'npm install' }),
        result('Bash', 't1', pnpmRejection, { isError: true, isRejection: true }),
      ]),
    ];
    for (const current of sessions) {
      const texts = new Map(current.events.map((event) => [event.id, event.text]));
      for (const correction of digestUserCorrections(current).corrections) {
        expect(texts.get(correction.eventId)).toContain(correction.quote);
        if (correction.corrected !== null)
          expect(texts.get(correction.corrected.eventId)).toContain(correction.corrected.quote);
      }
    }
  });

  it('makes a digest that survives a JSON round trip', () => {
    const digest = digestUserCorrections(
      aiderSession('a', "don't use `IgnorantTemporaryDirectory` use GitTemporaryDirectory"),
    );
    expect(parseJson(JSON.stringify(digest))).toEqual(digest);
  });
});

describe('findUserCorrections', () => {
  const gitTemporaryDirectory = [
    aiderSession('aider-0806', "don't use `IgnorantTemporaryDirectory` use GitTemporaryDirectory", {
      startedAt: '2024-08-06T08:47:10Z',
    }),
    aiderSession('aider-0809', 'use `GitTemporaryDirectory`', { startedAt: '2024-08-09T16:51:14Z' }),
    aiderSession('aider-0811', 'use a `GitTemporaryDirectory`', { startedAt: '2024-08-11T16:59:37Z' }),
  ];

  it('clusters a correction repeated across sessions into one finding with evidence', () => {
    const { findings, stats } = findUserCorrectionsInSessions(gitTemporaryDirectory, { minSessions: 2 });
    expect(stats).toEqual({
      personTurns: 6,
      rejectionReasons: 0,
      corrections: 3,
      standing: 0,
      clusters: 1,
      belowThreshold: 0,
    });
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(finding).toMatchObject({
      kind: 'user-correction',
      id: userCorrectionFindingId('us gittemporarydirectory'),
      statement: 'Use `GitTemporaryDirectory`, not `IgnorantTemporaryDirectory`.',
      key: 'us gittemporarydirectory',
      standing: false,
      correctedTool: 'edit',
      occurrenceCount: 3,
      sessionCount: 3,
      sessionIds: ['aider-0806', 'aider-0809', 'aider-0811'],
      agents: ['aider'],
      firstSeen: '2024-08-06T08:47:06Z',
      lastSeen: '2024-08-11T16:59:06Z',
      outcomes: { failed: 0, succeeded: 0, unknown: 3 },
    });
    expect(finding.evidence.map((evidence) => [evidence.sessionId, evidence.role, evidence.quote])).toEqual([
      ['aider-0806', 'correction', "don't use `IgnorantTemporaryDirectory` use GitTemporaryDirectory"],
      ['aider-0806', 'corrected', 'edit tests/basic/test_commands.py'],
      ['aider-0809', 'correction', 'use `GitTemporaryDirectory`'],
      ['aider-0809', 'corrected', 'edit tests/basic/test_commands.py'],
      ['aider-0811', 'correction', 'use a `GitTemporaryDirectory`'],
      ['aider-0811', 'corrected', 'edit tests/basic/test_commands.py'],
    ]);
    expect(
      findUserCorrectionsInSessions(gitTemporaryDirectory, { minSessions: 2, maxEvidence: 1 }).findings[0]
        ?.evidence,
    ).toHaveLength(2);
  });

  it('gives the same findings, ids and order whatever the order of the sessions', () => {
    const forward = findUserCorrectionsInSessions(gitTemporaryDirectory, { minSessions: 1 });
    const backward = findUserCorrectionsInSessions([...gitTemporaryDirectory].reverse(), { minSessions: 1 });
    expect(backward).toEqual(forward);
  });

  it('keeps a correction from one session below the threshold, unless it is standing', () => {
    const sessions = [
      aiderSession('one', "don't modify `send_with_retries`"),
      session('two', [user('From now on, never push to main.')]),
    ];
    const { findings, stats } = findUserCorrectionsInSessions(sessions, { minSessions: 2 });
    expect(stats.belowThreshold).toBe(1);
    expect(findings).toMatchObject([
      {
        key: 'not push main',
        standing: true,
        sessionCount: 1,
        statement: 'Never push to main.',
        correctedTool: null,
      },
    ]);
    expect(findUserCorrectionsInSessions(sessions, { minSessions: 1 }).findings).toHaveLength(2);
  });

  it('counts a sub-agent sidechain with the conversation that spawned it', () => {
    const parent = session('cc-main', [
      user('set up the project'),
      call('Bash', 't1', { command: 'npm install' }),
      result('Bash', 't1', pnpmRejection, { isError: true, isRejection: true }),
    ]);
    const sidechain = session(
      'cc-main:agent-1',
      [
        user('Install the dependencies.'),
        call('Bash', 't9', { command: 'npm install' }),
        result('Bash', 't9', pnpmRejection, { isError: true, isRejection: true }),
      ],
      { parentSessionId: 'cc-main' },
    );
    const { findings } = findUserCorrectionsInSessions([parent, sidechain], { minSessions: 2 });
    expect(findings).toEqual([]);
    const single = findUserCorrectionsInSessions([parent, sidechain], { minSessions: 1 }).findings;
    expect(single).toMatchObject([
      { key: 'us pnpm', occurrenceCount: 2, sessionCount: 1, sessionIds: ['cc-main'] },
    ]);
  });

  it('keeps an instruction and its negation apart', () => {
    const sessions = [aiderSession('a', 'use npm'), aiderSession('b', "don't use npm")];
    expect(findUserCorrectionsInSessions(sessions, { minSessions: 2 }).findings).toEqual([]);
  });

  it('tallies the outcomes of the sessions behind a finding', () => {
    const failed: SessionOutcome = { passed: false, score: 0, source: 'log', name: 'reward', detail: null };
    const sessions = [{ ...gitTemporaryDirectory[0]!, outcome: failed }, ...gitTemporaryDirectory.slice(1)];
    expect(findUserCorrectionsInSessions(sessions, { minSessions: 2 }).findings[0]?.outcomes).toEqual({
      failed: 1,
      succeeded: 0,
      unknown: 2,
    });
  });

  it('aggregates stored digests without the events', () => {
    const inputs = gitTemporaryDirectory.map((current) => {
      const { events: _events, ...metadata } = current;
      return { session: metadata, digest: digestUserCorrections(current) };
    });
    expect(findUserCorrections(inputs, { minSessions: 2 })).toEqual(
      findUserCorrectionsInSessions(gitTemporaryDirectory, { minSessions: 2 }),
    );
  });
});
