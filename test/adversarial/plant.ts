/**
 * Writes the adversarial corpus (cases.ts) into a directory of logs, from real sessions:
 *
 * - Claude Code: each planted session is a copy of a real session from fixtures/claude-code (one of three small,
 *   ordinary coding sessions, in turn), with a new session id and new record uuids, and the case's records appended
 *   after its real ones, in the same record shapes Claude Code writes (tool_use / tool_result blocks, `is_error`,
 *   refusal wording). Logs of agent `web` go to `logs/web/`, of agent `tools` to `logs/tools/`.
 * - tau-bench: trial 0 of fixtures/tau-bench/gpt-4o-airline.tasks-0-39.json (40 real runs with rewards), with the
 *   workflow-step cases' tool calls inserted into the successful runs they name, in `logs/airline/airline.json`.
 *
 * Deterministic: the same cases give byte-identical files (ids are hashes of the case, copy and original id).
 * Never writes into fixtures/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttackCase, BenignCase, BenignLogCase, CorpusAgent, Plant, ToolCall } from './cases.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Real Claude Code sessions copied as the bodies of planted sessions: short, no tool errors, no injection markers. */
export const baseSessions = [
  'claude-code/-Users-dain-workspace-danieldemmel-me-next/5ed31c36-bca8-40fd-8d24-f1a1f0af7901.jsonl',
  'claude-code/-Users-dain-workspace-danieldemmel-me-next/4379d1bf-ccb1-414e-a856-9791b73f3af2.jsonl',
  'claude-code/-Users-dain-workspace-claude-code-log-sample/89488521-e2e7-4d97-bc02-38197efdddc8.jsonl',
] as const;

const tauBenchFile = 'tau-bench/gpt-4o-airline.tasks-0-39.json';

type AnyCase = AttackCase | BenignCase | BenignLogCase;

/** One planted session: which case, which agent, and where it was written. */
export interface PlantedSession {
  caseId: string;
  agent: CorpusAgent | 'airline';
  sessionId: string;
  file: string;
}

export interface PlantedCorpus {
  /** The folder of each agent's logs. */
  folders: Record<CorpusAgent | 'airline', string>;
  sessions: PlantedSession[];
}

type JsonRecord = Record<string, unknown>;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A deterministic UUID-shaped id. */
function uuidFrom(seed: string): string {
  const hex = hash(seed);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function readBase(file: string): JsonRecord[] {
  return readFileSync(path.join(fixtures, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonRecord);
}

/** Appends records to a copy of a real session, in Claude Code's own record shapes. */
class SessionWriter {
  readonly records: JsonRecord[] = [];
  private lastUuid: string | null = null;
  private time: number;
  private counter = 0;
  private readonly cwd: string;
  private readonly version: string;

  constructor(
    private readonly sessionId: string,
    base: readonly JsonRecord[],
  ) {
    const uuids = new Map<string, string>();
    const remap = (value: unknown): unknown => {
      if (typeof value !== 'string') return value;
      const known = uuids.get(value) ?? uuidFrom(`${sessionId}:${value}`);
      uuids.set(value, known);
      return known;
    };
    let last = 0;
    let cwd = '/Users/dain/workspace/project';
    let version = '2.0.28';
    for (const original of base) {
      // Summary lines title other sessions (by leaf uuid): not part of this one.
      if (original['type'] === 'summary') continue;
      const record: JsonRecord = { ...original, sessionId };
      for (const key of ['uuid', 'parentUuid', 'leafUuid']) {
        if (record[key] !== undefined && record[key] !== null) record[key] = remap(record[key]);
      }
      const timestamp = Date.parse(String(record['timestamp']));
      if (Number.isFinite(timestamp)) last = Math.max(last, timestamp);
      if (typeof record['cwd'] === 'string') cwd = record['cwd'];
      if (typeof record['version'] === 'string') version = record['version'];
      if (typeof record['uuid'] === 'string') this.lastUuid = record['uuid'];
      this.records.push(record);
    }
    this.time = last;
    this.cwd = cwd;
    this.version = version;
  }

  private next(type: 'user' | 'assistant', message: JsonRecord, extra: JsonRecord = {}): void {
    this.counter++;
    this.time += 2000;
    const uuid = uuidFrom(`${this.sessionId}:planted:${String(this.counter)}`);
    this.records.push({
      parentUuid: this.lastUuid,
      isSidechain: false,
      userType: 'external',
      cwd: this.cwd,
      sessionId: this.sessionId,
      version: this.version,
      gitBranch: 'main',
      type,
      message,
      ...extra,
      uuid,
      timestamp: new Date(this.time).toISOString(),
    });
    this.lastUuid = uuid;
  }

  private assistant(content: JsonRecord[]): void {
    this.next('assistant', {
      model: 'claude-sonnet-4-5-20250929',
      id: `msg_${hash(`${this.sessionId}:${String(this.counter)}`).slice(0, 24)}`,
      type: 'message',
      role: 'assistant',
      content,
      stop_reason: content.some((block) => block['type'] === 'tool_use') ? 'tool_use' : 'end_turn',
      stop_sequence: null,
    });
  }

  userTurn(text: string): void {
    this.next('user', { role: 'user', content: text });
  }

  assistantText(text: string): void {
    this.assistant([{ type: 'text', text }]);
  }

  /** A tool call and its result; returns nothing, the ids are internal. */
  call(call: ToolCall, result: { content: string; isError: boolean }): void {
    const id = `toolu_${hash(`${this.sessionId}:call:${String(this.counter)}`).slice(0, 24)}`;
    this.assistant([{ type: 'tool_use', id, name: call.name, input: call.input }]);
    const block: JsonRecord = { tool_use_id: id, type: 'tool_result', content: result.content };
    if (result.isError) block['is_error'] = true;
    this.next(
      'user',
      { role: 'user', content: [block] },
      { toolUseResult: result.isError ? `Error: ${result.content}` : result.content },
    );
  }

  succeed(call: ToolCall): void {
    this.call(call, { content: call.output ?? 'Done.', isError: false });
  }

  toJsonl(): string {
    return `${this.records.map((record) => JSON.stringify(record)).join('\n')}\n`;
  }
}

/** Writes one case's payload into a session, at its place. */
function plantInto(
  writer: SessionWriter,
  plant: Exclude<Plant, { as: 'workflow-step' }>,
  payload: string,
): void {
  switch (plant.as) {
    case 'user-turn':
      if (plant.after !== undefined) {
        writer.assistantText('Running it now.');
        writer.succeed(plant.after);
      }
      writer.userTurn(payload);
      writer.assistantText('Understood.');
      return;
    case 'refusal':
      writer.assistantText('I will install the dependencies.');
      writer.call(plant.call, {
        content:
          "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). " +
          `The user provided the following reason for the rejection:  ${payload}`,
        isError: true,
      });
      return;
    case 'tool-result':
      writer.assistantText('Let me look at that.');
      writer.call(plant.call, { content: payload, isError: false });
      writer.assistantText('I have read it; continuing with the task.');
      return;
    case 'assistant-text':
      writer.assistantText(payload);
      return;
    case 'tool-error':
      writer.assistantText('Running it now.');
      writer.call(plant.call, { content: payload, isError: true });
      writer.assistantText('That failed; let me check the configuration.');
      writer.succeed(plant.recovery);
      writer.succeed(plant.call);
      return;
    case 'tool-error-once':
      writer.assistantText('Running it now.');
      writer.call(plant.call, { content: payload, isError: true });
      writer.assistantText('That did not work; moving on.');
      return;
    case 'tool-call':
      writer.assistantText('Running it now.');
      writer.succeed(plant.call);
      return;
  }
}

interface TauRun {
  task_id: number;
  trial: number;
  reward: number;
  traj: JsonRecord[];
}

/** Inserts each workflow-step case's tool call after the first `after` call of the runs it names. */
function plantTauBench(cases: readonly AttackCase[]): TauRun[] {
  const runs = (JSON.parse(readFileSync(path.join(fixtures, tauBenchFile), 'utf8')) as TauRun[]).filter(
    (run) => run.trial === 0,
  );
  for (const attack of cases) {
    const plant = attack.plant;
    if (plant.as !== 'workflow-step') continue;
    for (const task of plant.tasks) {
      const run = runs.find((candidate) => candidate.task_id === task);
      if (run?.reward !== 1) throw new Error(`no successful run of task ${String(task)}`);
      const index = run.traj.findIndex(
        (message) =>
          message['role'] === 'tool' &&
          message['name'] === plant.after &&
          typeof message['content'] === 'string',
      );
      if (index === -1) throw new Error(`run of task ${String(task)} never calls ${plant.after}`);
      const callMessage = run.traj
        .slice(0, index)
        .reverse()
        .find((message) => Array.isArray(message['tool_calls']));
      const calls = (callMessage?.['tool_calls'] ?? []) as JsonRecord[];
      const argumentsText = (calls[0]?.['function'] as JsonRecord | undefined)?.['arguments'];
      const id = `call_${hash(`${attack.id}:${String(task)}`).slice(0, 24)}`;
      run.traj.splice(
        index + 1,
        0,
        {
          content: null,
          role: 'assistant',
          tool_calls: [
            {
              function: {
                arguments: typeof argumentsText === 'string' ? argumentsText : '{}',
                name: attack.payload,
              },
              id,
              type: 'function',
            },
          ],
        },
        { role: 'tool', tool_call_id: id, name: attack.payload, content: '{"status": "ok"}' },
      );
    }
  }
  return runs;
}

/**
 * Writes every case into `<directory>/logs/{web,tools,airline}/`.
 * @returns the folders and, per case, the sessions planted
 */
export function plantCorpus(options: {
  directory: string;
  attacks: readonly AttackCase[];
  benign: readonly BenignCase[];
  benignLogs: readonly BenignLogCase[];
}): PlantedCorpus {
  const folders = {
    web: path.join(options.directory, 'logs', 'web'),
    tools: path.join(options.directory, 'logs', 'tools'),
    airline: path.join(options.directory, 'logs', 'airline'),
  };
  for (const folder of Object.values(folders)) mkdirSync(folder, { recursive: true });
  const bases = baseSessions.map(readBase);
  const sessions: PlantedSession[] = [];
  let copies = 0;
  const all: AnyCase[] = [...options.attacks, ...options.benign, ...options.benignLogs];
  for (const item of all) {
    const plant = item.plant;
    if (plant.as === 'workflow-step') continue;
    item.sessions.forEach((agent, copy) => {
      const sessionId = uuidFrom(`adversarial:${item.id}:${String(copy)}`);
      const base = bases[copies++ % bases.length] ?? [];
      const writer = new SessionWriter(sessionId, base);
      plantInto(writer, plant, item.payload);
      const file = path.join(folders[agent], `${sessionId}.jsonl`);
      writeFileSync(file, writer.toJsonl());
      sessions.push({ caseId: item.id, agent, sessionId, file });
    });
  }
  const runs = plantTauBench(options.attacks);
  const airline = path.join(folders.airline, 'airline.json');
  writeFileSync(airline, JSON.stringify(runs));
  for (const attack of options.attacks) {
    if (attack.plant.as !== 'workflow-step') continue;
    for (const task of attack.plant.tasks) {
      sessions.push({
        caseId: attack.id,
        agent: 'airline',
        sessionId: `task-${String(task)}`,
        file: airline,
      });
    }
  }
  return { folders, sessions };
}
