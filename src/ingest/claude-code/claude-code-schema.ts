import { z } from 'zod';

// Minimal on purpose: Claude Code's transcript format is internal and "changes between versions" (its docs), so
// these schemas name only the fields Reverie reads and let every other key pass through. An optional field of an
// unexpected type reads as null (`.catch(null)`) instead of dropping the whole line: one odd field in a future
// CLI release must not cost a user message.
const optionalString = z.string().nullish().catch(null);
const optionalBoolean = z.boolean().nullish().catch(null);

/** One line of a Claude Code transcript (`~/.claude/projects/<project>/<session>.jsonl`). */
export const claudeCodeLineSchema = z.looseObject({
  type: z.string(),
  uuid: optionalString,
  sessionId: optionalString,
  timestamp: optionalString,
  cwd: optionalString,
  isMeta: optionalBoolean,
  isCompactSummary: optionalBoolean,
  isApiErrorMessage: optionalBoolean,
  // `system` lines
  subtype: optionalString,
  level: optionalString,
  content: z.unknown().optional(),
  // `summary`, `custom-title`, `ai-title`
  summary: optionalString,
  leafUuid: optionalString,
  customTitle: optionalString,
  aiTitle: optionalString,
  message: z
    .looseObject({
      id: optionalString,
      role: optionalString,
      content: z.unknown().optional(),
    })
    .nullish()
    .catch(null),
});

/** A parsed Claude Code line. */
export type ClaudeCodeLine = z.infer<typeof claudeCodeLineSchema>;

/** One content block of a `user` or `assistant` message (Anthropic Messages API shapes). */
export const claudeCodeContentBlockSchema = z.looseObject({
  type: z.string(),
  text: optionalString,
  thinking: optionalString,
  // tool_use
  id: optionalString,
  name: optionalString,
  input: z.unknown().optional(),
  // tool_result
  tool_use_id: optionalString,
  content: z.unknown().optional(),
  is_error: optionalBoolean,
});

/** A parsed content block. */
export type ClaudeCodeContentBlock = z.infer<typeof claudeCodeContentBlockSchema>;

const lineStringKeys = [
  'uuid',
  'sessionId',
  'timestamp',
  'cwd',
  'subtype',
  'level',
  'summary',
  'leafUuid',
  'customTitle',
  'aiTitle',
] as const;
const lineBooleanKeys = ['isMeta', 'isCompactSummary', 'isApiErrorMessage'] as const;
const blockStringKeys = ['text', 'thinking', 'id', 'name', 'tool_use_id'] as const;

function isOptional(value: unknown, type: 'string' | 'boolean'): boolean {
  return value === undefined || value === null || typeof value === type;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The line itself when every field the schema names already has its type: what `claudeCodeLineSchema` would
 * return, field for field, without copying the object (the schema costs more than anything else per line). Null
 * when a field needs the schema's leniency (or the line is not one); parse it with the schema then.
 */
export function asWellFormedClaudeCodeLine(record: Record<string, unknown>): ClaudeCodeLine | null {
  if (typeof record['type'] !== 'string') return null;
  for (const key of lineStringKeys) if (!isOptional(record[key], 'string')) return null;
  for (const key of lineBooleanKeys) if (!isOptional(record[key], 'boolean')) return null;
  const message = record['message'];
  if (message !== undefined && message !== null) {
    if (!isPlainObject(message)) return null;
    if (!isOptional(message['id'], 'string') || !isOptional(message['role'], 'string')) return null;
  }
  return record as ClaudeCodeLine;
}

/** Like {@link asWellFormedClaudeCodeLine}, for a content block and `claudeCodeContentBlockSchema`. */
export function asWellFormedClaudeCodeBlock(block: unknown): ClaudeCodeContentBlock | null {
  if (!isPlainObject(block) || typeof block['type'] !== 'string') return null;
  for (const key of blockStringKeys) if (!isOptional(block[key], 'string')) return null;
  if (!isOptional(block['is_error'], 'boolean')) return null;
  return block as ClaudeCodeContentBlock;
}

/** Line types that carry conversation or session metadata Reverie reads. */
export const claudeCodeConversationTypes: ReadonlySet<string> = new Set([
  'user',
  'assistant',
  'system',
  'summary',
  'custom-title',
  'ai-title',
]);

/**
 * Line types Claude Code writes that carry no conversation (checkpoints, prompt queue, hook progress,
 * attachments, small settings records): read without an event and without a warning.
 */
export const claudeCodeIgnoredTypes: ReadonlySet<string> = new Set([
  'file-history-snapshot',
  'queue-operation',
  'progress',
  'attachment',
  'agent-name',
  'agent-setting',
  'permission-mode',
  'mode',
  'pr-link',
  'last-prompt',
  'bridge-session',
]);

/** True for a line type Claude Code is known to write. */
export function isKnownClaudeCodeType(type: string): boolean {
  return claudeCodeConversationTypes.has(type) || claudeCodeIgnoredTypes.has(type);
}
