/**
 * The `reverie.yaml` written by `reverie init`: every key with a comment, so the file documents itself.
 */
import { defaultBudget } from './config-schema.js';

export interface ConfigTemplateOptions {
  agentName: string;
  /** A detected Claude Code project directory for the current folder, or null. */
  claudeProjectDir: string | null;
  memoryPath: string;
}

function yamlString(value: string): string {
  return /^[\w./~-]+$/.test(value) ? value : JSON.stringify(value);
}

/** Renders the commented starter configuration. */
export function renderConfigTemplate(options: ConfigTemplateOptions): string {
  const source =
    options.claudeProjectDir === null
      ? [
          '    sources: []',
          '    # sources:',
          '    #   - { type: claude-code, path: ~/.claude/projects/-home-me-app }   # Claude Code transcripts of one project',
          '    #   - { type: reverie-jsonl, path: ./logs }                          # your own agent, see docs/formats',
        ]
      : [`    sources: [{ type: claude-code, path: ${yamlString(options.claudeProjectDir)} }]`];
  return [
    '# Reverie configuration. Reference: docs/configuration.md',
    '',
    '# Each agent: where its session logs are, and the memory file Reverie maintains for it.',
    'agents:',
    `  ${options.agentName}:`,
    ...source,
    `    memory: ${yamlString(options.memoryPath)}`,
    `    # memory: { path: ./CLAUDE.md, max_lines: ${defaultBudget.max_lines}, max_bytes: ${defaultBudget.max_bytes} }   # with a size budget`,
    '',
    '# Lessons seen in two or more agents go here (optional).',
    '# shared_memory: ./AGENTS.shared.md',
    '',
    'dreaming:',
    '  schedule: "0 3 * * *"   # cron, used by `reverie daemon`',
    '  scope: all-agents       # or a list of agent names',
    '  approval: manual        # manual: proposals wait for `reverie approve`; automatic: applied at the end of the dream',
    '  retention: 90d          # how far back a dream looks (h, d or w)',
    '  min_sessions: 2         # a lesson needs evidence from at least this many sessions',
    '',
  ].join('\n');
}
