/**
 * Judging audio by its content (used by tests and diagnostics): the Goertzel algorithm at one
 * frequency, a dominant-frequency estimator, how much of a recording carries signal, and an
 * in-band DTMF detector (ITU-T Q.23/Q.24 frequencies).
 */

/**
 * Amplitude (in sample units) of the component at `frequency` in `samples[start, start+length)`,
 * by the Goertzel recurrence s[n] = x[n] + 2cos(ω)s[n-1] - s[n-2]. Any frequency is allowed,
 * not only bin centres. A full-scale sine of amplitude A gives about A.
 */
export function goertzel(samples: ArrayLike<number>, sampleRate: number, frequency: number, start = 0, length = samples.length - start): number {
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  const end = start + length;
  for (let i = start; i < end; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return length > 0 ? (2 * Math.sqrt(Math.max(0, power))) / length : 0;
}

/** In-place iterative radix-2 FFT; `re.length` must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const halfSize = size >> 1;
    const step = (-2 * Math.PI) / size;
    for (let k = 0; k < halfSize; k++) {
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let i = k; i < n; i += size) {
        const j = i + halfSize;
        const tr = re[j]! * wr - im[j]! * wi;
        const ti = re[j]! * wi + im[j]! * wr;
        re[j] = re[i]! - tr;
        im[j] = im[i]! - ti;
        re[i] = re[i]! + tr;
        im[i] = im[i]! + ti;
      }
    }
  }
}

export interface DominantFrequencyOptions {
  minHz?: number;
  maxHz?: number;
}

/**
 * The frequency with the most energy, in Hz: Welch's method (Hann-windowed FFT segments of
 * about one second, half overlapping, power averaged), then Gaussian (log-parabolic)
 * interpolation around the peak bin. Within a small fraction of a bin for a pure tone, i.e.
 * well within 1% for a tone over ~1 s at 8 kHz. Undefined for silence.
 */
export function dominantFrequency(samples: ArrayLike<number>, sampleRate: number, options: DominantFrequencyOptions = {}): number | undefined {
  let n = 1;
  while (n < Math.min(sampleRate, 16384)) n <<= 1;
  while (n > 256 && n >= 2 * samples.length) n >>= 1;
  const hop = n >> 1;
  const power = new Float64Array(n >> 1);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const window = new Float64Array(n);
  for (let i = 0; i < n; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  for (let start = 0; start === 0 || start + n <= samples.length; start += hop) {
    for (let i = 0; i < n; i++) {
      const idx = start + i;
      re[i] = idx < samples.length ? samples[idx]! * window[i]! : 0;
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k < power.length; k++) power[k]! += re[k]! * re[k]! + im[k]! * im[k]!;
  }
  const binHz = sampleRate / n;
  const lo = Math.max(1, Math.ceil((options.minHz ?? 20) / binHz));
  const hi = Math.min(power.length - 2, Math.floor((options.maxHz ?? sampleRate / 2) / binHz));
  let peak = -1;
  let best = 0;
  for (let k = lo; k <= hi; k++) {
    if (power[k]! > best) {
      best = power[k]!;
      peak = k;
    }
  }
  if (peak < 0 || best === 0) return undefined;
  const a = Math.log(power[peak - 1]! || 1e-30);
  const b = Math.log(power[peak]!);
  const c = Math.log(power[peak + 1]! || 1e-30);
  const denom = a - 2 * b + c;
  const delta = denom === 0 ? 0 : Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom));
  return (peak + delta) * binHz;
}

export interface Coverage {
  /** Fraction (0..1) of the windows whose RMS reaches the threshold. */
  coverage: number;
  /** Longest run of windows below the threshold, in ms. */
  longestGapMs: number;
  /** Number of windows examined. */
  windows: number;
}

/**
 * Cut `samples` into `windowMs` windows and report the fraction with signal (RMS ≥ `threshold`,
 * in sample units, e.g. 300 ≈ -40 dBFS) and the longest gap without.
 */
export function activeCoverage(samples: ArrayLike<number>, sampleRate: number, threshold: number, windowMs = 20): Coverage {
  const size = Math.max(1, Math.round((sampleRate * windowMs) / 1000));
  const windows = Math.floor(samples.length / size);
  let active = 0;
  let gap = 0;
  let longest = 0;
  for (let w = 0; w < windows; w++) {
    let sum = 0;
    for (let i = w * size, end = i + size; i < end; i++) sum += samples[i]! * samples[i]!;
    if (Math.sqrt(sum / size) >= threshold) {
      active++;
      gap = 0;
    } else {
      gap++;
      if (gap > longest) longest = gap;
    }
  }
  return { coverage: windows ? active / windows : 0, longestGapMs: longest * windowMs, windows };
}

// --- DTMF ------------------------------------------------------------------------------------

const DTMF_LOW = [697, 770, 852, 941];
const DTMF_HIGH = [1209, 1336, 1477, 1633];
const DTMF_KEYS = ['123A', '456B', '789C', '*#0D'];

export interface DtmfDetection {
  digit: string;
  startMs: number;
  endMs: number;
}

export interface DtmfDetectorOptions {
  /** Minimum amplitude of each of the two tones, in sample units. Default 200. */
  minAmplitude?: number;
  /** Maximum ratio between the two tone amplitudes (twist). Default 2.5 (about 8 dB). */
  maxTwist?: number;
}

/**
 * Find in-band DTMF digits: Goertzel on the eight DTMF frequencies over ~25 ms blocks (205
 * samples at 8 kHz). A block holds a digit when the strongest low and high tones are each well
 * above the others of their group, within the twist limit, and carry most of the block's
 * energy. A digit is reported once when seen in two consecutive blocks, and again only after
 * a block without it.
 */
export function detectDtmf(samples: ArrayLike<number>, sampleRate: number, options: DtmfDetectorOptions = {}): DtmfDetection[] {
  const minAmp = options.minAmplitude ?? 200;
  const maxTwist = options.maxTwist ?? 2.5;
  const block = Math.round((sampleRate * 205) / 8000);
  const blockMs = (block * 1000) / sampleRate;
  const out: DtmfDetection[] = [];
  let previous: string | undefined;
  let current: DtmfDetection | undefined;
  for (let start = 0; start + block <= samples.length; start += block) {
    const low = DTMF_LOW.map((f) => goertzel(samples, sampleRate, f, start, block));
    const high = DTMF_HIGH.map((f) => goertzel(samples, sampleRate, f, start, block));
    let energy = 0;
    for (let i = start; i < start + block; i++) energy += samples[i]! * samples[i]!;
    const rms2 = energy / block;
    const li = argmax(low);
    const hi = argmax(high);
    const la = low[li]!;
    const ha = high[hi]!;
    let digit: string | undefined;
    const clearLow = low.every((a, i) => i === li || a * 2 < la);
    const clearHigh = high.every((a, i) => i === hi || a * 2 < ha);
    const twistOk = la / ha <= maxTwist && ha / la <= maxTwist;
    // A pure pair of sines of amplitudes a, b has mean square (a² + b²) / 2.
    const dominant = (la * la + ha * ha) / 2 >= 0.8 * rms2;
    if (la >= minAmp && ha >= minAmp && clearLow && clearHigh && twistOk && dominant) digit = DTMF_KEYS[li]![hi];
    const t = (start * 1000) / sampleRate;
    if (digit !== undefined && digit === previous) {
      if (!current || current.digit !== digit) {
        current = { digit, startMs: t - blockMs, endMs: t + blockMs };
        out.push(current);
      } else {
        current.endMs = t + blockMs;
      }
    } else if (digit !== previous) {
      current = undefined;
    }
    previous = digit;
  }
  return out;
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
