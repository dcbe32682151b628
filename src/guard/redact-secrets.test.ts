import { describe, expect, it } from 'vitest';
import { countRedactions, redactSecrets, redactSecretsInValue } from './redact-secrets.js';
import type { RedactionReport } from './redact-secrets.js';

// Planted values are fake but have the exact shape of real ones (they are built at run time so that secret
// scanners do not flag this file).
const fake = {
  anthropic: ['sk', 'ant', 'api03', 'Xq7fA2mZp9Lk3VbN8cR1tY6uW0eS4dG5hJ2kQ9zX'].join('-'),
  openai: ['sk', 'proj', 'Ab3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5z'].join('-'),
  aws: 'AKIA' + 'IOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' + 'EXAMPLEKEY',
  github: 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  slack: 'xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  stripe: 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc',
  google: 'AIza' + 'SyD-1234567890abcdefghijklmnopqrstu',
  jwt:
    'eyJhbGciOiJIUzI1NiJ9.' + 'eyJzdWIiOiIxMjM0NTY3ODkwIn0' + '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
};

function redact(text: string) {
  const report: RedactionReport = {};
  return { text: redactSecrets(text, report), report };
}

describe('redactSecrets', () => {
  it('redacts the keys and tokens of the common providers and counts them by kind', () => {
    const input = [
      `ANTHROPIC key ${fake.anthropic}`,
      `openai: ${fake.openai}`,
      `aws ${fake.aws}`,
      `aws_secret_access_key = ${fake.awsSecret}`,
      `token ${fake.github}`,
      `slack ${fake.slack}`,
      `stripe ${fake.stripe}`,
      `google ${fake.google}`,
      `session ${fake.jwt}`,
    ].join('\n');
    const { text, report } = redact(input);
    for (const value of Object.values(fake)) expect(text).not.toContain(value);
    expect(report).toEqual({
      'anthropic-key': 1,
      'openai-key': 1,
      'aws-access-key': 1,
      'aws-secret-key': 1,
      'github-token': 1,
      'slack-token': 1,
      'stripe-key': 1,
      'google-api-key': 1,
      jwt: 1,
    });
    expect(text).toContain('ANTHROPIC key [REDACTED:anthropic-key]');
  });

  it('redacts bearer tokens, private key blocks, passwords in URLs and secret assignments, keeping the names', () => {
    const input = [
      'curl -H "Authorization: Bearer abcdef0123456789abcdef0123"',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----',
      'DATABASE_URL=postgres://app:s3cretPassw0rd@db.internal:5432/app',
      'export STRIPE_WEBHOOK_SECRET="whsec_abcdef123456"',
      '{"api_key": "k-1234abcd5678"}',
      'password: hunter2hunter2',
    ].join('\n');
    const { text, report } = redact(input);
    expect(text).toContain('Authorization: Bearer [REDACTED:bearer-token]');
    expect(text).toContain('[REDACTED:private-key]');
    expect(text).not.toContain('MIIEowIBAAKCAQEA7');
    expect(text).toContain('postgres://app:[REDACTED:url-password]@db.internal:5432/app');
    expect(text).toContain('export STRIPE_WEBHOOK_SECRET="[REDACTED:secret-assignment]"');
    expect(text).toContain('{"api_key": "[REDACTED:secret-assignment]"}');
    expect(text).toContain('password: [REDACTED:secret-assignment]');
    expect(countRedactions(report)).toBe(6);
  });

  it('redacts a private key block cut off by the end of the text', () => {
    expect(redact('key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA').text).toBe(
      'key:\n[REDACTED:private-key]',
    );
  });

  it('leaves ordinary text alone, including counts and prose about tokens', () => {
    const text = [
      'File has not been read yet. Read it first before writing to it.',
      '{"input_tokens":54286,"cached_input_tokens":26880,"total_tokens":1234567}',
      'The token count is high; the password field is empty.',
      'task-management-system-overview-document',
      'https://github.com/anthropics/claude-code/issues/1878',
      // Code from the Claude Code fixtures, which an earlier, broader pattern took for secrets.
      '        token_usage: Optional[str] = None,',
      '        self.total_input_tokens = project_data["total_input_tokens"]',
      '        show_tokens = True',
      '    password = os.environ["DB_PASSWORD"]',
      '    api_key = get_api_key()',
    ].join('\n');
    const report: RedactionReport = {};
    expect(redactSecrets(text, report)).toBe(text);
    expect(report).toEqual({});
  });

  it('redacts inside JSON values and keeps unchanged values identical', () => {
    const input = { command: `curl -H "Authorization: Bearer ${'z'.repeat(24)}"`, nested: [{ ok: 1 }] };
    const report: RedactionReport = {};
    const output = redactSecretsInValue(input, report) as typeof input;
    expect(output.command).toBe('curl -H "Authorization: Bearer [REDACTED:bearer-token]"');
    expect(output.nested).toBe(input.nested);
    const untouched = { a: 'b' };
    expect(redactSecretsInValue(untouched)).toBe(untouched);
  });
});
