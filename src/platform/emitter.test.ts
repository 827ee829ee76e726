/** The shared emitter: order, isolation of a throwing listener, and changes during an emit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from './emitter.js';

type Events = { tick: number };

test('listeners run in the order added; a throwing one does not stop the others', () => {
  const e = new Emitter<Events>();
  const seen: string[] = [];
  const errors: unknown[] = [];
  e.onListenerError = (err) => errors.push(err);
  e.on('tick', (n) => seen.push(`a${n}`));
  e.on('tick', () => {
    throw new Error('boom');
  });
  e.on('tick', (n) => seen.push(`c${n}`));
  e.emit('tick', 1);
  assert.deepEqual(seen, ['a1', 'c1']);
  assert.equal(errors.length, 1);
});

test('a listener added or removed during an emit does not change who hears that event, only the next', () => {
  const e = new Emitter<Events>();
  const seen: string[] = [];
  let offB: () => void = () => {};
  e.on('tick', (n) => {
    seen.push(`a${n}`);
    if (n === 1) {
      offB();
      e.on('tick', (m) => seen.push(`late${m}`));
    }
  });
  offB = e.on('tick', (n) => seen.push(`b${n}`));
  e.emit('tick', 1);
  assert.deepEqual(seen, ['a1', 'b1'], 'b still hears the event in flight; late does not');
  e.emit('tick', 2);
  assert.deepEqual(seen, ['a1', 'b1', 'a2', 'late2']);
});

test('once, waitFor, hasListeners and removeAll', async () => {
  const e = new Emitter<Events>();
  let count = 0;
  e.once('tick', () => count++);
  const third = e.waitFor('tick', (n) => n === 3);
  assert.equal(e.hasListeners('tick'), true);
  e.emit('tick', 1);
  e.emit('tick', 2);
  e.emit('tick', 3);
  assert.equal(await third, 3);
  assert.equal(count, 1);
  assert.equal(e.hasListeners('tick'), false);
  e.on('tick', () => count++);
  e.removeAll();
  e.emit('tick', 4);
  assert.equal(count, 1);
});
