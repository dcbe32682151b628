import { z } from 'zod';

// Minimal on purpose: a `.traj` file is `Agent.get_trajectory_data()` dumped as JSON (SWE-agent/SWE-agent,
// `sweagent/agent/agents.py`), and its step and info keys changed between 0.x (`state` as a JSON string) and 1.x
// (`execution_time`, `query`, `extra_info`, `state` as an object). Only the fields Reverie reads are named; an optional
// field of an unexpected type reads as null instead of costing the step.
const optionalString = z.string().nullish().catch(null);

/** One element of `trajectory`: what the agent thought, the command it ran, and what the environment answered. */
export const sweAgentStepSchema = z.looseObject({
  action: optionalString,
  observation: optionalString,
  response: optionalString,
  thought: optionalString,
  // 0.x: a JSON string (`"{\"open_file\": ..., \"working_dir\": ...}\n"`); 1.x: an object.
  state: z.unknown().optional(),
});

/** A parsed step. */
export type SweAgentStep = z.infer<typeof sweAgentStepSchema>;

/** The `state` of a step, once decoded. */
export const sweAgentStateSchema = z.looseObject({ working_dir: optionalString });

/** The document around `trajectory`. */
export const sweAgentEnvelopeSchema = z.looseObject({
  environment: optionalString,
  history: z.array(z.unknown()).nullish().catch(null),
  info: z
    .looseObject({
      exit_status: optionalString,
      // The patch (or, for CTF runs, the flag); null or empty when nothing was submitted.
      submission: optionalString,
    })
    .nullish()
    .catch(null),
  // 1.x: `RunSingleConfig.model_dump_json()`, a JSON string; some 1.0 development builds stored the object.
  replay_config: z.unknown().optional(),
});

/** One message of `history` (the chat sent to the model). */
export const sweAgentHistoryMessageSchema = z.looseObject({
  role: optionalString,
  content: z.unknown().optional(),
  is_demo: z.boolean().nullish().catch(null),
});

/** The `problem_statement` of a replay config (`TextProblemStatement`, `GithubIssue`, ...). */
export const sweAgentProblemStatementSchema = z.looseObject({ text: optionalString });
