import { z } from 'zod';

// Minimal on purpose: Langfuse's trace, observation and score objects (public API `GET /api/public/traces/{id}`,
// the web app's trace data, the legacy ingestion API's event bodies; Langfuse v2-v3) gain fields between releases, and
// each export names a few differently. These schemas name only what Reverie reads; an optional field of an
// unexpected type reads as null instead of costing the record.
const optionalString = z.string().nullish().catch(null);
const optionalNumber = z.number().nullish().catch(null);

/** A trace: `{id, timestamp, name, sessionId, userId, input, output, metadata, tags, observations?, scores?}`. */
export const langfuseTraceSchema = z.looseObject({
  id: optionalString,
  timestamp: optionalString,
  name: optionalString,
  sessionId: optionalString,
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  // An object in the public API; a JSON string in the web app's data.
  metadata: z.unknown().optional(),
  tags: z.array(z.unknown()).nullish().catch(null),
});

/** A parsed trace. */
export type LangfuseTrace = z.infer<typeof langfuseTraceSchema>;

/**
 * An observation: `{id, traceId, type, name, startTime, endTime, parentObservationId, input, output, metadata,
 * level, statusMessage, model}`. `type` is upper case in the API (`GENERATION`); ingestion events give it by their
 * own type (`generation-create`).
 */
export const langfuseObservationSchema = z.looseObject({
  id: optionalString,
  traceId: optionalString,
  type: optionalString,
  name: optionalString,
  startTime: optionalString,
  endTime: optionalString,
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  metadata: z.unknown().optional(),
  level: optionalString,
  statusMessage: optionalString,
  model: optionalString,
});

/** A parsed observation. */
export type LangfuseObservation = z.infer<typeof langfuseObservationSchema>;

/**
 * A score: `{id, name, value, stringValue, dataType, comment, traceId, observationId, sessionId, datasetRunId,
 * timestamp}`. Attached to exactly one of a trace, an observation, a session or a dataset run.
 */
export const langfuseScoreSchema = z.looseObject({
  id: optionalString,
  name: optionalString,
  value: optionalNumber,
  stringValue: optionalString,
  dataType: optionalString,
  comment: optionalString,
  traceId: optionalString,
  observationId: optionalString,
  sessionId: optionalString,
  datasetRunId: optionalString,
  timestamp: optionalString,
});

/** A parsed score. */
export type LangfuseScore = z.infer<typeof langfuseScoreSchema>;

/** Observation types (Langfuse data model: `span`, `generation`, `event`, and the agent types added in v3). */
export const langfuseObservationTypes: ReadonlySet<string> = new Set([
  'SPAN',
  'GENERATION',
  'EVENT',
  'AGENT',
  'TOOL',
  'CHAIN',
  'RETRIEVER',
  'EVALUATOR',
  'EMBEDDING',
  'GUARDRAIL',
]);

/**
 * Legacy ingestion event types (`POST /api/public/ingestion`, `{batch: [{id, timestamp, type, body}]}`, Langfuse
 * `ingestion.yml`) whose body is an observation, by the observation type they create; `observation-create` /
 * `-update` name the type in the body. The `<type>-create` events of the v3 observation types are accepted too, in
 * case a client sends them.
 */
export const langfuseObservationEventTypes: ReadonlyMap<string, string | null> = new Map([
  ['span-create', 'SPAN'],
  ['span-update', 'SPAN'],
  ['generation-create', 'GENERATION'],
  ['generation-update', 'GENERATION'],
  ['event-create', 'EVENT'],
  ['observation-create', null],
  ['observation-update', null],
  ['agent-create', 'AGENT'],
  ['tool-create', 'TOOL'],
  ['chain-create', 'CHAIN'],
  ['retriever-create', 'RETRIEVER'],
  ['evaluator-create', 'EVALUATOR'],
  ['embedding-create', 'EMBEDDING'],
  ['guardrail-create', 'GUARDRAIL'],
]);
