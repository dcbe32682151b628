/**
 * The injection scan on ordinary logs: every bundled fixture (ten formats, written by other people with other
 * agents) is ingested with auto-detection and scanned with the dream's own digest. Real logs hold no planted attack,
 * so what the scan lists there is noise a user would read in every report. Each listed event is printed; the figure
 * is in docs/security.md ("False positives on real logs").
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestInjections } from '../src/guard/screen-proposal.js';
import type { SessionWithEvents } from '../src/domain/session.js';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/ports/store.js';
import { createWorkspace } from './support/workspace.js';
import type { Workspace } from './support/workspace.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('the injection scan on the real fixtures', () => {
  let workspace: Workspace;
  let store: Store;
  let sessions: SessionWithEvents[];

  beforeAll(async () => {
    workspace = createWorkspace();
    workspace.write('reverie.yaml', 'agents: {}\n');
    store = createSqliteStore({ path: workspace.file('.reverie/reverie.db') });
    const reverie = workspace.open({ store });
    await reverie.ingest({ paths: [fixtures] });
    sessions = await store.loadSessionsWithEvents();
  }, 120_000);

  afterAll(async () => {
    await store.close();
    workspace.remove();
  });

  it('lists at most one event in a thousand for injection markers, and says what each hit was', () => {
    const events = sessions.reduce((total, session) => total + session.events.length, 0);
    const scanned = sessions.flatMap((session) =>
      digestInjections(session).flagged.map((item) => ({ session: session.id, ...item })),
    );
    // Events that held a secret (redacted at ingest) are listed too, as such: true, and not an injection claim.
    const flagged = scanned.filter((item) => item.hits.some((hit) => hit.kind !== 'secret'));
    const secrets = scanned.length - flagged.length;
    const lines = flagged.map(
      (item) =>
        `${item.session} ${item.eventKind}: ${item.hits.map((hit) => `${hit.kind} »${hit.excerpt}«`).join(', ')}`,
    );
    process.stdout.write(
      `injection scan: ${flagged.length} of ${events} events in ${sessions.length} sessions listed with injection markers (${secrets} more for a redacted secret)\n${lines.join('\n')}\n`,
    );
    expect(events).toBeGreaterThan(10_000);
    expect(flagged.length / events).toBeLessThanOrEqual(0.001);
  });
});
