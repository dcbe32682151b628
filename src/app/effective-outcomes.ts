import { effectiveOutcome } from '../domain/outcome.js';
import type { Session } from '../domain/session.js';
import type { Store } from '../ports/store.js';

/** The sessions with the outcome each counts with: a person's verdict, else a grader's, else the log's. */
export async function withEffectiveOutcomes(store: Store, sessions: readonly Session[]): Promise<Session[]> {
  if (sessions.length === 0) return [];
  const records = await store.listOutcomes({ sessionIds: sessions.map((session) => session.id) });
  const bySession = new Map<string, typeof records>();
  for (const record of records) {
    const list = bySession.get(record.sessionId) ?? [];
    list.push(record);
    bySession.set(record.sessionId, list);
  }
  return sessions.map((session) => {
    const recorded = bySession.get(session.id);
    return recorded === undefined
      ? session
      : { ...session, outcome: effectiveOutcome(session.outcome, recorded) };
  });
}
