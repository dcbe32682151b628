import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { CommandRunner } from '../ports/command-runner.js';

const maxOutputBytes = 8192;

/** Runs commands with the system shell; a command over its time limit is killed (its process group). */
export class ShellCommandRunner implements CommandRunner {
  async run(input: { command: string; cwd: string; timeoutMs: number }) {
    try {
      if (!(await stat(input.cwd)).isDirectory()) return null;
    } catch {
      return null;
    }
    return new Promise<{ exitCode: number | null; output: string; timedOut: boolean }>((resolve) => {
      const child = spawn(input.command, {
        cwd: input.cwd,
        shell: true,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = Buffer.alloc(0);
      const keep = (chunk: Buffer): void => {
        output = Buffer.concat([output, chunk]);
        if (output.length > maxOutputBytes) output = output.subarray(output.length - maxOutputBytes);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          // The whole group: a test runner's children must not outlive the grade.
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, input.timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        resolve({ exitCode: null, output: error.message, timedOut: false });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: timedOut ? null : code, output: output.toString('utf8'), timedOut });
      });
    });
  }
}
