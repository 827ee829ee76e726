/**
 * Calls against scripted SIPp peers on 127.0.0.1, end to end through the CLI (`call` and
 * `listen` run as child processes): every sipp scenario checks what softphone sends (sipp
 * exits 0 only when every step matched), and each test checks what the CLI printed, its exit
 * code, and for early media what it recorded. The scenarios are in test/peers/sipp/; the
 * same ones drive the library-level tests in invite-sipp.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearToUlaw } from '../../src/media/g711.js';
import { readRecording, stretch } from '../support/audio.js';
import { runCli, startCli } from '../support/cli.js';
import type { CliProcess } from '../support/cli.js';
import { skipUnless } from '../support/peers.js';
import { freeUdpPort } from '../support/ports.js';
import { raceTimeout } from '../support/process.js';
import { runSipp, startSipp } from '../support/sipp.js';

const skip = skipUnless('sipp');

/** An 8 kHz mono μ-law WAV of a sine (about -15 dBFS): what sipp's rtp_stream sends as PCMU. */
function ulawSineWav(hz: number, seconds: number): Buffer {
  const n = Math.round(seconds * 8000);
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) data[i] = linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)));
  const h = Buffer.alloc(58);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(50 + n + (n & 1), 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(18, 16);
  h.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.writeUInt16LE(0, 36);
  h.write('fact', 38, 'ascii');
  h.writeUInt32LE(4, 42);
  h.writeUInt32LE(n, 46);
  h.write('data', 50, 'ascii');
  h.writeUInt32LE(n, 54);
  return Buffer.concat([h, data, Buffer.alloc(n & 1)]);
}

const both = (r: { stdout: string; stderr: string }): string => `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('softphone `call` against SIPp callees', { skip }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-calls-sipp-'));
    writeFileSync(join(dir, 'early-1000hz.wav'), ulawSineWav(1000, 3));
    writeFileSync(join(dir, 'answer-400hz.wav'), ulawSineWav(400, 3));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('RFC 3261 §9.1: Ctrl-C while ringing sends CANCEL; sipp answers 200 + 487, which is ACKed before the CLI exits 1 ("cancelled")', async (t) => {
    const sipp = await startSipp({ scenario: 'invite-uas-cancel.xml', timeoutMs: 15000 });
    t.after(() => sipp.stop());
    const p = startCli(['call', `sip:bob@127.0.0.1:${sipp.port}`, '--play', 'tone:440']);
    t.after(() => p.interrupt());
    await p.waitForLine(/^ringing \(180\)$/, 10000);
    const r = await p.interrupt(10000);
    assert.equal(r.code, 1, both(r));
    assert.match(r.stdout, /^ended: cancelled$/m);
    assert.match(r.stderr, /^call failed: cancelled$/m);
    const s = await sipp.result;
    assert.ok(s.passed, s.summary());
    // The ACK of the 487 went out before the process ended (sipp passing needs it too).
    assert.match(s.messages, /^CANCEL sip:bob@127\.0\.0\.1:\d+ SIP\/2\.0/m);
    assert.match(s.messages, /^ACK sip:bob@127\.0\.0\.1:\d+ SIP\/2\.0/m);
  });

  test('RFC 3261 §21.4.7: 486 Busy Here: the CLI says "busy (486 Busy Here)" and exits 1', async (t) => {
    const sipp = await startSipp({ scenario: 'invite-uas-486.xml', timeoutMs: 15000 });
    t.after(() => sipp.stop());
    const r = await runCli(['call', `sip:bob@127.0.0.1:${sipp.port}`], { timeoutMs: 15000 });
    assert.equal(r.code, 1, both(r));
    assert.match(r.stdout, /^ended: busy \(486 Busy Here\)$/m);
    assert.match(r.stderr, /^call failed: busy \(486 Busy Here\)$/m);
    const s = await sipp.result;
    assert.ok(s.passed, s.summary());
  });

  test('RFC 3960: 183 with SDP and RTP: the recording holds the early 1000 Hz before the 200 and the 400 Hz after it', async (t) => {
    const sipp = await startSipp({ scenario: 'invite-uas-183-early-media-rtp.xml', cwd: dir, timeoutMs: 20000 });
    t.after(() => sipp.stop());
    const rec = join(dir, 'early-heard.wav');
    const r = await runCli(['call', `sip:bob@127.0.0.1:${sipp.port}`, '--record', rec, '--duration', '2'], { timeoutMs: 20000 });
    assert.equal(r.code, 0, both(r));
    assert.match(r.stdout, /^early media \(183\): PCMU\/8000\nanswered: PCMU\/8000$/m);
    const m = /^ended: hung up after (\d+\.\d)s$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    const s = await sipp.result;
    assert.ok(s.passed, s.summary());

    // The recording starts with the early media (the 183) and ends at our BYE, so the 200
    // came `answered` ms before its end.
    const heard = readRecording(rec);
    const answeredMs = Number(m[1]) * 1000;
    const answerAt = heard.durationMs - answeredMs;
    // sipp sends the 200 two seconds after the 183 (its <pause>).
    assert.ok(answerAt > 1700 && answerAt < 2600, `the 200 came ${answerAt.toFixed(0)} ms into the recording, expected about 2000`);
    // Leave out the first packet's travel plus the playout delay at each end of each part.
    const early = stretch(heard, 200, answerAt - 100);
    const answered = stretch(heard, answerAt + 200, heard.durationMs - 100);
    t.diagnostic(`recorded ${heard.durationMs} ms, 200 OK at ${answerAt.toFixed(0)} ms; before it ${JSON.stringify(early)}; after it ${JSON.stringify(answered)}`);
    assert.ok(early.frequencyHz !== undefined && Math.abs(early.frequencyHz - 1000) <= 20, `before the 200: ${JSON.stringify(early)}`);
    assert.ok(early.coverage >= 0.9 && early.longestGapMs <= 100, `before the 200: ${JSON.stringify(early)}`);
    assert.ok(answered.frequencyHz !== undefined && Math.abs(answered.frequencyHz - 400) <= 8, `after the 200: ${JSON.stringify(answered)}`);
    assert.ok(answered.coverage >= 0.9, `after the 200: ${JSON.stringify(answered)}`);
  });

  test('RFC 3261 §13.2.2.4: forked 180s with two To tags: the CLI rings, takes the first 200, ACKs and BYEs the second fork, hangs up the first', async (t) => {
    const sipp = await startSipp({ scenario: 'invite-uas-forked.xml', timeoutMs: 15000 });
    t.after(() => sipp.stop());
    const r = await runCli(['call', `sip:bob@127.0.0.1:${sipp.port}`, '--play', 'tone:440', '--duration', '1'], { timeoutMs: 15000 });
    assert.equal(r.code, 0, both(r));
    assert.match(r.stdout, /^ringing \(180\)$/m);
    assert.match(r.stdout, /^answered: PCMU\/8000$/m);
    assert.match(r.stdout, /^ended: hung up after 1\.\ds$/m);
    const s = await sipp.result;
    assert.ok(s.passed, s.summary());
    assert.match(s.logs, /ACK 1 for forkA[\s\S]*ACK 2 for forkB[\s\S]*BYE for forkB[\s\S]*BYE for forkA/);
    // Both 180s reached us, each with its own To tag.
    assert.equal((s.messages.match(/^SIP\/2\.0 180 Ringing/gm) ?? []).length, 2);
  });
});

describe('SIPp callers to softphone `listen`', { skip }, () => {
  /** `listen --auto-answer --max-calls 1`; resolves with the process and its UDP port. */
  async function listen(t: TestContext, extra: string[] = []): Promise<{ p: CliProcess; port: number }> {
    const p = startCli(['listen', '--auto-answer', '--max-calls', '1', '--play', 'tone:440', ...extra]);
    t.after(() => p.interrupt());
    const line = await p.waitForLine(/^listening on sip:softphone@127\.0\.0\.1:\d+/, 10000);
    return { p, port: Number(/:(\d+)/.exec(line.slice('listening on sip:'.length))![1]) };
  }

  async function exitOf(p: CliProcess) {
    const r = await raceTimeout(p.exited, 10000, undefined);
    assert.ok(r, `listen did not exit after its one call:\n${p.stdout()}\n${p.stderr()}`);
    return r;
  }

  test('RFC 3261 §13.3.1 / RFC 3264: a late-offer INVITE: our 200 carries the offer, the answer in the ACK starts the audio', async (t) => {
    const { p, port } = await listen(t);
    const mediaPort = await freeUdpPort();
    const s = await runSipp({ scenario: 'invite-uac-late-offer.xml', remote: `127.0.0.1:${port}`, service: 'softphone', timeoutMs: 15000, extraArgs: ['-mp', String(mediaPort)] });
    assert.ok(s.passed, s.summary());
    const r = await exitOf(p);
    assert.equal(r.code, 0, both(r));
    assert.match(r.stdout, /^\[call 1\] incoming call from "?sipp"? <sip:sipp@127\.0\.0\.1:\d+>$/m);
    assert.match(r.stdout, /^\[call 1\] answered: audio once the answer arrives in the ACK\n\[call 1\] audio: PCMU\/8000$/m);
    assert.match(r.stdout, /^\[call 1\] ended: remote hung up after \d+\.\ds$/m);
    // sipp answered recvonly: we send (to its [media_port]) and expect nothing back.
    const sent = /^\[call 1\] stats: PCMU, sent (\d+) packets, received (\d+)/m.exec(r.stdout);
    assert.ok(sent && Number(sent[1]) >= 10, r.stdout);
    // Our offer in the 200 (sipp checked m=audio and Allow: BYE): PCMU and PCMA, in that order.
    assert.match(s.messages, /^m=audio \d+ RTP\/AVP 0 8\b/m);
  });

  test('RFC 3264 §8.4: a re-INVITE to hold (a=sendonly) is answered a=recvonly; the CLI says it is held', async (t) => {
    const { p, port } = await listen(t);
    const mediaPort = await freeUdpPort();
    const s = await runSipp({ scenario: 'invite-uac-reinvite-hold.xml', remote: `127.0.0.1:${port}`, service: 'softphone', timeoutMs: 15000, extraArgs: ['-mp', String(mediaPort)] });
    assert.ok(s.passed, s.summary());
    assert.match(s.logs, /re-INVITE answered recvonly/);
    const r = await exitOf(p);
    assert.equal(r.code, 0, both(r));
    assert.match(r.stdout, /^\[call 1\] answered: PCMU\/8000$/m);
    assert.match(r.stdout, /^\[call 1\] held by the other side$/m);
    assert.match(r.stdout, /^\[call 1\] ended: remote hung up after \d+\.\ds$/m);
  });
});
