/**
 * The tool calls of a session as the workflow and outcome-contrast miners see them: each call joined to its result,
 * named by a step key (the tool, plus the command head for shell tools), with the shape of its input (argument names,
 * boolean flags) and never its values.
 */
import type { SessionEvent, SessionWithEvents } from '../domain/session.js';
import { commandFromInput, commandHead, isShellTool } from './normalize-error-signature.js';

/** One tool call of a session, with what the miners need of it and its result. */
export interface WorkflowToolCall {
  /** The `tool-call` event (evidence points at it). */
  event: SessionEvent;
  /** The result event, when the log has one. */
  result: SessionEvent | null;
  tool: string;
  /** Identity of the step: the tool, or `Bash: npm test` for a shell tool (what ran, not its arguments). */
  step: string;
  /** For shell tools: the head of the command (`npm test`), else null. */
  command: string | null;
  /** For shell tools: whether the command had more than its head (arguments, paths, pipes). */
  commandHasArguments: boolean;
  /** Top-level argument names of the input, in the order the agent gave them (shell tools: without the command). */
  argumentNames: readonly string[];
  /** Boolean arguments and their values (`replace_all: true`): a flag is part of what a step does. */
  flags: Readonly<Record<string, boolean>>;
  /** The result reported a failure of the tool. */
  failed: boolean;
  /** The result was a person refusing or interrupting the call. */
  rejected: boolean;
}

/**
 * Tools that only record the agent's own reasoning or plan (tau-bench `think`, Claude Code `TodoWrite`, Codex
 * `update_plan`): they change nothing outside the agent, and counting them as steps would split one procedure into
 * variants by whether the model paused to think.
 */
const scratchpadTools = new Set(['think', 'todowrite', 'todoread', 'update_plan']);

/** True for a tool that only records the agent's reasoning or plan. */
export function isScratchpadTool(tool: string): boolean {
  return scratchpadTools.has(tool.toLowerCase());
}

function inputRecord(input: unknown): Record<string, unknown> | null {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : null;
}

const commandKeys = new Set(['command', 'cmd', 'script']);

/**
 * The tool calls of `session` in order, each with its result.
 * @returns one entry per `tool-call` event with a tool name
 */
export function collectWorkflowToolCalls(session: SessionWithEvents): WorkflowToolCall[] {
  const calls: WorkflowToolCall[] = [];
  const open = new Map<string, WorkflowToolCall>();
  for (const event of session.events) {
    if (event.kind === 'tool-call' && event.toolName !== null) {
      const tool = event.toolName;
      const record = inputRecord(event.toolInput);
      const shell = isShellTool(tool, event.toolInput);
      const fullCommand = shell ? commandFromInput(event.toolInput) : null;
      const head = fullCommand === null ? null : commandHead(fullCommand);
      const flags: Record<string, boolean> = {};
      const argumentNames: string[] = [];
      for (const [name, value] of Object.entries(record ?? {})) {
        if (shell && commandKeys.has(name)) continue;
        argumentNames.push(name);
        if (typeof value === 'boolean') flags[name] = value;
      }
      const call: WorkflowToolCall = {
        event,
        result: null,
        tool,
        step: head === null ? tool : `${tool}: ${head}`,
        command: head,
        commandHasArguments: fullCommand !== null && head !== null && fullCommand.trim() !== head,
        argumentNames,
        flags,
        failed: false,
        rejected: false,
      };
      calls.push(call);
      // Call ids may repeat within a session (the tau-bench gpt-4o corpus reuses them); a result answers the latest.
      if (event.toolCallId !== null) open.set(event.toolCallId, call);
      continue;
    }
    if (event.kind === 'tool-result' && event.toolCallId !== null) {
      const call = open.get(event.toolCallId);
      if (call?.result !== null) continue;
      call.result = event;
      call.failed = event.isError && !event.isRejection;
      call.rejected = event.isRejection;
    }
  }
  return calls;
}
