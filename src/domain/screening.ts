/**
 * What the injection screen found in a text (see docs/security.md): the kind of marker, the matched excerpt and why
 * it matters. A flag says where in a proposal the text was.
 */

export type ScreenHitKind =
  | 'instruction'
  | 'role-marker'
  | 'hidden-characters'
  | 'encoded-payload'
  | 'url'
  | 'command'
  | 'exfiltration'
  | 'secret'
  | 'untrusted-imperative';

export interface ScreenHit {
  kind: ScreenHitKind;
  /** The matched text (hidden characters shown as `U+XXXX`), at most 80 characters. */
  excerpt: string;
  /** One line: why this is a hit. */
  reason: string;
}

/** A screen hit in a proposal: in the text that would enter the file, in its reason, or in an evidence quote. */
export interface ScreenFlag extends ScreenHit {
  where: 'entry' | 'reason' | 'evidence';
  /** For `evidence`: the event the quote comes from. */
  eventId: string | null;
}
