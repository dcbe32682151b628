import type { IngestWarning } from '../domain/ingest-warning.js';
import { describeJsonError, isJsonObject, safeParseJson } from '../util/json.js';

/** What a format parser gets for one line (see `read-lines.ts`). */
export interface JsonLineInput {
  text: string;
  /** 1-based line number. */
  line: number;
  path: string;
  /** The bytes were not valid UTF-8 or contained NUL bytes. */
  binary: boolean;
  /** False for a final line without `\n`. */
  terminated: boolean;
}

/** The outcome of {@link parseJsonLine}. */
export type JsonLineResult =
  | { kind: 'blank' }
  | { kind: 'record'; record: Record<string, unknown>; type: string }
  | {
      kind: 'rejected';
      warning: IngestWarning;
      /**
       * The line is an unterminated final line that did not parse: the writer is most likely still writing it, so
       * the reader must not move its cursor past it (the completed line is read next time).
       */
      incomplete: boolean;
    };

/** The outcome of {@link parseJsonObjectLine}. */
export type JsonObjectLineResult =
  | { kind: 'blank' }
  | { kind: 'object'; value: Record<string, unknown> }
  | Extract<JsonLineResult, { kind: 'rejected' }>;

/**
 * One line of a JSON-lines file that must hold a JSON object: blank lines, binary garbage, JSON syntax and "not an
 * object". For formats whose records name their kind elsewhere than in `type` (Agents SDK `object`, OTLP requests,
 * Langfuse traces). Never throws.
 */
export function parseJsonObjectLine(input: JsonLineInput): JsonObjectLineResult {
  const { text, line, path } = input;
  if (isBlank(text)) return { kind: 'blank' };
  if (input.binary) {
    // An unterminated final line may end inside a multi-byte character the writer has not finished yet.
    if (!input.terminated)
      return { kind: 'rejected', warning: { type: 'truncated-line', path, line }, incomplete: true };
    return { kind: 'rejected', warning: { type: 'binary-content', path, line }, incomplete: false };
  }
  const parsed = safeParseJson(text);
  if (!parsed.success) {
    if (!input.terminated)
      return { kind: 'rejected', warning: { type: 'truncated-line', path, line }, incomplete: true };
    if (looksTruncated(text, parsed.error.message)) {
      return { kind: 'rejected', warning: { type: 'truncated-line', path, line }, incomplete: false };
    }
    return {
      kind: 'rejected',
      warning: { type: 'invalid-json', path, line, message: describeJsonError(parsed.error) },
      incomplete: false,
    };
  }
  const value = parsed.value;
  if (!isJsonObject(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return {
      kind: 'rejected',
      warning: { type: 'invalid-record', path, line, message: `expected a JSON object, got ${got}` },
      incomplete: false,
    };
  }
  return { kind: 'object', value };
}

/**
 * The format-independent part of reading one JSONL line: blank lines, binary garbage, JSON syntax, and the
 * "object with a string `type`" envelope most formats share. Never throws.
 */
export function parseJsonLine(input: JsonLineInput): JsonLineResult {
  const parsed = parseJsonObjectLine(input);
  if (parsed.kind !== 'object') return parsed;
  const value = parsed.value;
  const type = value['type'];
  if (typeof type !== 'string') {
    return {
      kind: 'rejected',
      warning: {
        type: 'invalid-record',
        path: input.path,
        line: input.line,
        message: 'record has no string "type" field',
      },
      incomplete: false,
    };
  }
  return { kind: 'record', record: value, type };
}

/** True for an empty or whitespace-only line. Cheap for the common case (a line starting with `{`). */
export function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  // Only a line that starts with whitespace can be all whitespace.
  if (
    first !== 0x20 &&
    first !== 0x09 &&
    first !== 0x0d &&
    first !== 0x0b &&
    first !== 0x0c &&
    first !== 0xfeff
  ) {
    return false;
  }
  return text.trim().length === 0;
}

/**
 * A line cut short (disk full, crash mid-write, a copy that stopped early) fails at its very end: V8 reports
 * "Unexpected end of JSON input", or an error "at position N" with N at the end of the text
 * ("Unterminated string in JSON at position 9" for `{"a":"abc`).
 */
export function looksTruncated(text: string, message: string): boolean {
  if (text.charCodeAt(0) !== 0x7b /* { */) return false;
  if (message.includes('end of JSON input')) return true;
  const match = /at position (\d+)/.exec(message);
  return match?.[1] !== undefined && Number(match[1]) >= text.trimEnd().length;
}
