import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeCoverage, detectDtmf, dominantFrequency, goertzel } from './tone-analysis.js';

function sine(freq: number, rate: number, seconds: number, amplitude = 10000, phase = 0): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate + phase));
  return out;
}

test('Goertzel: amplitude of a present tone and near zero off it', () => {
  const s = sine(1000, 8000, 0.5, 8000);
  assert.ok(Math.abs(goertzel(s, 8000, 1000) - 8000) < 80);
  assert.ok(goertzel(s, 8000, 1300) < 100);
});

test('dominant frequency within 1% for pure tones over ~1 s at 8 kHz (and other rates)', () => {
  for (const f of [300, 440, 997, 1000, 1633, 3100]) {
    const est = dominantFrequency(sine(f, 8000, 1, 8000, 0.3), 8000)!;
    assert.ok(Math.abs(est - f) / f < 0.01, `${f} → ${est}`);
    assert.ok(Math.abs(est - f) < 0.5, `${f} → ${est} should be well within a Hz`);
  }
  const at48 = dominantFrequency(sine(440, 48000, 1.2), 48000)!;
  assert.ok(Math.abs(at48 - 440) < 2, `${at48}`);
  const short = dominantFrequency(sine(440, 8000, 0.1), 8000)!;
  assert.ok(Math.abs(short - 440) / 440 < 0.02, `${short}`);
  assert.equal(dominantFrequency(new Int16Array(8000), 8000), undefined);
});

test('dominant frequency picks the stronger of two tones, in noise', () => {
  const a = sine(440, 8000, 1, 6000);
  const b = sine(1000, 8000, 1, 3000);
  let seed = 1;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 2000;
  const mix = a.map((v, i) => v + b[i]! + noise());
  const est = dominantFrequency(mix, 8000)!;
  assert.ok(Math.abs(est - 440) < 4.4, `${est}`);
  assert.ok(Math.abs(dominantFrequency(mix, 8000, { minHz: 600 })! - 1000) < 10);
});

test('active coverage: fraction of windows with signal and the longest gap', () => {
  const s = new Int16Array(8000); // 1 s = 50 windows of 20 ms
  const tone = sine(440, 8000, 1, 5000);
  s.set(tone.subarray(0, 3200)); // 400 ms
  s.set(tone.subarray(4800, 8000), 4800); // gap of 200 ms, then 400 ms
  const c = activeCoverage(s, 8000, 300, 20);
  assert.equal(c.windows, 50);
  assert.equal(c.coverage, 40 / 50);
  assert.equal(c.longestGapMs, 200);
  assert.deepEqual(activeCoverage(tone, 8000, 300), { coverage: 1, longestGapMs: 0, windows: 50 });
});

function dtmf(digits: string, rate = 8000, onMs = 80, offMs = 60): Int16Array {
  const rows = ['123A', '456B', '789C', '*#0D'];
  const low = [697, 770, 852, 941];
  const high = [1209, 1336, 1477, 1633];
  const parts: number[] = [];
  for (const d of digits) {
    const r = rows.findIndex((row) => row.includes(d));
    const c = rows[r]!.indexOf(d);
    for (let i = 0; i < (rate * onMs) / 1000; i++) parts.push(4000 * Math.sin((2 * Math.PI * low[r]! * i) / rate) + 4000 * Math.sin((2 * Math.PI * high[c]! * i) / rate));
    for (let i = 0; i < (rate * offMs) / 1000; i++) parts.push(0);
  }
  return Int16Array.from(parts, Math.round);
}

test('ITU-T Q.24 DTMF detector: finds every digit once, repeated digits separately', () => {
  const found = detectDtmf(dtmf('1234567890*#ABCD55'), 8000);
  assert.equal(found.map((d) => d.digit).join(''), '1234567890*#ABCD55');
  assert.ok(found.every((d) => d.endMs > d.startMs));
  assert.equal(detectDtmf(dtmf('159', 16000), 16000).map((d) => d.digit).join(''), '159');
});

test('ITU-T Q.24 DTMF detector: a single tone, speech-like chords and silence are not digits', () => {
  assert.deepEqual(detectDtmf(sine(697, 8000, 0.5), 8000), []);
  assert.deepEqual(detectDtmf(new Int16Array(8000), 8000), []);
  const chord = sine(697, 8000, 0.5, 3000).map((v, i) => v + Math.round(3000 * Math.sin((2 * Math.PI * 1209 * i) / 8000)) + Math.round(3000 * Math.sin((2 * Math.PI * 500 * i) / 8000)));
  assert.deepEqual(detectDtmf(chord, 8000), []);
});
