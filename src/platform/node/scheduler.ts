import type { Scheduler, TimerHandle } from '../scheduler.js';

interface NodeHandle extends TimerHandle {
  timer: NodeJS.Timeout;
}

let ids = 0;

/** Real timers for Node; timers are unref'd so they never keep a finished process alive. */
export class NodeScheduler implements Scheduler {
  now(): number {
    return performance.now();
  }

  set(delayMs: number, fn: () => void): TimerHandle {
    const timer = setTimeout(fn, delayMs);
    timer.unref();
    const handle: NodeHandle = { id: ++ids, timer };
    return handle;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle) clearTimeout((handle as NodeHandle).timer);
  }
}
