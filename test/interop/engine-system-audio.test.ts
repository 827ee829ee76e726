/**
 * The engine as a desk phone on the sound system ('audio.handset': 'system'), through its HTTP
 * API, against a PulseAudio server started for this file with null sinks t1 and t2 as the
 * sound card. A `pacat` of this test plays a tone into t1, so t1.monitor is a microphone that
 * hears it; a `parec` of this test records t2.monitor, what the engine's speaker t2 plays.
 * Settings go through PATCH /api/settings; calls are echo calls (POST /api/calls
 * {target:'echo'}: SIP, RTP and PCMU to the echo service and back), so the tone fed into the
 * microphone must come out of the speaker, judged by its frequency.
 *
 * - default ('browser'): no devices, the call is silent on t2 (today's behaviour);
 * - 'system' with named devices: 600 Hz in, 600 Hz out (2 %), over most of the call; the
 *   output level applies live; switching back to 'browser' leaves the running call alone;
 * - a page attached over /api/audio takes the call (t2 goes silent, the page hears its own
 *   tone echoed), and when it goes the call returns to the devices;
 * - our hold closes the devices (t2 silent, no streams in the server); the resume opens them;
 * - ALSA PCMs by name (defined in ~/.asoundrc on the same server, not listed by ALSA) work too;
 * - an incoming call rings on the speaker until answered, call waiting beeps, 'none' is silent;
 *   an outgoing one that rings plays the ringback;
 * - a device tool that dies mid-call (pacat, parec) is reopened by the engine, and the tone comes back;
 * - a speaker unplugged mid-call (its sink unloaded): the server moves the stream to t1 and the
 *   call's audio info follows;
 * - a device that does not exist: a clear error in the call's info and event, the call goes
 *   on (established, answered in history), the other device still works.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, afterEach, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { startApiServer } from '../../src/api/server.js';
import type { ApiServer } from '../../src/api/server.js';
import { createNodeMediaEnvironment, createNodeUserAgent } from '../../src/main/node.js';
import { createNodeEngine } from '../../src/main/node-engine.js';
import { SilenceSource } from '../../src/media/audio-source.js';
import { writeWav } from '../../src/media/wav.js';
import { Phone } from '../../src/phone/phone.js';
import { activeCoverage, dominantFrequency, goertzel } from '../../src/media/tone-analysis.js';
import type { PhoneEngine } from '../../src/phone/engine.js';
import type { CallInfo, HistoryEntry, SettingsInfo } from '../../src/phone/engine-schemas.js';
import { SIGNAL_RMS } from '../support/audio.js';
import { skipUnless } from '../support/peers.js';
import { delay, waitFor } from '../support/process.js';
import { startPulseAudio } from '../support/pulseaudio.js';
import type { PulseAudio } from '../support/pulseaudio.js';

const skip = skipUnless('pulseaudio');
const RATE = 8000;
const TOKEN = 'engine-system-audio-test-token';
const RAW = ['--raw', '--format=s16le', '--channels=1', `--rate=${RATE}`, '--latency-msec=20'];

function tone(hz: number, seconds: number, amplitude = 0.3): Int16Array {
  const out = new Int16Array(RATE * seconds);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / RATE));
  return out;
}

function rms(s: Int16Array): number {
  let sum = 0;
  for (const v of s) sum += v * v;
  return s.length ? Math.sqrt(sum / s.length) : 0;
}

/** Our own tool process, stopped by its PID. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, delay(2000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** `parec` on a monitor: what a sink plays, with the monitor's own clock as the time axis. */
class Recorder {
  readonly child: ChildProcess;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  constructor(env: NodeJS.ProcessEnv, device: string) {
    this.child = spawn('parec', [...RAW, `--device=${device}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.bytes += b.length;
    });
    this.child.stderr!.resume();
  }
  /** Ms of audio recorded so far. */
  get ms(): number {
    return this.bytes / ((RATE * 2) / 1000);
  }
  /** The samples between two points on the recording's time axis. */
  slice(fromMs: number, toMs: number): Int16Array {
    const all = Buffer.concat(this.chunks);
    const from = Math.max(0, Math.floor((fromMs * RATE) / 1000)) * 2;
    const to = Math.min(all.length >> 1, Math.floor((toMs * RATE) / 1000)) * 2;
    const out = new Int16Array(Math.max(0, (to - from) >> 1));
    for (let i = 0; i < out.length; i++) out[i] = all.readInt16LE(from + 2 * i);
    return out;
  }
  /** Waits until the recording has reached `ms`. */
  async until(ms: number): Promise<void> {
    await waitFor(`the recording reaches ${ms} ms`, () => (this.ms >= ms ? true : undefined), ms - this.ms + 5000, 20);
  }
}

interface EngineEvent {
  type: string;
  data: unknown;
}

describe('the engine on system audio (PulseAudio null sinks)', { skip }, () => {
  let pa: PulseAudio;
  let dir: string;
  let engine: PhoneEngine;
  let server: ApiServer;
  let events: WebSocket;
  const seen: EngineEvent[] = [];
  let feeder: ChildProcess | undefined;
  let ear: Recorder;

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as T;
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** Plays `hz` into t1 (what the engine's microphone t1.monitor hears), instead of what played before. */
  async function feed(hz: number): Promise<void> {
    if (feeder) await stopChild(feeder);
    const file = join(dir, `tone-${hz}.raw`);
    const t = tone(hz, 120);
    writeFileSync(file, new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
    feeder = spawn('pacat', ['--playback', ...RAW, '--device=t1', file], { env: pa.env, stdio: ['ignore', 'ignore', 'pipe'] });
    feeder.stderr!.resume();
  }

  /** The first call event (from /api/events) that satisfies `pred`. */
  async function callEvent(what: string, pred: (c: CallInfo) => boolean, timeoutMs = 10_000): Promise<CallInfo> {
    return waitFor(what, () => seen.find((e) => e.type === 'call' && pred(e.data as CallInfo))?.data as CallInfo | undefined, timeoutMs, 20);
  }

  async function callNow(id: string): Promise<CallInfo | undefined> {
    return (await api<CallInfo[]>('GET', '/api/calls')).find((c) => c.id === id);
  }

  /** Dials echo; resolves once established, with the recording's time then. */
  async function dialEcho(): Promise<{ id: string; answeredMs: number }> {
    seen.length = 0;
    const call = await api<CallInfo>('POST', '/api/calls', { target: 'echo' });
    await callEvent('established', (c) => c.id === call.id && c.state === 'established');
    return { id: call.id, answeredMs: ear.ms };
  }

  async function hangup(id: string): Promise<void> {
    await api('POST', `/api/calls/${id}/hangup`);
    await callEvent('ended', (c) => c.id === id && c.state === 'ended');
  }

  /** The engine's own streams in the sound server now (its microphone and speaker). */
  async function engineStreams(): Promise<string[]> {
    const text = (await pa.pactl('list', 'source-outputs')) + (await pa.pactl('list', 'sink-inputs'));
    return [...text.matchAll(/media\.name = "(softphone engine [a-z]+)"/g)].map((m) => m[1]!).sort();
  }

  /** The sink the engine's speaker stream plays on now, by name. */
  async function speakerSink(): Promise<string | undefined> {
    const sinks = new Map((await pa.pactl('list', 'short', 'sinks')).trim().split('\n').map((l) => l.split('\t')).map((f) => [f[0]!, f[1]!] as const));
    const inputs = (await pa.pactl('list', 'sink-inputs')).split(/^Sink Input #/m);
    const ours = inputs.find((i) => i.includes('media.name = "softphone engine speaker"'));
    const sink = ours && /^\s*Sink: (\d+)/m.exec(ours)?.[1];
    return sink ? sinks.get(sink) : undefined;
  }

  /** A phone of this test on loopback that sends silence, and the engine's direct address (from /api/state) to dial. */
  async function directCaller(t: { after(fn: () => Promise<void>): void }): Promise<{ caller: Phone; direct: string }> {
    const direct = (await api<{ directUri: string | null }>('GET', '/api/state')).directUri;
    assert.ok(direct, 'the engine says where direct calls reach it');
    const { ua } = await createNodeUserAgent({ bindAddress: '127.0.0.1', transports: ['udp'] });
    const caller = new Phone({ ua, media: createNodeMediaEnvironment('127.0.0.1'), audio: () => ({ source: (f) => new SilenceSource(f) }) });
    t.after(() => caller.close(1000));
    return { caller, direct };
  }

  /** `caller` dials the engine; resolves once the call rings here with its ringtone playing. */
  async function dialUntilRinging(caller: Phone, direct: string): Promise<{ call: Awaited<ReturnType<Phone['dial']>>; ringing: CallInfo }> {
    seen.length = 0;
    const call = await caller.dial(direct);
    const ringing = await callEvent('the call rings here', (c) => c.state === 'incoming');
    await waitFor('the ringtone stream', async () => ((await engineStreams()).includes('softphone engine ringtone') ? true : undefined), 5000);
    return { call, ringing };
  }

  /** Windows from the first audible one on (after `fromMs`) up to `toMs`, minus 200 ms at the end. */
  function heard(fromMs: number, toMs: number): { samples: Int16Array; leadMs: number } {
    const span = ear.slice(fromMs, toMs);
    const first = span.findIndex((v) => Math.abs(v) > SIGNAL_RMS);
    if (first < 0) return { samples: new Int16Array(0), leadMs: Infinity };
    return { samples: span.subarray(first, Math.max(first, span.length - RATE * 0.2)), leadMs: (first * 1000) / RATE };
  }

  before(async () => {
    if (skip) return;
    pa = await startPulseAudio({ sinks: ['t1', 't2'], alsaPcms: { t1mic: 't1.monitor', t2out: 't2' } });
    dir = mkdtempSync(join(tmpdir(), 'softphone-engine-sysaudio-'));
    engine = await createNodeEngine({ profileDir: join(dir, 'profile'), systemAudio: { env: pa.env } });
    server = await startApiServer({ engine, token: TOKEN, port: 0 });
    events = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${TOKEN}`);
    events.on('message', (data) => seen.push(JSON.parse(String(data)) as EngineEvent));
    await new Promise((resolve, reject) => {
      events.once('open', resolve);
      events.once('error', reject);
    });
    ear = new Recorder(pa.env, 't2.monitor');
    await feed(600);
    // A null sink that was idle renders in blocks of up to 2 s until a stream asks for less:
    // let the recording run steadily first (devices.test.ts, warmUp).
    await ear.until(1500);
  });

  // A test that failed half-way leaves no call (and no devices) to the next.
  afterEach(async () => {
    if (skip) return;
    for (const c of await api<CallInfo[]>('GET', '/api/calls')) if (c.state !== 'ended') await api('POST', `/api/calls/${c.id}/hangup`).catch(() => undefined);
    await waitFor('no call left', async () => ((await api<CallInfo[]>('GET', '/api/calls')).length === 0 ? true : undefined), 5000).catch(() => undefined);
  });

  after(async () => {
    events?.close();
    if (feeder) await stopChild(feeder);
    if (ear) await stopChild(ear.child);
    await server?.close();
    await engine?.close();
    await pa?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('GET /api/settings/system-audio-devices lists the sound system’s inputs and outputs by the names the settings take', async () => {
    const d = await api<{ backend: string; inputs: { id: string; name: string; isDefault: boolean }[]; outputs: { id: string; name: string; isDefault: boolean }[] }>('GET', '/api/settings/system-audio-devices');
    assert.equal(d.backend, 'pulse');
    assert.deepEqual(d.outputs.map((o) => [o.id, o.isDefault]), [['t1', true], ['t2', false]]);
    assert.deepEqual(d.inputs.map((i) => i.id), ['t1.monitor', 't2.monitor']);
    assert.match(d.outputs[0]!.name, /Test-t1/);
  });

  test("by default ('audio.handset': 'browser') a call with no page uses no devices: silence on the speaker", async (t) => {
    const settings = await api<SettingsInfo>('GET', '/api/settings');
    assert.equal(settings['audio.handset'], 'browser');
    const { id, answeredMs } = await dialEcho();
    const info = await callEvent('the call says where its audio goes', (c) => c.id === id && c.audio !== undefined);
    assert.deepEqual(info.audio, { handset: 'none' });
    await delay(2000);
    assert.deepEqual(await engineStreams(), [], 'no device opened');
    const endMs = ear.ms;
    await hangup(id);
    const cov = activeCoverage(ear.slice(answeredMs, endMs), RATE, SIGNAL_RMS);
    t.diagnostic(`t2 during the call: ${(cov.coverage * 100).toFixed(1)} % of windows audible`);
    assert.equal(cov.coverage, 0, 'nothing came out of t2');
  });

  test("'system' with named devices: the 600 Hz fed into t1.monitor comes out of t2; the output level applies live; a switch back applies to the next call", async (t) => {
    const s = await api<SettingsInfo>('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 't1.monitor', 'audio.outputDevice': 't2', 'audio.inputLevel': 100, 'audio.outputLevel': 100 });
    assert.equal(s['audio.handset'], 'system');
    const { id, answeredMs } = await dialEcho();
    const opening = await callEvent('the devices opening', (c) => c.id === id && c.audio !== undefined);
    assert.deepEqual(opening.audio, { handset: 'system', input: { device: 't1.monitor', state: 'opening' }, output: { device: 't2', state: 'opening' } });
    const open = { handset: 'system', input: { device: 't1.monitor', state: 'open' }, output: { device: 't2', state: 'open' } };
    await callEvent('both devices open', (c) => c.id === id && isDeepStrictEqual(c.audio, open));
    assert.deepEqual((await callNow(id))?.audio, open, 'GET /api/calls shows it too');
    assert.deepEqual(await engineStreams(), ['softphone engine microphone', 'softphone engine speaker']);
    await ear.until(answeredMs + 4000);
    const full = heard(answeredMs, ear.ms);
    const hz = dominantFrequency(full.samples, RATE)!;
    const cov = activeCoverage(full.samples, RATE, SIGNAL_RMS);
    const loud = rms(ear.slice(ear.ms - 1500, ear.ms));
    t.diagnostic(`t2: first tone ${full.leadMs.toFixed(0)} ms after established; ${hz.toFixed(2)} Hz; coverage ${(cov.coverage * 100).toFixed(1)} % (longest gap ${cov.longestGapMs} ms); RMS ${loud.toFixed(0)}`);
    assert.ok(Math.abs(hz - 600) / 600 < 0.02, `dominant ${hz} Hz`);
    assert.ok(cov.coverage >= 0.85, `coverage ${cov.coverage}`);
    assert.ok(full.leadMs < 1500, `the tone took ${full.leadMs} ms to come out`);

    // The output level: 50 % halves what comes out, during the call.
    await api('PATCH', '/api/settings', { 'audio.outputLevel': 50 });
    const at = ear.ms;
    await ear.until(at + 2000);
    const quiet = rms(ear.slice(at + 500, at + 2000));
    t.diagnostic(`output level 50 %: RMS ${quiet.toFixed(0)} (${((quiet / loud) * 100).toFixed(0)} % of before)`);
    assert.ok(quiet / loud > 0.4 && quiet / loud < 0.6, `RMS ${loud} → ${quiet}`);

    // Back to 'browser': this call keeps its devices (settings apply to calls from then on).
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.outputLevel': 100 });
    const at2 = ear.ms;
    await ear.until(at2 + 1500);
    const still = ear.slice(at2 + 300, at2 + 1500);
    assert.ok(Math.abs(dominantFrequency(still, RATE)! - 600) < 12 && activeCoverage(still, RATE, SIGNAL_RMS).coverage > 0.85, 'the running call still plays on t2');
    await hangup(id);
    await waitFor('the engine let go of the devices', async () => ((await engineStreams()).length === 0 ? true : undefined), 5000);
    const history = await api<{ entries: HistoryEntry[] }>('GET', '/api/history');
    assert.equal(history.entries[0]?.outcome, 'answered');

    const next = await dialEcho();
    const none = await callEvent('the next call uses no devices', (c) => c.id === next.id && c.audio !== undefined);
    assert.deepEqual(none.audio, { handset: 'none' });
    await hangup(next.id);
  });

  test('a page attached to the call takes it over (t2 silent, the page hears its own tone); when it goes, the call returns to the devices', async (t) => {
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 't1.monitor', 'audio.outputDevice': 't2' });
    const { id, answeredMs } = await dialEcho();
    await callEvent('devices open', (c) => c.id === id && c.audio?.handset === 'system' && c.audio.output?.state === 'open');
    await ear.until(answeredMs + 2000);
    assert.ok(heard(answeredMs, ear.ms).samples.length > RATE * 0.5, 'the tone comes out of t2 first');

    // The page: 8 kHz, sends 1000 Hz in real time, keeps what it hears.
    const page = new WebSocket(`ws://127.0.0.1:${server.port}/api/audio?token=${TOKEN}&call=${id}`);
    page.binaryType = 'nodebuffer';
    const pageHeard: Buffer[] = [];
    page.on('message', (data, isBinary) => {
      if (isBinary) pageHeard.push(data as Buffer);
    });
    await new Promise((resolve, reject) => {
      page.once('open', resolve);
      page.once('error', reject);
    });
    page.send(JSON.stringify({ type: 'hello', sampleRate: RATE }));
    const pageTone = tone(1000, 30);
    let sent = 0;
    const t0 = performance.now();
    const pump = setInterval(() => {
      const due = Math.floor((performance.now() - t0) / 20) + 3; // 3 frames ahead: the hub's prime
      for (; sent < due && (sent + 1) * 160 <= pageTone.length; sent++) page.send(pageTone.subarray(sent * 160, (sent + 1) * 160));
    }, 10);
    t.after(() => clearInterval(pump));
    await callEvent('the page has the call', (c) => c.id === id && c.audio?.handset === 'browser');
    const attachedMs = ear.ms;
    await waitFor('the engine let go of the devices', async () => ((await engineStreams()).length === 0 ? true : undefined), 5000);
    await delay(2500);
    const silentCov = activeCoverage(ear.slice(attachedMs + 500, ear.ms), RATE, SIGNAL_RMS).coverage;
    const back = new Int16Array(Buffer.concat(pageHeard).buffer.slice(0));
    const pageSamples = back.subarray(Math.min(back.length, RATE)); // after its first second
    const pageHz = dominantFrequency(pageSamples, RATE);
    t.diagnostic(`with the page: t2 audible in ${(silentCov * 100).toFixed(1)} % of windows; the page heard ${(back.length / RATE).toFixed(1)} s, dominant ${pageHz?.toFixed(2)} Hz`);
    assert.ok(silentCov < 0.05, `t2 should be silent while the page has the call (${silentCov})`);
    assert.ok(pageHz !== undefined && Math.abs(pageHz - 1000) / 1000 < 0.02, `the page heard ${pageHz} Hz`);

    // The page goes: the call is back on the devices.
    clearInterval(pump);
    page.close();
    await callEvent('back to the devices', (c) => c.id === id && c.audio?.handset === 'system' && c.audio.output?.state === 'open' && c.audio.input?.state === 'open');
    const detachedMs = ear.ms;
    await ear.until(detachedMs + 3000);
    const again = heard(detachedMs, ear.ms);
    const hz = dominantFrequency(again.samples, RATE)!;
    t.diagnostic(`after the page left: tone back on t2 ${again.leadMs.toFixed(0)} ms later, ${hz.toFixed(2)} Hz`);
    assert.ok(Math.abs(hz - 600) / 600 < 0.02, `dominant ${hz} Hz`);
    assert.ok(again.leadMs < 1500);
    await hangup(id);
  });

  test('RFC 3264 §8.4 hold lets go of the devices (t2 silent, no engine streams); the resume takes them again and the tone comes back', async (t) => {
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 't1.monitor', 'audio.outputDevice': 't2' });
    const { id, answeredMs } = await dialEcho();
    await callEvent('devices open', (c) => c.id === id && c.audio?.output?.state === 'open' && c.audio.input?.state === 'open');
    await ear.until(answeredMs + 2000);
    assert.ok(heard(answeredMs, ear.ms).samples.length > RATE * 0.5, 'the tone comes out of t2 first');

    const held = await api<CallInfo>('POST', `/api/calls/${id}/hold`);
    assert.deepEqual(held.hold, { local: true, remote: false });
    await callEvent('held: no devices', (c) => c.id === id && c.hold.local && c.audio?.handset === 'none');
    await waitFor('the engine let go of the devices', async () => ((await engineStreams()).length === 0 ? true : undefined), 5000);
    const heldMs = ear.ms;
    await ear.until(heldMs + 2000);
    const heldCov = activeCoverage(ear.slice(heldMs + 300, ear.ms), RATE, SIGNAL_RMS).coverage;
    t.diagnostic(`on hold: t2 audible in ${(heldCov * 100).toFixed(1)} % of windows`);
    assert.equal(heldCov, 0, 't2 is silent while the call is held');

    seen.length = 0;
    await api<CallInfo>('POST', `/api/calls/${id}/resume`);
    await callEvent('resumed: the devices open again', (c) => c.id === id && !c.hold.local && c.audio?.handset === 'system' && c.audio.output?.state === 'open' && c.audio.input?.state === 'open');
    assert.deepEqual(await engineStreams(), ['softphone engine microphone', 'softphone engine speaker']);
    const resumedMs = ear.ms;
    await ear.until(resumedMs + 3000);
    const again = heard(resumedMs, ear.ms);
    const hz = dominantFrequency(again.samples, RATE)!;
    t.diagnostic(`resumed: tone back on t2 ${again.leadMs.toFixed(0)} ms later, ${hz.toFixed(2)} Hz`);
    assert.ok(Math.abs(hz - 600) / 600 < 0.02, `dominant ${hz} Hz`);
    assert.ok(again.leadMs < 1500, `the tone took ${again.leadMs} ms to come back`);
    await hangup(id);
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.inputDevice': null, 'audio.outputDevice': null });
  });

  test('ALSA in the engine: PCMs by name that `arecord -L` does not list (t1mic, t2out in ~/.asoundrc) carry the 600 Hz through; an unknown one is named in the error', async (t) => {
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 'alsa:t1mic', 'audio.outputDevice': 'alsa:t2out' });
    const { id, answeredMs } = await dialEcho();
    const open = { handset: 'system', input: { device: 't1mic', state: 'open' }, output: { device: 't2out', state: 'open' } };
    await callEvent('both ALSA devices open', (c) => c.id === id && isDeepStrictEqual(c.audio, open));
    await ear.until(answeredMs + 4000);
    const full = heard(answeredMs, ear.ms);
    const hz = dominantFrequency(full.samples, RATE)!;
    const cov = activeCoverage(full.samples, RATE, SIGNAL_RMS);
    t.diagnostic(`ALSA: first tone ${full.leadMs.toFixed(0)} ms after established; ${hz.toFixed(2)} Hz; coverage ${(cov.coverage * 100).toFixed(1)} % (longest gap ${cov.longestGapMs} ms)`);
    assert.ok(Math.abs(hz - 600) / 600 < 0.02, `dominant ${hz} Hz`);
    assert.ok(cov.coverage >= 0.85, `coverage ${cov.coverage}`);
    await hangup(id);

    await api('PATCH', '/api/settings', { 'audio.inputDevice': 'alsa:nosuch' });
    const second = await dialEcho();
    const failed = await callEvent('the error', (c) => c.id === second.id && c.audio?.error !== undefined);
    t.diagnostic(`event: ${JSON.stringify(failed.audio)}`);
    assert.deepEqual(failed.audio?.input, { device: 'alsa:nosuch', state: 'failed' }, 'named as the settings name it');
    assert.match(failed.audio!.error!, /^system microphone: no ALSA capture device named "nosuch" .*Unknown PCM nosuch/);
    await hangup(second.id);
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.inputDevice': null, 'audio.outputDevice': null });
  });

  test('a speaker unplugged during the call (its null sink unloaded): the server moves the stream to the default sink t1, the call goes on, and its audio info names t1', async (t) => {
    const headset = (await pa.pactl('load-module', 'module-null-sink', 'sink_name=t3')).trim();
    let unloaded = false;
    t.after(async () => {
      if (!unloaded) await pa.pactl('unload-module', headset).catch(() => undefined);
    });
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 't1.monitor', 'audio.outputDevice': 't3' });
    const { id } = await dialEcho();
    await callEvent('devices open', (c) => c.id === id && c.audio?.output?.state === 'open' && c.audio.input?.state === 'open');
    assert.equal(await speakerSink(), 't3');
    await pa.pactl('unload-module', headset);
    unloaded = true;
    const moved = await callEvent('the speaker moved', (c) => c.id === id && c.audio?.output?.device === 't1');
    t.diagnostic(`after the unplug: ${JSON.stringify(moved.audio)}`);
    assert.deepEqual(moved.audio, { handset: 'system', input: { device: 't1.monitor', state: 'open' }, output: { device: 't1', state: 'open' } });
    assert.equal(await speakerSink(), 't1', 'the engine\'s speaker stream plays on t1 now');
    await delay(1000);
    const now = await callNow(id);
    assert.equal(now?.state, 'established', 'the call goes on');
    assert.equal(now?.audio?.error, undefined);
    await hangup(id);
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.inputDevice': null, 'audio.outputDevice': null });
  });

  test('an incoming call rings on the system speaker (the trill at 1300/1600 Hz on t2) until answered; a second call while one is up beeps for call waiting (440 Hz) until declined', async (t) => {
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 't1.monitor', 'audio.outputDevice': 't2', 'audio.ringtone': 'default', 'audio.outputLevel': 100 });
    const { caller, direct } = await directCaller(t);
    /** The trill's energy (1300 and 1600 Hz) and the 440 Hz beeps' in a span of t2. */
    const tones = (fromMs: number, toMs: number) => {
      const x = ear.slice(fromMs, toMs);
      return { trill: goertzel(x, RATE, 1300) + goertzel(x, RATE, 1600), beep: goertzel(x, RATE, 440) };
    };

    const { call: first, ringing } = await dialUntilRinging(caller, direct);
    const ringFrom = ear.ms;
    await ear.until(ringFrom + 2500);
    const ring = tones(ringFrom, ear.ms);
    t.diagnostic(`ringing: trill ${ring.trill.toFixed(0)}, 440 Hz ${ring.beep.toFixed(0)}`);
    assert.ok(ring.trill > 300, `the trill is heard on t2 (${ring.trill})`);

    await api('POST', `/api/calls/${ringing.id}/answer`);
    await callEvent('answered', (c) => c.id === ringing.id && c.state === 'established');
    await waitFor('the ringtone stopped', async () => (!(await engineStreams()).includes('softphone engine ringtone') ? true : undefined), 5000);
    const answeredMs = ear.ms;
    await ear.until(answeredMs + 2000);
    const after = tones(answeredMs + 300, ear.ms);
    t.diagnostic(`answered: trill ${after.trill.toFixed(0)}`);
    assert.ok(after.trill < ring.trill / 20, `no ring after the answer (${after.trill})`);

    // Call waiting: the second call beeps over the first one's audio.
    const second = await caller.dial(direct);
    const waiting = await callEvent('the second call rings', (c) => c.state === 'incoming' && c.id !== ringing.id);
    const waitFrom = ear.ms;
    await ear.until(waitFrom + 1500);
    const beep = tones(waitFrom, ear.ms);
    t.diagnostic(`call waiting: 440 Hz ${beep.beep.toFixed(0)}, trill ${beep.trill.toFixed(0)}`);
    assert.ok(beep.beep > 100 && beep.trill < beep.beep / 5, 'call waiting beeps at 440 Hz, not the ringtone');
    await api('POST', `/api/calls/${waiting.id}/decline`);
    await callEvent('declined', (c) => c.id === waiting.id && c.state === 'ended');
    await waitFor('the beeps stopped', async () => ((await engineStreams()).includes('softphone engine ringtone') ? undefined : true), 5000);
    await waitFor('the caller sees the decline', () => (second.state === 'ended' ? true : undefined), 5000, 20);
    await first.hangup();
    await callEvent('ended', (c) => c.id === ringing.id && c.state === 'ended');
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.inputDevice': null, 'audio.outputDevice': null });
  });

  test('a WAV file as the ringtone: its 700 Hz rings on t2', async (t) => {
    const file = join(dir, 'ring-700.wav');
    writeFileSync(file, writeWav(tone(700, 1), RATE));
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.outputDevice': 't2', 'audio.ringtone': file });
    const { caller, direct } = await directCaller(t);
    const { call, ringing } = await dialUntilRinging(caller, direct);
    const from = ear.ms;
    await ear.until(from + 2000);
    const hz = dominantFrequency(ear.slice(from + 200, ear.ms), RATE);
    t.diagnostic(`the file rings at ${hz?.toFixed(1)} Hz`);
    assert.ok(hz !== undefined && Math.abs(hz - 700) < 14, `dominant ${hz} Hz`);
    await api('POST', `/api/calls/${ringing.id}/decline`);
    await waitFor('the caller sees the decline', () => (call.state === 'ended' ? true : undefined), 5000, 20);
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.outputDevice': null, 'audio.ringtone': 'default' });
  });

  test('a ringer of its own (audio.ringDevice t1): the trill rings there, the speaker t2 stays silent', async (t) => {
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.outputDevice': 't2', 'audio.ringDevice': 't1', 'audio.ringtone': 'default' });
    const bell = new Recorder(pa.env, 't1.monitor');
    t.after(() => stopChild(bell.child));
    await bell.until(1500); // past the null sink's idle blocks
    const { caller, direct } = await directCaller(t);
    const { call, ringing } = await dialUntilRinging(caller, direct);
    const from = { ear: ear.ms, bell: bell.ms };
    await Promise.all([ear.until(from.ear + 2500), bell.until(from.bell + 2500)]);
    const trill = (x: Int16Array) => goertzel(x, RATE, 1300) + goertzel(x, RATE, 1600);
    const onBell = trill(bell.slice(from.bell, bell.ms));
    const onSpeaker = trill(ear.slice(from.ear, ear.ms));
    t.diagnostic(`trill on the ringer t1: ${onBell.toFixed(0)}, on the speaker t2: ${onSpeaker.toFixed(0)}`);
    assert.ok(onBell > 300, 'the ringer rings');
    assert.ok(onSpeaker < onBell / 20, 'the speaker does not');
    await api('POST', `/api/calls/${ringing.id}/decline`);
    await waitFor('the caller sees the decline', () => (call.state === 'ended' ? true : undefined), 5000, 20);
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.outputDevice': null, 'audio.ringDevice': null });
  });

  test('an outgoing call whose far end rings without early media (180) plays the ringback (440+480 Hz) on t2 until the answer', async (t) => {
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 't1.monitor', 'audio.outputDevice': 't2' });
    const { ua, transport } = await createNodeUserAgent({ bindAddress: '127.0.0.1', transports: ['udp'] });
    const callee = new Phone({ ua, media: createNodeMediaEnvironment('127.0.0.1'), audio: () => ({ source: (f) => new SilenceSource(f) }) });
    t.after(() => callee.close(1000));
    const incoming = callee.waitFor('incoming', () => true);
    seen.length = 0;
    const out = await api<CallInfo>('POST', '/api/calls', { target: `sip:bob@127.0.0.1:${transport.localEndpoint('udp')!.port}` });
    const theirs = await incoming;
    theirs.ring();
    await callEvent('ringing', (c) => c.id === out.id && c.state === 'ringing');
    await waitFor('the ringback stream', async () => ((await engineStreams()).includes('softphone engine ringtone') ? true : undefined), 5000);
    const from = ear.ms;
    await ear.until(from + 2500);
    const x = ear.slice(from, ear.ms);
    const ringback = goertzel(x, RATE, 440) + goertzel(x, RATE, 480);
    t.diagnostic(`ringback: 440+480 Hz ${ringback.toFixed(0)}`);
    assert.ok(ringback > 300, 'the ringback is heard on t2');
    theirs.answer();
    await callEvent('answered', (c) => c.id === out.id && c.state === 'established');
    await waitFor('the ringback stopped', async () => (!(await engineStreams()).includes('softphone engine ringtone') ? true : undefined), 5000);
    await hangup(out.id);
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.inputDevice': null, 'audio.outputDevice': null });
  });

  test("ringtone 'none', or 'audio.handset': 'browser': nothing rings on the system (the page rings)", async (t) => {
    const { caller, direct } = await directCaller(t);
    try {
      for (const settings of [{ 'audio.handset': 'system', 'audio.outputDevice': 't2', 'audio.ringtone': 'none' }, { 'audio.handset': 'browser', 'audio.ringtone': 'default' }]) {
        await api('PATCH', '/api/settings', settings);
        seen.length = 0;
        const call = await caller.dial(direct);
        const ringing = await callEvent('the call rings here', (c) => c.state === 'incoming');
        await delay(1000);
        assert.deepEqual(await engineStreams(), [], `nothing plays with ${JSON.stringify(settings)}`);
        await api('POST', `/api/calls/${ringing.id}/decline`);
        await callEvent('declined', (c) => c.id === ringing.id && c.state === 'ended');
        await waitFor('the caller sees the decline', () => (call.state === 'ended' ? true : undefined), 5000, 20);
      }
    } finally {
      await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.outputDevice': null, 'audio.ringtone': 'default' });
    }
  });

  test('the tools behind the call’s streams die: each side is reopened by itself (reported while it is), and the tone comes back on t2', async (t) => {
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 't1.monitor', 'audio.outputDevice': 't2' });
    const { id } = await dialEcho();
    const open = { handset: 'system', input: { device: 't1.monitor', state: 'open' }, output: { device: 't2', state: 'open' } };
    await callEvent('devices open', (c) => c.id === id && isDeepStrictEqual(c.audio, open));
    for (const [kind, side] of [['sink-input', 'output'], ['source-output', 'input']] as const) {
      const name = side === 'output' ? 'softphone engine speaker' : 'softphone engine microphone';
      // The tool behind the stream (pacat/parec, a child of this test's engine) dies, as when
      // the sound server restarts under it; pactl has no command to kill a stream.
      const list = (await pa.pactl('list', `${kind}s`)).split(/^(?:Sink Input|Source Output) #/m);
      const pid = /application\.process\.id = "(\d+)"/.exec(list.find((x) => x.includes(`media.name = "${name}"`)) ?? '')?.[1];
      assert.ok(pid, `the ${name} stream and its tool's PID`);
      seen.length = 0;
      process.kill(Number(pid), 'SIGKILL');
      const down = await callEvent(`the ${side} reopening`, (c) => c.id === id && c.audio?.[side]?.state === 'opening');
      t.diagnostic(`${side} killed: ${JSON.stringify(down.audio)}`);
      assert.match(down.audio!.error!, /reopening$/);
      await callEvent(`the ${side} open again`, (c) => c.id === id && isDeepStrictEqual(c.audio, open));
    }
    const back = ear.ms;
    await ear.until(back + 3000);
    const again = heard(back, ear.ms);
    const hz = dominantFrequency(again.samples, RATE)!;
    t.diagnostic(`after both were reopened: tone on t2 ${again.leadMs.toFixed(0)} ms later, ${hz.toFixed(2)} Hz`);
    assert.ok(Math.abs(hz - 600) / 600 < 0.02, `dominant ${hz} Hz`);
    assert.ok(again.leadMs < 1500);
    assert.equal((await callNow(id))?.state, 'established');
    await hangup(id);
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.inputDevice': null, 'audio.outputDevice': null });
  });

  test('a device that does not exist: a clear error in the call’s info and event, and the call goes on', async (t) => {
    await api('PATCH', '/api/settings', { 'audio.handset': 'system', 'audio.inputDevice': 'nosuch', 'audio.outputDevice': 't2' });
    const { id, answeredMs } = await dialEcho();
    const failed = await callEvent('the error', (c) => c.id === id && c.audio?.error !== undefined);
    t.diagnostic(`event: ${JSON.stringify(failed.audio)}`);
    assert.equal(failed.audio?.handset, 'system');
    assert.match(failed.audio!.error!, /^system microphone: no PulseAudio input named "nosuch"; inputs: t1\.monitor, t2\.monitor$/);
    assert.deepEqual(failed.audio?.input, { device: 'nosuch', state: 'failed' });
    await callEvent('the speaker opened anyway', (c) => c.id === id && c.audio?.output?.state === 'open');
    await delay(2500);
    const now = await callNow(id);
    assert.equal(now?.state, 'established', 'the call goes on');
    assert.match(now!.audio!.error!, /no PulseAudio input named "nosuch"/);
    assert.deepEqual(await engineStreams(), ['softphone engine speaker']);
    assert.equal(activeCoverage(ear.slice(answeredMs, ear.ms), RATE, SIGNAL_RMS).coverage, 0, 'silence from the missing microphone');
    await hangup(id);
    const history = await api<{ entries: HistoryEntry[] }>('GET', '/api/history');
    assert.equal(history.entries[0]?.outcome, 'answered');

    // A missing speaker: the error names it; the microphone still opens.
    await api('PATCH', '/api/settings', { 'audio.inputDevice': 't1.monitor', 'audio.outputDevice': 'nosuch-out' });
    const second = await dialEcho();
    const err2 = await callEvent('the speaker error', (c) => c.id === second.id && c.audio?.error !== undefined && c.audio.input?.state === 'open');
    assert.deepEqual(err2.audio?.output, { device: 'nosuch-out', state: 'failed' });
    t.diagnostic(`event: ${JSON.stringify(err2.audio)}`);
    assert.match(err2.audio!.error!, /^system speaker: no PulseAudio output named "nosuch-out"; outputs: t1, t2$/);
    await delay(1000);
    assert.equal((await callNow(second.id))?.state, 'established');
    await hangup(second.id);
    await api('PATCH', '/api/settings', { 'audio.handset': 'browser', 'audio.inputDevice': null, 'audio.outputDevice': null });
  });
});
