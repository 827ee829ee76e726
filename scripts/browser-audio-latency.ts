/**
 * What the browser audio transport adds, measured in headless chromium (docs/decisions.md,
 * "Browser audio transport"). Run: node --import tsx scripts/browser-audio-latency.ts
 *
 * The fake microphone plays a WAV of 10 ms 1 kHz bursts every 400 ms. In the page, a probe
 * AudioWorklet with two inputs timestamps each burst's onset (in AudioContext sample frames,
 * one clock for both) on the microphone itself and on the microphone after a round trip:
 *   (a) WebSocket + AudioWorklet: the UI's own capture worklet → WebSocket → the engine's
 *       /api/audio?loopback=1 (frames sent straight back) → the UI's playback worklet;
 *   (b) localhost WebRTC: the microphone track → RTCPeerConnection → 127.0.0.1 → a second
 *       RTCPeerConnection in the same page (Opus, NetEq jitter buffer) → MediaStreamSource;
 *       plus getStats' jitterBufferDelay / jitterBufferEmittedCount.
 * The difference between the two onsets is what the path adds; both paths share the
 * microphone's and the speaker's own latency, so it is left out. Prints JSON.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../src/api/server.js';
import { createNodeEngine } from '../src/main/node-engine.js';
import { writeWav } from '../src/media/wav.js';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'web', 'dist');
const TOKEN = 'latency-measurement';
const SECONDS = Number(process.env.SECONDS ?? 12);
/** The playback worklet's target (and minimum) in ms; the UI uses 40. */
const TARGET_MS = Number(process.env.TARGET_MS ?? 40);

const PROBE = `
class Probe extends AudioWorkletProcessor {
  constructor() { super(); this.frame = 0; this.quiet = [1e9, 1e9]; }
  process(inputs) {
    for (let k = 0; k < 2; k++) {
      const ch = inputs[k] && inputs[k][0];
      const n = ch ? ch.length : 128;
      for (let i = 0; i < n; i++) {
        const v = ch ? Math.abs(ch[i]) : 0;
        if (v > 0.08) {
          if (this.quiet[k] > sampleRate * 0.2) this.port.postMessage({ input: k, frame: this.frame + i });
          this.quiet[k] = 0;
        } else this.quiet[k]++;
      }
    }
    this.frame += 128;
    return true;
  }
}
registerProcessor('latency-probe', Probe);
`;

interface PageResult {
  sampleRate: number;
  baseLatencyMs: number;
  onsets: Array<{ input: number; frame: number }>;
  webrtc?: { jitterBufferMs?: number; codec?: string; candidate?: string };
  underruns?: number;
  error?: string;
}

/** Runs in the page (plain JavaScript: the scripts' tsconfig has no DOM types): one path. */
const MEASURE = `async (args) => {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.audioWorklet.addModule(args.worklet);
  await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([args.probe], { type: 'text/javascript' })));
  await ctx.resume();
  const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
  const probe = new AudioWorkletNode(ctx, 'latency-probe', { numberOfInputs: 2, numberOfOutputs: 1, outputChannelCount: [1] });
  const silent = ctx.createGain();
  silent.gain.value = 0;
  probe.connect(silent).connect(ctx.destination);
  const onsets = [];
  probe.port.onmessage = (e) => onsets.push(e.data);
  const micNode = ctx.createMediaStreamSource(mic);
  micNode.connect(probe, 0, 0);
  const result = { sampleRate: ctx.sampleRate, baseLatencyMs: ctx.baseLatency * 1000, onsets };
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));

  if (args.path === 'websocket') {
    const playback = new AudioWorkletNode(ctx, 'softphone-playback', { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { targetMs: args.targetMs, minMs: args.targetMs, maxMs: 120 } });
    playback.connect(probe, 0, 1);
    playback.port.onmessage = (e) => (result.underruns = e.data.underruns);
    const capture = new AudioWorkletNode(ctx, 'softphone-capture', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
    micNode.connect(capture);
    const ws = new WebSocket(\`ws://\${location.host}/api/audio?loopback=1&token=\${args.token}\`);
    ws.binaryType = 'arraybuffer';
    await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));
    ws.onmessage = (m) => {
      const f = new Int16Array(m.data);
      playback.port.postMessage(f, [f.buffer]);
    };
    capture.port.onmessage = (e) => ws.send(e.data);
    await wait(args.seconds * 1000);
    ws.close();
  } else {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    let candidate = '';
    a.onicecandidate = (e) => e.candidate && (candidate ||= e.candidate.candidate, b.addIceCandidate(e.candidate));
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    const remote = new Promise((r) => (b.ontrack = (e) => r(e.streams[0] ?? new MediaStream([e.track]))));
    a.addTrack(mic.getAudioTracks()[0], mic);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    const stream = await remote;
    // Chrome renders a remote WebRTC track into WebAudio only while a media element plays it.
    const el = new Audio();
    el.muted = true;
    el.srcObject = stream;
    void el.play().catch(() => undefined);
    ctx.createMediaStreamSource(stream).connect(probe, 0, 1);
    await wait(args.seconds * 1000);
    const stats = await b.getStats();
    let codec;
    let jb;
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio' && s.jitterBufferEmittedCount) {
        jb = (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000;
        const c = s.codecId ? stats.get(s.codecId) : undefined;
        codec = c?.mimeType;
      }
    });
    result.webrtc = { jitterBufferMs: jb, codec, candidate };
    a.close();
    b.close();
  }
  for (const t of mic.getTracks()) t.stop();
  await ctx.close();
  return result;
}`;

/** Each microphone onset paired with the first returned onset after it (within 500 ms). */
function delays(r: PageResult): number[] {
  const mic = r.onsets.filter((o) => o.input === 0).map((o) => o.frame);
  const back = r.onsets.filter((o) => o.input === 1).map((o) => o.frame);
  const out: number[] = [];
  for (const m of mic) {
    const b = back.find((x) => x >= m && x - m < r.sampleRate * 0.5);
    if (b !== undefined) out.push(((b - m) * 1000) / r.sampleRate);
  }
  return out.slice(2); // the first bursts land while buffers settle
}

function summary(d: number[]): { n: number; medianMs: number; minMs: number; maxMs: number } | undefined {
  if (!d.length) return undefined;
  const s = [...d].sort((x, y) => x - y);
  const r = (v: number) => Math.round(v * 10) / 10;
  return { n: s.length, medianMs: r(s[s.length >> 1]!), minMs: r(s[0]!), maxMs: r(s.at(-1)!) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-latency-'));
  const rate = 48000;
  const wav = new Int16Array(rate * 4);
  for (let start = 0; start + rate * 0.01 < wav.length; start += rate * 0.4) {
    for (let i = 0; i < rate * 0.01; i++) wav[start + i] = Math.round(20000 * Math.sin((2 * Math.PI * 1000 * i) / rate));
  }
  const wavPath = join(dir, 'bursts.wav');
  writeFileSync(wavPath, writeWav(wav, rate));
  const worklet = readdirSync(join(DIST, 'assets')).find((f) => f.startsWith('audio-worklet-'));
  assert.ok(worklet, 'web/dist has no audio worklet: npx vite build web');

  const engine = await createNodeEngine({ profileDir: join(dir, 'profile') });
  const server = await startApiServer({ engine, token: TOKEN, port: 0, webDir: DIST });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wavPath}`,
      '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
  const out: Record<string, unknown> = { chromium: browser.version(), seconds: SECONDS };
  const only = process.env.ONLY;
  try {
    for (const path of ['websocket', 'webrtc'] as const) {
      if (only && only !== path) continue;
      const page = await browser.newPage();
      await page.goto(server.url);
      const args = { path, worklet: `/assets/${worklet}`, probe: PROBE, token: TOKEN, seconds: SECONDS, targetMs: TARGET_MS };
      const r = (await page.evaluate(`(${MEASURE})(${JSON.stringify(args)})`)) as PageResult;
      out[path] = { sampleRate: r.sampleRate, baseLatencyMs: r.baseLatencyMs, ...summary(delays(r)), ...(r.webrtc ?? {}), ...(path === 'websocket' ? { targetMs: TARGET_MS, underruns: r.underruns } : {}) };
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out, null, 2));
}

await main();
