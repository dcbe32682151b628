/**
 * Planted secrets inside real logs never reach the store, the run reports, the proposals or the memory files.
 * Secrets are planted where they would otherwise travel furthest: into the tool calls and tool errors that become
 * a finding's evidence and a proposal's quotes, into what the user typed, what the assistant said, tool output and
 * session titles, in Claude Code and Reverie JSONL logs.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { isJsonObject, safeParseJson } from '../src/util/json.js';
import { copyAllProjects, createWorkspace, oneAgentConfig } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

// Fake values with the exact shape of real ones, assembled at run time so secret scanners do not flag this file.
const planted = [
  ['sk', 'ant', 'api03', 'Pl4nt3dAnthr0picK3yAAAAAAAAAAAAAAAAAAAAAA'].join('-'),
  ['sk', 'proj', 'Pl4nt3dOpenA1K3yBBBBBBBBBBBBBBBBBBBBBB'].join('-'),
  'AKIA' + 'PLANTEDAWSKEY01' + 'X',
  'ghp_' + 'Pl4nt3dGitHubT0kenCCCCCCCCCCCCCCCCCCCC',
  'xoxb-' + '1111111111-2222222222222-Pl4nt3dSlackT0ken',
  'sk_live_' + 'Pl4nt3dStr1peK3yDDDDDDD',
  'AIza' + 'Pl4nt3dG00gleK3yEEEEEEEEEEEEEEEEEEEEE',
  'hf_' + 'Pl4nt3dHuggingF4ceT0kenFFFFFFFFFFF',
  'eyJhbGciOiJIUzI1NiJ9.' + 'eyJwbGFudGVkIjoiand0In0' + '.Pl4nt3dJWTs1gnatureGGGGGGGG',
];
const plantedBearer = 'Pl4nt3dBearerT0kenHHHHHHHHHHHH';
const plantedPassword = 'Pl4nt3dDbPassw0rd';
const plantedEnvValue = 'Pl4nt3dEnvS3cretValue';
const plantedKeyBody = 'MIIEPl4nt3dPrivateKeyBodyIIIIIIIIIIIIIIII';
const allPlanted = [...planted, plantedBearer, plantedPassword, plantedEnvValue, plantedKeyBody];

let workspace: Workspace;
let counter = 0;
const nextSecret = () => planted[counter++ % planted.length]!;

/** Plants secrets into every user text, tool call, tool error, tool output and title of a Claude Code log. */
function plantClaudeCode(file: string): number {
  let plantedCount = 0;
  const lines = readFileSync(file, 'utf8').split('\n');
  const out = lines.map((line) => {
    const parsed = safeParseJson(line);
    if (!parsed.success || !isJsonObject(parsed.value)) return line;
    const record = parsed.value;
    if (record['type'] === 'summary' && typeof record['summary'] === 'string') {
      record['summary'] = `${record['summary']} ${nextSecret()}`;
      plantedCount++;
    }
    const message = record['message'];
    if (!isJsonObject(message)) return JSON.stringify(record);
    if (typeof message['content'] === 'string') {
      message['content'] = `${message['content']}\nmy key is ${nextSecret()}`;
      plantedCount++;
    } else if (Array.isArray(message['content'])) {
      for (const block of message['content'] as unknown[]) {
        if (!isJsonObject(block)) continue;
        if (block['type'] === 'text' && typeof block['text'] === 'string') {
          block['text'] = `${block['text']} (using ${nextSecret()})`;
          plantedCount++;
        }
        if (block['type'] === 'tool_use' && isJsonObject(block['input'])) {
          block['input'] = { ...block['input'], note: `curl -H "Authorization: Bearer ${plantedBearer}"` };
          plantedCount++;
        }
        if (block['type'] === 'tool_result' && typeof block['content'] === 'string') {
          // On the error's own line, so the quote a proposal takes from it would carry the secret.
          block['content'] = block['content'].replace(
            /(\r?\n|$)/,
            ` DATABASE_URL=postgres://app:${plantedPassword}@db:5432/app API_SECRET=${plantedEnvValue}$1`,
          );
          block['content'] =
            `${block['content'] as string}\n-----BEGIN RSA PRIVATE KEY-----\n${plantedKeyBody}\n-----END RSA PRIVATE KEY-----`;
          plantedCount += 3;
        }
      }
    }
    return JSON.stringify(record);
  });
  writeFileSync(file, out.join('\n'));
  return plantedCount;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every planted value, and any fragment of one (each carries the marker `Pl4nt3d` or `PLANTED`). */
function findPlanted(text: string): string[] {
  const found = allPlanted.filter((secret) => text.includes(secret));
  for (const marker of ['Pl4nt3d', 'PLANTED']) if (text.includes(marker)) found.push(`fragment ${marker}`);
  return found;
}

beforeEach(() => {
  workspace = createWorkspace();
});
afterEach(() => {
  workspace.remove();
});

describe('planted secrets', () => {
  it('never reach the store, the reports, the proposals or the memory files', async () => {
    copyAllProjects(workspace);
    let plantedCount = 0;
    for (const file of listFiles(workspace.file('logs')).filter((name) => name.endsWith('.jsonl'))) {
      plantedCount += plantClaudeCode(file);
    }
    workspace.write(
      'logs/custom/bot.jsonl',
      [
        `{"type":"session","reverie":1,"id":"bot-1","agent":"coder","title":"deploy with ${planted[0]!}","started_at":"2025-11-20T10:00:00Z"}`,
        `{"type":"tool_call","call_id":"c1","tool":"Bash","input":{"command":"export GITHUB_TOKEN=${planted[3]!}"},"ts":"2025-11-20T10:00:01Z"}`,
        `{"type":"tool_result","call_id":"c1","ok":false,"output":"fatal: auth failed for https://bot:${plantedPassword}@git.example.com","ts":"2025-11-20T10:00:02Z"}`,
        // A broken line: the JSON error message quotes it, and warnings are stored in the run report.
        `oops ${planted[5]!} {`,
        `{"type":"message","role":"user","text":"ok"}`,
      ].join('\n') + '\n',
    );
    expect(plantedCount).toBeGreaterThan(1000);
    // The planted logs really contain the secrets.
    expect(
      findPlanted(
        listFiles(workspace.file('logs'))
          .map((file) => readFileSync(file, 'utf8'))
          .join('\n'),
      ),
    ).toEqual([...allPlanted, 'fragment Pl4nt3d', 'fragment PLANTED']);

    workspace.write(
      'reverie.yaml',
      oneAgentConfig({ approval: 'automatic' }).replace('type: claude-code', 'type: auto'),
    );
    workspace.write('CLAUDE.md', '# Notes\n');
    const store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
    const reverie = workspace.open({ store });
    const run = await reverie.dream();
    const report = run.report!;
    expect(report.proposals.length).toBeGreaterThanOrEqual(3);
    expect(report.warnings.some((warning) => warning.type === 'ingest')).toBe(true);
    expect(report.proposals.every((proposal) => proposal.status === 'applied')).toBe(true);
    const redacted = Object.values(report.ingest!.redactions).reduce((sum, count) => sum + count, 0);
    expect(redacted).toBeGreaterThanOrEqual(plantedCount);

    const proposals = await reverie.listProposals();
    const evidenceQuotes = proposals.flatMap((proposal) => proposal.evidence.map((item) => item.quote));
    expect(evidenceQuotes.some((quote) => quote.includes('[REDACTED:'))).toBe(true);
    const history = await reverie.history();
    const sessions = await store.loadSessionsWithEvents();
    await reverie.close();

    expect(findPlanted(JSON.stringify(run))).toEqual([]);
    expect(findPlanted(JSON.stringify(proposals))).toEqual([]);
    expect(findPlanted(JSON.stringify(history))).toEqual([]);
    expect(findPlanted(JSON.stringify(sessions))).toEqual([]);
    expect(findPlanted(readFileSync(workspace.file('CLAUDE.md'), 'utf8'))).toEqual([]);
    // The database files themselves, byte for byte (including the write-ahead log).
    for (const file of listFiles(workspace.file('.reverie'))) {
      expect(findPlanted(readFileSync(file).toString('latin1')), file).toEqual([]);
    }
  });
});
