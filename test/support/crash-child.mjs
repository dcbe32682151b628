// Child process of test/crash-kill.test.ts: dreams, approves and rolls back in a loop until it is killed.
/* global process */
// Runs the built library (dist/), as a user's process would. Prints "ready" once, then one letter per step.
import { createReverie, loadConfig } from '../../dist/index.js';

const [cwd, memoryPath] = process.argv.slice(2);
const reverie = createReverie(loadConfig({ cwd, env: {}, homeDir: cwd }));
process.stdout.write('ready\n');
for (let round = 0; ; round++) {
  try {
    await reverie.dream({ approval: round % 2 === 0 ? 'manual' : 'automatic' });
    process.stdout.write('d');
    const pending = await reverie.listProposals({ status: 'pending' });
    if (pending.length > 0) await reverie.approve(pending.map((proposal) => proposal.id));
    process.stdout.write('a');
    const [history] = await reverie.history(memoryPath);
    if (history !== undefined && history.versions.length > 1) await reverie.rollback(memoryPath, 1);
    process.stdout.write('r');
  } catch (error) {
    // A refusal (a conflict, a lock) is a clean outcome; anything else is printed for the test to see.
    process.stdout.write(`\nerror ${error?.code ?? ''} ${error?.message ?? error}\n`);
  }
}
