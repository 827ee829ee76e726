import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AudioDeviceError } from './audio-device-error.js';
import { applyLevel, checkLevel, toBytesLE } from './level.js';

test('level: 0..1.5 is accepted, anything else is an audio-bad-option error', () => {
  assert.equal(checkLevel(0), 0);
  assert.equal(checkLevel(1.5), 1.5);
  for (const bad of [-0.1, 1.51, Number.NaN, Infinity]) {
    assert.throws(() => checkLevel(bad, 'input level'), (e: unknown) => e instanceof AudioDeviceError && e.code === 'audio-bad-option' && /input level/.test(e.message));
  }
});

test('level: scales, rounds and clips to 16 bits; 1 leaves samples untouched, 0 silences', () => {
  const s = Int16Array.from([1000, -1000, 30000, -30000, 3]);
  applyLevel(s, 1.5);
  assert.deepEqual([...s], [1500, -1500, 32767, -32768, 5]);
  const t = Int16Array.from([7, -7]);
  applyLevel(t, 1);
  assert.deepEqual([...t], [7, -7]);
  applyLevel(t, 0);
  assert.deepEqual([...t], [0, 0]);
  const h = Int16Array.from([1000, -999]);
  applyLevel(h, 0.5);
  assert.deepEqual([...h], [500, -499]);
});

test('level: toBytesLE writes signed 16-bit little-endian', () => {
  assert.deepEqual([...toBytesLE(Int16Array.from([1, -1, 0x1234, -32768]))], [1, 0, 0xff, 0xff, 0x34, 0x12, 0x00, 0x80]);
});
