/**
 * Screens everything a proposal carries before it is saved: the texts its edits would write (with the strict rules
 * for the pieces that come from untrusted origins), its reason, and every evidence quote. Also the second secret
 * pass: entry texts, reason and diff are redacted again (docs/security.md).
 */
import type { Evidence } from '../domain/finding.js';
import type { MemoryEdit } from '../domain/proposal.js';
import type { ScreenFlag, ScreenHit } from '../domain/screening.js';
import { redactSecrets } from './redact-secrets.js';
import { commandLinesIn, redactedSecretHit, screenText, urlsIn } from './screen-text.js';
import type { ScreenOptions } from './screen-text.js';

export interface ProposalScreen {
  /** The edits with any secret in their texts redacted. */
  edits: MemoryEdit[];
  reason: string;
  diff: string;
  flags: ScreenFlag[];
  /** URLs and shell command lines the edits would write (for the approval policy). */
  urls: string[];
  commands: string[];
}

function flag(hit: ScreenHit, where: ScreenFlag['where'], eventId: string | null): ScreenFlag {
  return { ...hit, where, eventId };
}

/**
 * Screens one proposal's content.
 * @param input.untrusted pieces of the entry texts that come from untrusted origins (`Lesson.untrusted`)
 * @param input.options the allow-lists (`screening` in reverie.yaml)
 */
export function screenProposal(input: {
  edits: readonly MemoryEdit[];
  reason: string;
  diff: string;
  evidence: readonly Evidence[];
  untrusted: readonly string[];
  options: Pick<ScreenOptions, 'allowedDomains' | 'allowedCommands'>;
}): ProposalScreen {
  const flags: ScreenFlag[] = [];
  const seen = new Set<string>();
  const push = (hit: ScreenHit, where: ScreenFlag['where'], eventId: string | null): void => {
    const key = `${where}|${eventId ?? ''}|${hit.kind}|${hit.excerpt}`;
    if (seen.has(key)) return;
    seen.add(key);
    flags.push(flag(hit, where, eventId));
  };
  const texts: string[] = [];
  for (const edit of input.edits) {
    if (edit.op === 'remove') continue;
    texts.push(edit.text);
    for (const hit of screenText(edit.text, input.options)) push(hit, 'entry', null);
  }
  for (const piece of input.untrusted) {
    for (const hit of screenText(piece, { ...input.options, strict: true })) push(hit, 'entry', null);
  }
  for (const hit of screenText(input.reason, { log: true })) push(hit, 'reason', null);
  for (const item of input.evidence) {
    for (const hit of screenText(item.quote, { log: true })) push(hit, 'evidence', item.eventId);
  }
  return {
    edits: input.edits.map((edit) =>
      edit.op === 'remove' ? edit : { ...edit, text: redactSecrets(edit.text) },
    ),
    reason: redactSecrets(input.reason),
    diff: redactSecrets(input.diff),
    flags,
    urls: texts.flatMap((text) => urlsIn(text).map((url) => url.text)),
    commands: texts.flatMap((text) => commandLinesIn(text)),
  };
}

/** What the injection scan keeps of a session: the events whose text carries injection markers. */
export interface InjectionDigest {
  flagged: { eventId: string; eventKind: string; hits: ScreenHit[] }[];
}

/** Events per session kept in a digest: enough to report, bounded whatever the session. */
const maxFlaggedPerSession = 20;

/**
 * Scans a session's events for injection markers (the log rules: not URLs, commands or encoded data, which ordinary
 * tool output is full of). System events are the harness's own prompt, not content from outside, and are skipped.
 */
export function digestInjections(session: {
  events: readonly { id: string; kind: string; text: string }[];
}): InjectionDigest {
  const flagged: InjectionDigest['flagged'] = [];
  for (const event of session.events) {
    if (event.kind === 'system' || event.text === '') continue;
    const hits = screenText(event.text, { log: true });
    const redacted = redactedSecretHit(event.text);
    if (redacted !== null) hits.push(redacted);
    if (hits.length === 0) continue;
    flagged.push({ eventId: event.id, eventKind: event.kind, hits });
    if (flagged.length >= maxFlaggedPerSession) break;
  }
  return { flagged };
}

/** Bumped whenever {@link digestInjections} keeps something different. */
export const injectionDigestVersion = 2;
