/**
 * Secret redaction, applied to every text Reverie keeps from a log before it is stored (and again to every
 * proposal before it is saved). A secret is replaced by `[REDACTED:<kind>]`; the report counts them by kind and
 * never holds a value.
 *
 * Patterns are the published formats of the common providers' keys and tokens, plus the generic shapes secrets take
 * in logs (bearer tokens, private key blocks, passwords in URLs, `.env`-style assignments of secret-looking names).
 * One scan of each text finds the cues of the patterns (what every match of a pattern contains); a text with no cue
 * costs that scan only, and the combined expression of the cued patterns runs on the others.
 */

/** Kinds of secret, as counted in the redaction report. */
export type SecretKind =
  | 'private-key'
  | 'anthropic-key'
  | 'openai-key'
  | 'aws-access-key'
  | 'aws-secret-key'
  | 'github-token'
  | 'gitlab-token'
  | 'slack-token'
  | 'slack-webhook'
  | 'stripe-key'
  | 'google-api-key'
  | 'huggingface-token'
  | 'npm-token'
  | 'jwt'
  | 'bearer-token'
  | 'url-password'
  | 'secret-assignment';

/** Counts of redacted secrets by kind. */
export type RedactionReport = Partial<Record<SecretKind, number>>;

/**
 * What starts a hit of {@link cues}, one bit each: every match of a pattern contains a hit starting with its cue
 * character (`:` and `=` are one cue: the separator of an assignment).
 */
const cueBits = { P: 1, A: 2, B: 4, '-': 8, _: 16, '.': 32, J: 64, '@': 128, ':': 256, '=': 256 } as const;
type Cue = keyof typeof cueBits;
const allCues = 511;

interface Pattern {
  kind: SecretKind;
  source: string;
  /** The first character of the {@link cues} hit that every match of this pattern contains. */
  cue: Cue;
  /**
   * A necessary condition, checked once the cue is found: false only when the pattern cannot match anywhere in
   * the text (every match, lookbehind included, contains what it looks for). Only patterns that may match go
   * into the expression run on a text.
   */
  mayMatch(text: string): boolean;
}

// Order matters: the first alternative that matches at a position wins, so specific formats come before generic
// shapes (an Anthropic key is also "sk-" followed by characters, a key in a Bearer header is a bearer token).
const patterns: readonly Pattern[] = [
  {
    kind: 'private-key',
    cue: 'P',
    // A whole PEM block; a block cut off by the end of the text (a truncated log) is redacted to the end.
    source: String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$(?![\s\S]))`,
    mayMatch: (text) => text.includes('PRIVATE KEY'),
  },
  {
    kind: 'anthropic-key',
    cue: '-',
    source: String.raw`\bsk-ant-(?:api|admin|sid|oat)\d{2}-[A-Za-z0-9_\-]{20,}`,
    mayMatch: (text) => text.includes('sk-ant-'),
  },
  {
    kind: 'openai-key',
    cue: '-',
    source: String.raw`\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}`,
    mayMatch: (text) => text.includes('sk-'),
  },
  {
    kind: 'aws-access-key',
    cue: 'A',
    source: String.raw`\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`,
    mayMatch: (text) => /A(?:KIA|SIA|BIA|CCA)/.test(text),
  },
  {
    kind: 'aws-secret-key',
    cue: ':',
    source: String.raw`(?<=\baws_?secret_?access_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}\b`,
    mayMatch: (text) => /aws_?secret_?access_?key/.test(text),
  },
  {
    kind: 'github-token',
    cue: '_',
    source: String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`,
    mayMatch: (text) => /gh[pousr]_|github_pat_/.test(text),
  },
  {
    kind: 'gitlab-token',
    cue: '-',
    source: String.raw`\bglpat-[A-Za-z0-9_\-]{20,}`,
    mayMatch: (text) => text.includes('glpat-'),
  },
  {
    kind: 'slack-token',
    cue: '-',
    source: String.raw`\bxox[abposr]-[A-Za-z0-9\-]{10,}`,
    mayMatch: (text) => /xox[abposr]-/.test(text),
  },
  {
    kind: 'slack-webhook',
    cue: '.',
    source: String.raw`https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{20,}`,
    mayMatch: (text) => text.includes('https://hooks.slack.com/services/'),
  },
  {
    kind: 'stripe-key',
    cue: '_',
    source: String.raw`\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}`,
    mayMatch: (text) => /[srp]k_(?:live|test)_/.test(text),
  },
  {
    kind: 'google-api-key',
    cue: 'A',
    source: String.raw`\bAIza[0-9A-Za-z_\-]{35}`,
    mayMatch: (text) => text.includes('AIza'),
  },
  {
    kind: 'huggingface-token',
    cue: '_',
    source: String.raw`\bhf_[A-Za-z0-9]{30,}`,
    mayMatch: (text) => text.includes('hf_'),
  },
  {
    kind: 'npm-token',
    cue: '_',
    source: String.raw`\bnpm_[A-Za-z0-9]{36}\b`,
    mayMatch: (text) => text.includes('npm_'),
  },
  {
    kind: 'jwt',
    cue: 'J',
    source: String.raw`\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}`,
    mayMatch: (text) => text.includes('eyJ'),
  },
  {
    kind: 'bearer-token',
    cue: 'B',
    source: String.raw`(?<=\bBearer\s+)[A-Za-z0-9._~+/\-]{16,}=*`,
    mayMatch: (text) => text.includes('Bearer'),
  },
  // The password of `scheme://user:password@host`; the user name and host stay readable.
  {
    kind: 'url-password',
    cue: '@',
    source: String.raw`(?<=\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]{3,}(?=@)`,
    mayMatch: (text) => /:\/\/[^\s:/@]+:[^\s@/]{3,}@/.test(text),
  },
  {
    kind: 'secret-assignment',
    cue: ':',
    // `NAME=value`, `NAME: value`, `"name": "value"` where the name ENDS in secret, token, password or key
    // (`GITHUB_TOKEN`, `db_password`, `apiKey`; not `token_usage` or `tokens`, which are code). Only the value is
    // replaced, and only a value that stands alone: at least 6 characters, with a letter, not an expression
    // (`os.environ["X"]`, `get_token()`), ending at a delimiter.
    // The short lookbehind first: it holds only right after a separator, so the long one runs at few positions.
    source: String.raw`(?<=[:=]\s*["']?)(?<=\b[A-Za-z0-9_.\-]*(?:SECRET|secret|Secret|TOKEN|token|Token|PASSWORD|password|Password|PASSWD|passwd|API_?KEY|api_?key|Api_?Key|apiKey|SECRET_?KEY|secret_?key|secretKey|ACCESS_?KEY|access_?key|accessKey|PRIVATE_?KEY|private_?key|privateKey|CREDENTIALS?|credentials?|Credentials?)["']?\s*[:=]\s*["']?)(?!\[REDACTED)(?=[^\s"'\`,;()\[\]{}$<>=]*[A-Za-z])[^\s"'\`,;()\[\]{}$<>=]{6,}(?=[\s"'\`,;]|$)`,
    // Its cue is exactly what it needs right before the value (see `cues`).
    mayMatch: () => true,
  },
];

/**
 * Cheap filter: a text without a hit cannot hold a secret we recognise, and most texts have none, so the combined
 * expression (slower: many alternatives, lookbehinds) runs only on the few that do. Secret assignments need the
 * end of a secret name right before `:`/`=` (`ecret` covers secret and Secret, `[Kk]ey|KEY` every *key, *Key and
 * *KEY name), so prose about tokens or passwords is no hit.
 *
 * Every alternative starts with its cue, one of a few characters (`P A B - _ . J @ : =`), with the literal before
 * it checked by a lookbehind: `-(?<=sk-)` rather than `sk-`. V8 then skips the positions that cannot start a hit
 * with a table lookup, where alternatives starting with common lowercase letters made it try every position: the
 * scan, which runs on every text, is about three times faster than the same alternatives written forward.
 */
const cues =
  /PRIVATE KEY|A(?:KIA|SIA|BIA|CCA|Iza)|Bearer|-(?<=sk-|glpat-|xox[abposr]-)|_(?<=gh[pousr]_|github_|hf_|npm_)|_(?:live|test)_|\.(?<=hooks\.)slack|J(?<=eyJ)|@(?<=:\/\/[^\s/@]+:[^\s@]+@)|[:=](?<=(?:ecret|ECRET|oken|OKEN|assword|ASSWORD|asswd|ASSWD|[Kk]ey|KEY|redentials?|REDENTIALS?)["']?\s*[:=])/g;

/** The cue bits of the hits of {@link cues} in `text` (0 when there is none). */
function cuesIn(text: string): number {
  let found = 0;
  cues.lastIndex = 0;
  // Every alternative consumes at least one character, so the loop advances. A hit hides no other cue: what it
  // consumes after its first character starts no hit of another cue.
  for (let match = cues.exec(text); match !== null; match = cues.exec(text)) {
    found |= cueBits[text.charAt(match.index) as Cue];
    if (found === allCues) break;
  }
  return found;
}

interface Scanner {
  expression: RegExp;
  kinds: readonly SecretKind[];
}

// One combined expression per set of patterns that may match, built on first use. A pattern that cannot match
// anywhere in a text never wins at any position, so leaving it out changes nothing but the time: the lookbehind
// patterns are tried at every position of a long text, and most triggered texts (code using `key:` or `_test_`)
// need one or two patterns. The sets seen in practice are few; the bound only guards against a pathological input.
const scanners = new Map<number, Scanner>();
const MAX_SCANNERS = 256;

function scannerFor(text: string): Scanner | null {
  const found = cuesIn(text);
  if (found === 0) return null;
  let set = 0;
  for (const [index, pattern] of patterns.entries()) {
    if ((cueBits[pattern.cue] & found) !== 0 && pattern.mayMatch(text)) set |= 1 << index;
  }
  if (set === 0) return null;
  let scanner = scanners.get(set);
  if (scanner === undefined) {
    const selected = patterns.filter((_, index) => (set & (1 << index)) !== 0);
    scanner = {
      expression: new RegExp(selected.map((pattern) => `(${pattern.source})`).join('|'), 'gm'),
      kinds: selected.map((pattern) => pattern.kind),
    };
    if (scanners.size >= MAX_SCANNERS) scanners.clear();
    scanners.set(set, scanner);
  }
  return scanner;
}

/** Replaces every recognised secret in `text`; returns the text unchanged (same string) when there is none. */
export function redactSecrets(text: string, report?: RedactionReport): string {
  const scanner = scannerFor(text);
  if (scanner === null) return text;
  const { expression, kinds } = scanner;
  return text.replace(expression, (match: string, ...groups: unknown[]) => {
    const index = groups.findIndex((group, position) => position < kinds.length && group !== undefined);
    const kind = kinds[index] ?? 'secret-assignment';
    if (report !== undefined) report[kind] = (report[kind] ?? 0) + 1;
    return match.length > 0 ? `[REDACTED:${kind}]` : match;
  });
}

/** Redacts every string inside a JSON value (tool inputs), returning the same value when nothing changed. */
export function redactSecretsInValue(value: unknown, report?: RedactionReport): unknown {
  if (typeof value === 'string') return redactSecrets(value, report);
  if (Array.isArray(value)) {
    let changed = false;
    const next: unknown[] = [];
    for (const item of value as unknown[]) {
      const redacted = redactSecretsInValue(item, report);
      if (redacted !== item) changed = true;
      next.push(redacted);
    }
    return changed ? next : value;
  }
  if (typeof value === 'object' && value !== null) {
    let changed = false;
    const next: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const redacted = redactSecretsInValue(item, report);
      if (redacted !== item) changed = true;
      next[key] = redacted;
    }
    return changed ? next : value;
  }
  return value;
}

/** Adds one report's counts to another. */
export function mergeRedactionReports(into: RedactionReport, from: RedactionReport): void {
  for (const [kind, count] of Object.entries(from) as [SecretKind, number][]) {
    into[kind] = (into[kind] ?? 0) + count;
  }
}

/** Total number of redactions in a report. */
export function countRedactions(report: RedactionReport): number {
  return Object.values(report).reduce((total, count) => total + count, 0);
}
