import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Concealer } from './concealment.js';

test('concealment: the last good frame is repeated with a fade that reaches silence after fadeFrames', () => {
  const c = new Concealer(4, { fadeFrames: 2 });
  c.good(Int16Array.from([1000, 1000, 1000, 1000]));
  const out = new Int16Array(4);
  c.conceal(out);
  assert.deepEqual([...out], [1000, 875, 750, 625]);
  c.conceal(out);
  assert.deepEqual([...out], [500, 375, 250, 125]);
  c.conceal(out);
  assert.deepEqual([...out], [0, 0, 0, 0]);
  c.good(Int16Array.from([8, 8, 8, 8]));
  c.conceal(out);
  assert.deepEqual([...out], [8, 7, 6, 5]);
});

test('concealment: silence mode, and silence before any good frame', () => {
  const out = new Int16Array(3).fill(9);
  new Concealer(3).conceal(out);
  assert.deepEqual([...out], [0, 0, 0]);
  const s = new Concealer(3, { mode: 'silence' });
  s.good(Int16Array.from([5, 5, 5]));
  out.fill(9);
  s.conceal(out);
  assert.deepEqual([...out], [0, 0, 0]);
});
