/**
 * The only place that calls `JSON.parse` (lint-enforced): foreign input goes through `safeParseJson` so a bad
 * line is a value, never a thrown exception that aborts a file.
 */

export type SafeParseJsonResult = { success: true; value: unknown } | { success: false; error: Error };

/** Parses JSON text, returning the failure as a value. */
export function safeParseJson(text: string): SafeParseJsonResult {
  try {
    return { success: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { success: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** Parses JSON text that Reverie wrote itself; throws on corruption. */
export function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON syntax error's message without the excerpt of the input V8 puts in it (`Unexpected token 'o', "oops sk_li"...
 * is not valid JSON`): log lines may hold secrets, and warnings are stored. The line number says where it was.
 */
export function describeJsonError(error: Error): string {
  return error.message.replace(/, ".*" is not valid JSON$/s, ' (not valid JSON)');
}
