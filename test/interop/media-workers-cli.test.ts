// `softphone call` and `softphone listen` with --media-workers: two CLI processes on loopback,
// each carrying its call's RTP in worker threads; both record (the recordings come back from
// the workers when the call ends) and hear the other's tone (440 Hz ↔ 1000 Hz), and the
// listener prints the DTMF digits the caller sent from its worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dominantFrequency } from '../../src/media/tone-analysis.js';
import { runCli, startCli } from '../support/cli.js';
import { freeSipPortPair } from '../support/ports.js';
import { readRecording } from '../support/audio.js';

test('softphone call ↔ listen with --media-workers 2: both recordings hold the other side\'s tone, DTMF crosses', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-media-workers-'));
  const port = await freeSipPortPair();
  const theirs = join(dir, 'listener.wav');
  const ours = join(dir, 'caller.wav');
  const listener = startCli(['listen', '--sip-port', String(port), '--auto-answer', '--max-calls', '1', '--media-workers', '2', '--rtp-ports', '32000-32099', '--play', 'tone:1000', '--record', theirs]);
  t.after(() => listener.interrupt(2000));
  await listener.waitForLine(/listening on/, 20000);
  const r = await runCli(
    ['call', `sip:softphone@127.0.0.1:${port}`, '--media-workers', '2', '--rtp-ports', '32100-32199', '--play', 'tone:440', '--record', ours, '--dtmf', '42', '--duration', '3'],
    { timeoutMs: 30000 },
  );
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /recorded to/);
  await listener.waitForLine(/recorded to/, 10000);
  const done = await listener.exited;
  assert.match(done.stdout, /dtmf.*4/i);
  assert.match(done.stdout, /dtmf.*2/i);
  const heardByCaller = readRecording(ours);
  const heardByListener = readRecording(theirs);
  assert.ok(heardByCaller.durationMs > 2000, `the caller's recording is ${heardByCaller.durationMs} ms`);
  const f1 = dominantFrequency(heardByCaller.samples, 8000);
  const f2 = dominantFrequency(heardByListener.samples, 8000);
  assert.ok(f1 !== undefined && Math.abs(f1 - 1000) <= 20, `the caller hears 1000 Hz, got ${f1}`);
  assert.ok(f2 !== undefined && Math.abs(f2 - 440) <= 8.8, `the listener hears 440 Hz, got ${f2}`);
});
