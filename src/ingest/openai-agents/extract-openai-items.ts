import { isJsonObject } from '../../util/json.js';

/** One readable item of a model input or output, in the order the model saw or wrote it. */
export type OpenAiItem =
  | { kind: 'message'; role: string; text: string; subtype: string | null }
  /** The model asking for a tool (`name(arguments)`); the call itself is the `function` span. */
  | { kind: 'tool-request'; text: string }
  /** An item type Reverie does not read (web search calls, images generated, ...). */
  | { kind: 'other'; type: string };

/**
 * The items of a model input or output as the Agents SDK records them: Chat Completions messages
 * (`{role, content, tool_calls}`, in `generation` spans) or Responses API items (`{type: "message" |
 * "function_call" | "reasoning" | ...}`, in `response` spans), or a plain string. Tool results inside the history
 * (`role: "tool"`, `function_call_output`) are left out: each tool run is its own `function` span.
 *
 * @param defaultRole the role of items that name none (`user` for inputs, `assistant` for outputs)
 */
export function extractOpenAiItems(value: unknown, defaultRole: string): OpenAiItem[] {
  if (typeof value === 'string') {
    return value.length === 0 ? [] : [{ kind: 'message', role: defaultRole, text: value, subtype: null }];
  }
  if (Array.isArray(value)) return value.flatMap((item: unknown) => itemsOf(item, defaultRole));
  return itemsOf(value, defaultRole);
}

function itemsOf(item: unknown, defaultRole: string): OpenAiItem[] {
  if (typeof item === 'string') {
    return item.length === 0 ? [] : [{ kind: 'message', role: defaultRole, text: item, subtype: null }];
  }
  if (!isJsonObject(item)) return [];
  const type = typeof item['type'] === 'string' ? item['type'] : null;
  const role = typeof item['role'] === 'string' ? item['role'] : null;
  if (type !== null && type !== 'message') {
    switch (type) {
      case 'function_call':
      case 'custom_tool_call': {
        const name = typeof item['name'] === 'string' ? item['name'] : '';
        const input = item['arguments'] ?? item['input'] ?? '';
        return [
          {
            kind: 'tool-request',
            text: `${name}(${typeof input === 'string' ? input : JSON.stringify(input)})`,
          },
        ];
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
      case 'computer_call_output':
        return [];
      case 'reasoning': {
        const text = partsText(item['summary']);
        return text.length === 0 ? [] : [{ kind: 'message', role: 'assistant', text, subtype: 'thinking' }];
      }
      case 'text':
      case 'input_text':
      case 'output_text': {
        const text = typeof item['text'] === 'string' ? item['text'] : '';
        return text.length === 0 ? [] : [{ kind: 'message', role: role ?? defaultRole, text, subtype: null }];
      }
      default:
        return [{ kind: 'other', type }];
    }
  }
  if (role === 'tool' || role === 'function') return [];
  const items: OpenAiItem[] = [];
  const text = partsText(item['content']);
  if (text.length > 0) items.push({ kind: 'message', role: role ?? defaultRole, text, subtype: null });
  const toolCalls = item['tool_calls'];
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls as unknown[]) {
      if (!isJsonObject(call)) continue;
      const fn = isJsonObject(call['function']) ? call['function'] : call;
      const name = typeof fn['name'] === 'string' ? fn['name'] : '';
      const input = fn['arguments'] ?? '';
      items.push({
        kind: 'tool-request',
        text: `${name}(${typeof input === 'string' ? input : JSON.stringify(input)})`,
      });
    }
  }
  return items;
}

/** The text of message content: a string, or the text parts of a list (`[image]`-style markers for the rest). */
export function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content as unknown[]) {
    if (typeof part === 'string') {
      parts.push(part);
      continue;
    }
    if (!isJsonObject(part)) continue;
    const type = typeof part['type'] === 'string' ? part['type'] : null;
    if (typeof part['text'] === 'string') parts.push(part['text']);
    else if (typeof part['refusal'] === 'string') parts.push(part['refusal']);
    else if (type !== null) parts.push(`[${type}]`);
  }
  return parts.join('\n');
}
