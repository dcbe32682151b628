/**
 * Whether a step only looks something up (or checks it) or changes something, judged from the tool's name or the
 * shell command's head. Outcome contrasts use it to skip features nobody can act on (the order of two look-ups), and
 * their lessons to write only "look up before acting" rules. Unknown names are `unknown`, never guessed.
 */

/** `look-up`: reads, searches, computes or checks; `action`: changes something; `unknown`: neither is known. */
export type ToolRole = 'look-up' | 'action' | 'unknown';

// First words of tool names that read or compute without changing anything (`get_user_details`, `search_flights`,
// `calculate`, Claude Code `Read`/`Grep`/`Glob`/`WebFetch`).
const lookUpVerbs = new Set([
  'get',
  'list',
  'search',
  'find',
  'read',
  'fetch',
  'query',
  'lookup',
  'look',
  'check',
  'view',
  'show',
  'describe',
  'inspect',
  'calculate',
  'compute',
  'count',
  'grep',
  'glob',
  'ls',
  'retrieve',
  'web',
  'verify',
  'validate',
  'preview',
  'estimate',
]);

// First words of tool names that change something (`book_reservation`, `cancel_reservation`, `transfer_to_human_agents`,
// Claude Code `Edit`/`Write`/`MultiEdit`).
const actionVerbs = new Set([
  'book',
  'update',
  'cancel',
  'create',
  'delete',
  'remove',
  'send',
  'write',
  'edit',
  'multi',
  'notebook',
  'transfer',
  'set',
  'add',
  'apply',
  'submit',
  'commit',
  'push',
  'post',
  'put',
  'patch',
  'insert',
  'modify',
  'change',
  'exchange',
  'return',
  'pay',
  'refund',
  'rename',
  'move',
  'deploy',
  'publish',
  'install',
  'merge',
  'reset',
  'replace',
  'save',
  'upload',
]);

// Shell command heads that only read or check (a test or lint run changes nothing worth guarding).
const lookUpCommand =
  /^(ls|cat|grep|rg|find|head|tail|wc|pwd|tree|git (status|diff|log|show|branch)|(npm|pnpm|yarn|bun) (test|run (test|lint|check|typecheck))|npx (vitest|jest|tsc|eslint)|pytest|uv run pytest|python3? -m pytest|cargo (test|check|clippy)|go (test|vet)|make (test|check|lint)|tsc|eslint|ruff|mypy)$/;
const actionCommand =
  /^(git (commit|push|merge|rebase|reset|checkout|tag)|rm|mv|cp|(npm|pnpm|yarn|bun) (publish|install|add)|pip3? install|uv (add|pip)|docker (push|run)|kubectl (apply|delete)|terraform apply)$/;

/**
 * The role of a step: a tool name (`get_user_details`, `Edit`) or a shell step `Bash: <command head>`.
 * @example
 * classifyToolRole('get_user_details'); // 'look-up'
 * classifyToolRole('Bash: git commit'); // 'action'
 */
export function classifyToolRole(step: string): ToolRole {
  const separator = step.indexOf(': ');
  if (separator !== -1) {
    const command = step.slice(separator + 2);
    if (lookUpCommand.test(command)) return 'look-up';
    return actionCommand.test(command) ? 'action' : 'unknown';
  }
  const first = step
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)[0]
    ?.toLowerCase();
  if (first === undefined) return 'unknown';
  if (lookUpVerbs.has(first)) return 'look-up';
  return actionVerbs.has(first) ? 'action' : 'unknown';
}
