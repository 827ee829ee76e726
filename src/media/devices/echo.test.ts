import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioFormat, createFrame } from '../audio-frame.js';
import { EchoDevice } from './echo.js';

test('the echo device returns what it heard, in order, after the delay, and silence before', () => {
  const fmt = audioFormat(8000);
  const echo = new EchoDevice(fmt, { delayMs: 40 });
  const out = createFrame(fmt);
  for (let i = 1; i <= 5; i++) {
    echo.write(createFrame(fmt).fill(i * 100), i * 20);
    echo.read(out);
    // two frames of delay: frames 1..3 read silence... then 1, 2, 3
    assert.equal(out[0], i <= 2 ? 0 : (i - 2) * 100, `read #${i}`);
  }
});

test('the echo device holds at most the delay plus one second when nobody reads', () => {
  const fmt = audioFormat(8000);
  const echo = new EchoDevice(fmt, { delayMs: 0 });
  for (let i = 0; i < 500; i++) echo.write(createFrame(fmt).fill(i), i * 20);
  const out = createFrame(fmt);
  echo.read(out);
  assert.equal(out[0], 500 - 50); // the oldest kept is one second (50 frames) back
});
