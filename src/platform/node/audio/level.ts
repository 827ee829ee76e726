/**
 * The software level of a device: a linear gain from 0 (silent) through 1 (as the device gives
 * or takes it) to 1.5 (about +3.5 dB), applied to each frame with clipping. The sound server's
 * own volume stays the user's (their mixer); this level is the phone's setting per device.
 */
import { AudioDeviceError } from './audio-device-error.js';

export const MAX_LEVEL = 1.5;

/** `level` when it is a number in 0..1.5; else an `audio-bad-option` error. */
export function checkLevel(level: number, what = 'level'): number {
  if (!(typeof level === 'number' && level >= 0 && level <= MAX_LEVEL)) {
    throw new AudioDeviceError('audio-bad-option', `${what} must be between 0 and ${MAX_LEVEL}, not ${String(level)}`);
  }
  return level;
}

/** Scale `samples` in place by `level`, clipping to 16 bits; level 1 leaves them untouched. */
export function applyLevel(samples: Int16Array, level: number): void {
  if (level === 1) return;
  if (level === 0) {
    samples.fill(0);
    return;
  }
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i]! * level);
    samples[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}

/** Samples as signed 16-bit little-endian bytes (a new buffer: device tool pipes keep it). */
export function toBytesLE(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  for (let i = 0, o = 0; i < samples.length; i++, o += 2) {
    const v = samples[i]!;
    out[o] = v & 0xff;
    out[o + 1] = (v >> 8) & 0xff;
  }
  return out;
}
