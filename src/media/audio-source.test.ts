import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioFormat, createFrame, frameSize } from './audio-frame.js';
import { readAll, SilenceSource, ToneSource, WavFileSource } from './audio-source.js';
import { dominantFrequency, goertzel } from './tone-analysis.js';
import { writeWav } from './wav.js';

const f8k = audioFormat(8000);

test('audio frames: 20 ms of 16-bit mono is 160 samples at 8 kHz, 960 at 48 kHz', () => {
  assert.equal(frameSize(f8k), 160);
  assert.equal(frameSize(audioFormat(48000)), 960);
  assert.equal(frameSize(audioFormat(44100, 20)), 882);
  assert.throws(() => audioFormat(44100, 10.01), { code: 'audio-bad-format' });
});

test('ToneSource: tone:440 is a continuous 440 Hz sine at the configured amplitude', () => {
  assert.equal(ToneSource.parseSpec('tone:440'), 440);
  assert.equal(ToneSource.parseSpec('tone:1000.5'), 1000.5);
  assert.equal(ToneSource.parseSpec('music.wav'), undefined);
  const src = new ToneSource(f8k, { frequency: 440, amplitude: 0.25 });
  const audio = readAll(src, 1000);
  assert.equal(audio.length, 8000);
  assert.ok(Math.abs(dominantFrequency(audio, 8000)! - 440) < 1);
  assert.ok(Math.abs(goertzel(audio, 8000, 440) - 0.25 * 32767) < 30);
  // Phase continuity: no discontinuity at frame boundaries (max step of a 440 Hz sine).
  const maxStep = 0.25 * 32767 * 2 * Math.sin((Math.PI * 440) / 8000) + 2;
  for (let i = 1; i < audio.length; i++) assert.ok(Math.abs(audio[i]! - audio[i - 1]!) <= maxStep, `jump at ${i}`);
  assert.throws(() => new ToneSource(f8k, { frequency: 5000 }), { code: 'tone-bad-frequency' });
});

test('ToneSource and SilenceSource end after their duration, then give silence', () => {
  const tone = new ToneSource(f8k, { frequency: 1000, durationMs: 50 });
  const frame = createFrame(f8k);
  assert.equal(tone.read(frame), true);
  assert.equal(tone.read(frame), true);
  assert.equal(tone.read(frame), true);
  assert.ok(frame.subarray(80).every((v) => v === 0), 'the partial last frame is padded');
  assert.equal(tone.read(frame), false);
  const silence = new SilenceSource(f8k, 40);
  assert.equal(silence.read(frame), true);
  assert.ok(frame.every((v) => v === 0));
  assert.equal(silence.read(frame), true);
  assert.equal(silence.read(frame), false);
  assert.equal(new SilenceSource(f8k).read(frame), true);
});

function stereoTone(rate: number, seconds: number, freq: number): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n * 2);
  for (let i = 0; i < n; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / rate));
    out[2 * i] = v;
    out[2 * i + 1] = v;
  }
  return out;
}

test('WavFileSource: a 44.1 kHz stereo file plays as 8 kHz mono with its frequency kept', () => {
  const bytes = writeWav(stereoTone(44100, 1, 1000), 44100, 2);
  const r = WavFileSource.fromBytes(bytes, f8k);
  assert.ok(r.ok);
  const src = r.value;
  assert.equal(src.samples.length, 8000);
  assert.ok(Math.abs(src.durationMs - 1000) < 1);
  const audio = readAll(src, 5000);
  assert.equal(audio.length, 8000);
  assert.ok(Math.abs(dominantFrequency(audio, 8000)! - 1000) < 10);
  assert.ok(Math.abs(goertzel(audio, 8000, 1000, 2000, 4000) - 8000) < 300);
  assert.equal(src.read(createFrame(f8k)), false);
});

test('WavFileSource: loops without a gap, or ends with a padded last frame', () => {
  const samples = Int16Array.from({ length: 250 }, (_, i) => i + 1); // 31.25 ms at 8 kHz
  const bytes = writeWav(samples, 8000);
  const once = WavFileSource.fromBytes(bytes, f8k);
  assert.ok(once.ok);
  const a = readAll(once.value, 1000);
  assert.equal(a.length, 320);
  assert.equal(a[249], 250);
  assert.equal(a[250], 0);
  const looped = WavFileSource.fromBytes(bytes, f8k, { loop: true });
  assert.ok(looped.ok);
  const b = readAll(looped.value, 100);
  assert.equal(b.length, 800);
  assert.equal(b[249], 250);
  assert.equal(b[250], 1);
  assert.equal(b[500], 1);
  const bad = WavFileSource.fromBytes(new Uint8Array(10), f8k);
  assert.ok(!bad.ok && bad.error.code === 'wav-too-short');
});
