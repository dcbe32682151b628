/**
 * Secret redaction, applied to every text Reverie keeps from a log before it is stored (and again to every
 * proposal before it is saved). A secret is replaced by `[REDACTED:<kind>]`; the report counts them by kind and
 * never holds a value.
 *
 * Patterns are the published formats of the common providers' keys and tokens, plus the generic shapes secrets take
 * in logs (bearer tokens, private key blocks, passwords in URLs, `.env`-style assignments of secret-looking names).
 * One combined regular expression scans each text once; a text with no candidate costs one scan.
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

interface Pattern {
  kind: SecretKind;
  source: string;
  /**
   * A necessary condition: false only when the pattern cannot match anywhere in the text (every match, lookbehind
   * included, contains what it looks for). Only patterns that may match go into the expression run on a text.
   */
  mayMatch(text: string): boolean;
}

// What a secret assignment needs right before its `:` or `=`: the end of one of the names in the lookbehind of
// `secret-assignment`, shortened (`ecret` covers secret and Secret, `[Kk]ey|KEY` every *key, *Key and *KEY name).
const secretNameBeforeSeparator =
  /(?:ecret|ECRET|oken|OKEN|assword|ASSWORD|asswd|ASSWD|[Kk]ey|KEY|redentials?|REDENTIALS?)["']?\s*[:=]/;

// Order matters: the first alternative that matches at a position wins, so specific formats come before generic
// shapes (an Anthropic key is also "sk-" followed by characters, a key in a Bearer header is a bearer token).
const patterns: readonly Pattern[] = [
  {
    kind: 'private-key',
    // A whole PEM block; a block cut off by the end of the text (a truncated log) is redacted to the end.
    source: String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$(?![\s\S]))`,
    mayMatch: (text) => text.includes('PRIVATE KEY'),
  },
  {
    kind: 'anthropic-key',
    source: String.raw`\bsk-ant-(?:api|admin|sid|oat)\d{2}-[A-Za-z0-9_\-]{20,}`,
    mayMatch: (text) => text.includes('sk-ant-'),
  },
  {
    kind: 'openai-key',
    source: String.raw`\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}`,
    mayMatch: (text) => text.includes('sk-'),
  },
  {
    kind: 'aws-access-key',
    source: String.raw`\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`,
    mayMatch: (text) => /A(?:KIA|SIA|BIA|CCA)/.test(text),
  },
  {
    kind: 'aws-secret-key',
    source: String.raw`(?<=\baws_?secret_?access_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}\b`,
    mayMatch: (text) => /aws_?secret_?access_?key/.test(text),
  },
  {
    kind: 'github-token',
    source: String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`,
    mayMatch: (text) => /gh[pousr]_|github_pat_/.test(text),
  },
  {
    kind: 'gitlab-token',
    source: String.raw`\bglpat-[A-Za-z0-9_\-]{20,}`,
    mayMatch: (text) => text.includes('glpat-'),
  },
  {
    kind: 'slack-token',
    source: String.raw`\bxox[abposr]-[A-Za-z0-9\-]{10,}`,
    mayMatch: (text) => /xox[abposr]-/.test(text),
  },
  {
    kind: 'slack-webhook',
    source: String.raw`https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{20,}`,
    mayMatch: (text) => text.includes('https://hooks.slack.com/services/'),
  },
  {
    kind: 'stripe-key',
    source: String.raw`\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}`,
    mayMatch: (text) => /[srp]k_(?:live|test)_/.test(text),
  },
  {
    kind: 'google-api-key',
    source: String.raw`\bAIza[0-9A-Za-z_\-]{35}`,
    mayMatch: (text) => text.includes('AIza'),
  },
  {
    kind: 'huggingface-token',
    source: String.raw`\bhf_[A-Za-z0-9]{30,}`,
    mayMatch: (text) => text.includes('hf_'),
  },
  {
    kind: 'npm-token',
    source: String.raw`\bnpm_[A-Za-z0-9]{36}\b`,
    mayMatch: (text) => text.includes('npm_'),
  },
  {
    kind: 'jwt',
    source: String.raw`\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}`,
    mayMatch: (text) => text.includes('eyJ'),
  },
  {
    kind: 'bearer-token',
    source: String.raw`(?<=\bBearer\s+)[A-Za-z0-9._~+/\-]{16,}=*`,
    mayMatch: (text) => text.includes('Bearer'),
  },
  // The password of `scheme://user:password@host`; the user name and host stay readable.
  {
    kind: 'url-password',
    source: String.raw`(?<=\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]{3,}(?=@)`,
    mayMatch: (text) => /:\/\/[^\s:/@]+:[^\s@/]{3,}@/.test(text),
  },
  {
    kind: 'secret-assignment',
    // `NAME=value`, `NAME: value`, `"name": "value"` where the name ENDS in secret, token, password or key
    // (`GITHUB_TOKEN`, `db_password`, `apiKey`; not `token_usage` or `tokens`, which are code). Only the value is
    // replaced, and only a value that stands alone: at least 6 characters, with a letter, not an expression
    // (`os.environ["X"]`, `get_token()`), ending at a delimiter.
    source: String.raw`(?<=\b[A-Za-z0-9_.\-]*(?:SECRET|secret|Secret|TOKEN|token|Token|PASSWORD|password|Password|PASSWD|passwd|API_?KEY|api_?key|Api_?Key|apiKey|SECRET_?KEY|secret_?key|secretKey|ACCESS_?KEY|access_?key|accessKey|PRIVATE_?KEY|private_?key|privateKey|CREDENTIALS?|credentials?|Credentials?)["']?\s*[:=]\s*["']?)(?!\[REDACTED)(?=[^\s"'\`,;()\[\]{}$<>=]*[A-Za-z])[^\s"'\`,;()\[\]{}$<>=]{6,}(?=[\s"'\`,;]|$)`,
    mayMatch: (text) => secretNameBeforeSeparator.test(text),
  },
];

/**
 * Cheap filter: a text without one of these cannot hold a secret we recognise, and most texts have none, so the
 * combined expression (slower: many alternatives, lookbehinds) runs only on the few that do. Secret assignments
 * need the keyword right before `:`/`=`, so prose about tokens or passwords does not trigger the full scan.
 */
const triggers =
  /PRIVATE KEY|sk-|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack|_live_|_test_|AIza|hf_|npm_|eyJ|Bearer|:\/\/[^\s/@]+:[^\s@]+@|(?:ecret|ECRET|oken|OKEN|assword|ASSWORD|asswd|ASSWD|[Kk]ey|KEY|redentials?|REDENTIALS?)["']?\s*[:=]/;

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
  let set = 0;
  for (const [index, pattern] of patterns.entries()) {
    if (pattern.mayMatch(text)) set |= 1 << index;
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
  if (!triggers.test(text)) return text;
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
