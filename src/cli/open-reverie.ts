import { loadConfig } from '../config/load-config.js';
import { createReverie } from '../create-reverie.js';
import type { Reverie } from '../create-reverie.js';
import type { CliIo, GlobalOptions } from './cli-io.js';

/** Loads the configuration for a command and runs `action` with a Reverie, closing it afterwards. */
export async function withReverie<T>(
  io: CliIo,
  globals: GlobalOptions,
  action: (reverie: Reverie) => Promise<T>,
): Promise<T> {
  const config = loadConfig({
    cwd: io.cwd,
    configPath: globals.config,
    dataDir: globals.dataDir,
    env: io.env,
  });
  const reverie = createReverie(config);
  try {
    return await action(reverie);
  } finally {
    await reverie.close();
  }
}
