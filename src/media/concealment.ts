/**
 * What to play when the jitter buffer has nothing (a loss or an underrun): silence, or the last
 * good frame repeated with a fade to silence over a few frames, so a single lost packet is a
 * dip rather than a click and a long gap decays to quiet. (Real packet-loss concealment, with
 * pitch-synchronous repetition, comes with the adaptive buffer.)
 */

export type ConcealmentMode = 'silence' | 'fade';

export interface ConcealerOptions {
  mode?: ConcealmentMode;
  /** Frames over which the repeated frame fades to silence. Default 3. */
  fadeFrames?: number;
}

export class Concealer {
  readonly mode: ConcealmentMode;
  private readonly fadeFrames: number;
  private readonly last: Int16Array;
  private haveLast = false;
  /** Consecutive concealed frames so far. */
  private run = 0;

  constructor(frameSize: number, options: ConcealerOptions = {}) {
    this.mode = options.mode ?? 'fade';
    this.fadeFrames = Math.max(1, options.fadeFrames ?? 3);
    this.last = new Int16Array(frameSize);
  }

  /** Record a frame that was played from a real packet. */
  good(frame: Int16Array): void {
    this.last.set(frame.subarray(0, this.last.length));
    this.haveLast = true;
    this.run = 0;
  }

  /** Fill `out` with the concealment for one missing frame. */
  conceal(out: Int16Array): void {
    const k = this.run++;
    if (this.mode === 'silence' || !this.haveLast || k >= this.fadeFrames) {
      out.fill(0);
      return;
    }
    // Linear gain from 1 - k/F at the first sample to 1 - (k+1)/F at the last: no steps.
    const n = out.length;
    const g0 = 1 - k / this.fadeFrames;
    const dg = -1 / this.fadeFrames / n;
    for (let i = 0; i < n; i++) out[i] = Math.round(this.last[i]! * (g0 + dg * i));
  }
}
