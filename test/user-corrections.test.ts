/**
 * The corrections miner on the real corpora, read through the ingest readers: Claude Code (fixtures/claude-code),
 * the Aider history (fixtures/aider, aider 0.47-0.51) and tau-bench (fixtures/tau-bench, whose user is an LLM).
 *
 * What a careful reader finds in this data, written down before reading the miner's output and kept as the labelled
 * sets in eval/labels/claude-code.ts and eval/labels/aider.ts (`claudeCodeLabels`, `aiderLabels` here), which
 * `npm run eval` scores too:
 * - Claude Code: one memory-worthy correction, the rejection "use pnpm" of `npm install` (JSSoundRecorder). The
 *   other corrections are about the task at hand, mostly typed right after refusing an edit ("You can set
 *   group.visible using the vis library which is less work") or as feedback at a permission prompt ("please add
 *   transformer.js too first"); many are phrased as questions or suggestions. No standing instruction anywhere.
 * - Aider: one recurring correction, "use `GitTemporaryDirectory`" in tests, in five launches (four worded as
 *   corrections the patterns read, one as "put it in a `GitTemporaryDirectory`"); one recurring style preference,
 *   imports at the top of the file, in three launches, worded as plain requests ("move the imports to the top");
 *   one general rule about the agent's own output, "do not elide code in a S/R block"; and about thirty task-level
 *   corrections ("don't modify `send_with_retries`", "catch SuitableRepoNotFound not `FileNotFoundError`").
 * - Frustrations without content ("still 0!", "That broke everything.") are corrections too, but say nothing to
 *   learn; they are listed apart and left out of recall.
 *
 * Measured (one item per conversation and key): Claude Code precision 4/4, recall 4/14; Aider precision 24/26,
 * recall 24/36. Recurring (minSessions 2): 1 finding, correct; 1 of the 2 recurring corrections found (the imports
 * preference is never worded as a correction). Memory-worthy: 3 of 4 found (pnpm and "do not elide" only from one
 * session, so only at minSessions 1).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSessionSources } from '../src/create-reverie.js';
import type { Session, SessionEvent, SessionWithEvents } from '../src/domain/session.js';
import { mergeSession, readAllChunks } from '../src/ingest/session-source.contract.js';
import { digestUserCorrections, findUserCorrections } from '../src/mining/find-user-corrections.js';
import type { UserCorrectionDigest } from '../src/mining/find-user-corrections.js';
import { lessonForUserCorrection } from '../src/synthesis/correction-lessons.js';
import { aiderCorrectionOccurrences as aiderLabels } from '../eval/labels/aider.js';
import { claudeCodeCorrectionOccurrences as claudeCodeLabels } from '../eval/labels/claude-code.js';
import type { CorrectionOccurrence as Label } from '../eval/labels/types.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Every session in `files`, with its events in order, read by the reader that detects each file. */
async function loadSessions(files: readonly string[]): Promise<SessionWithEvents[]> {
  const sources = createSessionSources();
  const sessions = new Map<string, Session>();
  const events = new Map<string, SessionEvent[]>();
  for (const file of files) {
    const head = readFileSync(file).subarray(0, 16_384).toString('utf8');
    const source = sources.find((candidate) => candidate.isCandidate(file) && candidate.detect(head));
    if (source === undefined) throw new Error(`no reader detects ${file}`);
    const read = await readAllChunks(source, file, { agent: path.basename(path.dirname(file)) });
    for (const session of read.sessions.values()) {
      sessions.set(session.id, mergeSession(sessions.get(session.id), session));
    }
    for (const event of read.events) {
      const list = events.get(event.sessionId) ?? [];
      list.push(event);
      events.set(event.sessionId, list);
    }
  }
  return [...sessions.values()].map((session) => ({
    ...session,
    events: (events.get(session.id) ?? []).sort((a, b) => a.sequence - b.sequence),
  }));
}

function filesUnder(directory: string, accept: (name: string) => boolean): string[] {
  return readdirSync(path.join(fixtures, directory), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && accept(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

interface Found {
  sessionId: string;
  key: string;
  quote: string;
  eventText: string;
}

/** Each (conversation, key) the miner found once, with the event it quoted. */
function foundCorrections(
  inputs: readonly { session: SessionWithEvents; digest: UserCorrectionDigest }[],
): Found[] {
  const found = new Map<string, Found>();
  for (const { session, digest } of inputs) {
    const texts = new Map(session.events.map((event) => [event.id, event.text]));
    for (const correction of digest.corrections) {
      const id = `${session.id}\u0000${correction.key}`;
      if (!found.has(id)) {
        found.set(id, {
          sessionId: session.id,
          key: correction.key,
          quote: correction.quote,
          eventText: texts.get(correction.eventId) ?? '',
        });
      }
    }
  }
  return [...found.values()];
}

function isMatch(label: Label, found: Found): boolean {
  const session = found.sessionId.split(':')[0] ?? '';
  return (
    (session.endsWith(label.session) || session.startsWith(label.session)) &&
    found.eventText.includes(label.text)
  );
}

/** Precision over what was found, recall over the labelled corrections that carry content. */
function score(labels: readonly Label[], found: readonly Found[]) {
  const correct = found.filter((item) => labels.some((label) => isMatch(label, item)));
  const content = labels.filter((label) => label.scope === 'content');
  const recalled = content.filter((label) => found.some((item) => isMatch(label, item)));
  return {
    found: found.length,
    correct: correct.length,
    wrong: found.filter((item) => !correct.includes(item)).map((item) => item.quote),
    labelled: content.length,
    recalled: recalled.length,
    missed: content.filter((label) => !recalled.includes(label)).map((label) => label.text),
  };
}

function digestAll(sessions: readonly SessionWithEvents[]) {
  return sessions.map((session) => ({ session, digest: digestUserCorrections(session) }));
}

describe('user corrections in the real corpora', () => {
  let claudeCode: SessionWithEvents[];
  let aider: SessionWithEvents[];
  let tauBench: SessionWithEvents[];

  beforeAll(async () => {
    claudeCode = await loadSessions(filesUnder('claude-code', (name) => name.endsWith('.jsonl')));
    // The full history only: the excerpt next to it repeats 39 of its launches.
    aider = await loadSessions([path.join(fixtures, 'aider', 'gauthier.aider.chat.history.md')]);
    tauBench = await loadSessions(filesUnder('tau-bench', (name) => name.endsWith('.json')));
  });

  it('finds the "use pnpm" rejection in Claude Code, and nothing recurring', () => {
    const inputs = digestAll(claudeCode);
    const recurring = findUserCorrections(inputs, { minSessions: 2 });
    expect(recurring.findings).toEqual([]);
    expect(recurring.stats).toEqual({
      personTurns: 50,
      rejectionReasons: 5,
      corrections: 4,
      standing: 0,
      clusters: 4,
      belowThreshold: 4,
    });
    const all = findUserCorrections(inputs, { minSessions: 1 }).findings;
    expect(all.map((finding) => finding.statement)).toEqual([
      'Add `transformer.js` too first.',
      'Keep the name of the py file but change the pyproject script to reference it, otherwise gtg.',
      "Don't make it only work for me or make assumptions about people's env.",
      'Use `pnpm`, not `npm`.',
    ]);
    const pnpm = all.find((finding) => finding.key === 'us pnpm')!;
    expect(pnpm).toMatchObject({ correctedTool: 'Bash', standing: false, sessionCount: 1 });
    expect(pnpm.evidence.map((evidence) => [evidence.role, evidence.quote])).toEqual([
      ['correction', 'use pnpm'],
      ['corrected', 'npm install'],
    ]);
  });

  it('finds the recurring GitTemporaryDirectory correction in the Aider history', () => {
    const inputs = digestAll(aider);
    const recurring = findUserCorrections(inputs, { minSessions: 2 });
    expect(recurring.stats).toEqual({
      personTurns: 867,
      rejectionReasons: 0,
      corrections: 29,
      standing: 0,
      clusters: 23,
      belowThreshold: 22,
    });
    expect(recurring.findings).toHaveLength(1);
    const finding = recurring.findings[0]!;
    expect(finding).toMatchObject({
      key: 'us gittemporarydirectory',
      statement: 'Use `GitTemporaryDirectory`, not `IgnorantTemporaryDirectory`.',
      correctedTool: 'edit',
      occurrenceCount: 4,
      sessionCount: 4,
      firstSeen: '2024-08-06T08:47:10',
    });
    expect(finding.sessionIds.map((id) => id.slice(-15))).toEqual([
      '20240806T084710',
      '20240809T165114',
      '20240811T165937',
      '20240819T153701',
    ]);
    expect(lessonForUserCorrection(finding)).toMatchObject({
      lesson: {
        text: 'Use `GitTemporaryDirectory`, not `IgnorantTemporaryDirectory`.',
        reason: '4 corrections in 4 sessions, answering `edit` calls',
      },
    });
    expect(findUserCorrections(inputs, { minSessions: 1 }).findings).toHaveLength(23);
  });

  it('measures precision and recall against the labelled corrections', () => {
    const claudeCodeScore = score(claudeCodeLabels, foundCorrections(digestAll(claudeCode)));
    expect(claudeCodeScore).toMatchObject({ found: 4, correct: 4, wrong: [], labelled: 14, recalled: 4 });
    const aiderScore = score(aiderLabels, foundCorrections(digestAll(aider)));
    expect(aiderScore).toMatchObject({ found: 26, correct: 24, labelled: 36, recalled: 24 });
    // A feature request with a constraint, and the next step of a plan the person had laid out: not corrections.
    expect(aiderScore.wrong).toEqual([
      "but don't assume english as a fallback, just omit the language info.",
      'instead of wordcount, call `find_original_update_blocks` on each chunk.',
    ]);
    // Misses are corrections worded as plain requests, questions or statements, and first turns of a launch.
    expect(aiderScore.missed).toContain('move the imports to the top');
    expect(aiderScore.missed).toContain("don't use confirm(), just prompt()");
  });

  it('turns what recurs or stands into lessons, and skips what cannot stand alone', () => {
    const findings = findUserCorrections(digestAll([...claudeCode, ...aider]), { minSessions: 1 }).findings;
    const results = new Map(findings.map((finding) => [finding.key, lessonForUserCorrection(finding)]));
    expect(results.get('us pnpm')).toMatchObject({ lesson: { text: 'Use `pnpm`, not `npm`.' } });
    expect(results.get('not elid cod')).toMatchObject({
      lesson: { text: 'Do not elide code in a `S/R` block with "#... (existing test code".' },
    });
    expect(results.get('not mak work')).toMatchObject({
      skip: expect.stringContaining('only the conversation') as unknown,
    });
    const remarks = [...results.entries()].filter(([key]) => key.startsWith('remark:'));
    expect(remarks.length).toBeGreaterThan(0);
    for (const [, result] of remarks) expect(result).toMatchObject({ skip: expect.any(String) as unknown });
  });

  it('quotes every piece of evidence verbatim from its event', () => {
    const sessions = [...claudeCode, ...aider];
    const texts = new Map(
      sessions.flatMap((session) => session.events.map((event) => [event.id, event.text])),
    );
    const { findings } = findUserCorrections(digestAll(sessions), { minSessions: 1, maxEvidence: 20 });
    for (const evidence of findings.flatMap((finding) => finding.evidence)) {
      expect(texts.get(evidence.eventId)).toContain(evidence.quote);
    }
  });

  it('finds no correction in tau-bench, whose user is simulated', () => {
    const inputs = digestAll(tauBench);
    expect(tauBench.length).toBeGreaterThan(100);
    expect(findUserCorrections(inputs, { minSessions: 1 })).toEqual({
      findings: [],
      stats: {
        personTurns: 0,
        rejectionReasons: 0,
        corrections: 0,
        standing: 0,
        clusters: 0,
        belowThreshold: 0,
      },
    });
  });
});
