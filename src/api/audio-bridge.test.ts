/**
 * /api/audio on a real socket: the guard (token, Origin, Host; unknown calls), frames from the
 * page becoming the call's AudioSource and the call's AudioSink coming back as frames, with
 * 48 kHz ↔ 8 kHz resampling keeping a 440 Hz tone at 440 Hz; and the hub on its own
 * (ring buffer priming, underruns, trimming).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createNodeEngine } from '../main/node-engine.js';
import { audioFormat } from '../media/audio-frame.js';
import { dominantFrequency } from '../media/tone-analysis.js';
import { CallAudioHub, MAX_FRAMES, PRIME_FRAMES } from '../phone/call-audio-hub.js';
import type { PhoneEngine } from '../phone/engine.js';
import type { ApiServer } from './server.js';
import { startApiServer } from './server.js';

const TOKEN = 'audio-bridge-test-token';

function tone(rate: number, hz: number, startSample: number, n: number, amplitude = 8000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (startSample + i)) / rate));
  return out;
}

/** Resolves once open, or rejects with the HTTP status of a refused upgrade. */
function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.binaryType = 'nodebuffer';
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () => resolve(ws));
  });
}

async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('CallAudioHub', () => {
  test('a client’s 48 kHz tone is the 8 kHz call’s source at 440 Hz; silence before priming and after the client goes', () => {
    const hub = new CallAudioHub();
    const audio = hub.callAudio('c1');
    const fmt = audioFormat(8000);
    const source = audio.source!(fmt);
    const out = new Int16Array(160);
    const heard: Int16Array[] = [];
    const a = hub.attach('c1', { sampleRate: 48000, play: (f) => heard.push(f.slice()) });
    source.read(out);
    assert.ok(out.every((s) => s === 0), 'silence before anything arrived');
    const got: number[] = [];
    let pos = 0;
    for (let i = 0; i < 100; i++) {
      a.push(tone(48000, 440, pos, 960));
      pos += 960;
      source.read(out);
      if (i >= PRIME_FRAMES + 1) got.push(...out);
    }
    const f = dominantFrequency(got, 8000)!;
    assert.ok(Math.abs(f - 440) < 2, `heard ${f} Hz`);
    assert.equal(a.stats().underruns, 0);
    // The sink: the call's 8 kHz frames reach the client as 20 ms frames at 48 kHz.
    const sink = audio.sink!(fmt);
    for (let i = 0; i < 50; i++) sink.write(tone(8000, 440, i * 160, 160), i * 20);
    assert.ok(heard.length >= 48 && heard.every((h) => h.length === 960));
    const back = dominantFrequency(heard.slice(2).flatMap((h) => [...h]), 48000)!;
    assert.ok(Math.abs(back - 440) < 2, `client heard ${back} Hz`);
    a.detach();
    source.read(out);
    assert.ok(out.every((s) => s === 0));
  });

  test('underruns are counted and play silence; a backlog past MAX_FRAMES is trimmed', () => {
    const hub = new CallAudioHub();
    const source = hub.callAudio('c2').source!(audioFormat(8000));
    const a = hub.attach('c2', { sampleRate: 8000, play: () => undefined });
    const out = new Int16Array(160);
    for (let i = 0; i < PRIME_FRAMES; i++) a.push(tone(8000, 440, i * 160, 160));
    source.read(out);
    source.read(out);
    source.read(out); // dry
    assert.equal(a.stats().underruns, 1);
    assert.ok(out.every((s) => s === 0));
    for (let i = 0; i < MAX_FRAMES + 3; i++) a.push(tone(8000, 440, i * 160, 160));
    assert.ok(a.stats().droppedSamples > 0);
    assert.ok(a.stats().buffered <= MAX_FRAMES * 160);
  });

  test('a second client replaces the first; the call’s end detaches it', () => {
    const hub = new CallAudioHub();
    hub.callAudio('c3');
    const why: string[] = [];
    hub.attach('c3', { sampleRate: 48000, play: () => undefined, detached: (w) => why.push(`1:${w}`) });
    hub.attach('c3', { sampleRate: 48000, play: () => undefined, detached: (w) => why.push(`2:${w}`) });
    hub.end('c3');
    assert.deepEqual(why, ['1:replaced', '2:ended']);
    assert.equal(hub.attached('c3'), false);
  });
});

describe('/api/audio on 127.0.0.1', () => {
  let dir: string;
  let engine: PhoneEngine;
  let server: ApiServer;
  let base: string;
  let origin: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-audio-'));
    engine = await createNodeEngine({ profileDir: join(dir, 'profile') });
    server = await startApiServer({ engine, token: TOKEN, port: 0 });
    base = `ws://127.0.0.1:${server.port}/api/audio`;
    origin = `http://127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('refuses without the token, with a wrong one, from a foreign Origin or Host, and for unknown calls', async () => {
    await assert.rejects(connect(`${base}?loopback=1`), /status 401/);
    await assert.rejects(connect(`${base}?loopback=1&token=wrong`), /status 401/);
    await assert.rejects(connect(`${base}?loopback=1&token=${TOKEN}`, { Origin: 'http://evil.example' }), /status 403/);
    await assert.rejects(connect(`${base}?loopback=1&token=${TOKEN}`, { Host: `evil.example:${server.port}` }), /status 403/);
    await assert.rejects(connect(`${base}?call=nope&token=${TOKEN}`), /status 404/);
    await assert.rejects(connect(`${base}?token=${TOKEN}`), /status 404/);
    const ok = await connect(`${base}?loopback=1&token=${TOKEN}`, { Origin: origin });
    const back = new Promise<Buffer>((r) => ok.once('message', (d: Buffer) => r(d)));
    ok.send(Buffer.from(new Int16Array([1, -2, 3]).buffer), { binary: true });
    assert.deepEqual([...new Int16Array(new Uint8Array(await back).buffer)], [1, -2, 3]);
    ok.close();
  });

  test('an echo call: the page’s 48 kHz 440 Hz frames are the call’s source, and the call’s sink comes back at 48 kHz and 440 Hz', async () => {
    const call = await engine.dial('echo');
    await until('the echo call to be established', () => engine.getCall(call.id).state === 'established');
    assert.match(engine.getCall(call.id).codec ?? '', /\/8000$/);
    const ws = await connect(`${base}?call=${encodeURIComponent(call.id)}&token=${TOKEN}`, { Origin: origin });
    const texts: Array<Record<string, unknown>> = [];
    const frames: Int16Array[] = [];
    ws.on('message', (d: Buffer, binary) => {
      if (binary) frames.push(new Int16Array(new Uint8Array(d).buffer));
      else texts.push(JSON.parse(String(d)) as Record<string, unknown>);
    });
    ws.send(JSON.stringify({ type: 'hello', sampleRate: 48000 }));
    let pos = 0;
    const t0 = Date.now();
    for (let i = 0; i < 125; i++) {
      ws.send(Buffer.from(tone(48000, 440, pos, 960).buffer), { binary: true });
      pos += 960;
      const due = t0 + (i + 1) * 20;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
    await until('a second of frames back', () => frames.length >= 100);
    assert.ok(texts.some((t) => t.type === 'attached' && t.sampleRate === 48000));
    assert.ok(texts.some((t) => t.type === 'started' && t.callSampleRate === 8000));
    assert.ok(frames.every((f) => f.length === 960), 'frames of 20 ms at 48 kHz');
    // The last second: the tone went page → call (8 kHz) → echo → call → page (48 kHz).
    const tail = frames.slice(-50).flatMap((f) => [...f]);
    const peak = tail.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    assert.ok(peak > 2000, `the echo is audible (peak ${peak})`);
    const f = dominantFrequency(tail, 48000)!;
    assert.ok(Math.abs(f - 440) < 3, `page heard ${f} Hz`);
    await until('a stats message', () => texts.some((t) => t.type === 'stats'), 2500);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await engine.hangup(call.id);
    assert.equal(await closed, 1000, 'the call’s end closes the socket');
    await assert.rejects(connect(`${base}?call=${encodeURIComponent(call.id)}&token=${TOKEN}`, { Origin: origin }), /status 404/);
  });
});
