// N simultaneous G.711 calls with audio both ways over real UDP on 127.0.0.1, each call a pair
// of MediaStreams (RtpSocket pair per stream, one shared media clock per process), for a fixed
// time. Reports CPU (percent of one core, process.cpuUsage), packets per second, and packets
// lost (RFC 3550 A.3), late (jitter buffer) and concealed. Figures only, no assertions.
//
//   node --import tsx bench/media/streams.bench.ts [--calls 100,500,1000] [--seconds 10] [--mode split|single]
//
// --mode split (default): our side of every call runs in this process and the far side in a
//   child process, so the "ours" row is what one softphone pays for N calls (50 packets/s
//   out and 50 in per call), as it would facing a PBX or another phone.
// --mode single: both ends of every call in one process (2N streams on one thread).
// --mode core: no sockets: two RtpStream cores joined in memory on a virtual clock, to show
//   the engine's own cost per packet apart from the kernel's UDP path.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { audioFormat } from '../../src/media/audio-frame.js';
import type { AudioSink, AudioSource } from '../../src/media/audio-frame.js';
import { PCMU_CODEC } from '../../src/media/codec-registry.js';
import { MediaStream } from '../../src/media/media-stream.js';
import { RtpStream } from '../../src/media/rtp-stream.js';
import type { RtpStreamConfig } from '../../src/media/stream-config.js';
import { NodeMediaClock } from '../../src/platform/node/media-clock.js';
import { PortRange } from '../../src/platform/node/port-range.js';
import { RtpSocket } from '../../src/platform/node/rtp-socket.js';

const FORMAT = audioFormat(8000, 20);
const WARMUP_MS = 2000;

/** A looped one-second 440 Hz tone: a copy per frame, so the figure is the media engine's. */
class LoopSource implements AudioSource {
  readonly format = FORMAT;
  private static readonly tone = Int16Array.from({ length: 8000 }, (_, i) => Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  private pos = 0;
  read(out: Int16Array): boolean {
    out.set(LoopSource.tone.subarray(this.pos, this.pos + out.length));
    this.pos = (this.pos + out.length) % 8000;
    return true;
  }
}

/** Takes decoded frames and keeps nothing (decoding still happens). */
class NullSink implements AudioSink {
  readonly format = FORMAT;
  frames = 0;
  write(): void {
    this.frames++;
  }
}

interface Totals {
  sent: number;
  received: number;
  lost: number;
  late: number;
  concealed: number;
  played: number;
}

interface SideResult {
  label: string;
  streams: number;
  cpuPct: number;
  seconds: number;
  totals: Totals;
  lateTicks: number;
  maxTickLatenessMs: number;
}

function config(remotePort: number): RtpStreamConfig {
  return {
    sendCodec: PCMU_CODEC,
    sendPayloadType: 0,
    receiveCodecs: [{ payloadType: 0, codec: PCMU_CODEC }],
    telephoneEvent: { payloadType: 101, receivePayloadType: 101, clockRate: 8000 },
    ptime: 20,
    direction: 'sendrecv',
    remoteRtp: { address: '127.0.0.1', port: remotePort },
    remoteRtcp: { address: '127.0.0.1', port: remotePort + 1 },
    rtcpMux: false,
  };
}

function totals(streams: MediaStream[]): Totals {
  const t: Totals = { sent: 0, received: 0, lost: 0, late: 0, concealed: 0, played: 0 };
  for (const s of streams) {
    const st = s.stats();
    t.sent += st.packetsSent;
    t.received += st.packetsReceived;
    t.lost += st.packetsLost;
    t.late += st.packetsLate;
    t.concealed += st.concealedFrames;
    t.played += st.playedFrames;
  }
  return t;
}

function diff(a: Totals, b: Totals): Totals {
  return { sent: b.sent - a.sent, received: b.received - a.received, lost: b.lost - a.lost, late: b.late - a.late, concealed: b.concealed - a.concealed, played: b.played - a.played };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openSockets(n: number, range: PortRange): Promise<RtpSocket[]> {
  const out: RtpSocket[] = [];
  for (let i = 0; i < n; i++) out.push(await RtpSocket.open({ portRange: range }));
  return out;
}

/** Streams on `sockets` to `remotePorts`, started spread over one frame period, measured after warm-up. */
async function runStreams(label: string, sockets: RtpSocket[], remotePorts: number[], seconds: number): Promise<SideResult> {
  const clock = new NodeMediaClock();
  const streams = sockets.map((socket, i) => new MediaStream(config(remotePorts[i]!), { transport: socket, clock, source: new LoopSource(), sink: new NullSink() }));
  // Calls start at random moments in real life; spread the starts over one 20 ms period.
  streams.forEach((s, i) => setTimeout(() => s.start(), (i * 20) / streams.length));
  await sleep(WARMUP_MS);
  const t0 = totals(streams);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const ticks0 = { late: clock.stats.lateTicks };
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const t1 = totals(streams);
  const result: SideResult = {
    label,
    streams: streams.length,
    cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    seconds: wall / 1000,
    totals: diff(t0, t1),
    lateTicks: clock.stats.lateTicks - ticks0.late,
    maxTickLatenessMs: clock.stats.maxLatenessMs,
  };
  await Promise.all(streams.map((s) => s.close()));
  clock.close();
  return result;
}

// --- child (far side in split mode) ---------------------------------------------------------

async function child(): Promise<void> {
  const send = (m: unknown) => process.send!(m);
  process.on('message', async (m: { type: string; calls: number; seconds: number; ports?: number[] }) => {
    if (m.type === 'open') {
      const sockets = await openSockets(m.calls, new PortRange({ min: 26000, max: 29999 }));
      (globalThis as { benchSockets?: RtpSocket[] }).benchSockets = sockets;
      send({ type: 'ports', ports: sockets.map((s) => s.rtpPort) });
    } else if (m.type === 'run') {
      const sockets = (globalThis as { benchSockets?: RtpSocket[] }).benchSockets!;
      const r = await runStreams('far end (child)', sockets, m.ports!, m.seconds);
      send({ type: 'result', result: r });
    } else if (m.type === 'exit') {
      process.exit(0);
    }
  });
  send({ type: 'ready' });
}

function waitFor<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type === type) {
        proc.off('message', on);
        resolve(m as T);
      }
    };
    proc.on('message', on);
  });
}

// --- core (no sockets) -----------------------------------------------------------------------

function core(frames: number): void {
  const queues: Uint8Array[][] = [[], []];
  const mk = (me: 0 | 1) =>
    new RtpStream({
      config: config(1000 + me),
      // A datagram arrives as a fresh buffer, as from a socket: copy.
      io: { sendRtp: (b) => void queues[1 - me]!.push(b.slice()), sendRtcp: () => {} },
      source: new LoopSource(),
      sink: new NullSink(),
    });
  const a = mk(0);
  const b = mk(1);
  a.start(0);
  b.start(0);
  const runFrames = (from: number, n: number) => {
    for (let f = from; f < from + n; f++) {
      const now = f * 20;
      a.tick(now);
      b.tick(now);
      for (const [q, s] of [[queues[0]!, a], [queues[1]!, b]] as const) {
        for (const pkt of q) s.receiveRtp(pkt, '127.0.0.1', 1000, now + 1);
        q.length = 0;
      }
    }
  };
  runFrames(0, 20000); // warm up the JIT
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  runFrames(20000, frames);
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  const packets = frames * 2;
  console.log(`core: ${packets} packets each sent and received (encode+send, parse+stats+jitter buffer, decode+play) in ${(ns / 1e6).toFixed(0)} ms: ${(ns / packets).toFixed(0)} ns per packet sent and received, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
  const st = b.stats();
  console.log(`core: B received ${st.packetsReceived}, lost ${st.packetsLost}, late ${st.packetsLate}, played ${st.playedFrames}`);
}

// --- main ------------------------------------------------------------------------------------

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

function row(calls: number, r: SideResult): string {
  const t = r.totals;
  const pct = (x: number, of: number) => (of > 0 ? ((x / of) * 100).toFixed(3) : '-');
  return [
    String(calls).padStart(5),
    r.label.padEnd(16),
    String(r.streams).padStart(7),
    r.cpuPct.toFixed(1).padStart(6),
    ((r.cpuPct / calls) * (r.label.startsWith('both') ? 1 : 1)).toFixed(3).padStart(8),
    Math.round(t.sent / r.seconds).toString().padStart(8),
    Math.round(t.received / r.seconds).toString().padStart(8),
    pct(t.lost, t.received + t.lost).padStart(7),
    pct(t.late, t.received).padStart(7),
    pct(t.concealed, t.played + t.concealed).padStart(8),
    String(r.lateTicks).padStart(6),
  ].join(' | ');
}

async function main(): Promise<void> {
  const callsList = arg('calls', '100,500,1000').split(',').map(Number);
  const seconds = Number(arg('seconds', '10'));
  const mode = arg('mode', 'split');
  if (mode === 'core') {
    core(Number(arg('frames', '200000')));
    return;
  }
  console.log(`node ${process.version}, ${process.arch}; mode ${mode}; ${seconds} s measured after ${WARMUP_MS / 1000} s warm-up; PCMU 20 ms, 1 RTP + 1 RTCP socket per stream`);
  console.log(['calls', 'side            ', 'streams', 'CPU %', '% / call', 'pkt/s out', 'pkt/s in', 'lost %', 'late %', 'concealed%', 'late ticks'].join(' | '));
  for (const calls of callsList) {
    if (mode === 'single') {
      const a = await openSockets(calls, new PortRange({ min: 20000, max: 23999 }));
      const b = await openSockets(calls, new PortRange({ min: 26000, max: 29999 }));
      const r = await runStreams('both ends', [...a, ...b], [...b.map((s) => s.rtpPort), ...a.map((s) => s.rtpPort)], seconds);
      console.log(row(calls, r));
      continue;
    }
    const proc = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--import', 'tsx'] });
    await waitFor(proc, 'ready');
    proc.send({ type: 'open', calls, seconds });
    const { ports: farPorts } = await waitFor<{ ports: number[] }>(proc, 'ports');
    const ours = await openSockets(calls, new PortRange({ min: 20000, max: 23999 }));
    proc.send({ type: 'run', calls, seconds, ports: ours.map((s) => s.rtpPort) });
    const [mine, far] = await Promise.all([runStreams('ours', ours, farPorts, seconds), waitFor<{ result: SideResult }>(proc, 'result')]);
    console.log(row(calls, mine));
    console.log(row(calls, far.result));
    proc.send({ type: 'exit' });
    await new Promise((r) => proc.once('exit', r));
  }
}

if (process.argv.includes('--child')) void child();
else await main();
