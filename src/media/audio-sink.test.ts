import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioFormat, createFrame } from './audio-frame.js';
import { WavRecorder } from './audio-sink.js';
import { ToneSource } from './audio-source.js';
import { activeCoverage, dominantFrequency } from './tone-analysis.js';
import { parseWav } from './wav.js';

const f8k = audioFormat(8000);

test('WavRecorder: frames on time make a continuous recording that parses as 16-bit mono WAV', () => {
  const rec = new WavRecorder(f8k);
  const tone = new ToneSource(f8k, { frequency: 1000 });
  const frame = createFrame(f8k);
  for (let i = 0; i < 50; i++) {
    tone.read(frame);
    rec.write(frame, 1000 + i * 20 + (i % 3)); // a little jitter is not a gap
  }
  assert.equal(rec.sampleCount, 8000);
  const wav = parseWav(rec.toWav());
  assert.ok(wav.ok);
  assert.equal(wav.value.sampleRate, 8000);
  assert.equal(wav.value.channels, 1);
  assert.equal(wav.value.bitsPerSample, 16);
  assert.equal(wav.value.samples.length, 8000);
  assert.ok(Math.abs(dominantFrequency(wav.value.samples, 8000)! - 1000) < 2);
  assert.deepEqual(activeCoverage(wav.value.samples, 8000, 300), { coverage: 1, longestGapMs: 0, windows: 50 });
});

test('WavRecorder: a gap in frames is recorded as silence so the timeline stays true', () => {
  const rec = new WavRecorder(f8k, { startMs: 0 });
  const tone = new ToneSource(f8k, { frequency: 440 });
  const frame = createFrame(f8k);
  for (const t of [100, 120, 140, 300, 320]) {
    tone.read(frame);
    rec.write(frame, t);
  }
  rec.padTo(400);
  assert.equal(rec.durationMs, 400);
  const c = activeCoverage(rec.samples(), 8000, 300, 20);
  assert.equal(c.windows, 20);
  assert.equal(c.coverage, 5 / 20);
  assert.equal(c.longestGapMs, 140); // 160..300 ms
});

test('WavRecorder: it copies frames, so the caller may reuse its buffer', () => {
  const rec = new WavRecorder(f8k);
  const frame = createFrame(f8k).fill(100);
  rec.write(frame, 0);
  frame.fill(-100);
  rec.write(frame, 20);
  const s = rec.samples();
  assert.equal(s[0], 100);
  assert.equal(s[160], -100);
});
