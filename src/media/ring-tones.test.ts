// The built-in ringtones as PCM: each pattern has its frequencies where the page's WebAudio
// version has them (web/src/ringtone.ts), its silences, its cycle, and the asked-for level.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audioFormat } from './audio-frame.js';
import { readAll } from './audio-source.js';
import { ringToneSource, renderRingCycle } from './ring-tones.js';
import { dominantFrequency, goertzel } from './tone-analysis.js';

const RATE = 16000;
const peak = (s: Int16Array) => s.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const span = (s: Int16Array, fromS: number, toS: number) => s.subarray(Math.round(fromS * RATE), Math.round(toS * RATE));

test('default: a 1300/1600 Hz trill for 1 s, again at 1.3 s, silent to the end of its 4 s cycle', () => {
  const c = renderRingCycle('default', 'ring', RATE, 0.5);
  assert.equal(c.length, 4 * RATE);
  const trill = span(c, 0, 1);
  const a1300 = goertzel(trill, RATE, 1300);
  const a1600 = goertzel(trill, RATE, 1600);
  assert.ok(a1300 > 1000 && a1600 > 1000, `both notes: ${a1300.toFixed(0)}, ${a1600.toFixed(0)}`);
  assert.ok(goertzel(trill, RATE, 440) < a1300 / 20, 'no 440 Hz');
  assert.ok(peak(span(c, 1.3, 2.3)) > 0.45 * 32767, 'the second trill, at the level asked for');
  assert.ok(peak(c) <= Math.round(0.5 * 32767));
  assert.equal(peak(span(c, 1.01, 1.29)), 0, 'the gap between the trills');
  assert.equal(peak(span(c, 2.31, 4)), 0, 'the pause');
});

test('pulse: 440+480 Hz for 400 ms twice; chime: its four notes; waiting: two quiet beeps in 8 s', () => {
  const pulse = renderRingCycle('pulse', 'ring', RATE, 0.3);
  const f = dominantFrequency(span(pulse, 0, 0.4), RATE)!;
  assert.ok(Math.abs(f - 440) < 10 || Math.abs(f - 480) < 10, `pulse ${f} Hz`);
  assert.equal(peak(span(pulse, 0.41, 0.59)), 0);
  assert.equal(peak(span(pulse, 1.01, 3)), 0);
  const chime = renderRingCycle('chime', 'ring', RATE, 0.3);
  for (const [i, hz] of [659.25, 830.61, 987.77, 1318.5].entries()) {
    // The notes overlap (each lasts 500 ms): each one is there from its start, not before.
    const on = goertzel(span(chime, i * 0.18 + 0.01, i * 0.18 + 0.17), RATE, hz);
    const before = i ? goertzel(span(chime, i * 0.18 - 0.16, i * 0.18), RATE, hz) : 0;
    assert.ok(on > 1000 && before < on / 10, `note ${i + 1} at ${hz} Hz: ${on.toFixed(0)} from its start, ${before.toFixed(0)} before`);
  }
  const waiting = renderRingCycle('anything', 'waiting', RATE, 0.1);
  assert.equal(waiting.length, 8 * RATE);
  assert.ok(Math.abs(dominantFrequency(span(waiting, 0, 0.2), RATE)! - 440) < 10);
  assert.equal(peak(span(waiting, 0.56, 8)), 0);
});

test('ringback: 440+480 Hz for 2 s, silent to the end of its 6 s cycle, whatever the ringtone', () => {
  const c = renderRingCycle('chime', 'ringback', RATE, 0.3);
  assert.equal(c.length, 6 * RATE);
  const on = span(c, 0.05, 1.95);
  assert.ok(goertzel(on, RATE, 440) > 3000 && goertzel(on, RATE, 480) > 3000, 'both tones');
  assert.equal(peak(span(c, 2.01, 6)), 0);
  assert.deepEqual(ringToneSource(audioFormat(RATE), 'none', 'ringback', 0.3) !== undefined, true, 'a silent ringtone does not silence the ringback');
});

test('an unknown name rings the default; none is no source; the source loops without a gap', () => {
  assert.deepEqual(renderRingCycle('no-such-tone', 'ring', RATE, 0.3), renderRingCycle('default', 'ring', RATE, 0.3));
  const f = audioFormat(RATE);
  assert.equal(ringToneSource(f, 'none', 'ring', 0.3), undefined);
  assert.ok(ringToneSource(f, 'none', 'waiting', 0.3), 'call waiting beeps even with a silent ringtone');
  const all = readAll(ringToneSource(f, 'pulse', 'ring', 0.3)!, 6500);
  assert.deepEqual(all.subarray(3 * RATE, 3 * RATE + 200), all.subarray(0, 200), 'the second cycle starts as the first');
});
