import type { Scheduler, TimerHandle } from './scheduler.js';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A virtual clock for deterministic tests: time moves only when `advance` is called, and the
 * timers due in that span fire in order of their due time (ties in order of arming).
 */
export class ManualScheduler implements Scheduler {
  private time: number;
  private nextId = 1;
  private pending: Pending[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  set(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, at: this.time + Math.max(0, delayMs), fn });
    return { id };
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.pending = this.pending.filter((p) => p.id !== handle.id);
  }

  /** Number of armed timers. */
  get armed(): number {
    return this.pending.length;
  }

  /** Move time forward by `ms`, firing every timer that falls due (including ones armed while firing). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.id < next.id))) next = p;
      }
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
}
