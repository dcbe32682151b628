/** Runs the shell commands rubric graders declare (trusted: they come from `reverie.yaml`, never from a log). */
export interface CommandRunner {
  /**
   * Runs `command` in `cwd` with a time limit. Resolves null when `cwd` does not exist (nothing to grade against).
   * The output is the combined stdout and stderr, cut to its last few kilobytes.
   */
  run(input: { command: string; cwd: string; timeoutMs: number }): Promise<{
    exitCode: number | null;
    output: string;
    timedOut: boolean;
  } | null>;
}
