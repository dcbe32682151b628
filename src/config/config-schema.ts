/**
 * The one schema of `reverie.yaml`. Strict: an unknown key is an error naming the key (a typo must not be silently
 * ignored, the Letta `sleeptime_agent_frequency` trap). Cross-field rules live here too, so every problem is
 * reported in one list.
 */
import { z } from 'zod';
import { sessionFormats } from '../domain/session.js';
import { minerNames } from '../domain/dream-run.js';

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
  type: z.enum(['auto', ...sessionFormats], {
    error: `must be auto or one of ${sessionFormats.join(', ')}`,
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
  miners: z
    .array(z.enum(minerNames, { error: `must be one of ${minerNames.join(', ')}` }))
    .min(1, `needs at least one miner: ${minerNames.join(', ')}`)
    .default([...minerNames]),
});

const criterionSchema = z.union(
  [
    z.strictObject({ final_message_matches: nonEmpty }),
    z.strictObject({ tool_used: nonEmpty }),
    z.strictObject({ tool_not_used: nonEmpty }),
    z.strictObject({ max_tool_errors: z.number().int().min(0) }),
    z.strictObject({ command: nonEmpty, timeout: z.number().int().min(1).max(3600).optional() }),
  ],
  {
    error:
      'must be one of { final_message_matches: <regex> }, { tool_used: <tool> }, { tool_not_used: <tool> }, { max_tool_errors: <n> }, { command: <shell command>, timeout: <seconds> }',
  },
);

export const rubricSchema = z.strictObject({
  name: nonEmpty,
  agents: z.array(nonEmpty).min(1).optional(),
  pass: z.union([z.literal('all'), z.literal('any'), z.number().int().min(1)]).default('all'),
  criteria: z.array(criterionSchema).min(1, 'needs at least one criterion'),
});

export const gradingSchema = z.strictObject({
  rubrics: z.array(rubricSchema).default([]),
});

export const approvalPolicySchema = z.strictObject({
  hold_urls: z.boolean().default(true),
  hold_shell_commands: z.boolean().default(true),
  max_changed_lines: z.number().int().min(1).max(100_000).default(20),
  hold_stale_removals: z.boolean().default(true),
});

const domainPattern = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

export const screeningSchema = z.strictObject({
  allowed_domains: z
    .array(
      z.string().trim().regex(domainPattern, 'must be a domain name such as github.com or *.example.com'),
    )
    .default([]),
  allowed_commands: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[\w.+-]+$/, 'must be the name of an executable, e.g. terraform'),
    )
    .default([]),
});

const agentNamePattern = /^[A-Za-z0-9][\w.-]{0,63}$/;

export const configFileSchema = z
  .strictObject({
    agents: z.record(z.string(), agentSchema).default({}),
    shared_memory: memorySchema.optional(),
    dreaming: dreamingSchema.default(dreamingSchema.parse({})),
    data_dir: nonEmpty.optional(),
    grading: gradingSchema.default({ rubrics: [] }),
    approval_policy: approvalPolicySchema.default(approvalPolicySchema.parse({})),
    screening: screeningSchema.default(screeningSchema.parse({})),
    memory_roots: z.array(nonEmpty).default([]),
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
    const rubricNames = new Set<string>();
    config.grading.rubrics.forEach((rubric, index) => {
      if (rubricNames.has(rubric.name)) {
        context.addIssue({
          code: 'custom',
          path: ['grading', 'rubrics', index, 'name'],
          message: `"${rubric.name}" is used by two rubrics; names must be unique`,
        });
      }
      rubricNames.add(rubric.name);
      (rubric.agents ?? []).forEach((name, agentIndex) => {
        if (!(name in config.agents)) {
          context.addIssue({
            code: 'custom',
            path: ['grading', 'rubrics', index, 'agents', agentIndex],
            message: `names agent "${name}", which is not under agents`,
          });
        }
      });
      if (typeof rubric.pass === 'number' && rubric.pass > rubric.criteria.length) {
        context.addIssue({
          code: 'custom',
          path: ['grading', 'rubrics', index, 'pass'],
          message: `asks for ${rubric.pass} passing criteria but the rubric has ${rubric.criteria.length}`,
        });
      }
      rubric.criteria.forEach((criterion, criterionIndex) => {
        if ('final_message_matches' in criterion) {
          try {
            new RegExp(criterion.final_message_matches, 'u');
          } catch (error) {
            context.addIssue({
              code: 'custom',
              path: ['grading', 'rubrics', index, 'criteria', criterionIndex, 'final_message_matches'],
              message: `is not a valid regular expression (${(error as Error).message})`,
            });
          }
        }
      });
    });
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
