/**
 * Adding Reverie's `SessionEnd` hook to a Claude Code settings object, and removing it, without touching anything
 * else in it (other hooks, other events, other settings). Pure: the hooks command reads and writes the file.
 */

/** Every handler Reverie writes runs this script; it is how an installed hook is recognised. */
export const reverieHookMarker = 'reverie-hook.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isReverieHandler(handler: unknown): boolean {
  return (
    isObject(handler) &&
    typeof handler['command'] === 'string' &&
    handler['command'].includes(reverieHookMarker)
  );
}

/** Thrown when the settings have a shape Reverie will not guess its way around. */
export class SettingsShapeError extends Error {}

/**
 * Returns the settings with a `SessionEnd` command hook running `command`: an existing Reverie handler is updated
 * in place, otherwise a matcher group is appended. `changed` is false when it was already there as is.
 */
export function withReverieHook(
  settings: Json,
  event: string,
  command: string,
): { settings: Json; changed: boolean } {
  const hooks = settings['hooks'] ?? {};
  if (!isObject(hooks)) throw new SettingsShapeError('"hooks" is not an object');
  const groups = hooks[event] ?? [];
  if (!Array.isArray(groups)) throw new SettingsShapeError(`"hooks.${event}" is not a list`);
  let found = false;
  let changed = false;
  const nextGroups: unknown[] = [];
  for (const group of groups as unknown[]) {
    if (!isObject(group) || !Array.isArray(group['hooks'])) {
      nextGroups.push(group);
      continue;
    }
    const handlers: unknown[] = [];
    for (const handler of group['hooks'] as unknown[]) {
      if (!isReverieHandler(handler) || !isObject(handler)) {
        handlers.push(handler);
        continue;
      }
      found = true;
      if (handler['command'] === command && handler['type'] === 'command') handlers.push(handler);
      else {
        changed = true;
        handlers.push({ ...handler, type: 'command', command });
      }
    }
    nextGroups.push({ ...group, hooks: handlers });
  }
  if (!found) {
    nextGroups.push({ hooks: [{ type: 'command', command }] });
    changed = true;
  }
  return { settings: { ...settings, hooks: { ...hooks, [event]: nextGroups } }, changed };
}

/** Returns the settings without Reverie's handlers (and without groups or events they leave empty). */
export function withoutReverieHooks(settings: Json): { settings: Json; changed: boolean } {
  const hooks = settings['hooks'];
  if (!isObject(hooks)) return { settings, changed: false };
  let changed = false;
  const nextHooks: Json = {};
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) {
      nextHooks[event] = groups;
      continue;
    }
    const nextGroups: unknown[] = [];
    for (const group of groups as unknown[]) {
      if (!isObject(group) || !Array.isArray(group['hooks'])) {
        nextGroups.push(group);
        continue;
      }
      const handlers = (group['hooks'] as unknown[]).filter((handler) => !isReverieHandler(handler));
      if (handlers.length !== (group['hooks'] as unknown[]).length) changed = true;
      if (handlers.length > 0) nextGroups.push({ ...group, hooks: handlers });
    }
    if (nextGroups.length > 0) nextHooks[event] = nextGroups;
  }
  if (!changed) return { settings, changed };
  const next: Json = { ...settings, hooks: nextHooks };
  if (Object.keys(nextHooks).length === 0) delete next['hooks'];
  return { settings: next, changed };
}

/** Whether the settings run Reverie's hook on `event`. */
export function hasReverieHook(settings: Json, event: string): boolean {
  const hooks = settings['hooks'];
  if (!isObject(hooks) || !Array.isArray(hooks[event])) return false;
  return (hooks[event] as unknown[]).some(
    (group) =>
      isObject(group) &&
      Array.isArray(group['hooks']) &&
      (group['hooks'] as unknown[]).some(isReverieHandler),
  );
}

/** Quotes a word for `sh`. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
