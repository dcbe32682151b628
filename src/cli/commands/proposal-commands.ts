import { Option } from 'commander';
import type { Command } from 'commander';
import { proposalStatuses } from '../../domain/proposal.js';
import type { ProposalStatus } from '../../domain/proposal.js';
import { CommandFailedError, printJson, printLine } from '../cli-io.js';
import type { CliIo, GlobalOptions } from '../cli-io.js';
import { withReverie } from '../open-reverie.js';
import { renderProposal, renderProposalList } from '../render-proposal.js';
import { displayPath } from '../render-table.js';

/** `reverie proposals`, `reverie show`, `reverie approve`, `reverie reject` */
export function registerProposalCommands(program: Command, io: CliIo): void {
  program
    .command('proposals')
    .description('List proposals (pending ones by default)')
    .addOption(
      new Option('--status <status>', 'only this status')
        .choices([...proposalStatuses, 'all'])
        .default('pending'),
    )
    .action(async (options: { status: ProposalStatus | 'all' }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const proposals = await withReverie(io, globals, (reverie) =>
        reverie.listProposals(options.status === 'all' ? {} : { status: options.status }),
      );
      if (globals.json === true) printJson(io, proposals);
      else printLine(io, renderProposalList(proposals, io.cwd));
    });

  program
    .command('show')
    .description(
      'Show one proposal: why, where, its evidence (verbatim quotes) and the diff approving would make',
    )
    .argument('<proposal-id>', 'id or unique prefix')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const proposal = await withReverie(io, globals, (reverie) => reverie.getProposal(id));
      if (globals.json === true) printJson(io, proposal);
      else printLine(io, renderProposal(proposal, io.cwd));
    });

  program
    .command('approve')
    .description('Approve proposals and apply each as a new version of its memory file')
    .argument('<proposal-id...>', 'ids or unique prefixes, applied in this order')
    .action(async (ids: string[], _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const outcomes = await withReverie(io, globals, (reverie) => reverie.approve(ids));
      if (globals.json === true) printJson(io, outcomes);
      else {
        for (const outcome of outcomes) {
          if (outcome.ok) {
            const rebased =
              outcome.rebasedOnto === null
                ? ''
                : ` (re-applied onto v${outcome.rebasedOnto}, which a sibling proposal created)`;
            printLine(
              io,
              `Applied ${outcome.proposalId}: ${displayPath(outcome.memoryPath, io.cwd)} is now v${outcome.version}${rebased}.`,
            );
          } else {
            io.stderr(`reverie: not applied ${outcome.id}: ${outcome.message}\n`);
          }
        }
      }
      const failed = outcomes.filter((outcome) => !outcome.ok).length;
      if (failed > 0)
        throw new CommandFailedError(`${failed} of ${outcomes.length} proposals were not applied`);
    });

  program
    .command('reject')
    .description('Reject a proposal (the same change is not proposed again unless the lesson changes)')
    .argument('<proposal-id>', 'id or unique prefix')
    .option('--reason <text>', 'why (kept with the proposal, shown in later reports)')
    .action(async (id: string, options: { reason?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const proposal = await withReverie(io, globals, (reverie) =>
        reverie.reject(id, options.reason ?? null),
      );
      if (globals.json === true) printJson(io, proposal);
      else printLine(io, `Rejected ${proposal.id}.`);
    });
}
