import { z } from 'zod';

// Minimal on purpose: a tau-bench results file is whatever `run.py` dumped from its pydantic `EnvRunResult`
// (sierra-research/tau-bench, `tau_bench/types.py`: task_id, reward, info, traj, trial), and forks add fields. Only the
// fields Reverie reads are named; an optional field of an unexpected type reads as null instead of costing the run.
const optionalString = z.string().nullish().catch(null);

/** One run (one element of the results array): a task attempted once by the agent. */
export const tauBenchRunSchema = z.looseObject({
  // An integer index into the domain's task list upstream; some forks write string ids.
  task_id: z.union([z.number(), z.string()]).nullish().catch(null),
  trial: z.number().nullish().catch(null),
  // 0 or 1 upstream (`Env.calculate_reward` returns 1.0 or 0.0); a fork may write partial credit.
  reward: z.number().nullish().catch(null),
  info: z
    .looseObject({
      task: z.looseObject({ instruction: optionalString, user_id: optionalString }).nullish().catch(null),
    })
    .nullish()
    .catch(null),
  // Required: a run without its conversation is not a session Reverie can read.
  traj: z.array(z.unknown()),
});

/** A parsed run. */
export type TauBenchRun = z.infer<typeof tauBenchRunSchema>;

/** One message of `traj`: OpenAI chat-completions shapes (the tool-calling agent keeps litellm's message dicts). */
export const tauBenchMessageSchema = z.looseObject({
  role: z.string(),
  content: z.unknown().optional(),
  tool_calls: z.array(z.unknown()).nullish().catch(null),
  // role `tool`
  tool_call_id: optionalString,
  name: optionalString,
});

/** One element of an assistant message's `tool_calls`. */
export const tauBenchToolCallSchema = z.looseObject({
  id: optionalString,
  function: z
    .looseObject({
      name: optionalString,
      // A JSON string in the chat-completions API; some writers store the parsed object.
      arguments: z.unknown().optional(),
    })
    .nullish()
    .catch(null),
});

/** The message roles a tau-bench trajectory holds. */
export const tauBenchRoles: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);
