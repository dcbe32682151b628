import { z } from 'zod';

// Reverie JSONL is written by other people's agents (docs/formats/reverie-jsonl.md), so it is read like any
// foreign log: required fields are checked (a record without them is skipped with an `invalid-record` warning
// naming the field), optional fields of the wrong type read as absent, and unknown keys pass through so later
// versions of the format stay readable.
const optionalString = z.string().nullish().catch(null);
const optionalBoolean = z.boolean().nullish().catch(null);
// Record ids may be written as numbers by agents that count their records.
const optionalId = z
  .union([z.string(), z.number().transform(String)])
  .nullish()
  .catch(null);

/** Fields every record may carry. */
const recordFields = {
  type: z.string(),
  /** The session this record belongs to; default: the most recent `session` record. */
  session: optionalString,
  /** Record id, unique within its session; makes the event id independent of the line number. */
  id: optionalId,
  /** ISO-8601 time of the record. */
  ts: optionalString,
};

/** `{"type":"session", "id", ...}`: starts (or updates) a session. */
export const reverieJsonlSessionSchema = z.looseObject({
  ...recordFields,
  id: z.union([z.string().min(1), z.number().transform(String)]),
  reverie: z.number().nullish().catch(null),
  agent: optionalString,
  title: optionalString,
  cwd: optionalString,
  started_at: optionalString,
  ended_at: optionalString,
  parent: optionalString,
});

/** `{"type":"message", "role", "text"}`. */
export const reverieJsonlMessageSchema = z.looseObject({
  ...recordFields,
  role: z.string(),
  text: z.string(),
  subtype: optionalString,
});

/** `{"type":"tool_call", "tool", "call_id"?, "input"?}`. */
export const reverieJsonlToolCallSchema = z.looseObject({
  ...recordFields,
  tool: z.string(),
  call_id: optionalId,
  input: z.unknown().optional(),
});

/** `{"type":"tool_result", "call_id"?, "tool"?, "ok"?, "output"?, "rejected"?}`. */
export const reverieJsonlToolResultSchema = z.looseObject({
  ...recordFields,
  call_id: optionalId,
  tool: optionalString,
  ok: optionalBoolean,
  output: z.unknown().optional(),
  rejected: optionalBoolean,
});

/** `{"type":"event", "name", "text"?}`: anything else worth keeping (compaction, hook output, a restart). */
export const reverieJsonlEventSchema = z.looseObject({
  ...recordFields,
  name: z.string(),
  text: optionalString,
});

/** `{"type":"outcome", "passed"?, "score"?, "name"?, "detail"?}`: how the session went (a test run, a grader). */
export const reverieJsonlOutcomeSchema = z
  .looseObject({
    ...recordFields,
    passed: optionalBoolean,
    score: z.number().nullish().catch(null),
    name: optionalString,
    detail: optionalString,
  })
  .refine((value) => (value.passed ?? null) !== null || (value.score ?? null) !== null, {
    message: 'needs "passed" (true/false) or a numeric "score"',
    path: ['passed'],
  });

/** The record types of Reverie JSONL version 1. */
export const reverieJsonlRecordTypes: ReadonlySet<string> = new Set([
  'session',
  'message',
  'tool_call',
  'tool_result',
  'event',
  'outcome',
]);
