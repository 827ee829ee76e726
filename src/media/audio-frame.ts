/**
 * The one shape audio moves in through media/: fixed frames of 16-bit mono PCM, `frameMs`
 * long (20 ms by default) at the stream's sample rate, e.g. an Int16Array of 160 samples at
 * 8000 Hz. Sources fill frames, sinks take them; codecs, the jitter buffer and the mixer sit
 * in between.
 */
import { MediaError } from './result.js';

export const DEFAULT_FRAME_MS = 20;

export interface AudioFormat {
  /** Samples per second (8000 for G.711). */
  readonly sampleRate: number;
  /** Frame duration in ms. */
  readonly frameMs: number;
}

/** Samples in one frame of `format`. Throws when the frame is not a whole number of samples. */
export function frameSize(format: AudioFormat): number {
  const n = (format.sampleRate * format.frameMs) / 1000;
  if (!Number.isInteger(n) || n <= 0) throw new MediaError('audio-bad-format', `${format.frameMs} ms at ${format.sampleRate} Hz is not a whole number of samples`);
  return n;
}

export function audioFormat(sampleRate: number, frameMs = DEFAULT_FRAME_MS): AudioFormat {
  const format = { sampleRate, frameMs };
  frameSize(format);
  return format;
}

/** A new, silent frame for `format`. */
export function createFrame(format: AudioFormat): Int16Array {
  return new Int16Array(frameSize(format));
}

/** Produces frames: a tone, a file, a microphone, the far end of a call. */
export interface AudioSource {
  readonly format: AudioFormat;
  /**
   * Fill `out` (exactly one frame) with the next frame of audio. Returns false once the source
   * has ended; `out` is then filled with silence.
   */
  read(out: Int16Array): boolean;
}

/** Consumes frames: a recorder, a speaker, the near end of a call. */
export interface AudioSink {
  readonly format: AudioFormat;
  /**
   * Take one frame, heard at `timeMs` on the stream's clock (the time of its first sample).
   * The sink copies what it keeps: the caller reuses `frame`.
   */
  write(frame: Int16Array, timeMs: number): void;
}
