import { z } from 'zod';

// Minimal on purpose: Codex rollouts are an internal format (`codex-rs/protocol`, `codex-rs/rollout`) that gains
// fields and variants in most CLI releases (0.2x-0.13x seen). These schemas name only the fields Reverie reads and let
// every other key pass through; an optional field of an unexpected type reads as null (`.catch(null)`), so one odd
// field costs that field, not the line.
const optionalString = z.string().nullish().catch(null);
const optionalBoolean = z.boolean().nullish().catch(null);
const optionalNumber = z.number().nullish().catch(null);

/** One line of a rollout: `RolloutLine { timestamp, ordinal?, type, payload }` (the item is serde-tagged). */
export const codexLineSchema = z.looseObject({
  type: z.string(),
  timestamp: optionalString,
  payload: z.unknown().optional(),
});

/** A parsed rollout line. */
export type CodexLine = z.infer<typeof codexLineSchema>;

/** `session_meta` payload: the thread id, working directory and, for sub-agents, the parent thread. */
export const codexSessionMetaSchema = z.looseObject({
  id: optionalString,
  cwd: optionalString,
  cli_version: optionalString,
  // `"cli"`, `"exec"`, `{ "subagent": { "thread_spawn": { "parent_thread_id": … } } }`, … (CLI 0.4x+).
  source: z.unknown().optional(),
});

/** `turn_context` payload (one per turn; cwd may change mid-session). */
export const codexTurnContextSchema = z.looseObject({
  cwd: optionalString,
});

/** A content part of a `response_item` message (`input_text`, `output_text`, `input_image`, …). */
export const codexContentPartSchema = z.looseObject({
  type: optionalString,
  text: optionalString,
});

/** A `response_item` payload: an OpenAI Responses API item, tagged by `type`. */
export const codexResponseItemSchema = z.looseObject({
  type: z.string(),
  // message
  role: optionalString,
  content: z.unknown().optional(),
  // reasoning
  summary: z.unknown().optional(),
  // function_call / custom_tool_call / local_shell_call
  name: optionalString,
  arguments: optionalString,
  input: optionalString,
  action: z.unknown().optional(),
  call_id: optionalString,
  id: optionalString,
  // function_call_output / custom_tool_call_output: a string (CLI 0.2x-0.13x), or content items / an object
  output: z.unknown().optional(),
});

/** A parsed `response_item` payload. */
export type CodexResponseItem = z.infer<typeof codexResponseItemSchema>;

/** An `event_msg` payload: a UI event, tagged by `type`. */
export const codexEventMsgSchema = z.looseObject({
  type: z.string(),
  message: optionalString,
  reason: optionalString,
  thread_name: optionalString,
  call_id: optionalString,
  exit_code: optionalNumber,
  success: optionalBoolean,
  // mcp_tool_call_end: `{ "Ok": … } | { "Err": … }`
  result: z.unknown().optional(),
});

/** A parsed `event_msg` payload. */
export type CodexEventMsg = z.infer<typeof codexEventMsgSchema>;

/** `compacted` payload: the summary that replaced the history. */
export const codexCompactedSchema = z.looseObject({
  message: optionalString,
});

/** Top-level rollout item types that carry conversation or session data Reverie reads. */
export const codexConversationTypes: ReadonlySet<string> = new Set([
  'session_meta',
  'response_item',
  'event_msg',
  'turn_context',
  'compacted',
]);

/**
 * Top-level types newer CLIs write (2026) that carry no conversation: usage records, world state, inter-agent
 * plumbing. Read without an event and without a warning.
 */
export const codexIgnoredTypes: ReadonlySet<string> = new Set([
  'token_usage_record',
  'world_state',
  'inter_agent_communication',
  'inter_agent_communication_metadata',
  'retained_context',
  'security_risk_score',
  'realtime_item',
]);

/** True for a top-level type Codex is known to write. */
export function isKnownCodexType(type: string): boolean {
  return codexConversationTypes.has(type) || codexIgnoredTypes.has(type);
}

/**
 * `event_msg` types that duplicate the `response_item` stream, or are bookkeeping (tokens, turn boundaries, UI
 * state): no event. `agent_message` and `agent_reasoning*` repeat the assistant's `response_item` message and
 * reasoning word for word, which Reverie reads instead (they are always persisted; the `event_msg` copies are a UI
 * stream). `exec_command_end`, `patch_apply_end` and `mcp_tool_call_end` only mark a tool result as failed.
 */
export const codexIgnoredEventMsgTypes: ReadonlySet<string> = new Set([
  'agent_message',
  'agent_message_delta',
  'agent_reasoning',
  'agent_reasoning_delta',
  'agent_reasoning_raw_content',
  'agent_reasoning_raw_content_delta',
  'agent_reasoning_section_break',
  'token_count',
  'task_started',
  'task_complete',
  'turn_started',
  'turn_complete',
  'context_compacted',
  'thread_rolled_back',
  'item_started',
  'item_completed',
  'plan_update',
  'exec_command_begin',
  'exec_command_output_delta',
  'exec_command_end',
  'patch_apply_begin',
  'patch_apply_end',
  'mcp_tool_call_begin',
  'mcp_tool_call_end',
  'web_search_begin',
  'web_search_end',
  'view_image_tool_call',
  'exec_approval_request',
  'apply_patch_approval_request',
  'background_event',
  'session_configured',
  'shutdown_complete',
  'entered_review_mode',
  'exited_review_mode',
  'undo_started',
  'undo_completed',
  'deprecation_notice',
  'warning',
  'stream_error',
  'collab_agent_spawn_begin',
  'collab_agent_spawn_end',
  'collab_agent_interaction_begin',
  'collab_agent_interaction_end',
  'collab_waiting_begin',
  'collab_waiting_end',
  'collab_close_begin',
  'collab_close_end',
  'collab_resume_begin',
  'collab_resume_end',
]);

/**
 * `response_item` types with nothing readable: `ghost_snapshot` (a git snapshot marker, CLI 0.5x-0.7x) and
 * `compaction` (an encrypted history summary; the readable one is the `compacted` line).
 */
export const codexIgnoredResponseItemTypes: ReadonlySet<string> = new Set(['ghost_snapshot', 'compaction']);
