/**
 * The task a session worked on, in an abstract form: a key that is equal for runs of the same task (benchmark trials,
 * retries with the same prompt) and the content words of the task text, for describing what several tasks share.
 */
import { hashText } from '../domain/hash.js';
import type { SessionWithEvents } from '../domain/session.js';
import { abstractValues } from './normalize-error-signature.js';

/** A session's task, abstracted. */
export interface TaskText {
  /** Equal for sessions whose task text is the same (case and spacing aside). */
  key: string;
  /** Content words of the task text: lowercase, in order of first appearance, without repeats or stop words. */
  words: readonly string[];
}

// Titles are cut by some readers (tau-bench keeps 160 characters of the instruction): the key uses no more than that,
// so a full first message and a cut title of the same task get the same key.
const keyLength = 160;
const maxWords = 40;

// Function words and the filler of requests ("you want to", "please"): they say nothing about the task.
const stopWords = new Set(
  (
    'about above after again against all also and any are because been before being below between both but can ' +
    'cannot could did does doing down during each few for from further had has have having her here hers him his ' +
    'how into its just let like more most must need needs not now off once only other our ours out over own please ' +
    'same she should some such than that the their theirs them then there these they this those through too under ' +
    'until upon very want wants was were what when where which while who whom why will with would you your yours ' +
    'yourself one two three four five six seven eight nine ten first second third fourth fifth'
  ).split(' '),
);

/** The text that states the task: the session's title, else the first message a person (or simulated user) typed. */
function taskTextOf(session: SessionWithEvents): string | null {
  if (session.title !== null && session.title.trim() !== '') return session.title;
  const first = session.events.find(
    (event) =>
      event.kind === 'user-message' &&
      (event.subtype === null || event.subtype === 'simulated') &&
      event.text.trim() !== '',
  );
  return first?.text ?? null;
}

/**
 * The abstract task of a session.
 * @returns null when the session states no task (no title and no typed first message)
 */
export function abstractTaskText(session: SessionWithEvents): TaskText | null {
  const text = taskTextOf(session);
  if (text === null) return null;
  const normalized = text.toLowerCase().replace(/\s+/g, ' ').trim().slice(0, keyLength);
  const words: string[] = [];
  // Values (paths, ids, numbers, quoted text) are abstracted first. Tokens with digits or underscores left after that
  // are names of things (`mia_li_3668`), and capitals-only tokens are codes (`ATL`, reservation `IFOYYZ`): neither is
  // a word of the task.
  for (const token of abstractValues(text).split(/\s+/)) {
    if (/[<>]/.test(token)) continue; // a placeholder (`<path>`, `<n>`)
    const bare = token.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '');
    if (bare.length >= 2 && bare === bare.toUpperCase()) continue;
    const word = bare.toLowerCase();
    if (!/^[a-z]{3,}$/.test(word) || stopWords.has(word) || words.includes(word)) continue;
    words.push(word);
    if (words.length >= maxWords) break;
  }
  return { key: hashText(normalized), words };
}
