import { z } from 'zod';

// Minimal on purpose: the Agents SDK's exported records (`Trace.export()`, `Span.export()` in openai-agents-python
// 0.x-1.x `src/agents/tracing/`, `toJSON()` in openai-agents-js `packages/agents-core/src/tracing/`) gain fields
// between releases, and custom tracing processors add their own. These schemas name only what Reverie reads; an
// optional field of an unexpected type reads as null instead of costing the record.
const optionalString = z.string().nullish().catch(null);
const optionalBoolean = z.boolean().nullish().catch(null);

/** `{"object": "trace", "id", "workflow_name", "group_id", "metadata"}`. */
export const openAiAgentsTraceSchema = z.looseObject({
  id: optionalString,
  workflow_name: optionalString,
  group_id: optionalString,
  metadata: z.unknown().optional(),
});

/** A parsed trace record. */
export type OpenAiAgentsTrace = z.infer<typeof openAiAgentsTraceSchema>;

/** `{"object": "trace.span", "id", "trace_id", "parent_id", "started_at", "ended_at", "span_data", "error"}`. */
export const openAiAgentsSpanSchema = z.looseObject({
  id: optionalString,
  trace_id: optionalString,
  parent_id: optionalString,
  started_at: optionalString,
  ended_at: optionalString,
  span_data: z.unknown().optional(),
  // `SpanError` = `{message, data}`; set when the span failed (a tool error, a tripped guardrail, max turns).
  error: z
    .looseObject({ message: z.unknown().optional(), data: z.unknown().optional() })
    .nullish()
    .catch(null),
});

/** A parsed span record. */
export type OpenAiAgentsSpan = z.infer<typeof openAiAgentsSpanSchema>;

/** `span_data`: the fields of every span type Reverie reads, all optional but `type`. */
export const openAiAgentsSpanDataSchema = z.looseObject({
  type: z.string(),
  // agent, function, guardrail, custom
  name: optionalString,
  // generation, function, transcription, speech
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  model: optionalString,
  // response: the SDK exports only the id; the JS SDK's span data also keeps `_input` and `_response` for other
  // processors (openai-agents-js `ResponseSpanData`), which custom processors may write out.
  response_id: optionalString,
  _input: z.unknown().optional(),
  _response: z.unknown().optional(),
  response: z.unknown().optional(),
  // handoff
  from_agent: optionalString,
  to_agent: optionalString,
  // guardrail
  triggered: optionalBoolean,
  // mcp_tools
  server: optionalString,
  result: z.unknown().optional(),
});

/** Parsed span data. */
export type OpenAiAgentsSpanData = z.infer<typeof openAiAgentsSpanDataSchema>;

/** The `object` of an exported trace record. */
export const OBJECT_TRACE = 'trace';
/** The `object` of an exported span record. */
export const OBJECT_SPAN = 'trace.span';
