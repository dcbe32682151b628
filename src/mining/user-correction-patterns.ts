/**
 * The English wording of a person correcting an agent or stating a preference, kept in one place.
 *
 * A turn is read sentence by sentence (only its first two sentences or clauses: a correction leads, and a long
 * turn is a task description, not a correction). A sentence counts when it starts, after fillers ("ok", "oh",
 * "please", "but"), with one of these forms:
 *
 * | pattern             | wording                                                                   | standing |
 * |---------------------|---------------------------------------------------------------------------|----------|
 * | `standing`          | "from now on ...", "going forward ...", "in this repo/project ..."        | yes      |
 * | `remember`          | "(please) remember to ...", "don't forget to ..."                         | yes      |
 * | `always-never`      | "always ...", "never ..." (standing when it leads a short turn)           | yes/no   |
 * | `negative`          | "don't ...", "do not ...", "stop ...", "avoid ..."                        | no       |
 * | `instead`           | "use X instead (of Y)", "instead of Y, X", "X rather than Y"              | no       |
 * | `not-but`           | "not X, Y", "catch X not Y"                                               | no       |
 * | `told-you`          | "I told you (not) to ...", "I said ...", "I asked you to ..."             | no       |
 * | `you-should`        | "you should (always/never) ...", "you forgot to ...", "you were supposed to" | no    |
 * | `reproach`          | "why did you ...?", "you should have ...", "you shouldn't have ..."       | no       |
 * | `unwanted`          | "I don't want (you) to ..."                                               | no       |
 * | `no`                | "no, ..." / "nope, ..." (what follows is read again for an instruction)   | no       |
 * | `clarification`     | "I mean ..."                                                              | no       |
 * | `use`               | a bare "use X" answering the agent's last action                          | no       |
 * | `rejection`         | any imperative given as the reason for refusing a tool call               | no       |
 *
 * Not corrections: questions (except reproaches), chit-chat ("no worries", "never mind", "don't worry"), sentences
 * that merely contain "not" ("it is not called"), and anything in a turn longer than a few sentences.
 *
 * Each correction gets a statement (the person's instruction, tidied: fillers dropped, code in backticks) and a key
 * that survives rewording: lowercase, fillers, determiners and punctuation dropped, words stemmed, only the verb and
 * its object kept (`us pnpm`, `not us npm`). A negative instruction keys with a leading `not`, so an instruction
 * and its negation never share a key. Words that correct without instructing (a reproach, a clarification) get a
 * key starting with `remark:`; they are reported but never become a memory entry.
 */

/** How a correction was worded (see the table above). */
export type CorrectionPattern =
  | 'standing'
  | 'remember'
  | 'always-never'
  | 'negative'
  | 'instead'
  | 'not-but'
  | 'told-you'
  | 'you-should'
  | 'reproach'
  | 'unwanted'
  | 'no'
  | 'clarification'
  | 'use'
  | 'rejection';

/** Where the words come from, and what the agent had just done. */
export interface CorrectionContext {
  /** `turn`: a message the person typed; `rejection`: the reason they gave for refusing a tool call. */
  origin: 'turn' | 'rejection';
  /** The agent acted (a tool call or a reply) before these words: only then can they correct something. */
  followsAgentAction: boolean;
  /** The shell command the agent had just run, when the corrected action was one (e.g. `npm install`). */
  correctedCommand: string | null;
}

/** A correction found in a text. */
export interface MatchedCorrection {
  pattern: CorrectionPattern;
  /** The sentence that carries it, verbatim from the text (for the evidence quote). */
  sentence: string;
  /** An explicit standing instruction ("from now on", "always", "never", "remember to"). */
  standing: boolean;
  /** The instruction, tidied ("Use `pnpm`, not `npm`."), or the person's remark when there is no instruction. */
  statement: string;
  /** Grouping key (see the module comment). */
  key: string;
}

/** Keys of words that correct without instructing start with this. */
export const remarkKeyPrefix = 'remark:';

/** A correction is short: a turn longer than this (after dropping code, quotes and injected tags) is a task. */
const maxTurnLength = 400;
const maxTurnLines = 5;
/** Only the leading sentences are read: the instruction leads a correction. */
const sentencesRead = 2;
const maxStatementLength = 240;
/** Words kept of an instruction's object in its key. */
const maxObjectWords = 3;

// Claude Code (1.0.x-2.x) wraps editor context it adds to a typed message in these tags; the person did not type it.
const injectedBlock =
  /<(ide_opened_file|ide_selection|ide_diagnostics|system-reminder|command-[a-z]+|local-command-[a-z]+|bash-[a-z]+)>[\s\S]*?<\/\1>/g;
// Claude Code placeholders for pasted images and its own interrupt notes.
const placeholders = /\[Image #\d+\]|\[Request interrupted by user[^\]]*\]/g;

/** Sentences answering nothing the agent did wrong. */
const chitChat =
  /^(?:no (?:problem|worries|thanks|thank you|need|idea|rush|way|luck|change|difference|more)\b|never ?mind\b|not (?:sure|yet|really|bad|quite)\b|don'?t (?:worry|know|think|mind|care|understand|see|recall|believe|remember)\b|do not (?:worry|know|think|mind|care)\b)/i;

/** A sentence that agrees ("yes do that, rather than ...") goes along with the agent; a "but" clause after it is read apart. */
const agreement =
  /^(?:yes|yeah|yep|yup|sure|great|perfect|nice|cool|good|fine|ok(?:ay)?,? (?:fine|great|good)|thanks|thank you|lgtm|sounds good|looks good)\b/i;
// "oh no, we lost ..." is dismay, not a "no, ..." correction.
const dismay = /^\W*(?:oh|uh|ah)\s+no\b/i;
// A sentence that is only "no" refuses; the sentence after it says what instead.
const bareNo = /^(?:no+|nope|nah)[\s.!]*$/i;

/** Leading words that do not change what a sentence says. */
const fillers =
  /^(?:(?:ok(?:ay)?|oh|ah|hmm+|um+|well|so|and|but|also|actually|wait|please|pls|hey|claude|sorry|again|honestly|seriously|like i said|as i said)\b[\s,.!:;-]*)+/i;

const standingPrefix =
  /^(?:from now on|going forward|from here on(?: out)?|in (?:the )?future|for (?:the )?future|in this (?:repo(?:sitory)?|project|codebase|code base|workspace)(?:,?\s+we(?=\s))?)\b[\s,:;-]*/i;
const rememberPrefix = /^(?:please\s+)?(?:remember|don'?t forget|do not forget)\b\s*(?:to\s+|that\s+)?/i;
const alwaysNever = /^(always|never)\s+/i;
const negativePrefix = /^(?:please\s+)?(?:don'?t|do not|stop|avoid|quit)\s+/i;
const toldYou = /^i (?:told|asked) you(?:,)?\s*(not\s+)?(?:to\s+)?|^i said(?:,)?\s*(not\s+)?(?:to\s+)?/i;
const youShould = /^you (?:should|must|need to|have to)\s+(?!have\b)(?:(always|never|not)\s+)?/i;
const youForgot = /^you (?:forgot to|were supposed to|were meant to)\s+/i;
const reproach =
  /^(?:why (?:did|do|are|were|would|didn'?t|don'?t|have|has|is) you\b|you (?:should(?:n'?t| not)? have|shouldn'?t|never|keep|again)\b)/i;
const unwanted = /^i (?:don'?t|do not) want (?:you )?to\s+/i;
const noPrefix =
  /^(?:no+|nope|nah)(?:[\s]*[,.!:;—–-]+\s*|\s+(?=(?:use|do|don'?t|dont|not|i|it'?s|it|that|this|you|we|please|just|instead|wait)\b))/i;
const clarification = /^i (?:mean|meant)\b[\s,:]*/i;
const letUs = /^let'?s\s+|^let us\s+/i;

/**
 * Verbs an instruction may start with. A negative instruction takes any verb ("don't X"); a positive one is only
 * recognised with one of these, so a statement ("the tests fail") is never read as an instruction.
 */
const instructionVerbs = new Set(
  (
    'use run call mock add remove delete drop keep put move make create write read edit change update rename ' +
    'replace fix test check catch raise throw return pass print log show hide install uninstall commit push pull ' +
    'merge rebase import export include exclude ask tell explain answer reply respond start wait try prefer follow ' +
    'format lint build deploy document comment name set get send handle wrap split cache store save load open close ' +
    'sort group order list search grep find look go do leave skip limit inline extract refactor simplify modify ' +
    'touch copy switch assume elide truncate translate apply revert undo specify declare define annotate quote ' +
    'escape avoid stick stay work focus reuse rerun re-run verify confirm ensure prefix suffix append prepend ' +
    'bump pin upgrade downgrade configure enable disable clean restart stop omit mention describe summarize ' +
    'summarise type convert parse validate sanitize sanitise await paginate fetch query guard'
  ).split(' '),
);

const determiners = new Set(
  'a an the this that these those my your our its their some any all every each'.split(' '),
);
const fillerWords = new Set(
  'just only also please really again too ever here there now then actually simply even always never'.split(
    ' ',
  ),
);
const pronouns = new Set('it them this that these those one ones me him her'.split(' '));
const boundaryWords = new Set(
  (
    'and or but not instead rather in into on onto to for with without when whenever if unless so because since ' +
    'from at by as than like before after until while via then which where otherwise except anymore through ' +
    'across over about under inside outside within'
  ).split(' '),
);
const prepositions = new Set(
  'in into on onto to for with from at by via through across over about under inside outside within'.split(
    ' ',
  ),
);
// Words that make "X not Y" an ordinary negation ("it is not called"), not "X, not Y".
const auxiliaries = new Set(
  "is are was were be been do does did should can could will would has have had must may might it's that's".split(
    ' ',
  ),
);

interface Token {
  /** Without surrounding punctuation, backticks or quotes. */
  core: string;
  code: boolean;
  /** The token ends a clause (a comma, semicolon, colon or full stop followed it). */
  endsClause: boolean;
}

function isCodeLike(core: string): boolean {
  if (/^(?:e\.g|i\.e|etc|vs)\.?$/i.test(core)) return false;
  return (
    /[\w)]/.test(core) &&
    (/[_./\\()=<>#$@:]/.test(core) || /^--?[a-z]/i.test(core) || /[a-z][A-Z]/.test(core))
  );
}

/** A word without the punctuation around it; a call's own parentheses (`prompt()`) stay with it. */
function splitPunctuation(word: string): { before: string; core: string; after: string } {
  const match = /^([('"“‘[]*)(.*?)([)'"”’\],.;:!?]*)$/.exec(word);
  const before = match?.[1] ?? '';
  let core = match?.[2] ?? word;
  let after = match?.[3] ?? '';
  while (after.startsWith(')') && core.split('(').length > core.split(')').length) {
    core += ')';
    after = after.slice(1);
  }
  return { before, core, after };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/`[^`]+`[,.;:!?]*|"[^"]*"[,.;:!?]*|\S+/g)) {
    const raw = match[0];
    const endsClause = /[,.;:!?]$/.test(raw);
    const bare = raw.replace(/[,.;:!?]+$/, '');
    if (bare.startsWith('`') || bare.startsWith('"')) {
      tokens.push({ core: bare.slice(1, -1), code: bare.startsWith('`'), endsClause });
      continue;
    }
    const core = splitPunctuation(bare).core;
    tokens.push({ core, code: isCodeLike(core), endsClause });
  }
  return tokens;
}

/** A crude stemmer, applied the same way to every word, so "use", "uses", "using" and "used" meet. */
function stem(word: string): string {
  let result = word.toLowerCase().replace(/['’]s$/, '');
  if (result.length > 4 && result.endsWith('ies')) result = `${result.slice(0, -3)}y`;
  else if (result.length >= 5 && result.endsWith('ing')) result = result.slice(0, -3);
  else if (result.length >= 4 && result.endsWith('ed')) result = result.slice(0, -2);
  else if (result.length >= 4 && result.endsWith('es')) result = result.slice(0, -2);
  else if (result.length >= 4 && result.endsWith('s') && !result.endsWith('ss')) result = result.slice(0, -1);
  if (result.length >= 3 && result.endsWith('e')) result = result.slice(0, -1);
  if (result.length > 3 && /([^aeiou])\1$/.test(result)) result = result.slice(0, -1);
  return result;
}

function keyWord(token: Token): string {
  if (token.code) return token.core.toLowerCase().replace(/\(\)$/, '');
  return stem(token.core.replace(/[^\p{L}\p{N}'-]/gu, ''));
}

/** The verb's object: the words after it up to a clause boundary, without determiners and fillers. */
function objectWords(tokens: readonly Token[]): string[] {
  const words: string[] = [];
  for (const token of tokens) {
    const lower = token.core.toLowerCase();
    const skipped =
      !token.code &&
      (determiners.has(lower) ||
        fillerWords.has(lower) ||
        pronouns.has(lower) ||
        lower === '' ||
        // Manner adverbs ("directly", "silently") qualify the verb; the object is what the rule is about.
        (lower.length > 4 && lower.endsWith('ly')));
    if (skipped) {
      if (token.endsClause) break;
      continue;
    }
    if (!token.code && boundaryWords.has(lower)) {
      // "push to main", "wrap them in backticks": with no object yet, the phrase after the preposition is it.
      if (words.length === 0 && prepositions.has(lower) && !token.endsClause) continue;
      break;
    }
    words.push(keyWord(token));
    if (words.length >= maxObjectWords || token.endsClause) break;
  }
  return words.filter((word) => word !== '');
}

interface Instruction {
  negative: boolean;
  /** The stemmed verb, or '' for a declarative standing statement ("tests go in `__tests__`"). */
  verb: string;
  object: string[];
  /** The instruction as the person phrased it, from its verb (or its negation) on. */
  phrase: string;
}

function instructionKey(instruction: Instruction): string {
  return [instruction.negative ? 'not' : '', instruction.verb, ...instruction.object]
    .filter((part) => part !== '')
    .join(' ');
}

function remarkKey(text: string): string {
  const words = tokenize(text)
    .filter((token) => {
      const lower = token.core.toLowerCase();
      return token.code || !(determiners.has(lower) || fillerWords.has(lower) || pronouns.has(lower));
    })
    .map(keyWord)
    .filter((word) => word !== '' && !['i', 'you', 'we', 'did', 'do', 'is', 'are'].includes(word))
    .slice(0, 5);
  return `${remarkKeyPrefix} ${words.join(' ')}`;
}

/** A positive instruction: the text starts with a known verb. */
function parsePositive(text: string): Instruction | null {
  const tokens = tokenize(text);
  const first = tokens[0];
  if (first === undefined || first.code) return null;
  const verb = first.core.toLowerCase();
  if (!instructionVerbs.has(verb)) return null;
  return { negative: false, verb: stem(verb), object: objectWords(tokens.slice(1)), phrase: text };
}

/** A negative instruction, "don't X": any word after the negation is its verb. */
function parseNegative(text: string): Instruction | null {
  const rest = text.replace(negativePrefix, '');
  if (rest === text) return null;
  const tokens = tokenize(rest);
  const first = tokens[0];
  if (first === undefined) return null;
  return { negative: true, verb: stem(first.core), object: objectWords(tokens.slice(1)), phrase: text };
}

/** The statement as an entry would say it: first letter up, one full stop, code in backticks. */
function tidy(text: string, options: { code: boolean }): string {
  let result = text
    .trim()
    .replace(/\\+$/, '')
    .replace(/[\s,;:]*(?:please|thanks|thank you)?[\s!.]*$/i, '')
    .trim();
  if (options.code) {
    result = result
      .split(/(`[^`]*`|"[^"]*")/)
      .map((part, index) =>
        index % 2 === 1
          ? part
          : part.replace(/\S+/g, (word) => {
              const { before, core, after } = splitPunctuation(word);
              return isCodeLike(core) ? `${before}\`${core}\`${after}` : word;
            }),
      )
      .join('');
  }
  if (result === '') return '';
  const question = result.endsWith('?');
  result = result.replace(/[.!?]+$/, '');
  return `${result.charAt(0).toUpperCase()}${result.slice(1)}${question ? '?' : '.'}`;
}

/** The first word of a shell command, past environment assignments and wrappers (`sudo`, `env`, `time`). */
export function commandHead(command: string): string | null {
  for (const word of command.trim().split(/\s+/)) {
    if (/^\w+=/.test(word) || ['sudo', 'env', 'time', 'command', 'exec', 'nohup'].includes(word)) continue;
    return /^[\w.-]+$/.test(word) ? word : null;
  }
  return null;
}

// Runners whose first word says nothing about the tool used ("npx jest"): "use X" is not "X, not npx".
const runners = new Set(['npx', 'pnpx', 'bunx', 'uvx', 'pipx', 'bash', 'sh', 'zsh', 'cd']);

/** "prompt()", "pnpm": what a clause without a verb names, as opposed to a reason ("it breaks the lockfile"). */
function namesAThing(text: string): boolean {
  const tokens = tokenize(text);
  const first = tokens[0];
  if (first === undefined || tokens.length > 2) return false;
  const lower = first.core.toLowerCase();
  return first.code || !(instructionVerbs.has(lower) || pronouns.has(lower) || determiners.has(lower));
}

/**
 * "don't V X, (just) Y", "don't V X V Y", "don't V X just Y" → "V Y, not X": the person named what to do instead.
 * A second clause with a verb of its own ("don't assume X, just omit Y") is another instruction, not an alternative.
 */
function withAlternative(negativeText: string): { statement: string; instruction: Instruction } | null {
  const negation = /^(?:please\s+)?(?:don'?t|do not|stop|avoid)\s+(\S+)\s+/i.exec(negativeText);
  if (negation === null) return null;
  const verb = negation[1] ?? '';
  const rest = negativeText.slice(negation[0].length).replace(/[.!]+$/, '');
  let avoided: string | undefined;
  let preferred: string | undefined;
  const comma = /^(.+?)\s*[,;]\s*(?:(?:just|instead|but|rather)\s+)?(.+)$/i.exec(rest);
  const repeated = /^(.+?)\s+(?:(?:just|instead|but|rather)\s+)?(\S+)\s+(.+)$/i.exec(rest);
  const joined = /^(.+?)\s+(?:just|instead|rather)\s+(.+)$/i.exec(rest);
  if (comma !== null) {
    avoided = comma[1];
    const second = comma[2] ?? '';
    const firstWord = second.split(/\s+/)[0] ?? '';
    if (stem(firstWord) === stem(verb)) preferred = second.slice(firstWord.length).trim();
    else if (namesAThing(second)) preferred = second;
  } else if (repeated !== null && stem(repeated[2] ?? '') === stem(verb)) {
    avoided = repeated[1];
    preferred = repeated[3];
  } else if (joined !== null) {
    if (namesAThing(joined[2] ?? '')) {
      avoided = joined[1];
      preferred = joined[2];
    }
  }
  if (avoided === undefined || preferred === undefined || preferred === '') return null;
  if (tokenize(preferred).length > 4 || tokenize(avoided).length > 4) return null;
  const instruction: Instruction = {
    negative: false,
    verb: stem(verb),
    object: objectWords(tokenize(preferred)),
    phrase: `${verb} ${preferred}`,
  };
  if (instruction.object.length === 0) return null;
  return { instruction, statement: tidy(`${verb} ${preferred}, not ${avoided}`, { code: true }) };
}

interface Reading {
  pattern: CorrectionPattern;
  standing: boolean;
  instruction: Instruction | null;
  statement: string;
}

function instructionReading(
  pattern: CorrectionPattern,
  standing: boolean,
  instruction: Instruction,
  statement?: string,
): Reading {
  return {
    pattern,
    standing,
    instruction,
    statement: statement ?? tidy(instruction.phrase, { code: true }),
  };
}

function remarkReading(pattern: CorrectionPattern, text: string): Reading {
  return { pattern, standing: false, instruction: null, statement: tidy(text, { code: false }) };
}

/** A negative instruction, or the composed "use Y, not X" when the person named the alternative. */
function readNegative(text: string): Reading | null {
  if (chitChat.test(text)) return null;
  const alternative = withAlternative(text);
  if (alternative !== null) {
    return instructionReading('negative', false, alternative.instruction, alternative.statement);
  }
  const instruction = parseNegative(text);
  return instruction === null ? null : instructionReading('negative', false, instruction);
}

/** "V X instead (of Y)", "instead of Y, V X", "V X rather than Y", "not Y, V X", "V X(,) not Y". */
function readInsteadOrNot(text: string): Reading | null {
  const insteadFirst = /^(?:instead of|rather than)\s+(.+?),\s*(.+)$/i.exec(text);
  if (insteadFirst !== null) {
    const instruction = parsePositive(insteadFirst[2] ?? '');
    if (instruction !== null)
      return instructionReading('instead', false, instruction, tidy(text, { code: true }));
  }
  const insteadLead = /^instead[\s,]+(?!of\b)(.+)$/i.exec(text);
  if (insteadLead !== null) {
    const instruction = parsePositive(insteadLead[1] ?? '');
    if (instruction !== null) return instructionReading('instead', false, instruction);
  }
  const notFirst = /^not\s+(.+?),\s*(.+)$/i.exec(text);
  if (notFirst !== null) {
    const instruction = parsePositive(notFirst[2] ?? '');
    if (instruction === null) return remarkReading('not-but', text);
    return instructionReading(
      'not-but',
      false,
      instruction,
      tidy(`${notFirst[2] ?? ''}, not ${notFirst[1] ?? ''}`, { code: true }),
    );
  }
  const instruction = parsePositive(text);
  if (instruction === null) return null;
  if (/\binstead\b|\brather than\b/i.test(text)) return instructionReading('instead', false, instruction);
  // "catch X not Y": a contrast, not a negation; "(not just ...)" asides and "it is not" negations are neither.
  const contrast = /^(.+?),?\s+(?:(?:just|but|and)\s+)?not\s+(.+)$/i.exec(text);
  if (contrast !== null) {
    const before = (contrast[1] ?? '').replace(/[\s,]+$/, '');
    const lastWord = before.split(/\s+/).pop()?.toLowerCase() ?? '';
    if (!before.endsWith('(') && !auxiliaries.has(lastWord) && instruction.object.length > 0) {
      return instructionReading(
        'not-but',
        false,
        instruction,
        tidy(`${before}, not ${contrast[2] ?? ''}`, { code: true }),
      );
    }
  }
  return null;
}

/** Bare "use X" (a whole sentence of at most five words), answering what the agent just did. */
function readBareUse(text: string, context: CorrectionContext): Reading | null {
  const match = /^use\s+(?:a\s+|an\s+|the\s+)?(.+?)(?:\s+(?:instead|here|please))?[.!]*$/i.exec(text);
  if (match === null || tokenize(text).length > 5) return null;
  const used = match[1] ?? '';
  const usedTokens = tokenize(used);
  // "use them in models.py" and "use `get_head` in `cmd_diff`" are steps of a task, not a preference.
  const plain = usedTokens.every((token) => {
    const lower = token.core.toLowerCase();
    return token.code || !(boundaryWords.has(lower) || pronouns.has(lower) || determiners.has(lower));
  });
  const single = usedTokens.length === 1 ? usedTokens[0] : undefined;
  const concrete = usedTokens.some((token) => token.code) || single !== undefined;
  if (!plain || !concrete || usedTokens.length > 2) return null;
  const instruction: Instruction = {
    negative: false,
    verb: stem('use'),
    object: objectWords(usedTokens),
    phrase: text,
  };
  if (instruction.object.length === 0) return null;
  // "use pnpm" answering `npm install`: the person named the command to run instead of the agent's.
  const head = context.correctedCommand === null ? null : commandHead(context.correctedCommand);
  if (single !== undefined && /^[a-z][\w.-]*$/.test(single.core) && head !== null && !runners.has(head)) {
    if (head !== single.core) {
      return instructionReading('use', false, instruction, `Use \`${single.core}\`, not \`${head}\`.`);
    }
  }
  return instructionReading('use', false, instruction);
}

/** Reads one sentence (fillers already dropped); null when it corrects nothing. */
function readSentence(text: string, context: CorrectionContext, leads: boolean): Reading | null {
  if (text === '' || chitChat.test(text)) return null;
  const question = text.trimEnd().endsWith('?');
  if (reproach.test(text)) return remarkReading('reproach', text);
  if (question) return null;

  const standing = standingPrefix.exec(text);
  if (standing !== null) {
    const rest = text.slice(standing[0].length).replace(fillers, '');
    const inner = readSentence(rest, { ...context, followsAgentAction: true }, true);
    if (inner !== null && inner.instruction !== null)
      return { ...inner, pattern: 'standing', standing: true };
    // A standing statement without a verb ("tests go in __tests__") is still a standing instruction.
    const words = objectWords(tokenize(rest)).slice(0, 4);
    if (words.length < 2) return null;
    return instructionReading('standing', true, { negative: false, verb: '', object: words, phrase: rest });
  }
  const remember = rememberPrefix.exec(text);
  if (remember !== null) {
    const rest = text.slice(remember[0].length);
    const instruction = parsePositive(rest) ?? parseNegative(rest);
    if (instruction !== null) return instructionReading('remember', true, instruction);
    return null;
  }
  const always = alwaysNever.exec(text);
  if (always !== null) {
    // "always"/"never" leading a short turn is a rule for the agent; later in a turn it tends to describe the
    // program ("... always show it on the line before").
    const never = always[1]?.toLowerCase() === 'never';
    if (never) {
      if (/^never ?mind\b/i.test(text)) return null;
      const instruction = parseNegative(`don't ${text.slice(always[0].length)}`);
      if (instruction === null) return null;
      return instructionReading('always-never', leads, { ...instruction, phrase: text });
    }
    const instruction = parsePositive(text.slice(always[0].length));
    if (instruction === null) return null;
    return instructionReading('always-never', leads, { ...instruction, phrase: text });
  }
  if (!context.followsAgentAction) return null;

  const told = toldYou.exec(text);
  if (told !== null) {
    const rest = text.slice(told[0].length).replace(fillers, '');
    const negated = told[1] !== undefined || told[2] !== undefined;
    const inner = negated ? parseNegative(`don't ${rest}`) : (parsePositive(rest) ?? parseNegative(rest));
    if (inner === null) return remarkReading('told-you', text);
    return instructionReading(
      'told-you',
      false,
      inner,
      tidy(negated ? `don't ${rest}` : rest, { code: true }),
    );
  }
  const should = youShould.exec(text);
  if (should !== null) {
    const rest = text.slice(should[0].length);
    const modifier = should[1]?.toLowerCase();
    const negated = modifier === 'never' || modifier === 'not';
    const inner = negated ? parseNegative(`don't ${rest}`) : parsePositive(rest);
    if (inner === null) return null;
    const lead =
      modifier === 'never'
        ? 'never '
        : modifier === 'not'
          ? "don't "
          : modifier === 'always'
            ? 'always '
            : '';
    const statement = tidy(`${lead}${rest}`, { code: true });
    return instructionReading('you-should', modifier === 'always' || modifier === 'never', inner, statement);
  }
  const forgot = youForgot.exec(text);
  if (forgot !== null) {
    const instruction = parsePositive(text.slice(forgot[0].length));
    return instruction === null
      ? remarkReading('you-should', text)
      : instructionReading('you-should', false, instruction);
  }
  const notWanted = unwanted.exec(text);
  if (notWanted !== null) {
    const rest = text.slice(notWanted[0].length);
    const instruction = parseNegative(`don't ${rest}`);
    if (instruction === null) return null;
    return instructionReading('unwanted', false, instruction, tidy(`don't ${rest}`, { code: true }));
  }
  const meant = clarification.exec(text);
  if (meant !== null) return remarkReading('clarification', text);
  const no = noPrefix.exec(text);
  if (no !== null) {
    const rest = text.slice(no[0].length).replace(fillers, '');
    if (rest === '' || chitChat.test(rest)) return null;
    const inner = readSentence(rest, { ...context, origin: 'rejection' }, leads);
    if (inner !== null) return { ...inner, pattern: inner.instruction === null ? inner.pattern : 'no' };
    return remarkReading('no', rest);
  }
  const negative = readNegative(text);
  if (negative !== null) return negative;
  const contrast = readInsteadOrNot(text);
  if (contrast !== null) return contrast;
  const bareUse = readBareUse(text, context);
  if (bareUse !== null) return bareUse;
  if (context.origin === 'rejection') {
    // The person refused the call and said what to do: any instruction here is a correction.
    const instruction = parsePositive(text.replace(letUs, ''));
    if (instruction !== null) return instructionReading('rejection', false, instruction);
  }
  return null;
}

/** The text a person typed, without what the harness injected (editor context, placeholders), code or quotes. */
export function personText(text: string): string {
  return text
    .replace(injectedBlock, '')
    .replace(placeholders, '')
    .replace(/```[\s\S]*?(?:```|$)/g, '')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('>'))
    .join('\n')
    .trim();
}

/** Sentences and ", but" / ";" clauses, as verbatim substrings of `text`. */
function splitSentences(text: string): string[] {
  return text
    .split(/\n+|(?<=(?<!\.)[.!?])\s+|[;,]\s+(?=but\s)|;\s+/i)
    .map((sentence) => sentence.trim().replace(/\\+$/, '').trim())
    .filter((sentence) => sentence !== '');
}

/**
 * Finds the correction in a person's words, if any: the first of the leading sentences that matches a pattern.
 * @param text an event's stored text (a typed turn, or a rejection reason already cut out of the tool result)
 * @returns the correction with its verbatim sentence, or null
 */
export function matchUserCorrection(text: string, context: CorrectionContext): MatchedCorrection | null {
  const typed = personText(text);
  if (typed === '' || typed.length > maxTurnLength || typed.split('\n').length > maxTurnLines) return null;
  const all = splitSentences(typed);
  const short = all.length <= 2;
  let window = sentencesRead;
  let afterNo = false;
  for (const [index, sentence] of all.entries()) {
    if (index >= window) break;
    const previousWasNo = afterNo;
    afterNo = false;
    if (agreement.test(sentence) || dismay.test(sentence)) continue;
    if (bareNo.test(sentence)) {
      // "No. I just want ...": the refusal and what to do instead arrive as two sentences.
      afterNo = true;
      window++;
      continue;
    }
    // A sentence cut across an injected block is not verbatim in the stored text, so it cannot be quoted.
    if (!text.includes(sentence)) continue;
    const unfilled = sentence.replace(fillers, '');
    let reading = readSentence(previousWasNo ? `no, ${unfilled}` : unfilled, context, index === 0 && short);
    if (reading === null) continue;
    // Only a standing instruction can come before the agent did anything: there is nothing yet to correct.
    if (!reading.standing && !context.followsAgentAction) continue;
    // "do it instead", "use that": a positive instruction without an object says nothing on its own.
    if (reading.instruction?.negative === false && reading.instruction.object.length === 0) {
      reading = {
        ...reading,
        standing: false,
        instruction: null,
        statement: tidy(unfilled, { code: false }),
      };
    }
    if (reading.statement === '' || reading.statement.length > maxStatementLength) return null;
    const key = (
      reading.instruction === null ? remarkKey(reading.statement) : instructionKey(reading.instruction)
    ).trim();
    if (key === '' || key === remarkKeyPrefix) return null;
    return {
      pattern: reading.pattern,
      sentence,
      standing: reading.standing,
      statement: reading.statement,
      key,
    };
  }
  return null;
}

/** The parts of an instruction key: whether it forbids, its verb and its object (stemmed). */
export function parseCorrectionKey(
  key: string,
): { remark: true } | { remark: false; negative: boolean; words: readonly string[] } {
  if (key.startsWith(remarkKeyPrefix)) return { remark: true };
  const words = key.split(' ').filter((word) => word !== '');
  const negative = words[0] === 'not';
  return { remark: false, negative, words: negative ? words.slice(1) : words };
}

// The wording Claude Code (1.0.x-2.x) puts around a refused tool call; whatever else the result says is the person's.
const rejectionPhrases = [
  /<\/?tool_use_error>/g,
  /^Error:\s*/,
  /The user doesn't want to proceed with this tool use\.?/g,
  /The user doesn't want to take this action right now\.?/g,
  /The tool use was rejected \(eg\. if it was a file edit, the new_string was NOT written to the file\)\.?/g,
  /The tool use was rejected\.?/g,
  /STOP what you are doing and wait for the user to tell you how to proceed\.?/g,
  /The user provided the following reason for the rejection:/g,
  /To tell you how to proceed, the user said:/g,
  /\[Request interrupted by user[^\]]*\]/g,
];

/** The reason a person gave when refusing a tool call, or '' when they gave none. */
export function extractRejectionReason(text: string): string {
  let rest = text;
  for (const phrase of rejectionPhrases) rest = rest.replace(phrase, '\n');
  return rest.trim();
}
