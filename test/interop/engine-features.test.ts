/**
 * Three engine features end to end against real peers on 127.0.0.1: the engine (createNodeEngine
 * + startApiServer, account 1001 registered at Kamailio, driven through its HTTP API) with
 * baresip 1.0 (1002, 1003) and SIPp 3.6.
 *
 *   - Blind transfer (RFC 3515): POST /api/calls/{id}/transfer sends a REFER; baresip 1002 calls
 *     1003 itself and reports by NOTIFY (message/sipfrag, RFC 3420); our call ends
 *     "transferred". A target that does not exist: the NOTIFY says 404, the transfer fails and
 *     the original call goes on. A peer that refuses the REFER itself (SIPp): the API says 422.
 *   - Auto-answer ('call.autoAnswer', 'call.autoAnswerDelayMs'): answered by itself after the
 *     delay, audio both ways; a second call rings on (call waiting) instead.
 *   - DND forward ('call.dndAction' forward, 'call.dndForwardTarget'): 302 Moved Temporarily
 *     with the target in Contact (RFC 3261 §21.3.3), seen by SIPp; baresip follows it.
 *
 * Audio is judged by frequency (test/support/audio.ts): the engine sends a 440 Hz tone and
 * records what each call hears (the `audio` option of createNodeEngine: a ToneSource and a
 * WavRecorder instead of the browser page), baresip 1002 sends 1000 Hz, 1003 600 Hz, and both
 * record with sndfile (rec/dump-<time>-dec.wav is what a call received).
 *
 * What baresip 1.0.0 does, as seen here (its SIP trace, baresip -s, and ctrl_tcp events):
 *   - REFER: 202 Accepted, NOTIFY "SIP/2.0 100 Trying" (Subscription-State active), then the
 *     new call's final status, e.g. "SIP/2.0 200 OK" or "SIP/2.0 404 Not Found" (Subscription-
 *     State terminated;reason=noresource). It does not put the original call on hold while it
 *     dials the target, and it does not end it: the transferor's BYE does (after a 2xx), or the
 *     call simply goes on (after a failure). Events: TRANSFER (param <Refer-To>), then the new
 *     call's CALL_RINGING / CALL_ESTABLISHED, or CALL_CLOSED "404 Not Found".
 *   - 302: it follows the redirect by itself (an INVITE to the Contact, same Call-ID, new
 *     CSeq); its CALL_ESTABLISHED still names the original target (sip:1001@...).
 */
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/api/server.js';
import { loadOrCreateToken } from '../../src/api/token.js';
import { createNodeEngine } from '../../src/main/node-engine.js';
import { WavRecorder } from '../../src/media/audio-sink.js';
import { ToneSource } from '../../src/media/audio-source.js';
import type { PhoneEngine } from '../../src/phone/engine.js';
import type { AccountInfo, CallInfo, EngineState, HistoryEntry } from '../../src/phone/engine-schemas.js';
import type { Recording } from '../support/audio.js';
import { describeFigures, readRecording, toneFigures, toneProblems } from '../support/audio.js';
import type { Baresip, BaresipEvent } from '../support/baresip.js';
import { sineWav, startBaresip } from '../support/baresip.js';
import type { Kamailio } from '../support/kamailio.js';
import { startKamailio } from '../support/kamailio.js';
import { skipUnless } from '../support/peers.js';
import { freeUdpPort } from '../support/ports.js';
import { delay, waitFor } from '../support/process.js';
import { runSipp, startSipp } from '../support/sipp.js';

const OUR_HZ = 440;
const HZ_1002 = 1000;
const HZ_1003 = 600;
const AUTO_ANSWER_DELAY_MS = 1500;
/** How long the calls whose audio is judged last once up. */
const TALK_MS = 4000;
/** Each test's own bound: peers start, a call or two, a few seconds of audio. */
const TEST_TIMEOUT_MS = 60_000;

interface Engine {
  engine: PhoneEngine;
  /** Every CallInfo the engine emitted ('call' events: the same stream as /api/events), in order. */
  calls: CallInfo[];
  /** What each call heard, by call id. */
  heard: Map<string, WavRecorder>;
  api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** The latest CallInfo of call `id` that satisfies `pred`, waited for. */
  callWhen(id: string, what: string, pred: (c: CallInfo) => boolean, timeoutMs?: number): Promise<CallInfo>;
  /** The history row of `historyId` once it has an outcome. */
  historyOf(historyId: number | null, timeoutMs?: number): Promise<HistoryEntry>;
}

const eventsText = (b: Baresip): string => b.events.map((e) => `${e.type}(${e.param ?? ''})`).join(' ');

/** The INVITEs in baresip's SIP trace (-s): Request-URI, Call-ID and CSeq number of each. */
function tracedInvites(output: string): { uri: string; callId: string; cseq: number }[] {
  return [...output.matchAll(/^INVITE (\S+) SIP\/2\.0\r?\n([\s\S]*?)\r?\n\r?\n/gm)].map((m) => ({
    uri: m[1]!,
    callId: /^Call-ID: *(\S+)/im.exec(m[2]!)?.[1] ?? '',
    cseq: Number(/^CSeq: *(\d+) INVITE/im.exec(m[2]!)?.[1]),
  }));
}

describe('engine features end to end: blind transfer, auto-answer, DND forward (Kamailio, baresip, SIPp)', { skip: skipUnless('kamailio', 'baresip', 'sipp') }, () => {
  let kam: Kamailio;
  let dir: string;
  const tones = new Map<number, string>();

  before(async () => {
    kam = await startKamailio();
    dir = mkdtempSync(join(tmpdir(), 'softphone-engine-features-'));
    for (const hz of [HZ_1002, HZ_1003]) {
      const path = join(dir, `tone-${hz}.wav`);
      // 60 s: baresip 1.0 ends a call when its aufile source reaches the end of the file.
      writeFileSync(path, sineWav(hz, 60));
      tones.set(hz, path);
    }
  });
  after(async () => {
    await kam?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * An engine with its own profile and API server; with `user`, that account is created through
   * POST /api/accounts and registered at Kamailio. Every call sends OUR_HZ and is recorded.
   */
  async function startEngine(t: TestContext, name: string, user?: string): Promise<Engine> {
    const profileDir = join(dir, name);
    const heard = new Map<string, WavRecorder>();
    const engine = await createNodeEngine({
      profileDir,
      audio: (call) => ({
        source: (format) => new ToneSource(format, { frequency: OUR_HZ, amplitude: 0.3 }),
        sink: (format) => {
          const r = new WavRecorder(format);
          heard.set(call.id, r);
          return r;
        },
      }),
    });
    const calls: CallInfo[] = [];
    engine.on('call', (c) => calls.push(c));
    const token = loadOrCreateToken(profileDir);
    const server = await startApiServer({ engine, token, port: 0 });
    t.after(async () => {
      await server.close();
      await engine.close();
    });
    const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      try {
        return { status: res.status, body: JSON.parse(text) as T };
      } catch {
        throw new Error(`${method} ${path}: ${res.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 300))}`);
      }
    };
    const e: Engine = {
      engine,
      calls,
      heard,
      api,
      callWhen: (id, what, pred, timeoutMs = 10_000) => waitFor(`call ${id}: ${what}`, () => calls.filter((c) => c.id === id && pred(c)).at(-1), timeoutMs, 20),
      historyOf: (historyId, timeoutMs = 5000) =>
        waitFor(`history row ${historyId} with an outcome`, async () => {
          const h = (await api<{ entries: HistoryEntry[] }>('GET', '/api/history?limit=20')).body;
          return h.entries.find((x) => x.id === historyId && x.outcome !== null);
        }, timeoutMs),
    };
    if (user) {
      const res = await api<AccountInfo>('POST', '/api/accounts', { aor: `${user}@127.0.0.1`, registrar: `sip:127.0.0.1:${kam.udpPort}`, password: kam.users[user] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await waitFor(`${user} registered`, async () => {
        const acc = (await api<EngineState>('GET', '/api/state')).body.accounts.find((x) => x.id === res.body.id);
        if (acc?.registration.state === 'failed' || acc?.registration.state === 'error') throw new Error(`registration ${acc.registration.state}: ${acc.registration.reason}`);
        return acc?.registration.state === 'registered' ? acc : undefined;
      }, 10_000);
    }
    return e;
  }

  /** baresip `user` registered at Kamailio, answering at once, sending `hz`, recording its calls. */
  async function baresip(t: TestContext, user: string, hz: number, answermode: 'auto' | 'manual' = 'auto'): Promise<Baresip> {
    const b = await startBaresip({ user, password: kam.users[user], registrar: kam, record: true, audioFile: tones.get(hz), answermode });
    t.after(() => b.stop());
    await b.waitRegistered(5000);
    return b;
  }

  /** baresip's recordings of what its calls received, oldest first (the file names are times). */
  function baresipHeard(b: Baresip): string[] {
    return b.recordings().filter((f) => f.endsWith('-dec.wav')).sort();
  }

  function judge(t: TestContext, label: string, rec: Recording | { samples: Int16Array; sampleRate: number }, hz: number, answeredMs: number): void {
    const f = toneFigures(rec, answeredMs);
    t.diagnostic(`${label}: ${describeFigures(f)}`);
    // 200 ms: as calls-baresip.test.ts (a stall of one process on 2 shared cores).
    const problem = toneProblems(f, { hz, answeredMs, maxGapMs: 200 });
    assert.equal(problem, undefined, `${label}: ${problem}`);
  }

  function ourRecording(e: Engine, id: string): { samples: Int16Array; sampleRate: number } {
    const r = e.heard.get(id);
    assert.ok(r, `no recording of call ${id}`);
    return { samples: r.samples(), sampleRate: r.format.sampleRate };
  }

  /** Places a call from the engine through POST /api/calls and waits until it is up. */
  async function dialUp(e: Engine, target: string): Promise<CallInfo> {
    const dial = await e.api<CallInfo>('POST', '/api/calls', { target });
    assert.equal(dial.status, 201, JSON.stringify(dial.body));
    return e.callWhen(dial.body.id, 'established', (c) => c.state === 'established');
  }

  const afterIndex = (b: Baresip): number => b.events.length;
  const established = (peer: string) => (ev: BaresipEvent) => ev.type === 'CALL_ESTABLISHED' && ev.peeruri === peer;

  // ─── blind transfer (RFC 3515) ───────────────────────────────────────────────────────────

  test(`RFC 3515 §2.4.4-§2.4.5 blind transfer: POST /api/calls/{id}/transfer sends REFER to baresip 1002, which calls 1003 (1003 answers); the NOTIFY sipfrag 200 makes CallInfo.transfer "succeeded", our call ends "transferred" (history too), and 1002 and 1003 hear each other's tones`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const [b2, b3] = await Promise.all([baresip(t, '1002', HZ_1002), baresip(t, '1003', HZ_1003)]);
    const e = await startEngine(t, 'transfer', '1001');
    const up = await dialUp(e, '1002');
    // Over a second of the original call, so that sndfile's next file (named by the second) is distinct.
    await delay(1500);

    const res = await e.api<CallInfo>('POST', `/api/calls/${up.id}/transfer`, { target: '1003' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.transfer?.target, 'sip:1003@127.0.0.1');
    // The REFER's 202 (§2.4.2); a NOTIFY may already have moved it on.
    assert.ok(res.body.transfer && ['accepted', 'succeeded'].includes(res.body.transfer.state), JSON.stringify(res.body.transfer));

    // 1002 places the new call itself; 1003 answers it.
    const transferEv = await b2.waitForEvent('TRANSFER', 5000);
    assert.equal(transferEv.param, '<sip:1003@127.0.0.1>');
    await b3.waitForEvent(established('sip:1002@127.0.0.1'), 10_000);
    const talkFrom = Date.now();
    await b2.waitForEvent(established('sip:1003@127.0.0.1'), 5000);

    // The final NOTIFY (sipfrag "SIP/2.0 200 OK") ends our call with a BYE.
    const ended = await e.callWhen(up.id, 'ended', (c) => c.state === 'ended');
    assert.deepEqual(ended.transfer, { target: 'sip:1003@127.0.0.1', state: 'succeeded', status: 200, reason: 'OK' });
    assert.equal(ended.end?.reason, 'transferred');
    assert.equal(ended.end?.by, 'local');
    assert.equal(ended.end?.outcome, 'answered');
    const states = e.calls.filter((c) => c.id === up.id && c.transfer).map((c) => c.transfer!.state);
    assert.deepEqual([...new Set(states)], ['requested', 'accepted', 'succeeded'], `transfer states seen: ${states.join(', ')}`);
    // 100 Trying was reported as progress (the first NOTIFY) before the 200.
    assert.ok(e.calls.some((c) => c.id === up.id && c.transfer?.state === 'accepted' && c.transfer.status === 100), 'no NOTIFY 100 Trying reported');
    const closedOriginal = await b2.waitForEvent((ev) => ev.type === 'CALL_CLOSED' && ev.peeruri === 'sip:1001@127.0.0.1', 5000);
    assert.equal(closedOriginal.param, 'Connection reset by peer');
    const row = await e.historyOf(up.historyId);
    assert.equal(row.outcome, 'answered');
    assert.equal(row.reason, 'transferred');
    assert.equal(row.direction, 'out');
    assert.equal(row.remoteUri, 'sip:1002@127.0.0.1');

    // 1002 and 1003 talk without us.
    await delay(TALK_MS);
    assert.equal((await b3.command('hangup')).ok, true);
    const talkMs = Date.now() - talkFrom;
    await b2.waitForEvent((ev) => ev.type === 'CALL_CLOSED' && ev.peeruri === 'sip:1003@127.0.0.1', 5000);
    await b3.waitForEvent('CALL_CLOSED', 5000);
    const heard2 = await waitFor('1002 recordings of both calls', () => (baresipHeard(b2).length === 2 ? baresipHeard(b2) : undefined), 5000);
    const heard3 = await waitFor('1003 recording', () => baresipHeard(b3)[0], 5000);
    // Before the transfer 1002 heard us; after it, 1003.
    const before = toneFigures(readRecording(heard2[0]!), 1500);
    t.diagnostic(`1002 heard in the original call: ${describeFigures(before)}`);
    assert.ok(before.frequencyHz !== undefined && Math.abs(before.frequencyHz - OUR_HZ) < OUR_HZ * 0.02, `1002 heard ${before.frequencyHz} Hz from us`);
    judge(t, '1002 heard 1003', readRecording(heard2[1]!), HZ_1003, talkMs);
    judge(t, '1003 heard 1002', readRecording(heard3), HZ_1002, talkMs);
    t.diagnostic(`1002 events: ${eventsText(b2)}`);
  });

  test('RFC 3515 §2.4.5 blind transfer to a target that does not exist (1004, not registered): the NOTIFY sipfrag 404 makes CallInfo.transfer "failed" with the reason; baresip 1002 keeps the original call, which goes on with audio both ways until we hang up', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const b2 = await baresip(t, '1002', HZ_1002);
    const e = await startEngine(t, 'transfer-404', '1001');
    const up = await dialUp(e, '1002');
    await delay(500);
    const from = afterIndex(b2);
    const res = await e.api<CallInfo>('POST', `/api/calls/${up.id}/transfer`, { target: '1004' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const failed = await e.callWhen(up.id, 'transfer failed', (c) => c.transfer?.state === 'failed');
    assert.deepEqual(failed.transfer, { target: 'sip:1004@127.0.0.1', state: 'failed', status: 404, reason: 'Not Found' });
    assert.equal(failed.state, 'established');
    // baresip: the new call failed (Kamailio's 404), the original one is untouched (never held).
    const closed = await b2.waitForEvent('CALL_CLOSED', 5000, { after: from });
    assert.equal(closed.param, '404 Not Found');
    assert.equal(closed.peeruri, 'sip:1004@127.0.0.1');
    assert.ok(e.calls.filter((c) => c.id === up.id).every((c) => !c.hold.remote && !c.hold.local), 'the call was put on hold');

    // The original call still carries audio: our recording of it keeps growing.
    const rec = e.heard.get(up.id)!;
    const atFailure = rec.durationMs;
    await delay(TALK_MS);
    assert.equal(e.calls.filter((c) => c.id === up.id).at(-1)?.state, 'established');
    assert.ok(rec.durationMs - atFailure >= TALK_MS - 500, `our recording grew by ${rec.durationMs - atFailure} ms in ${TALK_MS} ms after the failure`);
    assert.equal((await e.api<CallInfo>('POST', `/api/calls/${up.id}/hangup`)).status, 200);
    const ended = await e.callWhen(up.id, 'ended', (c) => c.state === 'ended');
    assert.equal(ended.end?.reason, 'hung up');
    assert.equal(ended.transfer?.state, 'failed');
    const row = await e.historyOf(up.historyId);
    assert.equal(row.outcome, 'answered');
    assert.equal(row.reason, 'hung up');
    await b2.waitForEvent((ev) => ev.type === 'CALL_CLOSED' && ev.peeruri === 'sip:1001@127.0.0.1', 5000);
    const answeredMs = row.durationMs!;
    judge(t, 'we heard 1002 (whole call)', ourRecording(e, up.id), HZ_1002, answeredMs);
    judge(t, '1002 heard us (whole call)', readRecording(await waitFor('1002 recording', () => baresipHeard(b2)[0], 5000)), OUR_HZ, answeredMs);
  });

  test('RFC 3515 §2.4.2 a REFER refused by the peer (SIPp answers 603): POST /transfer fails with 422 and the reason, CallInfo.transfer is "failed" (603), and the call stays up until we hang up', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const e = await startEngine(t, 'transfer-refused');
    const uas = await startSipp({ scenario: 'invite-uas-refer-refused.xml', timeoutMs: 20_000, extraArgs: ['-mp', String(await freeUdpPort()), '-cp', String(await freeUdpPort())] });
    t.after(() => uas.stop());
    const up = await dialUp(e, `sip:sipp@127.0.0.1:${uas.port}`);
    const res = await e.api<{ error: { code: string; message: string } }>('POST', `/api/calls/${up.id}/transfer`, { target: 'sip:carol@127.0.0.1' });
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.deepEqual(res.body.error, { code: 'unprocessable', message: 'the peer refused the transfer (603)' });
    const now = e.calls.filter((c) => c.id === up.id).at(-1)!;
    assert.equal(now.state, 'established');
    assert.deepEqual(now.transfer, { target: 'sip:carol@127.0.0.1', state: 'failed', status: 603, reason: 'the peer refused the transfer (603)' });
    await delay(500);
    assert.equal(e.calls.filter((c) => c.id === up.id).at(-1)?.state, 'established');
    assert.equal((await e.api<CallInfo>('POST', `/api/calls/${up.id}/hangup`)).status, 200);
    const r = await uas.result;
    assert.equal(r.code, 0, r.summary());
    assert.match(r.logs, /^REFER to sip:carol@127\.0\.0\.1$/m, r.summary());
    const row = await e.historyOf(up.historyId);
    assert.equal(row.outcome, 'answered');
    assert.equal(row.reason, 'hung up');
  });

  // ─── auto-answer ─────────────────────────────────────────────────────────────────────────

  test(`auto-answer (call.autoAnswer, call.autoAnswerDelayMs ${AUTO_ANSWER_DELAY_MS}): baresip 1002 calls through Kamailio, the engine rings (180) and answers by itself no sooner than the delay; each side hears the other's tone`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const b2 = await baresip(t, '1002', HZ_1002);
    const e = await startEngine(t, 'auto-answer', '1001');
    const s = await e.api<Record<string, unknown>>('PATCH', '/api/settings', { 'call.autoAnswer': true, 'call.autoAnswerDelayMs': AUTO_ANSWER_DELAY_MS });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const incoming = new Promise<CallInfo>((resolve) => e.engine.once('incoming', resolve));

    const dialAt = Date.now();
    assert.equal((await b2.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    const ringing = await b2.waitForEvent('CALL_RINGING', 5000);
    const ringingAt = Date.now();
    const call = await incoming;
    await b2.waitForEvent('CALL_ESTABLISHED', AUTO_ANSWER_DELAY_MS + 5000);
    const establishedAt = Date.now();
    const up = await e.callWhen(call.id, 'established', (c) => c.state === 'established');
    const engineDelay = up.answeredAt! - up.startedAt;
    t.diagnostic(`auto-answer: the engine answered ${engineDelay} ms after the INVITE arrived; for baresip, dial → established ${establishedAt - dialAt} ms, 180 → established ${establishedAt - ringingAt} ms (as this process saw its events; delay set: ${AUTO_ANSWER_DELAY_MS} ms)`);
    assert.equal(ringing.peeruri, 'sip:1001@127.0.0.1;transport=udp');
    assert.equal(call.direction, 'incoming');
    assert.equal(call.remote.uri, 'sip:1002@127.0.0.1');
    // The caller's view, free of clock subtleties: nothing can answer before the INVITE is sent.
    assert.ok(establishedAt - dialAt >= AUTO_ANSWER_DELAY_MS, `baresip's call was up ${establishedAt - dialAt} ms after it dialled, before the ${AUTO_ANSWER_DELAY_MS} ms delay`);
    // The engine's own figures: startedAt is taken when the INVITE is wrapped, the timer a few
    // moments later in the same turn of the event loop; Node counts a timer from the loop's
    // cached time (the start of that turn, ≤ startedAt), so allow those few ms.
    assert.ok(engineDelay >= AUTO_ANSWER_DELAY_MS - 20, `answered ${engineDelay} ms after the INVITE, before the ${AUTO_ANSWER_DELAY_MS} ms delay`);
    assert.ok(e.calls.some((c) => c.id === call.id && c.state === 'incoming'), 'the call never rang');
    assert.deepEqual(e.calls.filter((c) => c.id === call.id).map((c) => c.state).filter((x, i, a) => a.indexOf(x) === i), ['incoming', 'established']);

    await delay(TALK_MS);
    assert.equal((await b2.command('hangup')).ok, true);
    const ended = await e.callWhen(call.id, 'ended', (c) => c.state === 'ended');
    assert.equal(ended.end?.reason, 'remote hung up');
    const row = await e.historyOf(up.historyId);
    assert.equal(row.outcome, 'answered');
    assert.equal(row.direction, 'in');
    await b2.waitForEvent('CALL_CLOSED', 5000);
    const answeredMs = row.durationMs!;
    judge(t, 'we heard 1002', ourRecording(e, call.id), HZ_1002, answeredMs);
    judge(t, '1002 heard us', readRecording(await waitFor('1002 recording', () => baresipHeard(b2)[0], 5000)), OUR_HZ, answeredMs);
  });

  test('auto-answer with a call up: a second call (1003) is not answered but rings (180, call waiting) past the delay, the first call is not held; declined, it is recorded as declined', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const [b2, b3] = await Promise.all([baresip(t, '1002', HZ_1002), baresip(t, '1003', HZ_1003)]);
    const e = await startEngine(t, 'auto-answer-waiting', '1001');
    await e.api('PATCH', '/api/settings', { 'call.autoAnswer': true, 'call.autoAnswerDelayMs': AUTO_ANSWER_DELAY_MS });
    assert.equal((await b2.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    await b2.waitForEvent('CALL_ESTABLISHED', AUTO_ANSWER_DELAY_MS + 5000);
    const first = e.calls.find((c) => c.direction === 'incoming')!;

    const second = new Promise<CallInfo>((resolve) => e.engine.once('incoming', resolve));
    assert.equal((await b3.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    const waiting = await second;
    await b3.waitForEvent('CALL_RINGING', 5000);
    await delay(AUTO_ANSWER_DELAY_MS + 1500);
    assert.equal(e.calls.filter((c) => c.id === waiting.id).at(-1)?.state, 'incoming', 'the waiting call was answered');
    assert.ok(!b3.events.some((ev) => ev.type === 'CALL_ESTABLISHED'), `1003 was answered: ${eventsText(b3)}`);
    const firstNow = e.calls.filter((c) => c.id === first.id).at(-1)!;
    assert.equal(firstNow.state, 'established');
    assert.deepEqual(firstNow.hold, { local: false, remote: false });

    assert.equal((await e.api<CallInfo>('POST', `/api/calls/${waiting.id}/decline`)).status, 200);
    const closed = await b3.waitForEvent('CALL_CLOSED', 5000);
    assert.match(closed.param ?? '', /^603 /);
    const row = await e.historyOf(waiting.historyId);
    assert.equal(row.outcome, 'declined');
    assert.match(row.remoteUri, /^sip:1003@127\.0\.0\.1/);
    assert.equal(e.calls.filter((c) => c.id === first.id).at(-1)?.state, 'established');
  });

  test('auto-answer with two calls ringing at once (1003 calls 300 ms after 1002): only the first is answered when its delay is over; the second rings on instead of being answered and holding the first', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const [b2, b3] = await Promise.all([baresip(t, '1002', HZ_1002), baresip(t, '1003', HZ_1003)]);
    const e = await startEngine(t, 'auto-answer-both-ringing', '1001');
    await e.api('PATCH', '/api/settings', { 'call.autoAnswer': true, 'call.autoAnswerDelayMs': AUTO_ANSWER_DELAY_MS });
    assert.equal((await b2.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    await b2.waitForEvent('CALL_RINGING', 5000);
    await delay(300);
    assert.equal((await b3.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    await b3.waitForEvent('CALL_RINGING', 5000);
    await b2.waitForEvent('CALL_ESTABLISHED', AUTO_ANSWER_DELAY_MS + 5000);
    // Well past the second call's own delay.
    await delay(AUTO_ANSWER_DELAY_MS + 1000);
    const from1002 = e.calls.filter((c) => c.remote.uri === 'sip:1002@127.0.0.1').at(-1)!;
    const from1003 = e.calls.filter((c) => c.remote.uri === 'sip:1003@127.0.0.1').at(-1)!;
    t.diagnostic(`1002's call: ${from1002.state}, hold ${JSON.stringify(from1002.hold)}; 1003's call: ${from1003.state}; 1003 events: ${eventsText(b3)}`);
    assert.equal(from1002.state, 'established');
    assert.deepEqual(from1002.hold, { local: false, remote: false });
    assert.equal(from1003.state, 'incoming');
    assert.ok(!b3.events.some((ev) => ev.type === 'CALL_ESTABLISHED'), `1003 was answered: ${eventsText(b3)}`);
  });

  // ─── DND forward (302) ───────────────────────────────────────────────────────────────────

  test('RFC 3261 §21.3.3 DND forward: an INVITE from SIPp through Kamailio gets 302 Moved Temporarily with Contact <sip:1003@127.0.0.1> (checked by the scenario\'s regexp); history: declined, "forwarded to"', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const e = await startEngine(t, 'dnd-forward-sipp', '1001');
    const s = await e.api<Record<string, unknown>>('PATCH', '/api/settings', { 'call.dnd': true, 'call.dndAction': 'forward', 'call.dndForwardTarget': '1003' });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const r = await runSipp({
      scenario: 'invite-uac-expect-302.xml',
      remote: `127.0.0.1:${kam.udpPort}`,
      service: '1001',
      timeoutMs: 15_000,
      extraArgs: ['-mp', String(await freeUdpPort()), '-cp', String(await freeUdpPort())],
    });
    assert.equal(r.code, 0, r.summary());
    assert.match(r.logs, /^redirected to sip:1003@127\.0\.0\.1$/m, r.summary());
    assert.match(r.messages, /^SIP\/2\.0 302 Moved Temporarily/m);
    const call = e.calls.find((c) => c.direction === 'incoming');
    assert.ok(call, 'the engine saw no incoming call');
    const ended = await e.callWhen(call.id, 'ended', (c) => c.state === 'ended');
    assert.equal(ended.answeredAt, null);
    assert.deepEqual(ended.end, { reason: 'do not disturb: forwarded to sip:1003@127.0.0.1 (302)', by: 'local', outcome: 'declined', status: 302 });
    const row = await e.historyOf(ended.historyId);
    assert.equal(row.outcome, 'declined');
    assert.equal(row.reason, 'do not disturb: forwarded to sip:1003@127.0.0.1 (302)');
    assert.equal(row.remoteUri, 'sip:sipp@sipp.invalid');
    assert.equal(row.direction, 'in');
  });

  test('RFC 3261 §8.1.3.4 DND forward with baresip 1002 as the caller: baresip follows the 302 by itself and 1003 answers it, hearing 1002\'s tone; the engine\'s history has the call declined, forwarded to 1003', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const [b2, b3] = await Promise.all([baresip(t, '1002', HZ_1002), baresip(t, '1003', HZ_1003)]);
    const e = await startEngine(t, 'dnd-forward-baresip', '1001');
    await e.api('PATCH', '/api/settings', { 'call.dnd': true, 'call.dndAction': 'forward', 'call.dndForwardTarget': '1003' });
    assert.equal((await b2.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    await b3.waitForEvent(established('sip:1002@127.0.0.1'), 10_000);
    const talkFrom = Date.now();
    // baresip 1.0 keeps naming the target it dialled.
    await b2.waitForEvent(established('sip:1001@127.0.0.1;transport=udp'), 5000);
    assert.ok(!b2.events.some((ev) => ev.type === 'CALL_CLOSED'), `1002's call closed: ${eventsText(b2)}`);
    assert.match(b2.output(), /^SIP\/2\.0 302 Moved Temporarily/m);
    // RFC 3261 §8.1.3.4: the redirected request keeps the Call-ID and gets a higher CSeq.
    const invites = tracedInvites(b2.output());
    t.diagnostic(`1002's INVITEs: ${invites.map((i) => `${i.uri} (Call-ID ${i.callId}, CSeq ${i.cseq})`).join('; ')}`);
    const toUs = invites.filter((i) => i.uri.startsWith('sip:1001@'));
    const to1003 = invites.filter((i) => i.uri === 'sip:1003@127.0.0.1');
    assert.ok(toUs.length >= 1 && to1003.length >= 1, JSON.stringify(invites));
    assert.equal(new Set(invites.map((i) => i.callId)).size, 1, JSON.stringify(invites));
    assert.ok(to1003[0]!.cseq > toUs.at(-1)!.cseq, JSON.stringify(invites));

    const call = e.calls.find((c) => c.direction === 'incoming');
    assert.ok(call);
    const ended = await e.callWhen(call.id, 'ended', (c) => c.state === 'ended');
    assert.equal(ended.end?.outcome, 'declined');
    assert.equal(ended.end?.status, 302);
    const row = await e.historyOf(ended.historyId);
    assert.equal(row.outcome, 'declined');
    assert.equal(row.reason, 'do not disturb: forwarded to sip:1003@127.0.0.1 (302)');
    assert.equal(row.remoteUri, 'sip:1002@127.0.0.1');

    await delay(TALK_MS);
    assert.equal((await b2.command('hangup')).ok, true);
    const talkMs = Date.now() - talkFrom;
    await b3.waitForEvent('CALL_CLOSED', 5000);
    judge(t, '1003 heard 1002', readRecording(await waitFor('1003 recording', () => baresipHeard(b3)[0], 5000)), HZ_1002, talkMs);
  });
});
