/** What a CLI run reads and writes; `runMain` binds it to the process, tests bind it to strings. */
export interface CliIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress output is shown only then). */
  isTty: boolean;
}

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  json?: boolean;
}

/** Writes a value as pretty JSON (the `--json` output of every command). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes text plus a newline. */
export function printLine(io: CliIo, text: string): void {
  io.stdout(`${text}\n`);
}

/**
 * Thrown by a command that has already printed why it failed (e.g. some of several approvals failed), so that
 * `main.ts` sets the exit code without printing the message again.
 */
export class CommandFailedError extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'CommandFailedError';
    this.exitCode = exitCode;
  }
}
