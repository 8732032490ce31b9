// Periodic jobs inside the server process (reminders, retention). Each job runs at start and then
// every `everyMs`; a job never overlaps itself, and a failing run is logged, not fatal.
export type ScheduledJob = { name: string; everyMs: number; run: (now: Date) => unknown };

export function startScheduler(jobs: ScheduledJob[], { onError = console.error }: { onError?: (message: string, error: unknown) => void } = {}) {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<string>();
  for (const job of jobs) {
    const tick = async () => {
      if (running.has(job.name)) return;
      running.add(job.name);
      try {
        await job.run(new Date());
      } catch (error) {
        onError(`Scheduled job "${job.name}" failed:`, error);
      } finally {
        running.delete(job.name);
      }
    };
    const first = setTimeout(tick, 1_000);
    first.unref?.();
    const timer = setInterval(tick, job.everyMs);
    timer.unref?.();
    timers.push(first, timer);
  }
  return { stop: () => timers.forEach((t) => clearTimeout(t)) };
}
