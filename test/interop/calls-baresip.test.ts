/**
 * Calls with real audio through a real Kamailio (registrar and proxy on 127.0.0.1) between the
 * softphone CLI (account 1001) and baresip 1.0 (account 1002), both ways, judged by what each
 * side recorded (test/support/audio.ts says which thresholds and why):
 *   - softphone sends a 440 Hz tone (--play tone:440) and records with --record;
 *   - baresip sends a 1000 Hz tone (aufile, a WAV the test writes) and records with sndfile
 *     (dump-<time>-dec.wav is what it received, -enc.wav what it sent, in its rec/ directory).
 * And DTMF by RFC 4733 both ways: `call --dtmf` reported by baresip's ctrl_tcp events, and
 * baresip's `sndcode` printed by `listen`.
 */
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFigures, readRecording, toneFigures, toneProblems } from '../support/audio.js';
import type { Baresip } from '../support/baresip.js';
import { sineWav, startBaresip } from '../support/baresip.js';
import { runCli, startCli } from '../support/cli.js';
import type { CliProcess } from '../support/cli.js';
import type { Kamailio } from '../support/kamailio.js';
import { startKamailio } from '../support/kamailio.js';
import { skipUnless } from '../support/peers.js';
import { delay, raceTimeout, waitFor } from '../support/process.js';

const CALL_SECONDS = 10;
const OUR_HZ = 440;
const BARESIP_HZ = 1000;

describe('calls through Kamailio: softphone (CLI) and baresip', { skip: skipUnless('kamailio', 'baresip') }, () => {
  let kam: Kamailio;
  let dir: string;
  let baresipTone: string;
  before(async () => {
    kam = await startKamailio();
    dir = mkdtempSync(join(tmpdir(), 'softphone-calls-baresip-'));
    baresipTone = join(dir, 'tone-1000.wav');
    // 60 s: baresip 1.0 ends the call when its aufile source reaches the end of the file.
    writeFileSync(baresipTone, sineWav(BARESIP_HZ, 60));
  });
  after(async () => {
    await kam?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const account = (): string[] => ['--account', '1001@127.0.0.1', '--registrar', `sip:127.0.0.1:${kam.udpPort}`, '--password', kam.users['1001']!];

  async function baresip1002(t: TestContext): Promise<Baresip> {
    const b = await startBaresip({ user: '1002', password: kam.users['1002'], registrar: kam, record: true, audioFile: baresipTone });
    t.after(() => b.stop());
    await b.waitRegistered(5000);
    return b;
  }

  /** `listen` registered as 1001, answering at once; stopped by PID when the test ends. */
  async function listen(t: TestContext, extra: string[]): Promise<CliProcess> {
    const p = startCli(['listen', ...account(), '--auto-answer', '--max-calls', '1', ...extra]);
    t.after(() => p.interrupt());
    await p.waitForLine(/^registered 1001@127\.0\.0\.1/, 10000);
    return p;
  }

  /** baresip's sndfile recording of what it received in its (only) call, once written. */
  async function baresipHeard(b: Baresip): Promise<string> {
    return waitFor('baresip dump-*-dec.wav', () => b.recordings().find((f) => f.endsWith('-dec.wav')), 5000);
  }

  /**
   * Each recording: the other side's tone (±2 %), signal in ≥ 90 % of the answered time, no
   * silence over 200 ms after the first audio. Measured here (2 cores shared with other
   * work, load average about 6): no gap in most calls, 20-40 ms in some, 140 ms once in about
   * twenty, always with no packet lost or late in our statistics — a stall of either process
   * that the fixed 60 ms playout delay of this milestone cannot absorb (the adaptive buffer
   * comes later), hence 200 ms rather than the 100 ms of two streams in one process.
   */
  function judge(t: TestContext, label: string, path: string, hz: number, answeredMs: number): void {
    const f = toneFigures(readRecording(path), answeredMs);
    t.diagnostic(`${label}: ${describeFigures(f)}`);
    const problem = toneProblems(f, { hz, answeredMs, maxGapMs: 200 });
    assert.equal(problem, undefined, `${label} (${path}): ${problem}`);
  }

  const answeredMsOf = (out: string): number => {
    const m = /ended: .* after (\d+\.\d)s/.exec(out);
    assert.ok(m, `no "ended: ... after Ns" line in:\n${out}`);
    return Number(m[1]) * 1000;
  };

  test(`softphone calls baresip through Kamailio: ${CALL_SECONDS} s, each side records the other's tone (±2 %, ≥ 90 % of the answered time, no gap over 200 ms)`, async (t) => {
    const b = await baresip1002(t);
    const ours = join(dir, 'out-heard.wav');
    const r = await runCli(['call', '1002', ...account(), '--play', `tone:${OUR_HZ}`, '--record', ours, '--duration', String(CALL_SECONDS)], { timeoutMs: 30000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^registered 1001@127\.0\.0\.1/m);
    assert.match(r.stdout, /^answered: PCMU\/8000$/m);
    assert.match(r.stdout, /^ended: hung up after \d+\.\ds$/m);
    const answeredMs = answeredMsOf(r.stdout);
    assert.ok(Math.abs(answeredMs - CALL_SECONDS * 1000) <= 200, r.stdout);
    t.diagnostic(/^stats: .*$/m.exec(r.stdout)?.[0] ?? 'no stats line');
    const closed = await b.waitForEvent('CALL_CLOSED', 5000);
    assert.equal(closed.param, 'Connection reset by peer');
    assert.equal(b.events.find((e) => e.type === 'CALL_ESTABLISHED')?.peeruri, 'sip:1001@127.0.0.1');
    judge(t, 'softphone heard', ours, BARESIP_HZ, answeredMs);
    judge(t, 'baresip heard', await baresipHeard(b), OUR_HZ, answeredMs);
  });

  test(`baresip calls softphone (listen --auto-answer) through Kamailio: ${CALL_SECONDS} s, each side records the other's tone`, async (t) => {
    const b = await baresip1002(t);
    const ours = join(dir, 'in-heard.wav');
    const p = await listen(t, ['--play', `tone:${OUR_HZ}`, '--record', ours]);
    assert.equal((await b.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    await p.waitForLine(/^\[call 1\] incoming call from <sip:1002@127\.0\.0\.1>/, 5000);
    await p.waitForLine(/^\[call 1\] answered: PCMU\/8000$/, 5000);
    await b.waitForEvent('CALL_ESTABLISHED', 5000);
    await delay(CALL_SECONDS * 1000);
    assert.equal((await b.command('hangup')).ok, true);
    const r = await raceTimeout(p.exited, 10000, undefined);
    assert.ok(r, `listen did not exit after its one call:\n${p.stdout()}\n${p.stderr()}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^\[call 1\] ended: remote hung up after \d+\.\ds$/m);
    assert.match(r.stdout, new RegExp(`^\\[call 1\\] recorded to ${ours.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    const answeredMs = answeredMsOf(r.stdout);
    assert.ok(Math.abs(answeredMs - CALL_SECONDS * 1000) <= 500, r.stdout);
    t.diagnostic(/^\[call 1\] stats: .*$/m.exec(r.stdout)?.[0] ?? 'no stats line');
    judge(t, 'softphone heard', ours, BARESIP_HZ, answeredMs);
    judge(t, 'baresip heard', await baresipHeard(b), OUR_HZ, answeredMs);
  });

  test('RFC 4733: digits sent by softphone (call --dtmf 123#) are reported by baresip, once each, in order', async (t) => {
    const b = await baresip1002(t);
    const r = await runCli(['call', '1002', ...account(), '--play', `tone:${OUR_HZ}`, '--dtmf', '123#', '--duration', '3'], { timeoutMs: 30000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^dtmf sent: 123#$/m);
    await b.waitForEvent('CALL_CLOSED', 5000);
    const starts = b.events.filter((e) => e.type === 'CALL_DTMF_START').map((e) => e.param);
    const ends = b.events.filter((e) => e.type === 'CALL_DTMF_END');
    t.diagnostic(`baresip events: ${b.events.map((e) => `${e.type}${e.type.startsWith('CALL_DTMF') ? `(${e.param ?? ''})` : ''}`).join(' ')}`);
    assert.deepEqual(starts, ['1', '2', '3', '#']);
    assert.equal(ends.length, 4);
  });

  test('RFC 4733: digits sent by baresip (sndcode) are printed by softphone (listen), once each, in order', async (t) => {
    const b = await baresip1002(t);
    const p = await listen(t, ['--play', `tone:${OUR_HZ}`]);
    assert.equal((await b.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    await b.waitForEvent('CALL_ESTABLISHED', 5000);
    await p.waitForLine(/^\[call 1\] answered: /, 5000);
    assert.equal((await b.command('sndcode', '5')).ok, true);
    await p.waitForLine(/^\[call 1\] dtmf received: 5 \(RFC 4733\)$/, 5000);
    assert.equal((await b.command('sndcode', '19#')).ok, true);
    await p.waitForLine(/^\[call 1\] dtmf received: # \(RFC 4733\)$/, 5000);
    await delay(500); // a digit reported twice would show up by now
    assert.equal((await b.command('hangup')).ok, true);
    const r = await raceTimeout(p.exited, 10000, undefined);
    assert.ok(r, `listen did not exit after its one call:\n${p.stdout()}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const digits = [...r.stdout.matchAll(/^\[call 1\] dtmf received: (.) \((.+)\)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(digits, ['5 RFC 4733', '1 RFC 4733', '9 RFC 4733', '# RFC 4733']);
  });
});
