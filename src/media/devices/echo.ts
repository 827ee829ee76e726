/**
 * The echo device: what it hears (as a sink) it says back (as a source) `delayMs` later.
 * The `echo` target answers with it, so a user hears their own voice after a round trip
 * through the whole pipeline (SIP, SDP, RTP, jitter buffer, codec) with no server.
 */
import type { AudioFormat, AudioSink, AudioSource } from '../audio-frame.js';
import { frameSize } from '../audio-frame.js';

export class EchoDevice implements AudioSource, AudioSink {
  readonly format: AudioFormat;
  private readonly queue: Int16Array[] = [];
  private readonly free: Int16Array[] = [];
  private readonly delayFrames: number;
  private readonly maxFrames: number;

  constructor(format: AudioFormat, opts: { delayMs?: number } = {}) {
    this.format = format;
    this.delayFrames = Math.max(0, Math.round((opts.delayMs ?? 0) / format.frameMs));
    // Never hold more than the delay plus a second: a stalled reader must not grow memory.
    this.maxFrames = this.delayFrames + Math.ceil(1000 / format.frameMs);
  }

  write(frame: Int16Array, _timeMs: number): void {
    const copy = this.free.pop() ?? new Int16Array(frameSize(this.format));
    copy.set(frame);
    this.queue.push(copy);
    if (this.queue.length > this.maxFrames) this.free.push(this.queue.shift()!);
  }

  read(out: Int16Array): boolean {
    if (this.queue.length > this.delayFrames) {
      const f = this.queue.shift()!;
      out.set(f);
      this.free.push(f);
    } else {
      out.fill(0);
    }
    return true;
  }
}
