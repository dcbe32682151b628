import { describe, expect, it } from 'vitest';
import type { DigestInput } from '../domain/digest.js';
import { describeFinding } from '../domain/finding.js';
import type { SessionEvent, SessionWithEvents } from '../domain/session.js';
import {
  digestOutcomeContrast,
  findOutcomeContrasts,
  formatOutcomeContrastKey,
  parseOutcomeContrastKey,
} from './find-outcome-contrasts.js';
import type { OutcomeContrastDigest } from './find-outcome-contrasts.js';
import { fisherExactTest } from './fisher-exact-test.js';

interface CallSpec {
  tool: string;
  input?: Record<string, unknown>;
  error?: string;
}

function buildSession(options: {
  id: string;
  passed: boolean | null;
  title?: string;
  calls: readonly (CallSpec | string)[];
}): SessionWithEvents {
  const events: SessionEvent[] = [];
  const push = (fields: Partial<SessionEvent> & Pick<SessionEvent, 'kind' | 'text'>): void => {
    const sequence = events.length;
    events.push({
      id: `${options.id}:${sequence}`,
      sessionId: options.id,
      sequence,
      subtype: null,
      timestamp: null,
      messageId: null,
      toolName: null,
      toolCallId: null,
      toolInput: null,
      isError: false,
      isRejection: false,
      source: { path: `/logs/${options.id}.json`, line: 1 },
      ...fields,
    });
  };
  options.calls.forEach((raw, index) => {
    const call: CallSpec = typeof raw === 'string' ? { tool: raw } : raw;
    const toolCallId = `${options.id}-${index}`;
    const input = call.input ?? { user_id: 'mia_li_3668' };
    push({
      kind: 'tool-call',
      text: JSON.stringify(input),
      toolName: call.tool,
      toolCallId,
      toolInput: input,
    });
    push({
      kind: 'tool-result',
      text: call.error ?? '{"ok": true}',
      toolName: call.tool,
      toolCallId,
      isError: call.error !== undefined,
    });
  });
  return {
    id: options.id,
    agent: 'airline',
    format: 'tau-bench',
    sourcePath: '/logs/results.json',
    parentSessionId: null,
    title: options.title ?? `task ${options.id}`,
    cwd: null,
    startedAt: null,
    endedAt: null,
    eventCount: events.length,
    outcome:
      options.passed === null
        ? null
        : {
            passed: options.passed,
            score: options.passed ? 1 : 0,
            source: 'log',
            name: 'reward',
            detail: null,
          },
    events,
  };
}

function inputsOf(sessions: readonly SessionWithEvents[]): DigestInput<OutcomeContrastDigest>[] {
  return sessions.map((session) => {
    const { events: _events, ...metadata } = session;
    return { session: metadata, digest: digestOutcomeContrast(session) };
  });
}

function times<T>(count: number, make: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, index) => make(index));
}

/** 9 of 11 failed runs book without looking the user up first; all 14 successful runs look the user up first. */
function missingLookUp(): SessionWithEvents[] {
  return [
    ...times(9, (index) => buildSession({ id: `f${index}`, passed: false, calls: ['book_reservation'] })),
    ...times(2, (index) =>
      buildSession({ id: `g${index}`, passed: false, calls: ['get_user_details', 'book_reservation'] }),
    ),
    ...times(14, (index) =>
      buildSession({
        id: `s${index}`,
        passed: true,
        calls: ['get_user_details', 'think', 'book_reservation'],
      }),
    ),
  ];
}

describe('digestOutcomeContrast', () => {
  it('keeps steps in order of first call and each error signature once, and survives a JSON round trip', () => {
    const session = buildSession({
      id: 'd1',
      passed: false,
      calls: [
        'get_user_details',
        'think',
        {
          tool: 'book_reservation',
          error: 'Error: payment amount does not add up, total price is 250, but paid 240',
        },
        {
          tool: 'book_reservation',
          error: 'Error: payment amount does not add up, total price is 255, but paid 250',
        },
        { tool: 'Bash', input: { command: 'npm test -- src' } },
      ],
    });
    const digest = digestOutcomeContrast(session);
    expect(digest.steps.map((step) => step.step)).toEqual([
      'get_user_details',
      'book_reservation',
      'Bash: npm test',
    ]);
    expect(digest.errors).toEqual([
      {
        step: 'book_reservation',
        signature: 'payment amount does not add up, total price is <n>, but paid <n>',
        first: {
          eventId: 'd1:5',
          timestamp: null,
          quote: 'payment amount does not add up, total price is 250, but paid 240',
        },
      },
    ]);
    expect(digest.taskKey).toMatch(/^[0-9a-f]{14}$/);
    expect(JSON.parse(JSON.stringify(digest))).toEqual(digest);
  });
});

describe('findOutcomeContrasts', () => {
  it('finds a missing look-up with the counts and the exact test p-value, reported once', () => {
    const { findings, stats } = findOutcomeContrasts(inputsOf(missingLookUp()), {
      minSupport: 3,
      maxPValue: 0.05,
    });
    expect(stats).toMatchObject({ conversations: 25, withOutcome: 25, compared: 25, strata: 1 });
    // `get_user_details` used, "before book", and "book without it first" have the same (or the complementary)
    // runs: one comparison, described as the missing step.
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(finding).toMatchObject({
      kind: 'outcome-contrast',
      feature: {
        type: 'tool-missing',
        key: 'missing|get_user_details|book_reservation',
        description: 'calls `book_reservation` without calling `get_user_details` first',
      },
      failedWith: 9,
      failedTotal: 11,
      succeededWith: 0,
      succeededTotal: 14,
      direction: 'avoid',
      agents: ['airline'],
    });
    expect(finding.pValue).toBeCloseTo(
      fisherExactTest({ firstWith: 9, firstWithout: 2, secondWith: 0, secondWithout: 14 }).pValue,
      15,
    );
    expect(finding.id).toMatch(/^contrast-[0-9a-f]{10}$/);
    expect(finding.sessionIds).toHaveLength(9);
    expect(describeFinding(finding)).toBe(
      'calls `book_reservation` without calling `get_user_details` first: in 9 of 11 failed runs, 0 of 14 successful (p=0.000027)',
    );
  });

  it('quotes runs of the side the feature is over-represented in, verbatim', () => {
    const sessions = missingLookUp();
    const { findings } = findOutcomeContrasts(inputsOf(sessions), {
      minSupport: 3,
      maxPValue: 0.05,
      maxEvidence: 3,
    });
    const evidence = findings[0]!.evidence;
    expect(evidence).toHaveLength(3);
    for (const item of evidence) {
      expect(item.role).toBe('contrast');
      expect(item.sessionId).toMatch(/^f/);
      const event = sessions
        .flatMap((session) => session.events)
        .find((candidate) => candidate.id === item.eventId);
      expect(event?.toolName).toBe('book_reservation');
      expect(event?.text).toContain(item.quote);
    }
  });

  it('respects the minimum support on the over-represented side', () => {
    // At 10, the 9 failed runs are too few; the same comparison seen from the other side (14 successful runs call
    // `get_user_details`) is still reported, as a repeat.
    const ten = findOutcomeContrasts(inputsOf(missingLookUp()), { minSupport: 10, maxPValue: 0.05 }).findings;
    expect(ten.map((finding) => [finding.feature.key, finding.direction, finding.succeededWith])).toEqual([
      ['tool|get_user_details', 'repeat', 14],
    ]);
    expect(
      findOutcomeContrasts(inputsOf(missingLookUp()), { minSupport: 15, maxPValue: 0.05 }).findings,
    ).toEqual([]);
  });

  it('finds an error signature that goes with failure', () => {
    const sessions = [
      ...times(6, (index) =>
        buildSession({
          id: `f${index}`,
          passed: false,
          calls: [
            'get_user_details',
            {
              tool: 'book_reservation',
              error: `Error: payment amount does not add up, total price is ${200 + index}, but paid 100`,
            },
          ],
        }),
      ),
      ...times(2, (index) =>
        buildSession({ id: `g${index}`, passed: false, calls: ['get_user_details', 'book_reservation'] }),
      ),
      ...times(8, (index) =>
        buildSession({ id: `s${index}`, passed: true, calls: ['get_user_details', 'book_reservation'] }),
      ),
    ];
    const { findings } = findOutcomeContrasts(inputsOf(sessions), { minSupport: 3, maxPValue: 0.05 });
    expect(findings.map((finding) => [finding.feature.type, finding.direction, finding.failedWith])).toEqual([
      ['error', 'avoid', 6],
    ]);
    expect(findings[0]!.feature.description).toBe(
      '`book_reservation` fails with "payment amount does not add up, total price is <n>, but paid <n>"',
    );
    expect(findings[0]!.evidence[0]?.quote).toMatch(
      /^payment amount does not add up, total price is 20\d, but paid 100$/,
    );
  });

  it('finds what successful runs do more often, as a repeat', () => {
    const sessions = [
      ...times(8, (index) =>
        buildSession({ id: `s${index}`, passed: true, calls: ['get_user_details', 'send_certificate'] }),
      ),
      ...times(8, (index) =>
        buildSession({
          id: `f${index}`,
          passed: false,
          calls: index < 7 ? ['get_user_details'] : ['get_user_details', 'send_certificate'],
        }),
      ),
    ];
    const { findings } = findOutcomeContrasts(inputsOf(sessions), { minSupport: 3, maxPValue: 0.05 });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      // Everyone calls `get_user_details` first: the order says nothing the tool does not.
      feature: { type: 'tool-used', key: 'tool|send_certificate' },
      direction: 'repeat',
      failedWith: 1,
      succeededWith: 8,
    });
    expect(findings[0]!.evidence.every((item) => item.sessionId.startsWith('s'))).toBe(true);
  });

  it('compares runs within their task, so a feature that only marks the harder task is not reported', () => {
    // The hard task fails 8 of 10 times, the easy one 2 of 10; only the hard task books. Pooled, booking looks like
    // failure; within each task it does not vary at all.
    const sessions = [
      ...times(10, (index) =>
        buildSession({
          id: `h${index}`,
          passed: index >= 8,
          title: 'Book a flight',
          calls: ['get_user_details', 'book_reservation'],
        }),
      ),
      ...times(10, (index) =>
        buildSession({
          id: `e${index}`,
          passed: index >= 2,
          title: 'Cancel my flight',
          calls: ['get_user_details', 'transfer_to_human_agents'],
        }),
      ),
    ];
    const stratified = findOutcomeContrasts(inputsOf(sessions), { minSupport: 3, maxPValue: 0.05 });
    expect(stratified.stats).toMatchObject({ strata: 2, compared: 20 });
    expect(stratified.findings).toEqual([]);
    const pooled = findOutcomeContrasts(inputsOf(sessions), {
      minSupport: 3,
      maxPValue: 0.05,
      stratify: false,
    });
    expect(pooled.stats.strata).toBe(1);
    expect(pooled.findings.map((finding) => [finding.feature.key, finding.direction])).toEqual([
      ['tool|book_reservation', 'avoid'],
    ]);
  });

  it('leaves out tasks whose runs all passed or all failed', () => {
    const sessions = [
      ...missingLookUp(),
      ...times(4, (index) =>
        buildSession({ id: `same${index}`, passed: true, title: 'Same task', calls: ['book_reservation'] }),
      ),
    ];
    const { stats } = findOutcomeContrasts(inputsOf(sessions), { minSupport: 3, maxPValue: 0.05 });
    expect(stats).toMatchObject({ withOutcome: 29, compared: 25, sameOutcomeTask: 4 });
  });

  it('reports no chance finding among many features tested', () => {
    // 40 runs, 60 tools each used by a pseudo-random half of them: two reach p < 0.05 by chance.
    let state = 2026;
    const next = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const sessions = times(40, (index) =>
      buildSession({
        id: `r${String(index).padStart(2, '0')}`,
        passed: index % 2 === 0,
        calls: times(60, (tool) => `probe_${String(tool).padStart(2, '0')}`).filter(() => next() < 0.5),
      }),
    );
    const raw = times(60, (tool) => {
      const name = `probe_${String(tool).padStart(2, '0')}`;
      const uses = (passed: boolean): number =>
        sessions.filter(
          (session) =>
            session.outcome?.passed === passed && session.events.some((event) => event.toolName === name),
        ).length;
      return fisherExactTest({
        firstWith: uses(false),
        firstWithout: 20 - uses(false),
        secondWith: uses(true),
        secondWithout: 20 - uses(true),
      }).pValue;
    });
    expect(raw.filter((pValue) => pValue < 0.05)).toHaveLength(2);
    const { findings, stats } = findOutcomeContrasts(inputsOf(sessions), { minSupport: 3, maxPValue: 0.05 });
    expect(stats.featuresTested).toBeGreaterThan(60);
    expect(findings).toEqual([]);
  });

  it('does not test the order of two look-ups', () => {
    const sessions = [
      ...times(8, (index) =>
        buildSession({ id: `f${index}`, passed: false, calls: ['search_direct_flight', 'get_user_details'] }),
      ),
      ...times(8, (index) =>
        buildSession({ id: `s${index}`, passed: true, calls: ['get_user_details', 'search_direct_flight'] }),
      ),
    ];
    const { findings, stats } = findOutcomeContrasts(inputsOf(sessions), { minSupport: 3, maxPValue: 0.05 });
    expect(findings).toEqual([]);
    expect(stats.featuresTested).toBe(0);
  });

  it('finds nothing without known outcomes, or with failures only', () => {
    const unknown = missingLookUp().map((session) => ({ ...session, outcome: null }));
    const none = findOutcomeContrasts(inputsOf(unknown), { minSupport: 3, maxPValue: 0.05 });
    expect(none.findings).toEqual([]);
    expect(none.stats).toMatchObject({ conversations: 25, withOutcome: 0, compared: 0 });
    const failedOnly = missingLookUp().filter((session) => session.outcome?.passed === false);
    const onlyFailures = findOutcomeContrasts(inputsOf(failedOnly), { minSupport: 3, maxPValue: 0.05 });
    expect(onlyFailures.findings).toEqual([]);
    expect(onlyFailures.stats).toMatchObject({ withOutcome: 11, compared: 0, sameOutcomeTask: 11 });
  });

  it('gives the same findings whatever the order of the inputs', () => {
    const forward = findOutcomeContrasts(inputsOf(missingLookUp()), { minSupport: 3, maxPValue: 0.05 });
    const backward = findOutcomeContrasts(inputsOf(missingLookUp()).reverse(), {
      minSupport: 3,
      maxPValue: 0.05,
    });
    expect(backward).toEqual(forward);
  });
});

describe('parseOutcomeContrastKey', () => {
  it('reads back every key it formats, signatures with pipes included', () => {
    const keys = [
      { type: 'tool-used', step: 'Bash: npm test' },
      { type: 'order', before: 'get_user_details', after: 'book_reservation' },
      { type: 'tool-missing', before: 'Read', after: 'Edit' },
      { type: 'error', step: 'Bash: grep', signature: 'no match | exit <n>' },
    ] as const;
    for (const key of keys) expect(parseOutcomeContrastKey(formatOutcomeContrastKey(key))).toEqual(key);
    expect(parseOutcomeContrastKey('tool|')).toBeNull();
    expect(parseOutcomeContrastKey('something else')).toBeNull();
  });
});
