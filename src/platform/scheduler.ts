/**
 * The clock seam. Protocol layers never call setTimeout or Date.now themselves: they are
 * handed a Scheduler, so tests can step time by hand (ManualScheduler) and runtimes supply
 * real timers (platform/node/scheduler.ts).
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Scheduler {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Run `fn` once after `delayMs`. */
  set(delayMs: number, fn: () => void): TimerHandle;
  /** Cancel a timer; cancelling one that already fired or was cancelled is a no-op. */
  cancel(handle: TimerHandle | undefined): void;
}
