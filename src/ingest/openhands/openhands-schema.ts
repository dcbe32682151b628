import { z } from 'zod';

// Minimal on purpose: an OpenHands trajectory is a list of `event_to_trajectory(event)` dicts
// (All-Hands-AI/OpenHands, `openhands/events/serialization/event.py`: id, timestamp, source, message, cause, action |
// observation, args | content + extras, tool_call_metadata, llm_metrics, success), and new action and observation
// types arrive with most releases. Only the fields Reverie reads are named; an optional field of an unexpected type
// reads as null instead of costing the event.
const optionalString = z.string().nullish().catch(null);
const optionalNumber = z.number().nullish().catch(null);
// Event ids are integers upstream; a converted log may carry strings.
const optionalId = z
  .union([z.number().transform(String), z.string()])
  .nullish()
  .catch(null);

/** One event of the stream: an action (`action` + `args`) or an observation (`observation` + `content` + `extras`). */
export const openHandsEventSchema = z.looseObject({
  id: optionalId,
  timestamp: optionalString,
  source: optionalString,
  message: optionalString,
  /** Observation: the id of the action it answers. */
  cause: optionalId,
  action: optionalString,
  observation: optionalString,
  args: z
    .looseObject({
      content: optionalString,
      thought: optionalString,
      final_thought: optionalString,
      reason: optionalString,
      agent_state: optionalString,
    })
    .nullish()
    .catch(null),
  content: optionalString,
  extras: z
    .looseObject({
      agent_state: optionalString,
      // Before OpenHands 0.2x `CmdOutputObservation` kept `exit_code` in extras; later in `extras.metadata`.
      exit_code: optionalNumber,
      metadata: z
        .looseObject({
          exit_code: optionalNumber,
          working_dir: optionalString,
          // What OpenHands wraps the output in for the model ("[The command completed with exit code 0.]").
          prefix: optionalString,
          suffix: optionalString,
        })
        .nullish()
        .catch(null),
    })
    .nullish()
    .catch(null),
  // Serialized for `CmdOutputObservation` (`exit_code == 0`) since OpenHands 0.2x.
  success: z.boolean().nullish().catch(null),
  tool_call_metadata: z
    .looseObject({
      function_name: optionalString,
      tool_call_id: optionalString,
      // The LLM response the call came from: groups a thought with its tool calls.
      model_response: z.looseObject({ id: optionalString }).nullish().catch(null),
    })
    .nullish()
    .catch(null),
});

/** A parsed event. */
export type OpenHandsEvent = z.infer<typeof openHandsEventSchema>;

/**
 * Actions that run a tool and get an observation back (`openhands/core/schema/action.py`, 0.1x-0.5x): a `tool-call`
 * named by the action type.
 */
export const openHandsToolActions: ReadonlySet<string> = new Set([
  'run',
  'run_ipython',
  'read',
  'write',
  'edit',
  'browse',
  'browse_interactive',
  'delegate',
  'search',
  'push',
  'send_pr',
  'mcp',
  'call_tool_mcp',
  'task_tracking',
]);

/** Actions that are conversation (`message`, `start`), thinking (`think`) or the end of the task (`finish`, `reject`). */
export const openHandsConversationActions: ReadonlySet<string> = new Set([
  'message',
  'start',
  'think',
  'finish',
  'reject',
]);

/** Actions that are bookkeeping: a `system` event named by the action type (`system` is the system prompt). */
export const openHandsSystemActions: ReadonlySet<string> = new Set([
  'system',
  'change_agent_state',
  'recall',
  'summarize',
  'condensation',
  'condensation_request',
  'pause',
  'resume',
  'stop',
]);

/** Observations that answer a tool action: a `tool-result` (`openhands/core/schema/observation.py`). */
export const openHandsToolObservations: ReadonlySet<string> = new Set([
  'run',
  'run_ipython',
  'read',
  'write',
  'edit',
  'browse',
  'delegate',
  'error',
  'success',
  'user_rejected',
  'mcp',
  'task_tracking',
  'download',
  'file_download',
]);

/** Observations that are bookkeeping: a `system` event named by the observation type. */
export const openHandsSystemObservations: ReadonlySet<string> = new Set([
  'agent_state_changed',
  'condense',
  'recall',
  'microagent',
  'workspace_context',
  'server_ready',
  'loop_detection',
]);

/** Observations that are conversation (`chat`, `message`). */
export const openHandsConversationObservations: ReadonlySet<string> = new Set(['chat', 'message']);

/** Actions with nothing to read: `null` (a placeholder action). */
export const openHandsIgnoredActions: ReadonlySet<string> = new Set(['null']);

/**
 * Observations with nothing to read: `null` ("No observation", the answer to a message or a state change) and `think`
 * ("Your thought has been logged."; the thought itself is read from the `think` action).
 */
export const openHandsIgnoredObservations: ReadonlySet<string> = new Set(['null', 'think']);
