import type { Command } from 'commander';
import { ReverieError } from '../../domain/errors.js';
import { printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { withReverie } from '../open-reverie.js';
import { renderOutcome } from '../render-outcome.js';
import { renderTable, shortTime } from '../render-table.js';

/** `reverie outcome <session-id> [--pass|--fail] [--score N] [--note TEXT]` */
export function registerOutcomeCommand(program: Command, io: CliIo): void {
  program
    .command('outcome')
    .description(
      "Record how a session went (a person's verdict wins over graders and logs), or show its outcomes",
    )
    .argument('<session-id>', 'id or unique prefix (`reverie sessions` lists them)')
    .option('--pass', 'the session achieved its goal')
    .option('--fail', 'it did not')
    .option('--score <n>', 'a score (e.g. between 0 and 1)', (value) => Number.parseFloat(value))
    .option('--note <text>', 'why (kept with the outcome)')
    .option('--name <name>', 'what measured it', 'manual')
    .action(
      async (
        sessionId: string,
        options: { pass?: boolean; fail?: boolean; score?: number; note?: string; name: string },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        if (options.pass === true && options.fail === true) {
          throw new ReverieError({
            code: 'USAGE_INVALID',
            message: 'Use --pass or --fail, not both.',
            data: {},
          });
        }
        if (options.score !== undefined && !Number.isFinite(options.score)) {
          throw new ReverieError({
            code: 'USAGE_INVALID',
            message: '--score needs a number, e.g. --score 0.8.',
            data: {},
          });
        }
        const recording = options.pass === true || options.fail === true || options.score !== undefined;
        if (!recording) {
          const { session, outcomes } = await withReverie(io, globals, (reverie) =>
            reverie.listOutcomes(sessionId),
          );
          if (globals.json === true) {
            printJson(io, { session, outcomes });
            return;
          }
          printLine(io, `Session ${session.id}: ${renderOutcome(session.outcome)} (from its log)`);
          if (outcomes.length === 0) printLine(io, 'No outcome recorded by a person or a grader.');
          else {
            printLine(
              io,
              renderTable(
                ['RECORDED', 'SOURCE', 'BY', 'OUTCOME', 'NOTE'],
                outcomes.map((outcome) => [
                  shortTime(outcome.recordedAt),
                  outcome.source,
                  outcome.recordedBy ?? '-',
                  renderOutcome(outcome),
                  outcome.detail ?? '',
                ]),
              ),
            );
          }
          return;
        }
        const record = await withReverie(io, globals, (reverie) =>
          reverie.recordOutcome({
            sessionId,
            passed: options.pass === true ? true : options.fail === true ? false : null,
            score: options.score ?? null,
            note: options.note ?? null,
            name: options.name,
          }),
        );
        if (globals.json === true) printJson(io, record);
        else printLine(io, `Recorded for ${record.sessionId}: ${renderOutcome(record)}.`);
      },
    );
}
