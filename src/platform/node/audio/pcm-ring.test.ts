import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PcmRing } from './pcm-ring.js';

function le(samples: number[]): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  samples.forEach((v, i) => {
    out[2 * i] = v & 0xff;
    out[2 * i + 1] = (v >> 8) & 0xff;
  });
  return out;
}

test('PcmRing: s16le bytes split at odd offsets join into the same samples', () => {
  const samples = [0, 1, -1, 32767, -32768, 1234, -4321];
  const bytes = le(samples);
  for (const cut of [1, 3, 5, 7]) {
    const ring = new PcmRing(16);
    ring.writeBytesLE(bytes.subarray(0, cut));
    ring.writeBytesLE(bytes.subarray(cut, cut)); // an empty chunk keeps the carry
    ring.writeBytesLE(bytes.subarray(cut));
    const out = new Int16Array(samples.length);
    assert.equal(ring.read(out), true);
    assert.deepEqual([...out], samples, `cut at byte ${cut}`);
  }
});

test('PcmRing: a read needs a whole frame and leaves the samples when there is not one', () => {
  const ring = new PcmRing(8);
  ring.write(Int16Array.from([1, 2, 3]));
  const out = new Int16Array(4).fill(9);
  assert.equal(ring.read(out), false);
  assert.deepEqual([...out], [9, 9, 9, 9]);
  ring.write(Int16Array.from([4]));
  assert.equal(ring.read(out), true);
  assert.deepEqual([...out], [1, 2, 3, 4]);
  assert.equal(ring.length, 0);
});

test('PcmRing: wraps around, and a full ring overwrites the oldest samples and counts them', () => {
  const ring = new PcmRing(5);
  ring.write(Int16Array.from([1, 2, 3]));
  const two = new Int16Array(2);
  ring.read(two); // head moves to 2
  ring.write(Int16Array.from([4, 5, 6, 7, 8])); // 3,4,5,6,7,8 → 6 > 5: 3 is overwritten
  assert.equal(ring.length, 5);
  assert.equal(ring.overwritten, 1);
  const five = new Int16Array(5);
  assert.equal(ring.read(five), true);
  assert.deepEqual([...five], [4, 5, 6, 7, 8]);
});

test('PcmRing: discard drops the oldest samples, at most what is there', () => {
  const ring = new PcmRing(4);
  ring.write(Int16Array.from([1, 2, 3]));
  assert.equal(ring.discard(2), 2);
  assert.equal(ring.discard(5), 1);
  assert.equal(ring.length, 0);
  assert.throws(() => new PcmRing(0), RangeError);
});
