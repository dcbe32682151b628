/**
 * Evidence is only evidence if it can be checked: every quote must be a verbatim substring of the stored event it
 * points at, in the session it names. Proposals are saved with verified evidence only.
 */
import type { Evidence } from '../domain/finding.js';
import type { SessionEvent } from '../domain/session.js';

export interface EvidenceRejection {
  evidence: Evidence;
  reason: string;
}

/**
 * Splits evidence into what the stored events confirm and what they do not.
 * @param evidence pointers with quotes
 * @param events the stored events they point at, by id
 */
export function verifyEvidence(
  evidence: readonly Evidence[],
  events: ReadonlyMap<string, SessionEvent>,
): { verified: Evidence[]; rejected: EvidenceRejection[] } {
  const verified: Evidence[] = [];
  const rejected: EvidenceRejection[] = [];
  for (const item of evidence) {
    const event = events.get(item.eventId);
    if (event === undefined)
      rejected.push({ evidence: item, reason: `event ${item.eventId} is not in the store` });
    else if (event.sessionId !== item.sessionId)
      rejected.push({
        evidence: item,
        reason: `event ${item.eventId} belongs to session ${event.sessionId}`,
      });
    else if (item.quote.trim() === '') rejected.push({ evidence: item, reason: 'the quote is empty' });
    else if (!event.text.includes(item.quote))
      rejected.push({ evidence: item, reason: `the quote is not in the text of event ${item.eventId}` });
    else verified.push(item);
  }
  return { verified, rejected };
}
