/**
 * The media clock: ONE drift-corrected periodic timer that drives every stream of the process
 * (a per-stream setInterval costs a timer per call and drifts; this costs one timer and a loop).
 *
 * Ticks are aimed at `start + k × intervalMs` on the monotonic clock (performance.now), each
 * timer armed for the time left to the next deadline, so lateness of one tick does not
 * accumulate. Each stream keeps its own frame deadlines and does every frame that is due when
 * ticked (rtp-stream.ts), so a late tick delays packets but never loses or adds any.
 *
 * The default interval is 10 ms rather than the 20 ms of the usual ptime: packetisations of
 * 10/30/50 ms then stay evenly spaced, and streams started at random times fall into two
 * phases, halving the burst of packets each tick sends. The per-tick cost is a loop over the
 * streams, each doing nothing until it is due.
 */
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { MediaTicker, Tickable } from '../../media/media-stream.js';

export interface NodeMediaClockOptions {
  /** Tick period in ms. Default 10. */
  intervalMs?: number;
  logger?: Logger;
}

export interface MediaClockStats {
  ticks: number;
  /** Ticks that ran more than one interval after their deadline (event loop stalls). */
  lateTicks: number;
  /** The largest lateness seen, ms. */
  maxLatenessMs: number;
  /** Streams driven now. */
  streams: number;
}

export class NodeMediaClock implements MediaTicker {
  readonly intervalMs: number;
  private readonly log: Logger;
  private tickables: Tickable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private deadline = 0;
  private readonly statsValue: MediaClockStats = { ticks: 0, lateTicks: 0, maxLatenessMs: 0, streams: 0 };

  constructor(options: NodeMediaClockOptions = {}) {
    this.intervalMs = options.intervalMs ?? 10;
    if (!(this.intervalMs >= 1)) throw new RangeError(`media clock interval must be at least 1 ms, got ${this.intervalMs}`);
    this.log = options.logger ?? silentLogger;
  }

  now(): number {
    return performance.now();
  }

  /** Drive `t` from the next tick on. The timer runs while anything is registered. */
  add(t: Tickable): void {
    if (this.tickables.includes(t)) return;
    // Copy on write: a tick in progress keeps iterating its own snapshot.
    this.tickables = [...this.tickables, t];
    this.statsValue.streams = this.tickables.length;
    if (!this.timer) {
      this.deadline = this.now() + this.intervalMs;
      this.arm();
    }
  }

  remove(t: Tickable): void {
    const i = this.tickables.indexOf(t);
    if (i < 0) return;
    this.tickables = this.tickables.filter((x) => x !== t);
    this.statsValue.streams = this.tickables.length;
    if (this.tickables.length === 0) this.stop();
  }

  get size(): number {
    return this.tickables.length;
  }

  get stats(): Readonly<MediaClockStats> {
    return this.statsValue;
  }

  /** Stop ticking and forget every stream. */
  close(): void {
    this.tickables = [];
    this.statsValue.streams = 0;
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const delay = Math.max(0, this.deadline - this.now());
    this.timer = setTimeout(this.run, delay);
    // Sockets keep the process alive while calls run; the clock alone should not.
    this.timer.unref();
  }

  private readonly run = (): void => {
    this.timer = undefined;
    const now = this.now();
    const st = this.statsValue;
    st.ticks++;
    const late = now - this.deadline;
    if (late > st.maxLatenessMs) st.maxLatenessMs = late;
    if (late > this.intervalMs) st.lateTicks++;
    const list = this.tickables;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!.tick(now);
      } catch (err) {
        this.log.error('media clock: a stream failed in tick', { error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (this.tickables.length === 0) return;
    this.deadline += this.intervalMs;
    // After a long stall, aim at the next period from now instead of firing a burst of ticks.
    const after = this.now();
    if (after - this.deadline > 5 * this.intervalMs) this.deadline = after + this.intervalMs;
    this.arm();
  };
}

let shared: NodeMediaClock | undefined;

/** The process-wide media clock every stream should share. */
export function sharedMediaClock(): NodeMediaClock {
  shared ??= new NodeMediaClock();
  return shared;
}
