import { isJsonObject, safeParseJson } from '../../util/json.js';

/** One readable item of a generation's input or output. */
export type LangfuseMessage =
  | { kind: 'message'; role: string; text: string; subtype: string | null }
  /** The model asking for a tool (`name(arguments)`); the call itself is a tool observation. */
  | { kind: 'tool-request'; text: string };

// Nesting limit for wrapped messages (`{messages: [{content: [...]}]}`): real inputs are shallow.
const MAX_DEPTH = 6;

/**
 * The messages of a generation's `input` or `output`, whatever the SDK that traced it wrote: ChatML lists
 * (`[{role, content}]`, OpenAI `tool_calls`), Anthropic content blocks (`text`, `tool_use`, `thinking`), OpenAI
 * choices (`{message}` / `{choices}`), Responses API items (`{output: [...]}`, `function_call`), OpenTelemetry GenAI
 * parts (`{role, parts: [{type, content}]}`), `{messages: [...]}` wrappers, or plain text. Langfuse's web app
 * stores these as JSON text, which is parsed first. Tool results in the history (`role: "tool"`, `tool_result`
 * blocks) are left out: a tool run is its own observation.
 *
 * @param defaultRole the role of items that name none (`user` for inputs, `assistant` for outputs)
 */
export function extractLangfuseMessages(value: unknown, defaultRole: string): LangfuseMessage[] {
  return messagesOf(parseJsonText(value), defaultRole, 0);
}

/**
 * A string that holds JSON as its value; anything else as it is. Langfuse's web app stores every input, output and
 * metadata value as JSON text (`"{\"role\":...}"`, a string as `"\"text\""`, a trace's input sometimes twice over),
 * where the public API gives the values themselves.
 */
export function parseJsonText(value: unknown, depth = 0): unknown {
  if (typeof value !== 'string' || depth > 1) return value;
  const text = value.trimStart();
  if (!text.startsWith('{') && !text.startsWith('[') && !text.startsWith('"')) return value;
  const parsed = safeParseJson(value);
  if (!parsed.success) return value;
  return typeof parsed.value === 'string' ? parseJsonText(parsed.value, depth + 1) : parsed.value;
}

function messagesOf(value: unknown, defaultRole: string, depth: number): LangfuseMessage[] {
  if (depth > MAX_DEPTH || value === null || value === undefined) return [];
  if (typeof value === 'string') return message(defaultRole, value, null);
  if (typeof value === 'number' || typeof value === 'boolean')
    return message(defaultRole, String(value), null);
  if (Array.isArray(value)) return value.flatMap((item: unknown) => messagesOf(item, defaultRole, depth + 1));
  if (!isJsonObject(value)) return [];
  if (Array.isArray(value['messages'])) return messagesOf(value['messages'], defaultRole, depth + 1);
  if (Array.isArray(value['choices'])) return messagesOf(value['choices'], defaultRole, depth + 1);
  if (isJsonObject(value['message'])) return messagesOf(value['message'], defaultRole, depth + 1);
  // A Responses API response: its `output` items.
  if (Array.isArray(value['output']) && value['role'] === undefined) {
    return messagesOf(value['output'], defaultRole, depth + 1);
  }
  const type = typeof value['type'] === 'string' ? value['type'] : null;
  if (type === 'function_call' || type === 'tool_use' || type === 'tool_call') return [toolRequest(value)];
  if (type === 'function_call_output' || type === 'tool_result') return [];
  const role = typeof value['role'] === 'string' ? normalizeRole(value['role']) : null;
  if (role === 'tool') return [];
  if (type === 'reasoning' && role === null) {
    const summary = value['summary'];
    const text = Array.isArray(summary)
      ? summary.map((part: unknown) => (isJsonObject(part) ? stringField(part, ['text']) : '')).join('\n')
      : '';
    return text.length === 0 ? [] : [{ kind: 'message', role: 'assistant', text, subtype: 'thinking' }];
  }
  if (
    type !== null &&
    type !== 'message' &&
    role === null &&
    value['content'] === undefined &&
    value['parts'] === undefined
  ) {
    // A typed item that is no message (`web_search_call`, a bare `output_text` part): its text, if it has one.
    return message(defaultRole, stringField(value, ['text']), null);
  }
  const content = value['content'] ?? value['parts'] ?? (type === 'message' ? null : value['text']);
  if (content === undefined || (content === null && !Array.isArray(value['tool_calls']))) {
    // An object that is no message (`{"prompt": ...}`, a tool's arguments): kept as its JSON.
    return message(role ?? defaultRole, JSON.stringify(value), null);
  }
  const items = contentItems(content, role ?? defaultRole);
  const toolCalls = value['tool_calls'];
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls as unknown[]) if (isJsonObject(call)) items.push(toolRequest(call));
  }
  return items;
}

/** The items of message content: text (joined), thinking, and tool requests, in order. */
function contentItems(content: unknown, role: string): LangfuseMessage[] {
  if (typeof content === 'string') return message(role, content, null);
  if (!Array.isArray(content)) return content === null ? [] : message(role, JSON.stringify(content), null);
  const items: LangfuseMessage[] = [];
  let texts: string[] = [];
  const flushText = () => {
    if (texts.length > 0) items.push(...message(role, texts.join('\n'), null));
    texts = [];
  };
  for (const part of content as unknown[]) {
    if (typeof part === 'string') {
      texts.push(part);
      continue;
    }
    if (!isJsonObject(part)) continue;
    const type = typeof part['type'] === 'string' ? part['type'] : null;
    if (type === 'tool_use' || type === 'function_call' || type === 'tool_call') {
      flushText();
      items.push(toolRequest(part));
    } else if (type === 'tool_result' || type === 'tool_call_response' || type === 'function_call_output') {
      continue;
    } else if (type === 'thinking' || type === 'reasoning') {
      flushText();
      const text = stringField(part, ['thinking', 'text', 'content']);
      if (text.length > 0) items.push({ kind: 'message', role, text, subtype: 'thinking' });
    } else {
      const text = stringField(part, ['text', 'content', 'refusal']);
      texts.push(text.length > 0 ? text : `[${type ?? 'part'}]`);
    }
  }
  flushText();
  return items;
}

function toolRequest(call: Record<string, unknown>): LangfuseMessage {
  const fn = isJsonObject(call['function']) ? call['function'] : call;
  const name = typeof fn['name'] === 'string' ? fn['name'] : '';
  const input = fn['arguments'] ?? fn['input'] ?? fn['args'] ?? '';
  return {
    kind: 'tool-request',
    text: `${name}(${typeof input === 'string' ? input : JSON.stringify(input)})`,
  };
}

function message(role: string, text: string, subtype: string | null): LangfuseMessage[] {
  return text.length === 0 ? [] : [{ kind: 'message', role, text, subtype }];
}

function stringField(record: Record<string, unknown>, keys: readonly string[]): string {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string') return value;
  }
  return '';
}

/** Roles by their ChatML name (`human` and `ai` are LangChain's, `model` Gemini's). */
function normalizeRole(role: string): string {
  switch (role) {
    case 'human':
      return 'user';
    case 'ai':
    case 'model':
      return 'assistant';
    case 'function':
      return 'tool';
    default:
      return role;
  }
}
