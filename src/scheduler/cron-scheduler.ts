/**
 * Runs a task on a cron schedule (croner). A run that is still going when the next tick comes is not started
 * twice (`protect`); the per-agent store lock guards against other processes.
 */
import { Cron } from 'croner';

export interface CronSchedule {
  /** When the next run starts, or null when the schedule has no future run. */
  nextRun(): Date | null;
  /** Stops scheduling new runs; a run in progress goes on (await `idle()` for it). */
  stop(): void;
  /** Resolves when no run is in progress. */
  idle(): Promise<void>;
}

/**
 * Schedules `task`.
 * @param options.schedule a cron expression (5 or 6 fields)
 * @param options.timezone an IANA zone, or null for the machine's
 * @param options.onError receives a task failure (the schedule keeps running)
 */
export function createCronSchedule(options: {
  schedule: string;
  timezone: string | null;
  task: () => Promise<void>;
  onError: (error: unknown) => void;
}): CronSchedule {
  let running: Promise<void> = Promise.resolve();
  const job = new Cron(
    options.schedule,
    { protect: true, ...(options.timezone === null ? {} : { timezone: options.timezone }) },
    async () => {
      running = (async () => {
        try {
          await options.task();
        } catch (error) {
          options.onError(error);
        }
      })();
      await running;
    },
  );
  return {
    nextRun: () => job.nextRun(),
    stop: () => {
      job.stop();
    },
    idle: () => running,
  };
}
