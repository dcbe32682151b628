/**
 * The corrections miner on the real corpora, read through the ingest readers: Claude Code (fixtures/claude-code),
 * the Aider history (fixtures/aider, aider 0.47-0.51) and tau-bench (fixtures/tau-bench, whose user is an LLM).
 *
 * What a careful reader finds in this data, written down before reading the miner's output and kept as the labelled
 * set below (`claudeCodeLabels`, `aiderLabels`):
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

interface Label {
  /** The end of the session id (Claude Code: the start of the conversation's uuid is enough). */
  session: string;
  /** Words of the person's correction, verbatim. */
  text: string;
  /** `content`: says what was wrong or what to do; `frustration`: only that it went wrong (left out of recall). */
  scope: 'content' | 'frustration';
  /** A careful reader would write it into the agent's memory (the group it belongs to). */
  memory?: string;
}

const claudeCodeLabels: readonly Label[] = [
  { session: '7acd37a8', text: 'use pnpm', scope: 'content', memory: 'pnpm' },
  { session: '7acd37a8', text: "I don't want to make it only work for me", scope: 'content' },
  { session: '0d3a8e6f', text: 'You can set group.visible using the vis library', scope: 'content' },
  { session: '0d3a8e6f', text: "I don't think we need to loop through all items", scope: 'content' },
  { session: '0d3a8e6f', text: 'I think the library is setting it', scope: 'content' },
  {
    session: '37f83ec9',
    text: "I'd actually love that test to be saved a permanent unit test",
    scope: 'content',
  },
  { session: 'fe869ecb', text: 'Wait, does it only run on main?', scope: 'content' },
  { session: 'cb2e607c', text: "Let's keep the name of the py file", scope: 'content' },
  { session: '9e953218', text: 'please add transformer.js too first', scope: 'content' },
  { session: '9e953218', text: 'Wait a sec, we need to copy public/favicons/token.svg', scope: 'content' },
  { session: '9e953218', text: 'Are you sure the HTML is the issue?', scope: 'content' },
  { session: '9e953218', text: 'maybe we should use the https repo address?', scope: 'content' },
  { session: '9e953218', text: 'This basePath method does the job, but', scope: 'content' },
  { session: 'f852ad25', text: 'the v3 upgrade is already done', scope: 'content' },
  { session: '37f83ec9', text: 'Oh no, we lost the session navigation section', scope: 'frustration' },
  { session: '9e953218', text: "The redirection doesn't work", scope: 'frustration' },
  { session: '9e953218', text: "Still doesn't work", scope: 'frustration' },
];

const aiderLabels: readonly Label[] = [
  {
    session: '0806T084710',
    text: "don't use `IgnorantTemporaryDirectory`",
    scope: 'content',
    memory: 'git-temp',
  },
  { session: '0806T085514', text: "don't use --no-git in those tests", scope: 'content' },
  { session: '0806T102159', text: 'i mean non-blank', scope: 'content' },
  { session: '0806T111310', text: 'no, i mean for processing', scope: 'content' },
  { session: '0807T074637', text: "no, don't mock completion", scope: 'content' },
  { session: '0807T074637', text: 'get not post', scope: 'content' },
  { session: '0807T074637', text: "don't modify `send_with_retries`", scope: 'content' },
  { session: '0807T132455', text: 'catch SuitableRepoNotFound', scope: 'content' },
  { session: '0808T095402', text: "don't replace the tree cache", scope: 'content' },
  { session: '0809T161642', text: 'instead, add a read_only_fnames param', scope: 'content' },
  { session: '0809T165114', text: 'use `GitTemporaryDirectory`', scope: 'content', memory: 'git-temp' },
  { session: '0809T171801', text: 'move the imports to the top', scope: 'content', memory: 'imports' },
  { session: '0809T172439', text: "don't paginate cmd_web from Coder", scope: 'content' },
  // The first turn of a launch, correcting what the previous launch wrote: no action in the session to tie it to.
  { session: '0809T173438', text: "don't use confirm(), just prompt()", scope: 'content' },
  { session: '0809T193247', text: 'again, catch ValueError on .head', scope: 'content' },
  { session: '0809T193247', text: 'no, in cmd_diff catch', scope: 'content' },
  { session: '0810T081435', text: "i don't want to modify the config", scope: 'content' },
  { session: '0810T090750', text: 'instead of mocking aider.sendchat', scope: 'content' },
  { session: '0810T102123', text: 'no, this happens even on wide desktop browsers', scope: 'content' },
  { session: '0811T165937', text: 'use a `GitTemporaryDirectory`', scope: 'content', memory: 'git-temp' },
  { session: '0812T162036', text: 'do if not self.mp: return instead', scope: 'content' },
  { session: '0812T182357', text: "don't log if not self.mp", scope: 'content' },
  {
    session: '0813T052457',
    text: 'put it in a `GitTemporaryDirectory`',
    scope: 'content',
    memory: 'git-temp',
  },
  { session: '0813T134245', text: 'i want the number of lines from `aider_total`', scope: 'content' },
  { session: '0814T200437', text: "i don't want to mess with its border", scope: 'content' },
  { session: '0815T100730', text: 'i just want to increase the height', scope: 'content' },
  { session: '0816T163418', text: 'should be a method of `ChatChunks`', scope: 'content' },
  { session: '0817T061907', text: "don't use TAGs_CACHE", scope: 'content' },
  { session: '0817T061907', text: 'move time import to top of file', scope: 'content', memory: 'imports' },
  { session: '0819T153056', text: 'not called with auto', scope: 'content' },
  { session: '0819T153701', text: 'do not elide code', scope: 'content', memory: 'elide' },
  { session: '0819T153701', text: '`import git` not os.system', scope: 'content', memory: 'git-temp' },
  {
    session: '0821T080840',
    text: 'move the `prompt_toolkit` imports to the top',
    scope: 'content',
    memory: 'imports',
  },
  { session: '0821T093103', text: 'keep the backticks for other autocompletes', scope: 'content' },
  { session: '0821T131144', text: 'put it in the class!', scope: 'content' },
  { session: '0821T214116', text: 'drop the `ApplyShellCommandsError` nonsense', scope: 'content' },
  { session: '0813T122822', text: 'That broke everything.', scope: 'frustration' },
  { session: '0813T134245', text: 'still 0!', scope: 'frustration' },
  { session: '0813T134245', text: 'You previous fix resulting in no tooltip', scope: 'frustration' },
];

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
