#!/usr/bin/env node
// Agent hook for Reverie: queues the transcript a hook reports (Claude Code `SessionEnd`: JSON on stdin with
// `transcript_path`) for the next `reverie ingest`, `reverie dream` or daemon run, and returns at once.
// It imports only Node built-ins and reads nothing but stdin, so it starts in tens of milliseconds: well inside
// Claude Code's 1.5 s SessionEnd budget. It never fails the agent's session: problems go to stderr, exit code 0.
//
// Usage (written into settings by `reverie hooks install claude-code`):
//   node /path/to/reverie-hook.js claude-code --data-dir /abs/path/.reverie
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { argv, env, exit, stderr, stdin } from 'node:process';

const [format, ...rest] = argv.slice(2);
const dataDirIndex = rest.indexOf('--data-dir');
const dataDir = dataDirIndex === -1 ? undefined : rest[dataDirIndex + 1];

function finish(message) {
  if (message !== undefined) stderr.write(`reverie-hook: ${message}\n`);
  exit(0);
}

if (format !== 'claude-code' || dataDir === undefined) {
  finish('usage: reverie-hook.js claude-code --data-dir <dir>');
}

const chunks = [];
// Claude Code closes stdin after writing the event; never wait for it forever (a known "Hook cancelled" cause).
const timer = setTimeout(() => finish('no hook input within 1 s; nothing queued'), 1000);
stdin.on('data', (chunk) => chunks.push(chunk));
stdin.on('error', () => finish('could not read the hook input'));
stdin.on('end', () => {
  clearTimeout(timer);
  let event;
  try {
    event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    finish('hook input is not JSON; nothing queued');
  }
  const transcript = event?.transcript_path;
  if (typeof transcript !== 'string' || transcript === '') finish('no transcript_path in the hook input');
  const entry = {
    path: path.resolve(transcript.replace(/^~(?=\/|$)/, env.HOME ?? '~')),
    format,
    session_id: typeof event.session_id === 'string' ? event.session_id : null,
    reason: typeof event.reason === 'string' ? event.reason : null,
    queued_at: new Date().toISOString(),
  };
  try {
    const directory = path.join(dataDir, 'queue');
    mkdirSync(directory, { recursive: true });
    // One small O_APPEND write: atomic, so hooks of parallel sessions never interleave their lines.
    appendFileSync(path.join(directory, `${format}.jsonl`), `${JSON.stringify(entry)}\n`);
  } catch (error) {
    finish(`could not queue ${entry.path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  finish();
});
