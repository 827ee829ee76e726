/**
 * The built-in ringtones as PCM, for ringing on the engine's own speaker (the page synthesises
 * the same patterns with WebAudio: web/src/ringtone.ts). One cycle of the pattern is rendered
 * once and looped:
 *
 *   default  a bell-like trill: 1300/1600 Hz alternating every 50 ms for 1 s, twice, in 4 s
 *   chime    four triangle notes (E5 G#5 B5 E6), 180 ms apart, in 3 s
 *   pulse    two 400 ms bursts of 440+480 Hz (the North American ring), in 3 s
 *   waiting  call waiting: two short quiet 440 Hz beeps every 8 s
 *   ringback what a caller hears while the far end rings (a 180 without early media):
 *            440+480 Hz for 2 s in 6 s, the North American ringback (ITU-T E.180)
 *
 * Every burst ramps in over 10 ms and out over 20 ms, so it does not click.
 */
import type { AudioFormat } from './audio-frame.js';
import { PcmSource } from './audio-source.js';

export const RING_TONES = ['default', 'chime', 'pulse', 'none'] as const;

/** A ringtone for an incoming call, call waiting beeps, or the ringback of an outgoing call. */
export type RingKind = 'ring' | 'waiting' | 'ringback';

interface Burst {
  atS: number;
  lengthS: number;
  freqs: number[];
  wave?: 'sine' | 'triangle';
}

/** One cycle of `tone` (a RING_TONES name; anything else rings `default`), or of call waiting or ringback. */
function cycle(tone: string, kind: RingKind): { bursts: Burst[]; lengthS: number } {
  if (kind === 'ringback') return { bursts: [{ atS: 0, lengthS: 2, freqs: [440, 480] }], lengthS: 6 };
  if (kind === 'waiting') {
    return {
      bursts: [
        { atS: 0, lengthS: 0.2, freqs: [440] },
        { atS: 0.35, lengthS: 0.2, freqs: [440] },
      ],
      lengthS: 8,
    };
  }
  switch (tone) {
    case 'chime':
      return { bursts: [659.25, 830.61, 987.77, 1318.5].map((f, i) => ({ atS: i * 0.18, lengthS: 0.5, freqs: [f], wave: 'triangle' as const })), lengthS: 3 };
    case 'pulse':
      return {
        bursts: [
          { atS: 0, lengthS: 0.4, freqs: [440, 480] },
          { atS: 0.6, lengthS: 0.4, freqs: [440, 480] },
        ],
        lengthS: 3,
      };
    default: {
      const bursts: Burst[] = [];
      for (let rep = 0; rep < 2; rep++) for (let i = 0; i < 20; i++) bursts.push({ atS: rep * 1.3 + i * 0.05, lengthS: 0.05, freqs: [i % 2 ? 1600 : 1300] });
      return { bursts, lengthS: 4 };
    }
  }
}

function wave(kind: 'sine' | 'triangle', phase: number): number {
  const s = Math.sin(phase);
  return kind === 'sine' ? s : (2 / Math.PI) * Math.asin(s);
}

/** One cycle of the pattern at `sampleRate`, peaking at `amplitude` (0..1) of full scale. */
export function renderRingCycle(tone: string, kind: RingKind, sampleRate: number, amplitude: number): Int16Array {
  const { bursts, lengthS } = cycle(tone, kind);
  const out = new Float32Array(Math.round(lengthS * sampleRate));
  for (const b of bursts) {
    const start = Math.round(b.atS * sampleRate);
    const n = Math.round(b.lengthS * sampleRate);
    const up = 0.01 * sampleRate;
    const down = 0.02 * sampleRate;
    for (let i = 0; i < n && start + i < out.length; i++) {
      const envelope = Math.min(1, i / up, (n - i) / down);
      let v = 0;
      for (const f of b.freqs) v += wave(b.wave ?? 'sine', (2 * Math.PI * f * i) / sampleRate);
      out[start + i]! += (envelope * v) / b.freqs.length;
    }
  }
  const pcm = new Int16Array(out.length);
  const peak = Math.max(0, Math.min(1, amplitude)) * 32767;
  for (let i = 0; i < out.length; i++) pcm[i] = Math.round(Math.max(-1, Math.min(1, out[i]!)) * peak);
  return pcm;
}

/** The ringtone `tone` (or call waiting, or ringback) as an endless source; undefined for the ringtone `none`. */
export function ringToneSource(format: AudioFormat, tone: string, kind: RingKind, amplitude: number): PcmSource | undefined {
  if (kind === 'ring' && tone === 'none') return undefined;
  return new PcmSource(renderRingCycle(tone, kind, format.sampleRate, amplitude), format, { loop: true });
}
