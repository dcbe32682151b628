/**
 * Use-case step: every miner's digest of every session in the window, computed only for sessions that are new or
 * grew since their digest was stored (or whose miner's digest version changed), so a dream reads the events of its
 * new sessions only. Events are loaded in small batches, so memory stays bounded whatever the history.
 */
import type { Session, SessionWithEvents } from '../domain/session.js';
import type { AppContext } from './app-context.js';

/** A miner's digest step, as the dream runs it. */
export interface DigestStep {
  name: string;
  version: number;
  digest: (session: SessionWithEvents) => unknown;
}

export interface LoadedDigests {
  /** Per miner name: per session id: the digest. */
  byMiner: Map<string, Map<string, unknown>>;
  /** Sessions whose events were read this time. */
  digested: number;
  /** Events read to digest them. */
  eventsRead: number;
}

const batchSize = 100;

/** Loads (and computes where needed) the digests of `sessions` for every step. */
export async function loadDigests(
  context: AppContext,
  sessions: readonly Session[],
  steps: readonly DigestStep[],
): Promise<LoadedDigests> {
  const ids = sessions.map((session) => session.id);
  const byMiner = new Map<string, Map<string, unknown>>();
  const stale = new Set<string>();
  for (const step of steps) {
    const stored = await context.store.getDigests({
      miner: step.name,
      version: step.version,
      sessionIds: ids,
    });
    const digests = new Map<string, unknown>();
    for (const session of sessions) {
      const found = stored.get(session.id);
      if (found?.eventCount === session.eventCount) digests.set(session.id, found.digest);
      else stale.add(session.id);
    }
    byMiner.set(step.name, digests);
  }
  let eventsRead = 0;
  const staleIds = [...stale];
  for (let start = 0; start < staleIds.length; start += batchSize) {
    const batch = await context.store.loadSessionsWithEvents({
      sessionIds: staleIds.slice(start, start + batchSize),
    });
    for (const step of steps) {
      const computed = batch.map((session) => ({
        sessionId: session.id,
        eventCount: session.eventCount,
        digest: step.digest(session),
      }));
      await context.store.saveDigests({ miner: step.name, version: step.version, digests: computed });
      const digests = byMiner.get(step.name);
      for (const item of computed) digests?.set(item.sessionId, item.digest);
    }
    eventsRead += batch.reduce((total, session) => total + session.events.length, 0);
  }
  return { byMiner, digested: staleIds.length, eventsRead };
}
