// Judging the recordings of real calls by their content (src/media/tone-analysis.ts): which
// tone dominates, how much of the answered time carries it, and where the silences are.
//
// The thresholds the call tests use, and why:
// - Frequency within 2 % of the tone sent (issue 3). Welch's estimate is within a fraction of
//   a hertz for a tone of a second or more, so 2 % leaves room only for estimation error
//   (a wrong codec law or sample rate shifts or smears the peak far more).
// - A 20 ms window (one RTP packet) "carries signal" when its RMS is at least 1000
//   (about -30 dBFS). Every tone here is sent at about -15 dBFS RMS (amplitude 8000 or 0.3 of
//   full scale), so a window holding it is 15 dB above the line, while what a receiver plays
//   for a missing packet (silence; G.711 idle codes decode to 0..8) is far below it.
// - Coverage is counted against the answered time (what the caller measured from the 200 to
//   the BYE), not against the file's own length, so a recording cut short fails.
// - The lead-in (first packet's travel plus the receiver's playout delay) is bounded apart
//   (≤ 300 ms by default); after it, no silent run between the first and the last audio may
//   be longer than `maxGapMs` (100 ms by default, as in rtp-media.test.ts: two or three
//   packets missing in a row would be audible as a break; one concealed packet is not).
import { readFileSync } from 'node:fs';
import { parseWav } from '../../src/media/wav.js';
import { activeCoverage, dominantFrequency } from '../../src/media/tone-analysis.js';

export const SIGNAL_RMS = 1000;
const WINDOW_MS = 20;

export interface Recording {
  path: string;
  sampleRate: number;
  /** Mono 16-bit samples (the first channel of a multichannel file). */
  samples: Int16Array;
  durationMs: number;
}

export function readRecording(path: string): Recording {
  const r = parseWav(new Uint8Array(readFileSync(path)));
  if (!r.ok) throw new Error(`${path}: ${r.error.message}`);
  const { sampleRate, channels } = r.value;
  let samples = r.value.samples;
  if (channels > 1) samples = samples.filter((_, i) => i % channels === 0);
  return { path, sampleRate, samples, durationMs: (samples.length * 1000) / sampleRate };
}

/** For each 20 ms window in order, whether it is silent (RMS below SIGNAL_RMS). */
export function silentWindows(samples: ArrayLike<number>, sampleRate: number): boolean[] {
  const size = Math.round((sampleRate * WINDOW_MS) / 1000);
  const out: boolean[] = [];
  for (let w = 0; (w + 1) * size <= samples.length; w++) {
    let sum = 0;
    for (let i = w * size; i < (w + 1) * size; i++) sum += samples[i]! * samples[i]!;
    out.push(Math.sqrt(sum / size) < SIGNAL_RMS);
  }
  return out;
}

export interface ToneFigures {
  /** Dominant frequency of the whole recording (Hz). */
  frequencyHz: number | undefined;
  durationMs: number;
  /** Silence before the first window with signal. */
  leadMs: number;
  /** Silence after the last window with signal. */
  tailMs: number;
  /** Time (ms) of windows with signal. */
  activeMs: number;
  /** activeMs / answered time. */
  coverage: number;
  /** Longest silent run between the first and the last audio. */
  longestGapMs: number;
  /** Silent runs between the first and the last audio, as [startMs, lengthMs]. */
  gaps: [number, number][];
}

export function toneFigures(rec: { samples: Int16Array; sampleRate: number }, answeredMs: number): ToneFigures {
  const silent = silentWindows(rec.samples, rec.sampleRate);
  const first = silent.indexOf(false);
  const last = silent.lastIndexOf(false);
  const gaps: [number, number][] = [];
  let run = 0;
  for (let w = Math.max(0, first); w <= last; w++) {
    if (silent[w]) run++;
    else if (run) {
      gaps.push([(w - run) * WINDOW_MS, run * WINDOW_MS]);
      run = 0;
    }
  }
  const active = silent.filter((s) => !s).length;
  return {
    frequencyHz: dominantFrequency(rec.samples, rec.sampleRate),
    durationMs: (rec.samples.length * 1000) / rec.sampleRate,
    leadMs: first < 0 ? silent.length * WINDOW_MS : first * WINDOW_MS,
    tailMs: last < 0 ? 0 : (silent.length - 1 - last) * WINDOW_MS,
    activeMs: active * WINDOW_MS,
    coverage: (active * WINDOW_MS) / answeredMs,
    longestGapMs: gaps.reduce((m, g) => Math.max(m, g[1]), 0),
    gaps,
  };
}

export interface ToneExpectation {
  hz: number;
  answeredMs: number;
  /** Default 0.9 (issue 3). */
  minCoverage?: number;
  /** Longest silence allowed between the first and the last audio (default 100 ms). */
  maxGapMs?: number;
  /** Longest silence allowed before the first audio (default 300 ms). */
  maxLeadMs?: number;
}

/** Why the recording fails the expectation, or undefined when it passes. */
export function toneProblems(f: ToneFigures, e: ToneExpectation): string | undefined {
  const problems: string[] = [];
  if (f.frequencyHz === undefined || Math.abs(f.frequencyHz - e.hz) > e.hz * 0.02) problems.push(`dominant ${f.frequencyHz?.toFixed(1)} Hz, expected ${e.hz} Hz ±2 %`);
  if (f.coverage < (e.minCoverage ?? 0.9)) problems.push(`signal covers ${(100 * f.coverage).toFixed(1)} % of the ${e.answeredMs} ms answered, expected ≥ ${100 * (e.minCoverage ?? 0.9)} %`);
  if (f.longestGapMs > (e.maxGapMs ?? 100)) problems.push(`a gap of ${f.longestGapMs} ms (gaps ${JSON.stringify(f.gaps)})`);
  if (f.leadMs > (e.maxLeadMs ?? 300)) problems.push(`first audio after ${f.leadMs} ms`);
  return problems.length ? problems.join('; ') : undefined;
}

export function describeFigures(f: ToneFigures): string {
  return `${f.frequencyHz?.toFixed(2)} Hz, ${f.durationMs.toFixed(0)} ms recorded, lead ${f.leadMs} ms, tail ${f.tailMs} ms, active ${f.activeMs} ms = ${(100 * f.coverage).toFixed(1)} % of answered, longest gap ${f.longestGapMs} ms`;
}

/** Coverage of a stretch [fromMs, toMs) with signal, as activeCoverage reports it. */
export function stretch(rec: { samples: Int16Array; sampleRate: number }, fromMs: number, toMs: number): { frequencyHz: number | undefined; coverage: number; longestGapMs: number } {
  const a = Math.max(0, Math.round((fromMs * rec.sampleRate) / 1000));
  const b = Math.min(rec.samples.length, Math.round((toMs * rec.sampleRate) / 1000));
  const part = rec.samples.subarray(a, b);
  const c = activeCoverage(part, rec.sampleRate, SIGNAL_RMS, WINDOW_MS);
  return { frequencyHz: dominantFrequency(part, rec.sampleRate), coverage: c.coverage, longestGapMs: c.longestGapMs };
}
