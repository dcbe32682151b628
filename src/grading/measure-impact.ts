/**
 * Impact of applied memory versions: for each, the rate of the errors it targeted and the outcome rate in the
 * sessions before it was applied versus after, over windows of equal length, so a person can see whether dreaming
 * helped, and a version after which things got worse is flagged.
 */

export interface ImpactVersion {
  version: number;
  appliedAt: string;
  proposalId: string | null;
  reason: string;
  /** The findings (errors, corrections) the version's proposal targeted. */
  findingIds: readonly string[];
}

export interface ImpactSession {
  id: string;
  /** When it happened (its end, else its start); sessions without a time are left out. */
  time: string;
  passed: boolean | null;
  /** Targetable findings seen in this session. */
  findingIds: ReadonlySet<string>;
}

export interface ImpactSide {
  sessions: number;
  /** Sessions with at least one of the targeted errors. */
  withTargetedError: number;
  passed: number;
  failed: number;
}

export type ImpactVerdict = 'better' | 'worse' | 'no clear change' | 'too few sessions';

export interface ImpactRow extends ImpactVersion {
  /** The windows compared: [from, appliedAt) and [appliedAt, to). */
  from: string;
  to: string;
  before: ImpactSide;
  after: ImpactSide;
  verdict: ImpactVerdict;
  /** One line: why the verdict. */
  explanation: string;
}

/** A rate changes "clearly" when it moves by at least this much (with enough sessions on both sides). */
const clearChange = 0.1;

function side(sessions: readonly ImpactSession[], targeted: ReadonlySet<string>): ImpactSide {
  return {
    sessions: sessions.length,
    withTargetedError: sessions.filter((session) => [...session.findingIds].some((id) => targeted.has(id)))
      .length,
    passed: sessions.filter((session) => session.passed === true).length,
    failed: sessions.filter((session) => session.passed === false).length,
  };
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value * 100)}%`;
}

/**
 * Measures each version.
 * @param options.now the end of the last window
 * @param options.minSessions sessions needed on each side for a verdict
 */
export function measureImpact(options: {
  versions: readonly ImpactVersion[];
  sessions: readonly ImpactSession[];
  now: string;
  minSessions: number;
}): ImpactRow[] {
  const nowMs = Date.parse(options.now);
  return options.versions.map((version) => {
    const appliedMs = Date.parse(version.appliedAt);
    const span = Math.max(0, nowMs - appliedMs);
    const from = new Date(appliedMs - span).toISOString();
    const targeted = new Set(version.findingIds);
    const beforeSessions = options.sessions.filter(
      (session) => session.time >= from && session.time < version.appliedAt,
    );
    const afterSessions = options.sessions.filter(
      (session) => session.time >= version.appliedAt && session.time <= options.now,
    );
    const before = side(beforeSessions, targeted);
    const after = side(afterSessions, targeted);
    const errorBefore = rate(before.withTargetedError, before.sessions);
    const errorAfter = rate(after.withTargetedError, after.sessions);
    const passBefore = rate(before.passed, before.passed + before.failed);
    const passAfter = rate(after.passed, after.passed + after.failed);
    let verdict: ImpactVerdict;
    let explanation: string;
    if (before.sessions < options.minSessions || after.sessions < options.minSessions) {
      verdict = 'too few sessions';
      explanation = `needs ${options.minSessions} session${options.minSessions === 1 ? '' : 's'} on each side (${before.sessions} before, ${after.sessions} after)`;
    } else {
      const errorDelta = errorBefore !== null && errorAfter !== null ? errorAfter - errorBefore : 0;
      const enoughOutcomes =
        before.passed + before.failed >= options.minSessions &&
        after.passed + after.failed >= options.minSessions;
      const passDelta =
        enoughOutcomes && passBefore !== null && passAfter !== null ? passAfter - passBefore : 0;
      const errorText = `targeted errors in ${percent(errorBefore)} of sessions before, ${percent(errorAfter)} after`;
      const passText = enoughOutcomes
        ? `; passed ${percent(passBefore)} before, ${percent(passAfter)} after`
        : '';
      explanation = `${errorText}${passText}`;
      if (errorDelta >= clearChange || passDelta <= -clearChange) verdict = 'worse';
      else if (errorDelta <= -clearChange || passDelta >= clearChange) verdict = 'better';
      else verdict = 'no clear change';
    }
    return { ...version, from, to: options.now, before, after, verdict, explanation };
  });
}
