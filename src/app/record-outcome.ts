/**
 * Use-case: a person records how a session went (`reverie outcome <session> --pass|--fail|--score N`). Outcomes are
 * append-only; the latest verdict of a person wins over graders and over what the log says.
 */
import { ReverieError } from '../domain/errors.js';
import type { OutcomeRecord } from '../domain/outcome.js';
import type { Session } from '../domain/session.js';
import type { Store } from '../ports/store.js';
import type { AppContext } from './app-context.js';

/**
 * Finds a session by id or unique prefix.
 * @throws ReverieError USAGE_INVALID when none or several match
 */
export async function resolveSession(store: Store, idOrPrefix: string): Promise<Session> {
  const exact = await store.getSession(idOrPrefix);
  if (exact !== null) return exact;
  const matches =
    idOrPrefix.length >= 4
      ? (await store.listSessions()).filter((session) => session.id.startsWith(idOrPrefix))
      : [];
  if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  throw new ReverieError({
    code: 'USAGE_INVALID',
    message:
      matches.length > 1
        ? `"${idOrPrefix}" matches ${matches.length} sessions (${matches
            .slice(0, 3)
            .map((session) => session.id)
            .join(', ')}…); type more of the id.`
        : `No session ${idOrPrefix}. \`reverie sessions\` lists them.`,
    data: { id: idOrPrefix, matches: matches.length },
  });
}

/**
 * Records a person's verdict on a session.
 * @throws ReverieError USAGE_INVALID for an unknown session or a verdict without pass/fail or score
 */
export async function recordOutcome(
  context: AppContext,
  options: {
    sessionId: string;
    passed: boolean | null;
    score: number | null;
    note: string | null;
    name: string;
    userName: string;
  },
): Promise<OutcomeRecord> {
  if (options.passed === null && options.score === null) {
    throw new ReverieError({
      code: 'USAGE_INVALID',
      message: 'Say how the session went: --pass, --fail or --score N.',
      data: {},
    });
  }
  const session = await resolveSession(context.store, options.sessionId);
  const record: OutcomeRecord = {
    id: context.ids.next('o-'),
    sessionId: session.id,
    source: 'cli',
    name: options.name,
    passed: options.passed,
    score: options.score,
    detail: options.note,
    criteria: null,
    eventCount: session.eventCount,
    recordedAt: context.clock.now().toISOString(),
    recordedBy: options.userName,
  };
  await context.store.recordOutcome(record);
  return record;
}
