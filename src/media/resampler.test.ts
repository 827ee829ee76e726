import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resample, Resampler } from './resampler.js';
import { dominantFrequency, goertzel } from './tone-analysis.js';

function sine(freq: number, rate: number, seconds: number, amplitude = 10000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

test('resampler: a 440 Hz tone keeps its frequency and level between 8k, 16k, 44.1k and 48k', () => {
  const rates = [8000, 16000, 44100, 48000];
  for (const from of rates) {
    for (const to of rates) {
      const out = resample(sine(440, from, 0.5), from, to);
      assert.equal(out.length, Math.ceil((Math.round(from * 0.5) * to) / from), `${from}→${to} length`);
      const f = dominantFrequency(out, to)!;
      assert.ok(Math.abs(f - 440) < 4.4, `${from}→${to}: ${f}`);
      // Level in the middle (away from the edges) within 0.3 dB.
      const mid = Math.floor(out.length / 4);
      const amp = goertzel(out, to, 440, mid, Math.floor(out.length / 2));
      assert.ok(Math.abs(amp - 10000) < 350, `${from}→${to}: amplitude ${amp}`);
    }
  }
});

test('resampler: downsampling removes content above the new Nyquist frequency instead of aliasing it', () => {
  // 6 kHz at 48 kHz would alias to 2 kHz at 8 kHz without the low-pass.
  const out = resample(sine(6000, 48000, 0.5), 48000, 8000);
  const mid = out.subarray(400, 3600);
  assert.ok(goertzel(mid, 8000, 2000) < 30, `alias at 2 kHz: ${goertzel(mid, 8000, 2000)}`);
  // 44.1k → 8k: 5 kHz would alias to 3 kHz.
  const out2 = resample(sine(5000, 44100, 0.5), 44100, 8000);
  assert.ok(goertzel(out2.subarray(400, 3600), 8000, 3000) < 30);
});

test('resampler: streaming in odd-sized chunks equals the one-shot conversion', () => {
  const input = sine(1000, 44100, 0.3);
  const whole = resample(input, 44100, 8000);
  const r = new Resampler(44100, 8000);
  const parts: number[] = [];
  for (let i = 0; i < input.length; i += 777) parts.push(...r.process(input.subarray(i, Math.min(input.length, i + 777))));
  parts.push(...r.flush());
  assert.deepEqual(parts, [...whole]);
});

test('resampler: same rate is a copy; bad rates throw', () => {
  const x = Int16Array.from([1, 2, 3]);
  const y = resample(x, 8000, 8000);
  assert.deepEqual([...y], [1, 2, 3]);
  assert.notEqual(y, x);
  assert.throws(() => new Resampler(0, 8000), { code: 'resampler-bad-rate' });
});
