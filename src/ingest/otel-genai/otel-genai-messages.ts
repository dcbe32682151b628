import { isJsonObject, safeParseJson } from '../../util/json.js';
import { structuredValue } from './otel-genai-schema.js';

/**
 * Chat messages as the GenAI conventions write them, in one shape for both generations:
 * - attributes `gen_ai.input.messages` / `gen_ai.output.messages` (semconv 1.37+): `{ role, parts: [...] }` with
 *   parts `text{content}`, `tool_call{id,name,arguments}`, `tool_call_response{id,response}`, `reasoning{content}`,
 *   `blob`/`file`/`uri`/… ;
 * - the deprecated per-message span events (semconv ≤ 1.36, still emitted by older instrumentations):
 *   `gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message` (`content`, `tool_calls`),
 *   `gen_ai.tool.message` (`id`, `content`), `gen_ai.choice` (`message`, `finish_reason`).
 */
export type GenAiPart =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool_call'; id: string | null; name: string | null; arguments: unknown }
  | { type: 'tool_call_response'; id: string | null; response: unknown }
  | { type: 'other'; partType: string };

/** One message: its role and parts. */
export interface GenAiMessage {
  role: string;
  parts: GenAiPart[];
}

/**
 * Reads a messages attribute (a JSON string or a structured array). Returns null when the value is present but not
 * a list of messages (the caller warns), and `[]` when it is absent.
 */
export function readMessagesAttribute(value: unknown): GenAiMessage[] | null {
  if (value === undefined || value === null) return [];
  const structured = structuredValue(value);
  if (!Array.isArray(structured)) return null;
  const messages: GenAiMessage[] = [];
  for (const entry of structured as unknown[]) {
    if (!isJsonObject(entry)) continue;
    messages.push(readMessage(entry, null));
  }
  return messages;
}

/** A message object: `{ role, parts }` (current) or `{ role, content, tool_calls }` (OpenAI-style, older events). */
export function readMessage(entry: Record<string, unknown>, fallbackRole: string | null): GenAiMessage {
  const role = typeof entry['role'] === 'string' ? entry['role'] : (fallbackRole ?? 'unknown');
  const parts: GenAiPart[] = [];
  const rawParts = entry['parts'];
  if (Array.isArray(rawParts)) {
    for (const raw of rawParts as unknown[]) {
      const part = readPart(raw);
      if (part !== null) parts.push(part);
    }
    return { role, parts };
  }
  parts.push(...contentParts(entry['content']));
  const toolCalls = structuredValue(entry['tool_calls']);
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls as unknown[]) {
      if (!isJsonObject(call)) continue;
      const fn = isJsonObject(call['function']) ? call['function'] : call;
      parts.push({
        type: 'tool_call',
        id: stringOrNull(call['id']),
        name: stringOrNull(fn['name']),
        arguments: fn['arguments'] ?? null,
      });
    }
  }
  // A tool message (`gen_ai.tool.message`) answers the call named by its `id`.
  const texts = parts.flatMap((part) => (part.type === 'text' ? [part.text] : []));
  if (role === 'tool' && texts.length === parts.length) {
    const response = texts.join('\n');
    return { role, parts: [{ type: 'tool_call_response', id: stringOrNull(entry['id']), response }] };
  }
  return { role, parts };
}

function readPart(raw: unknown): GenAiPart | null {
  if (!isJsonObject(raw)) return null;
  const type = typeof raw['type'] === 'string' ? raw['type'] : 'unknown';
  switch (type) {
    case 'text':
      return { type: 'text', text: textOf(raw['content'] ?? raw['text']) };
    case 'reasoning':
      return { type: 'reasoning', text: textOf(raw['content'] ?? raw['text']) };
    case 'tool_call':
      return {
        type: 'tool_call',
        id: stringOrNull(raw['id']),
        name: stringOrNull(raw['name']),
        arguments: raw['arguments'] ?? null,
      };
    case 'tool_call_response':
      return { type: 'tool_call_response', id: stringOrNull(raw['id']), response: raw['response'] ?? null };
    default:
      // blob, file, uri, server_tool_call, … : kept as `other` (part types are content, not record types).
      return { type: 'other', partType: type };
  }
}

/** `content` of an OpenAI-style message: a string, a list of `{type:"text", text}` parts, or anything else. */
function contentParts(content: unknown): GenAiPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (Array.isArray(content)) {
    const parts: GenAiPart[] = [];
    for (const item of content as unknown[]) {
      if (typeof item === 'string') parts.push({ type: 'text', text: item });
      else if (isJsonObject(item) && typeof item['text'] === 'string')
        parts.push({ type: 'text', text: item['text'] });
      else if (isJsonObject(item)) {
        parts.push({ type: 'other', partType: typeof item['type'] === 'string' ? item['type'] : 'unknown' });
      }
    }
    return parts;
  }
  return [{ type: 'text', text: JSON.stringify(content) }];
}

/** A value as text: strings verbatim, anything else as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The deprecated per-message span event names (semconv ≤ 1.36) and the role each implies. */
export const legacyMessageEventRoles: ReadonlyMap<string, string> = new Map([
  ['gen_ai.system.message', 'system'],
  ['gen_ai.user.message', 'user'],
  ['gen_ai.assistant.message', 'assistant'],
  ['gen_ai.tool.message', 'tool'],
]);

/** The deprecated completion event: `{ index, finish_reason, message: { role, content, tool_calls } }`. */
export const LEGACY_CHOICE_EVENT = 'gen_ai.choice';

/**
 * The body of a deprecated message event, from its attributes: instrumentations put it either in one JSON string
 * attribute `gen_ai.event.content` (Azure AI Inference, 2024-2025) or as plain attributes (`content`, `role`,
 * `tool_calls`, `id`, `message`).
 */
export function legacyEventBody(attributes: Record<string, unknown>): Record<string, unknown> {
  const content = attributes['gen_ai.event.content'];
  if (typeof content === 'string') {
    const parsed = safeParseJson(content);
    if (parsed.success && isJsonObject(parsed.value)) return { ...attributes, ...parsed.value };
  }
  return attributes;
}

/** The assistant message of a `gen_ai.choice` body (its `message`, an object or a JSON string, else the body). */
export function legacyChoiceMessage(body: Record<string, unknown>): GenAiMessage {
  const message = structuredValue(body['message']);
  return readMessage(isJsonObject(message) ? message : body, 'assistant');
}
