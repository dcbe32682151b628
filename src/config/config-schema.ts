/**
 * The one schema of `reverie.yaml`. Strict: an unknown key is an error naming the key (a typo must not be silently
 * ignored, the Letta `sleeptime_agent_frequency` trap). Cross-field rules live here too, so every problem is
 * reported in one list.
 */
import { z } from 'zod';

export const defaultBudget = { max_lines: 200, max_bytes: 25_600 } as const;

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const budgetFields = {
  max_lines: z.number().int().min(10).max(100_000).optional(),
  max_bytes: z.number().int().min(1_000).max(10_000_000).optional(),
};

/** A memory file: a path, or a path with a budget. */
export const memorySchema = z.union([nonEmpty, z.strictObject({ path: nonEmpty, ...budgetFields })], {
  error: (issue) =>
    issue.input === undefined
      ? 'required: the memory file this agent reads, e.g. ./CLAUDE.md'
      : 'must be a path, or { path, max_lines, max_bytes }',
});

export const sourceSchema = z.strictObject({
  type: z.enum(['claude-code', 'reverie-jsonl', 'auto'], {
    error: 'must be one of claude-code, reverie-jsonl, auto',
  }),
  path: nonEmpty,
});

export const agentSchema = z.strictObject({
  sources: z.array(sourceSchema).default([]),
  memory: memorySchema,
});

const durationPattern = /^(\d+)\s*(h|d|w)$/;

export const dreamingSchema = z.strictObject({
  schedule: nonEmpty.default('0 3 * * *'),
  timezone: nonEmpty.optional(),
  scope: z.union([z.literal('all-agents'), z.array(nonEmpty).min(1)]).default('all-agents'),
  approval: z.enum(['manual', 'automatic'], { error: 'must be manual or automatic' }).default('manual'),
  retention: z
    .string()
    .regex(durationPattern, 'must be a number and a unit: h (hours), d (days) or w (weeks), e.g. 90d')
    .default('90d'),
  min_sessions: z.number().int().min(1).max(1000).default(2),
});

const agentNamePattern = /^[A-Za-z0-9][\w.-]{0,63}$/;

export const configFileSchema = z
  .strictObject({
    agents: z.record(z.string(), agentSchema).default({}),
    shared_memory: memorySchema.optional(),
    dreaming: dreamingSchema.default(dreamingSchema.parse({})),
    data_dir: nonEmpty.optional(),
  })
  .superRefine((config, context) => {
    for (const name of Object.keys(config.agents)) {
      if (!agentNamePattern.test(name)) {
        context.addIssue({
          code: 'custom',
          path: ['agents', name],
          message:
            'agent names use letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit',
        });
      }
    }
    if (Array.isArray(config.dreaming.scope)) {
      config.dreaming.scope.forEach((name, index) => {
        if (!(name in config.agents)) {
          context.addIssue({
            code: 'custom',
            path: ['dreaming', 'scope', index],
            message: `names agent "${name}", which is not under agents (known: ${Object.keys(config.agents).join(', ') || 'none'})`,
          });
        }
      });
    }
  });

export type ConfigFile = z.infer<typeof configFileSchema>;

/** Parses a duration like `90d` into milliseconds. */
export function durationToMilliseconds(duration: string): number {
  const match = durationPattern.exec(duration);
  if (match === null) throw new Error(`invalid duration ${duration}`);
  const unit = { h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}
