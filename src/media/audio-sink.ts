/**
 * Audio sinks. `WavRecorder` keeps what it hears on a true timeline: a frame that arrives later
 * than the previous one ended leaves silence in the gap, so a recording's length is the time it
 * covered, and analyses of it (coverage, gaps) measure the call, not the packet count.
 */
import { frameSize } from './audio-frame.js';
import type { AudioFormat, AudioSink } from './audio-frame.js';
import { writeWav } from './wav.js';

export interface WavRecorderOptions {
  /**
   * Time (stream clock, ms) the recording starts at; a first frame later than this is
   * preceded by silence. Default: the time of the first frame.
   */
  startMs?: number;
}

export class WavRecorder implements AudioSink {
  readonly format: AudioFormat;
  private chunks: Int16Array[] = [];
  private length = 0;
  private startMs: number | undefined;
  private pending: Promise<unknown>[] = [];

  constructor(format: AudioFormat, options: WavRecorderOptions = {}) {
    frameSize(format);
    this.format = format;
    this.startMs = options.startMs;
  }

  /** Samples recorded so far (including inserted silence). */
  get sampleCount(): number {
    return this.length;
  }

  get durationMs(): number {
    return (this.length * 1000) / this.format.sampleRate;
  }

  write(frame: Int16Array, timeMs: number): void {
    this.padTo(timeMs);
    this.chunks.push(frame.slice());
    this.length += frame.length;
  }

  /**
   * Extend the recording with silence up to `timeMs` (e.g. at hang-up, or for a gap with no
   * frames). Gaps shorter than half a frame are jitter, not gaps, and are ignored.
   */
  padTo(timeMs: number): void {
    if (this.startMs === undefined) this.startMs = timeMs;
    const due = Math.round(((timeMs - this.startMs) * this.format.sampleRate) / 1000);
    const missing = due - this.length;
    if (missing * 2 >= frameSize(this.format)) {
      this.chunks.push(new Int16Array(missing));
      this.length += missing;
    }
  }

  /**
   * For a recording made elsewhere (a media worker records and hands the samples back when
   * the stream closes): `complete()` waits for `p` before the recording counts as whole.
   */
  addPending(p: Promise<unknown>): void {
    this.pending.push(p.catch(() => undefined));
  }

  /** Resolves once every pending part of the recording has arrived. */
  async complete(): Promise<void> {
    while (this.pending.length) await Promise.all(this.pending.splice(0));
  }

  /** Everything recorded, as one buffer. */
  samples(): Int16Array {
    const out = new Int16Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.chunks = [out];
    return out;
  }

  /** A 16-bit PCM mono WAV file of the recording. */
  toWav(): Uint8Array {
    return writeWav(this.samples(), this.format.sampleRate, 1);
  }
}
