/**
 * Digests: what one miner keeps from one session's events, computed once per session (and again only when the
 * session grows), so that a dream's cost grows with its new sessions, not with the history it looks back on.
 */
import type { Session } from './session.js';

/** A session's metadata, with its effective outcome, and what one miner kept from its events. */
export interface DigestInput<Digest> {
  session: Session;
  digest: Digest;
}
