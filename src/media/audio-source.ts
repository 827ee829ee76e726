/**
 * Audio sources: a tone (`tone:440`), silence, and a WAV file resampled to the stream's rate.
 * All are pure: a WAV source takes the file's bytes (see wav-file-node.ts to read a path).
 */
import { createFrame, frameSize } from './audio-frame.js';
import type { AudioFormat, AudioSource } from './audio-frame.js';
import { resample } from './resampler.js';
import { MediaError, ok } from './result.js';
import type { MediaResult } from './result.js';
import { downmixToMono, parseWav } from './wav.js';
import type { WavAudio } from './wav.js';

export interface ToneSourceOptions {
  frequency: number;
  /** Peak amplitude as a fraction of full scale (0..1). Default 0.5 (about -6 dBFS). */
  amplitude?: number;
  /** Stop after this long; endless when undefined. */
  durationMs?: number;
}

/** A sine wave with a continuous phase across frames. */
export class ToneSource implements AudioSource {
  readonly format: AudioFormat;
  readonly frequency: number;
  /** Peak amplitude, fraction of full scale. */
  readonly amplitude: number;
  /** As given: how long the tone lasts; undefined for endless. */
  readonly durationMs: number | undefined;
  private readonly peak: number;
  private readonly step: number;
  private phase = 0;
  private samplesLeft: number;

  constructor(format: AudioFormat, options: ToneSourceOptions) {
    frameSize(format);
    const amplitude = options.amplitude ?? 0.5;
    if (!(options.frequency > 0 && options.frequency < format.sampleRate / 2)) {
      throw new MediaError('tone-bad-frequency', `tone frequency ${options.frequency} Hz is outside 0..${format.sampleRate / 2} Hz`);
    }
    if (!(amplitude >= 0 && amplitude <= 1)) throw new MediaError('tone-bad-amplitude', `tone amplitude ${amplitude} is outside 0..1`);
    this.format = format;
    this.frequency = options.frequency;
    this.amplitude = amplitude;
    this.durationMs = options.durationMs;
    this.peak = amplitude * 32767;
    this.step = (2 * Math.PI * options.frequency) / format.sampleRate;
    this.samplesLeft = options.durationMs === undefined ? Infinity : Math.round((options.durationMs * format.sampleRate) / 1000);
  }

  /** `tone:440` → 440; undefined when `spec` is not a tone spec. */
  static parseSpec(spec: string): number | undefined {
    const m = /^tone:(\d+(?:\.\d+)?)$/i.exec(spec.trim());
    return m ? Number(m[1]) : undefined;
  }

  read(out: Int16Array): boolean {
    if (this.samplesLeft <= 0) {
      out.fill(0);
      return false;
    }
    const n = Math.min(out.length, this.samplesLeft);
    for (let i = 0; i < n; i++) {
      out[i] = Math.round(this.peak * Math.sin(this.phase));
      this.phase += this.step;
    }
    this.phase %= 2 * Math.PI;
    out.fill(0, n);
    this.samplesLeft -= n;
    return true;
  }
}

/** Endless (or `durationMs` long) digital silence. */
export class SilenceSource implements AudioSource {
  readonly format: AudioFormat;
  /** As given: how long the silence lasts; undefined for endless. */
  readonly durationMs: number | undefined;
  private framesLeft: number;

  constructor(format: AudioFormat, durationMs?: number) {
    frameSize(format);
    this.format = format;
    this.durationMs = durationMs;
    this.framesLeft = durationMs === undefined ? Infinity : Math.ceil(durationMs / format.frameMs);
  }

  read(out: Int16Array): boolean {
    out.fill(0);
    if (this.framesLeft <= 0) return false;
    this.framesLeft--;
    return true;
  }
}

export interface WavFileSourceOptions {
  /** Start again from the beginning at the end instead of ending. Default false. */
  loop?: boolean;
}

/**
 * Mono samples already at the stream's rate, played frame by frame. The last frame is padded
 * with silence; with `loop` the samples restart mid-frame so the timeline has no gap.
 */
export class PcmSource implements AudioSource {
  readonly format: AudioFormat;
  readonly loop: boolean;
  /** The whole sound at the stream's rate, mono. */
  readonly samples: Int16Array;
  private position = 0;

  constructor(samples: Int16Array, format: AudioFormat, options: WavFileSourceOptions = {}) {
    frameSize(format);
    this.format = format;
    this.loop = options.loop ?? false;
    this.samples = samples;
  }

  /** Duration of the sound in ms. */
  get durationMs(): number {
    return (this.samples.length * 1000) / this.format.sampleRate;
  }

  read(out: Int16Array): boolean {
    const total = this.samples.length;
    if (this.position >= total && (!this.loop || total === 0)) {
      out.fill(0);
      return false;
    }
    let written = 0;
    while (written < out.length) {
      if (this.position >= total) {
        if (!this.loop) break;
        this.position = 0;
      }
      const n = Math.min(out.length - written, total - this.position);
      out.set(this.samples.subarray(this.position, this.position + n), written);
      written += n;
      this.position += n;
    }
    out.fill(0, written);
    return true;
  }
}

/**
 * A WAV file's audio, downmixed to mono and resampled (once, at construction) to the stream's
 * rate, then played as a PcmSource.
 */
export class WavFileSource extends PcmSource {
  constructor(wav: WavAudio, format: AudioFormat, options: WavFileSourceOptions = {}) {
    super(resample(downmixToMono(wav.samples, wav.channels), wav.sampleRate, format.sampleRate), format, options);
  }

  /** Parse the bytes of a WAV file; a result, since files can be bad. */
  static fromBytes(bytes: Uint8Array, format: AudioFormat, options?: WavFileSourceOptions): MediaResult<WavFileSource> {
    const wav = parseWav(bytes);
    if (!wav.ok) return wav;
    return ok(new WavFileSource(wav.value, format, options));
  }
}

/** Read a whole source into one buffer (tests, offline processing); stops at `maxMs`. */
export function readAll(source: AudioSource, maxMs: number): Int16Array {
  const frame = createFrame(source.format);
  const frames: Int16Array[] = [];
  for (let t = 0; t < maxMs && source.read(frame); t += source.format.frameMs) frames.push(frame.slice());
  const out = new Int16Array(frames.length * frame.length);
  frames.forEach((f, i) => out.set(f, i * frame.length));
  return out;
}
