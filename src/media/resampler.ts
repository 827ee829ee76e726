/**
 * Sample-rate conversion between the rates a phone meets (8, 16, 44.1, 48 kHz, or any other
 * integer rates): a windowed-sinc polyphase filter.
 *
 * The ratio is reduced to L/M (interpolate by L, decimate by M). Output sample n sits at input
 * position t = n·M/L; it is the sum of the input around t weighted by a Blackman-windowed sinc
 * whose cutoff is just below the lower of the two Nyquist frequencies, so downsampling does not
 * alias and upsampling does not image. The L phases of that kernel are tabulated once and
 * each normalised to unity DC gain.
 *
 * `Resampler` is streaming (state carries across `process` calls; `flush` drains the tail);
 * `resample` converts a whole buffer, time-aligned, with output length ⌈len·L/M⌉.
 */
import { MediaError } from './result.js';

export interface ResamplerOptions {
  /** Kernel half-length in samples of the lower rate (quality vs. cost). Default 16. */
  halfTaps?: number;
  /** Cutoff as a fraction of the lower Nyquist frequency. Default 0.9. */
  rolloff?: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  private readonly up: number; // L
  private readonly down: number; // M
  private readonly half: number; // kernel half-width in input samples (taps per phase = 2·half)
  private readonly table: Float32Array; // [phase][tap]
  // Input history: buf[0] is absolute input index bufStart; samples before 0 are silence.
  private buf: Float32Array;
  private bufStart: number;
  private bufLen: number;
  private received = 0;
  private nextOut = 0;

  constructor(inRate: number, outRate: number, options: ResamplerOptions = {}) {
    if (!Number.isInteger(inRate) || !Number.isInteger(outRate) || inRate < 1 || outRate < 1) {
      throw new MediaError('resampler-bad-rate', `sample rates must be positive integers: ${inRate} → ${outRate}`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    this.up = outRate / g;
    this.down = inRate / g;
    const scale = Math.min(1, this.up / this.down);
    const halfTaps = options.halfTaps ?? 16;
    const fc = 0.5 * scale * (options.rolloff ?? 0.9); // cycles per input sample
    this.half = Math.ceil(halfTaps / scale);
    const taps = 2 * this.half;
    this.table = new Float32Array(this.up * taps);
    for (let p = 0; p < this.up; p++) {
      let sum = 0;
      for (let j = 0; j < taps; j++) {
        // Tap j multiplies input i0 - half + 1 + j; its distance from t = i0 + p/L:
        const x = p / this.up + this.half - 1 - j;
        const w = x / this.half; // -1..1 window position
        const win = Math.abs(w) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w);
        const arg = 2 * fc * x;
        const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
        const h = 2 * fc * sinc * win;
        this.table[p * taps + j] = h;
        sum += h;
      }
      for (let j = 0; j < taps; j++) this.table[p * taps + j]! /= sum;
    }
    this.buf = new Float32Array(Math.max(1024, taps * 4));
    this.bufStart = -this.half;
    this.bufLen = this.half; // zeros before the first sample
  }

  /** Resample a chunk of input; returns the output samples now computable. */
  process(input: Int16Array): Int16Array {
    this.append(input, input.length);
    return this.produce(this.received);
  }

  /** Drain the tail (as if followed by silence) up to the output length of all input so far. */
  flush(): Int16Array {
    const total = Math.ceil((this.received * this.up) / this.down);
    this.append(undefined, this.half + 1);
    const out = this.produce(this.received + this.half + 1, total);
    return out;
  }

  private append(input: Int16Array | undefined, n: number): void {
    if (this.bufLen + n > this.buf.length) {
      const bigger = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + n));
      bigger.set(this.buf.subarray(0, this.bufLen));
      this.buf = bigger;
    }
    if (input) {
      for (let i = 0; i < n; i++) this.buf[this.bufLen + i] = input[i]!;
      this.received += n;
    } else {
      this.buf.fill(0, this.bufLen, this.bufLen + n);
    }
    this.bufLen += n;
  }

  /** Compute outputs whose kernel lies within the first `available` absolute input samples. */
  private produce(available: number, limit = Infinity): Int16Array {
    const { up, down, half, table } = this;
    const taps = 2 * half;
    // Output n needs input up to floor(n·M/L) + half < available, i.e. n < (available - half)·L/M.
    const count = Math.max(0, Math.min(limit, Math.ceil(((available - half) * up) / down)) - this.nextOut);
    const out = new Int16Array(count);
    const buf = this.buf;
    for (let k = 0; k < count; k++) {
      const pos = this.nextOut * down;
      const i0 = Math.floor(pos / up);
      const phase = pos - i0 * up;
      let acc = 0;
      const first = i0 - half + 1 - this.bufStart;
      const row = phase * taps;
      for (let j = 0; j < taps; j++) acc += buf[first + j]! * table[row + j]!;
      out[k] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
      this.nextOut++;
    }
    // Drop history no longer needed: the next output's first tap.
    const keepFrom = Math.floor((this.nextOut * down) / up) - half + 1;
    const drop = keepFrom - this.bufStart;
    if (drop > 0 && drop <= this.bufLen) {
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart = keepFrom;
    }
    return out;
  }
}

/** Convert a whole buffer from `inRate` to `outRate`, time-aligned; length ⌈len·out/in⌉. */
export function resample(input: Int16Array, inRate: number, outRate: number, options?: ResamplerOptions): Int16Array {
  if (inRate === outRate) return input.slice();
  const r = new Resampler(inRate, outRate, options);
  const a = r.process(input);
  const b = r.flush();
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
