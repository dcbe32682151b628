import { z } from 'zod';
import { isJsonObject, safeParseJson } from '../../util/json.js';

// Minimal on purpose: OTLP/JSON receivers "must ignore unknown fields" (opentelemetry-proto, JSON Protobuf Encoding),
// and the GenAI conventions are still "Development". Only the fields Reverie reads are named; an optional field of
// an unexpected type reads as null (`.catch(null)`), so one odd field costs that field, not the span.
const optionalString = z.string().nullish().catch(null);
// 64-bit integers (`startTimeUnixNano`, `intValue`) are decimal strings in OTLP/JSON, but encoders also write
// numbers (opentelemetry-proto `examples/trace.json`, several SDK file exporters).
const optionalInt64 = z.union([z.string(), z.number()]).nullish().catch(null);

/** One `KeyValue`: `{ key, value: AnyValue }`. */
export const otelKeyValueSchema = z.looseObject({ key: z.string(), value: z.unknown().optional() });

/** A span event (`Span.Event`). */
export const otelSpanEventSchema = z.looseObject({
  name: optionalString,
  timeUnixNano: optionalInt64,
  attributes: z.array(z.unknown()).nullish().catch(null),
});

/** A span. `traceId`/`spanId` are hex strings in OTLP/JSON (not base64). */
export const otelSpanSchema = z.looseObject({
  traceId: z.string().min(1),
  spanId: z.string().min(1),
  parentSpanId: optionalString,
  name: optionalString,
  startTimeUnixNano: optionalInt64,
  endTimeUnixNano: optionalInt64,
  attributes: z.array(z.unknown()).nullish().catch(null),
  events: z.array(z.unknown()).nullish().catch(null),
  status: z
    .looseObject({
      // An integer enum in OTLP/JSON (2 = ERROR); some encoders write the enum name (`STATUS_CODE_ERROR`).
      code: z.union([z.number(), z.string()]).nullish().catch(null),
      message: optionalString,
    })
    .nullish()
    .catch(null),
});

/** A parsed span. */
export type OtelSpan = z.infer<typeof otelSpanSchema>;

/** One `ResourceSpans`: the spans of one resource, grouped by instrumentation scope. */
export const otelResourceSpansSchema = z.looseObject({
  resource: z
    .looseObject({ attributes: z.array(z.unknown()).nullish().catch(null) })
    .nullish()
    .catch(null),
  scopeSpans: z
    .array(z.looseObject({ spans: z.array(z.unknown()).nullish().catch(null) }))
    .nullish()
    .catch(null),
});

/**
 * An OTLP `AnyValue` as a plain JSON value: `stringValue`, `boolValue`, `intValue` (a number when it is a safe
 * integer, else its decimal string), `doubleValue`, `arrayValue` (an array), `kvlistValue` (an object),
 * `bytesValue` (its base64 string). An empty or unknown `AnyValue` is null.
 */
export function anyValueToJson(value: unknown): unknown {
  if (!isJsonObject(value)) return null;
  if (typeof value['stringValue'] === 'string') return value['stringValue'];
  if (typeof value['boolValue'] === 'boolean') return value['boolValue'];
  if ('intValue' in value) return int64(value['intValue']);
  if ('doubleValue' in value) {
    const double = value['doubleValue'];
    // proto3 JSON writes NaN and the infinities as strings.
    return typeof double === 'number' ? double : typeof double === 'string' ? Number(double) : null;
  }
  const array = value['arrayValue'];
  if (isJsonObject(array)) {
    const values = array['values'];
    return Array.isArray(values) ? values.map((item) => anyValueToJson(item)) : [];
  }
  const list = value['kvlistValue'];
  if (isJsonObject(list)) return attributesToRecord(list['values']);
  if (typeof value['bytesValue'] === 'string') return value['bytesValue'];
  return null;
}

function int64(value: unknown): number | string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return null;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

/** A `KeyValue[]` list as an object (a later duplicate key wins). Entries that are not `KeyValue`s are skipped. */
export function attributesToRecord(list: unknown): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  if (!Array.isArray(list)) return record;
  for (const entry of list as unknown[]) {
    const parsed = otelKeyValueSchema.safeParse(entry);
    if (parsed.success) record[parsed.data.key] = anyValueToJson(parsed.data.value);
  }
  return record;
}

/**
 * A value that is a JSON document either structurally (an array or object already) or as a JSON string (the GenAI
 * conventions allow both for `gen_ai.input.messages`, `gen_ai.tool.call.arguments`, …). Returns `undefined` for a
 * string that is not JSON.
 */
export function structuredValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const parsed = safeParseJson(value);
  return parsed.success ? parsed.value : undefined;
}

/** Nanoseconds since the epoch, from a decimal string or a number; null for absent, zero (unset) or invalid. */
export function parseUnixNanos(value: string | number | null | undefined): bigint | null {
  if (typeof value === 'string') {
    if (!/^\d+$/.test(value)) return null;
    const nanos = BigInt(value);
    return nanos === 0n ? null : nanos;
  }
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return BigInt(Math.trunc(value));
  return null;
}

/** ISO-8601 with millisecond precision (the order within a millisecond is kept by sequence, not by this). */
export function nanosToIso(nanos: bigint | null): string | null {
  if (nanos === null) return null;
  const millis = Number(nanos / 1_000_000n);
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
