import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransactionError } from './errors.js';
import { DEFAULT_TIMER_CONFIG, timerConfig, timerValues } from './timers.js';

test('RFC 3261 §17.1.1.1: T1, T2 and T4 default to 500 ms, 4 s and 5 s; Timer D to 32 s; 100 Trying after 200 ms', () => {
  assert.deepEqual(timerConfig(), { t1: 500, t2: 4000, t4: 5000, timerD: 32000, trying: 200 });
  assert.deepEqual(timerConfig(), { ...DEFAULT_TIMER_CONFIG });
});

test('RFC 3261 §17.1.1.1: T1, T2 and T4 are configurable; unset fields keep their defaults', () => {
  assert.deepEqual(timerConfig({ t1: 1000, t4: 2000 }), { t1: 1000, t2: 4000, t4: 2000, timerD: 32000, trying: 200 });
  assert.deepEqual(timerConfig({ t2: undefined }), timerConfig());
});

test('RFC 3261 §17.1.1.1: nonsense timer values are refused', () => {
  assert.throws(() => timerConfig({ t1: 0 }), TransactionError);
  assert.throws(() => timerConfig({ t1: -5 }), TransactionError);
  assert.throws(() => timerConfig({ t1: 5000, t2: 4000 }), TransactionError);
  assert.throws(() => timerConfig({ t4: Number.NaN }), TransactionError);
  assert.throws(() => timerConfig({ timerD: Infinity }), TransactionError);
});

test('RFC 3261 Table 4 / RFC 6026: timer values for unreliable and reliable transports', () => {
  const c = timerConfig();
  assert.deepEqual(timerValues(c, false), {
    timerA: 500, timerB: 32000, timerD: 32000, timerE: 500, timerF: 32000, timerG: 500, timerH: 32000,
    timerI: 5000, timerJ: 32000, timerK: 5000, timerL: 32000, timerM: 32000, trying: 200,
  });
  const r = timerValues(c, true);
  assert.equal(r.timerD, 0);
  assert.equal(r.timerI, 0);
  assert.equal(r.timerJ, 0);
  assert.equal(r.timerK, 0);
  assert.equal(r.timerB, 32000);
  assert.equal(r.timerH, 32000);
  assert.equal(r.timerL, 32000);
  assert.equal(r.timerM, 32000);
});
