import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe, runFuzz } from './sip-parser-fuzz-core.js';

// A slice of `npm run fuzz` inside `npm test`: no mutated message may make the parser throw or
// report an internal error. Timing is printed, never asserted (it is a benchmark concern).
test('RFC 3261 §7 / RFC 4475: 20,000 mutated messages never make parseMessage throw', () => {
  const stats = runFuzz(20_000, 20240601);
  console.log(describe(stats));
  assert.deepEqual(stats.failures.map((f) => f.what), []);
  assert.ok(stats.parsedOk > 0, 'some mutated messages should still parse');
});
