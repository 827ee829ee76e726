import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeMediaClock } from './media-clock.js';

test('media clock: one timer ticks every registered stream at the interval, without drift', async () => {
  const clock = new NodeMediaClock({ intervalMs: 10 });
  const seen = [0, 0];
  const times: number[] = [];
  const a = { tick: (now: number) => { seen[0]!++; times.push(now); } };
  const b = { tick: () => { seen[1]!++; } };
  const t0 = clock.now();
  clock.add(a);
  clock.add(b);
  clock.add(a);
  assert.equal(clock.size, 2, 'adding twice registers once');
  await new Promise((r) => setTimeout(r, 1000));
  clock.remove(b);
  const atRemove = seen[1]!;
  await new Promise((r) => setTimeout(r, 100));
  clock.close();
  assert.equal(seen[1], atRemove, 'a removed stream is not ticked');
  // drift-corrected: the count follows elapsed time (±2 ticks), not 1000 / (10 + callback delay)
  const elapsed = times.at(-1)! - t0;
  assert.ok(Math.abs(seen[0]! - elapsed / 10) <= 2, `${seen[0]} ticks in ${elapsed.toFixed(1)} ms`);
  assert.ok(seen[0]! >= 95, `${seen[0]} ticks`);
  assert.equal(clock.stats.streams, 0);
});

test('media clock: a throwing stream does not stop the others; the timer stops when the last stream leaves', async () => {
  const clock = new NodeMediaClock({ intervalMs: 5 });
  let ok = 0;
  const bad = { tick: () => { throw new Error('boom'); } };
  const good = { tick: () => { ok++; } };
  clock.add(bad);
  clock.add(good);
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(ok >= 5);
  clock.remove(bad);
  clock.remove(good);
  const ticks = clock.stats.ticks;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(clock.stats.ticks, ticks);
});
