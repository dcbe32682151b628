import { z } from 'zod';

// Minimal on purpose: ATIF (Agent Trajectory Interchange Format, Harbor RFC 0001, v1.0-v1.7; golang/exp
// `eval/trajectory/atif/atif.go`) adds optional fields with every minor version (v1.6: multimodal content parts,
// v1.7: `is_copied_context`, `llm_call_count`). Only the fields Reverie reads are named; an optional field of an
// unexpected type reads as null instead of costing the step.
const optionalString = z.string().nullish().catch(null);

/** The root fields before `steps` that say whose trajectory this is. */
export const atifHeaderSchema = z.looseObject({
  schema_version: optionalString,
  session_id: optionalString,
  agent: z.looseObject({ name: optionalString }).nullish().catch(null),
});

/** One element of `steps`: a system prompt, a user message, or a whole agent turn. */
export const atifStepSchema = z.looseObject({
  step_id: z.number().nullish().catch(null),
  timestamp: optionalString,
  // Required by the spec: "system", "user" or "agent".
  source: z.string(),
  // A string, or (v1.6+) a list of content parts.
  message: z.unknown().optional(),
  reasoning_content: optionalString,
  tool_calls: z.array(z.unknown()).nullish().catch(null),
  observation: z
    .looseObject({ results: z.array(z.unknown()).nullish().catch(null) })
    .nullish()
    .catch(null),
  // v1.7: a step copied from the previous file of a continued trajectory, for context only.
  is_copied_context: z.boolean().nullish().catch(null),
});

/** One element of a step's `tool_calls`. */
export const atifToolCallSchema = z.looseObject({
  tool_call_id: optionalString,
  function_name: optionalString,
  arguments: z.unknown().optional(),
});

/** One element of `observation.results`. ATIF defines no error or status field on a result. */
export const atifObservationResultSchema = z.looseObject({
  source_call_id: optionalString,
  content: z.unknown().optional(),
  subagent_trajectory_ref: z.array(z.unknown()).nullish().catch(null),
});

/** One element of `subagent_trajectory_ref`. */
export const atifSubagentReferenceSchema = z.looseObject({
  session_id: optionalString,
  trajectory_path: optionalString,
  extra: z.looseObject({ summary: optionalString }).nullish().catch(null),
});

/** The step sources ATIF defines. */
export const atifSources: ReadonlySet<string> = new Set(['system', 'user', 'agent']);
