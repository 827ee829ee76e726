/**
 * The audio bridge's two AudioWorklet processors (loaded by audio.ts with
 * `audioWorklet.addModule`; Vite bundles this file on its own through `?worker&url`).
 *
 * `softphone-capture`: the microphone's 128-sample render quanta → 20 ms frames of s16 mono
 * at the context's rate, posted to the main thread (which sends them on the WebSocket).
 *
 * `softphone-playback`: 20 ms s16 frames from the main thread → the speaker, through a small
 * adaptive buffer: playback starts once `target` ms are queued; running dry (an underrun)
 * plays silence, raises the target by 10 ms (up to 120 ms) and waits for it again; a queue
 * past target + 60 ms is cut back to the target (the engine's clock runs ahead of the sound
 * card's, or frames arrived in a burst), and so is a queue whose lowest level over a second
 * stayed more than 5 ms above the target; after 10 s without an underrun the target comes
 * down 10 ms (not below the minimum). It reports its state every second.
 */

export {};

// The AudioWorkletGlobalScope, which TypeScript's DOM library does not describe.
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: unknown);
}

const FRAME_MS = 20;

class CaptureProcessor extends AudioWorkletProcessor {
  private readonly size = (sampleRate * FRAME_MS) / 1000;
  private frame = new Int16Array(this.size);
  private fill = 0;

  process(inputs: Float32Array[][]): boolean {
    const ch = inputs[0]?.[0];
    const n = ch?.length ?? 128;
    for (let i = 0; i < n; i++) {
      const v = ch ? ch[i]! : 0;
      this.frame[this.fill++] = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767);
      if (this.fill === this.frame.length) {
        this.port.postMessage(this.frame, [this.frame.buffer]);
        // (Transferred: the old array is detached, its length 0 now.)
        this.frame = new Int16Array(this.size);
        this.fill = 0;
      }
    }
    return true;
  }
}

interface PlaybackOptions {
  processorOptions?: { targetMs?: number; minMs?: number; maxMs?: number };
}

class PlaybackProcessor extends AudioWorkletProcessor {
  private readonly queue: Int16Array[] = [];
  private head = 0; // read position in queue[0]
  private queued = 0; // samples
  private playing = false;
  private target: number;
  private readonly min: number;
  private readonly max: number;
  private underruns = 0;
  private trimmed = 0;
  private sinceUnderrun = 0;
  private sinceReport = 0;
  /** The lowest queue level seen in this second: what is always there is pure delay. */
  private lowest = Infinity;

  constructor(options: PlaybackOptions) {
    super(options);
    const o = options.processorOptions ?? {};
    const ms = (v: number) => Math.round((sampleRate * v) / 1000);
    this.min = ms(o.minMs ?? 40);
    this.target = ms(o.targetMs ?? 40);
    this.max = ms(o.maxMs ?? 120);
    this.port.onmessage = (e: MessageEvent<Int16Array>) => {
      if (!(e.data instanceof Int16Array)) return;
      this.queue.push(e.data);
      this.queued += e.data.length;
      const high = this.target + ms(60);
      if (this.queued > high) this.drop(this.queued - this.target);
    };
  }

  private drop(n: number): void {
    this.trimmed += n;
    this.queued -= n;
    while (n > 0 && this.queue.length) {
      const left = this.queue[0]!.length - this.head;
      if (n >= left) {
        this.queue.shift();
        this.head = 0;
        n -= left;
      } else {
        this.head += n;
        n = 0;
      }
    }
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0]?.[0];
    if (!out) return true;
    const n = out.length;
    if (!this.playing && this.queued >= this.target) this.playing = true;
    if (this.playing && this.queued < n) {
      this.playing = false;
      this.underruns++;
      this.sinceUnderrun = 0;
      this.target = Math.min(this.max, this.target + Math.round(sampleRate / 100));
    }
    if (!this.playing) {
      out.fill(0);
    } else {
      for (let i = 0; i < n; i++) {
        const f = this.queue[0]!;
        out[i] = f[this.head++]! / 32768;
        if (this.head === f.length) {
          this.queue.shift();
          this.head = 0;
        }
      }
      this.queued -= n;
      this.sinceUnderrun += n;
      if (this.sinceUnderrun > sampleRate * 10 && this.target > this.min) {
        this.target = Math.max(this.min, this.target - Math.round(sampleRate / 100));
        this.sinceUnderrun = 0;
      }
    }
    for (let c = 1; c < (outputs[0]?.length ?? 0); c++) outputs[0]![c]!.set(out);
    if (this.playing) this.lowest = Math.min(this.lowest, this.queued);
    this.sinceReport += n;
    if (this.sinceReport >= sampleRate) {
      this.sinceReport = 0;
      // A queue that never went below target + 5 ms for a second holds that much delay for
      // nothing (it filled while playback started, or after a burst): cut it back.
      const excess = this.lowest - this.target;
      if (this.lowest !== Infinity && excess > sampleRate * 0.005) this.drop(excess);
      this.lowest = Infinity;
      this.port.postMessage({
        type: 'stats',
        bufferedMs: (this.queued * 1000) / sampleRate,
        targetMs: (this.target * 1000) / sampleRate,
        underruns: this.underruns,
        trimmedMs: (this.trimmed * 1000) / sampleRate,
      });
    }
    return true;
  }
}

registerProcessor('softphone-capture', CaptureProcessor);
registerProcessor('softphone-playback', PlaybackProcessor);
