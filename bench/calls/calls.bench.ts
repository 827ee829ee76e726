/**
 * bench/calls (issue 3): N simultaneous G.711 calls with audio both ways on 127.0.0.1, each
 * side in its own process, CPU read per process from /proc/<pid>/stat (utime + stime, every
 * thread of the process included), over a window of --seconds after every call is up.
 *
 *   ss  softphone caller → softphone answerer (both bench/calls/phone-process.ts)
 *   sb  softphone caller → baresip answerer (up to 255 calls: baresip 1.0's per-account limit)
 *   ps  sipp caller (rtp_stream, μ-law WAV) → softphone answerer
 *   pb  sipp caller → baresip answerer (≤ 255)
 *   setup: call setup through Kamailio, INVITE → 200, softphone caller and baresip caller
 *          one call after another, both calling the same softphone answerer.
 *
 * Loss, late and concealment come from our streams' statistics (RFC 3550 A.3 lost, jitter
 * buffer late, concealed frames) as deltas over the window; for a peer we report what our
 * side received from it. No assertions: figures only. Every process started here is stopped
 * by its PID; every loop is bounded in count and time.
 *
 *   node --import tsx bench/calls/calls.bench.ts [--calls 50,100,250] [--seconds 30]
 *        [--setups ss,sb,ps,pb,setup] [--media-workers 2] [--rate 100] [--setup-calls 20]
 *        [--phone-flags "--max-semi-space-size=2"]
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linearToUlaw } from '../../src/media/g711.js';
import { sineWav, startBaresip } from '../../test/support/baresip.js';
import { startKamailio } from '../../test/support/kamailio.js';
import { freeSipPortPair, freeUdpPort } from '../../test/support/ports.js';
import { BARESIP_MODULES_DIR } from '../../test/support/peers.js';
import { makeRunDir, spawnPeer } from '../../test/support/process.js';
import type { PeerProcess } from '../../test/support/process.js';
import type { PhoneProcessConfig, StatsTotals } from './phone-process.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const CALLS = arg('calls', '50,100,250').split(',').map(Number);
const SECONDS = Number(arg('seconds', '30'));
const SETUPS = arg('setups', 'ss,sb,ps,pb,setup').split(',');
const WORKERS = Number(arg('media-workers', '2'));
const RATE = Number(arg('rate', '100'));
const SETUP_CALLS = Number(arg('setup-calls', '20'));
/** Node/V8 flags for our phone processes, e.g. --phone-flags "--max-semi-space-size=2" (to compare). */
const PHONE_FLAGS = arg('phone-flags', '').split(' ').filter(Boolean);
const BARESIP_MAX = 255;
const TICK = 100; // USER_HZ on Linux
const runDir = makeRunDir('bench-calls');

// ─── processes ─────────────────────────────────────────────────────────────────────────────

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
}

class OurPhone {
  readonly child: ChildProcess;
  private waiters: { op: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  /** Messages nobody waited for yet (a 'ready' may come before anyone asks). */
  private unclaimed: Record<string, unknown>[] = [];
  constructor(cfg: PhoneProcessConfig) {
    this.child = fork(join(HERE, 'phone-process.ts'), [JSON.stringify(cfg)], { execArgv: [...PHONE_FLAGS, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: Record<string, unknown>) => {
      const i = this.waiters.findIndex((w) => w.op === m.op);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      else this.unclaimed.push(m);
    });
  }
  get pid(): number {
    return this.child.pid!;
  }
  wait<T = Record<string, unknown>>(op: string, ms: number): Promise<T> {
    const k = this.unclaimed.findIndex((m) => m.op === op);
    if (k >= 0) return Promise.resolve(this.unclaimed.splice(k, 1)[0] as T);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`phone process: no ${op} within ${ms} ms`)), ms);
      this.waiters.push({ op, resolve: (m) => (clearTimeout(t), resolve(m as T)) });
    });
  }
  request<T = Record<string, unknown>>(m: Record<string, unknown>, reply: string, ms: number): Promise<T> {
    const p = this.wait<T>(reply, ms);
    this.child.send(m);
    return p;
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ op: 'exit' });
    const t = setTimeout(() => this.child.pid && process.kill(this.child.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

let portBase = 20000;
function ourPhone(tone: number, extra: Partial<PhoneProcessConfig> = {}): OurPhone {
  const rtpPorts = { min: portBase, max: portBase + 2 * 1300 + 1 };
  portBase += 2 * 1300 + 2;
  if (portBase > 60000) portBase = 20000;
  return new OurPhone({ tone, mediaWorkers: WORKERS, rtpPorts, ...extra });
}

/** baresip answering everything (auto answer, up to `calls` at once), sending a 1000 Hz tone from a WAV through aufile. */
async function startLoadBaresip(calls: number): Promise<{ proc: PeerProcess; uri: string }> {
  const dir = join(runDir, `baresip-${calls}-${Date.now()}`);
  mkdirSync(join(dir, 'conf'), { recursive: true });
  const sipPort = await freeSipPortPair();
  const wav = join(dir, 'tone-1000.wav');
  writeFileSync(wav, sineWav(1000, SECONDS + 120, 8000));
  writeFileSync(
    join(dir, 'conf', 'config'),
    [
      'poll_method\t\tepoll',
      `sip_listen\t\t127.0.0.1:${sipPort}`,
      'net_interface\t\t127.0.0.1',
      'dns_server\t\t127.0.0.1:53',
      `call_max_calls\t\t${Math.max(calls + 10, 16)}`,
      `audio_source\t\taufile,${wav}`,
      'audio_player\t\taubridge,bench-speaker',
      'audio_alert\t\taubridge,bench-alert',
      'audio_buffer\t\t20-160',
      'rtcp_mux\t\tno',
      'jitter_buffer_delay\t5-10',
      `module_path\t\t${BARESIP_MODULES_DIR}`,
      'module\t\t\tg711.so',
      'module\t\t\taufile.so',
      'module\t\t\taubridge.so',
      'module_tmp\t\taccount.so',
      'module_app\t\tmenu.so',
      'ringback_disabled\tyes',
      'statmode_default\toff',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'conf', 'accounts'), '<sip:1002@127.0.0.1;transport=udp>;answermode=auto;regint=0;audio_codecs=PCMU\n');
  writeFileSync(join(dir, 'conf', 'contacts'), '');
  const proc = spawnPeer({ name: 'baresip', command: '/usr/bin/baresip', args: ['-f', join(dir, 'conf')], runDir: dir });
  await proc.waitForOutput(/baresip is ready\./, 10000);
  return { proc, uri: `sip:1002@127.0.0.1:${sipPort}` };
}

/** An 8 kHz mono μ-law WAV (format 7) of a sine, for sipp's rtp_stream. */
function writeUlawWav(path: string, hz: number, seconds: number): void {
  const n = Math.round(seconds * 8000);
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) data[i] = linearToUlaw(Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * hz * i) / 8000)));
  const h = Buffer.alloc(58);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(50 + n + (n & 1), 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(18, 16);
  h.writeUInt16LE(7, 20);
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
  writeFileSync(path, Buffer.concat([h, data, Buffer.alloc(n & 1)]));
}

async function startSippCaller(target: string, calls: number): Promise<PeerProcess> {
  const dir = join(runDir, `sipp-${calls}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  writeUlawWav(join(dir, 'tone-440-ulaw.wav'), 440, 10);
  const port = await freeUdpPort();
  // sipp's RTP (the -mp echo pair and each call's rtp_stream port) in a block of its own.
  const mp = portBase;
  portBase += 4 * calls + 200;
  if (portBase > 60000) portBase = 20000;
  const cp = await freeUdpPort();
  const m = /^sip:([^@]+)@([^:]+):(\d+)/.exec(target)!;
  const holdMs = (SECONDS + 30) * 1000;
  return spawnPeer({
    name: 'sipp',
    command: '/usr/bin/sipp',
    cwd: dir,
    runDir: dir,
    args: [
      '-sf', join(HERE, 'sipp-uac-rtp.xml'), `${m[2]}:${m[3]}`, '-s', m[1]!,
      '-i', '127.0.0.1', '-bind_local', '-p', String(port), '-mp', String(mp), '-cp', String(cp),
      '-m', String(calls), '-l', String(calls), '-r', String(RATE), '-d', String(holdMs),
      '-rtp_buffsize', '1048576', '-nostdin', '-timeout', `${SECONDS + 120}s`, '-timeout_error',
      '-trace_err', '-error_file', join(dir, 'errors.log'), '-trace_stat', '-stf', join(dir, 'stat.csv'),
    ],
  });
}

// ─── measurement ───────────────────────────────────────────────────────────────────────────

interface Side {
  label: string;
  pid: number;
  ours?: OurPhone;
}

interface Row {
  setup: string;
  calls: number;
  side: string;
  up: number;
  cpu: number;
  perCall: number;
  lost?: number;
  late?: number;
  concealed?: number;
  pktIn?: number;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function statsOf(p: OurPhone): Promise<{ calls: number; totals: StatsTotals }> {
  return p.request({ op: 'stats' }, 'stats', 10000);
}

/** Wait until `p` has `n` established calls (bounded). */
async function callsUp(p: OurPhone, n: number, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let up = 0;
  while (Date.now() < end) {
    up = (await statsOf(p)).calls;
    if (up >= n) break;
    await delay(500);
  }
  return up;
}

async function measure(setup: string, calls: number, sides: Side[]): Promise<Row[]> {
  await delay(2000); // warm-up after the last call is up
  const before = await Promise.all(sides.map(async (s) => ({ t: cpuTicks(s.pid), st: s.ours ? await statsOf(s.ours) : undefined })));
  const t0 = performance.now();
  await delay(SECONDS * 1000);
  const after = await Promise.all(sides.map(async (s) => ({ t: cpuTicks(s.pid), st: s.ours ? await statsOf(s.ours) : undefined })));
  const wall = (performance.now() - t0) / 1000;
  return sides.map((s, i) => {
    const cpu = ((after[i]!.t - before[i]!.t) / TICK / wall) * 100;
    const row: Row = { setup, calls, side: s.label, up: after[i]!.st?.calls ?? calls, cpu, perCall: cpu / calls };
    const a = after[i]!.st?.totals;
    const b = before[i]!.st?.totals;
    if (a && b) {
      const rec = a.packetsReceived - b.packetsReceived;
      const lost = a.packetsLost - b.packetsLost;
      row.lost = (100 * lost) / Math.max(1, rec + lost);
      row.late = (100 * (a.packetsLate - b.packetsLate)) / Math.max(1, rec);
      const conc = a.concealedFrames - b.concealedFrames;
      row.concealed = (100 * conc) / Math.max(1, conc + a.playedFrames - b.playedFrames);
      row.pktIn = rec / wall / Math.max(1, after[i]!.st!.calls);
    }
    return row;
  });
}

function load(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

const rows: Row[] = [];
function print(r: Row): void {
  const f = (x: number | undefined, d = 3) => (x === undefined ? '—' : x.toFixed(d));
  const line = `| ${r.setup} | ${r.calls} | ${r.side} | ${r.up} | ${f(r.cpu, 1)} | ${f(r.perCall)} | ${f(r.pktIn, 1)} | ${f(r.lost)} | ${f(r.late)} | ${f(r.concealed)} |`;
  rows.push(r);
  process.stdout.write(line + '\n');
}

async function runSS(n: number): Promise<void> {
  const answerer = ourPhone(1000);
  const caller = ourPhone(440);
  try {
    const ready = await answerer.wait<{ uri: string }>('ready', 60000);
    await caller.wait('ready', 60000);
    const d = await caller.request<{ established: number }>({ op: 'dial', target: ready.uri, count: n, rate: RATE }, 'dialed', 60000 + (n / RATE) * 1000);
    await callsUp(answerer, d.established, 10000);
    for (const r of await measure('ss', n, [{ label: 'softphone caller', pid: caller.pid, ours: caller }, { label: 'softphone answerer', pid: answerer.pid, ours: answerer }])) print(r);
    await caller.request({ op: 'hangup' }, 'hungup', 30000).catch(() => undefined);
  } finally {
    await Promise.all([caller.stop(), answerer.stop()]);
  }
}

async function runSB(n: number): Promise<void> {
  if (n > BARESIP_MAX) return;
  const b = await startLoadBaresip(n);
  const caller = ourPhone(440);
  try {
    await caller.wait('ready', 60000);
    const d = await caller.request<{ established: number }>({ op: 'dial', target: b.uri, count: n, rate: RATE }, 'dialed', 60000 + (n / RATE) * 1000);
    if (d.established < n) process.stdout.write(`(sb ${n}: ${d.established} calls answered by baresip)\n`);
    for (const r of await measure('sb', n, [{ label: 'softphone caller', pid: caller.pid, ours: caller }, { label: 'baresip answerer', pid: b.proc.pid }])) print(r);
    await caller.request({ op: 'hangup' }, 'hungup', 30000).catch(() => undefined);
  } finally {
    await caller.stop();
    await b.proc.stop(3000);
  }
}

async function runSipp(n: number, answererKind: 'ours' | 'baresip'): Promise<void> {
  if (answererKind === 'baresip' && n > BARESIP_MAX) return;
  let ours: OurPhone | undefined;
  let b: { proc: PeerProcess; uri: string } | undefined;
  let target: string;
  if (answererKind === 'ours') {
    ours = ourPhone(1000);
    target = (await ours.wait<{ uri: string }>('ready', 60000)).uri;
  } else {
    b = await startLoadBaresip(n);
    target = b.uri;
  }
  const sipp = await startSippCaller(target, n);
  try {
    // All calls up: sipp places them at RATE per second; ours counts them.
    if (ours) await callsUp(ours, n, 30000 + (n / RATE) * 1000);
    else await delay(5000 + (n / RATE) * 1000);
    const sides: Side[] = [
      { label: 'sipp caller', pid: sipp.pid },
      ours ? { label: 'softphone answerer', pid: ours.pid, ours } : { label: 'baresip answerer', pid: b!.proc.pid },
    ];
    for (const r of await measure(answererKind === 'ours' ? 'ps' : 'pb', n, sides)) print(r);
  } finally {
    await sipp.stop(3000);
    await ours?.stop();
    await b?.proc.stop(3000);
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function runSetup(): Promise<void> {
  const kam = await startKamailio();
  const answerer = ourPhone(1000, { account: { user: '1002', password: kam.users['1002']!, registrarPort: kam.udpPort } });
  const caller = ourPhone(440, { account: { user: '1001', password: kam.users['1001']!, registrarPort: kam.udpPort } });
  const bs = await startBaresip({ user: '1003', password: kam.users['1003'], registrar: kam, sipTrace: false });
  try {
    const ra = await answerer.wait<{ registered: boolean }>('ready', 60000);
    const rc = await caller.wait<{ registered: boolean }>('ready', 60000);
    await bs.waitRegistered(10000);
    if (!ra.registered || !rc.registered) throw new Error('softphone did not register at Kamailio');
    // Interleaved rounds, so load changes hit both callers alike.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let round = 0; round < SETUP_CALLS / 5; round++) {
      const d = await caller.request<{ setupMs: number[] }>({ op: 'dial', target: '1002', count: 5, sequential: true }, 'dialed', 60000);
      ours.push(...d.setupMs);
      for (let i = 0; i < 5; i++) {
        const from = bs.events.length;
        const t = performance.now();
        await bs.command('dial', 'sip:1002@127.0.0.1');
        const e = await bs.waitForEvent((ev) => ev.type === 'CALL_ESTABLISHED' || ev.type === 'CALL_CLOSED', 5000, { after: from });
        if (e.type === 'CALL_ESTABLISHED') theirs.push(performance.now() - t);
        await bs.command('hangup');
        await bs.waitForEvent('CALL_CLOSED', 5000, { after: from }).catch(() => undefined);
        await delay(50);
      }
    }
    const fmt = (xs: number[]) => `${xs.length} calls, median ${pct(xs, 50).toFixed(1)} ms, p10 ${pct(xs, 10).toFixed(1)}, p90 ${pct(xs, 90).toFixed(1)}, min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}`;
    process.stdout.write(`setup through Kamailio (INVITE → 200, caller 1001/1003 → softphone answerer 1002):\n`);
    process.stdout.write(`  softphone caller: ${fmt(ours)}\n  baresip caller:   ${fmt(theirs)}\n  ratio of medians (ours / baresip): ${(pct(ours, 50) / pct(theirs, 50)).toFixed(2)}\n`);
  } finally {
    await Promise.all([caller.stop(), answerer.stop()]);
    await bs.stop();
    await kam.stop();
  }
}

process.stdout.write(`bench/calls: ${SECONDS} s windows, media workers ${WORKERS}, rate ${RATE}/s, ${new Date().toISOString()}, load ${load()}\n`);
process.stdout.write('| setup | calls | process | up | CPU % | % / call | pkt/s in per call | lost % | late % | concealed % |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n');
for (const n of CALLS) {
  for (const s of SETUPS) {
    try {
      if (s === 'ss') await runSS(n);
      else if (s === 'sb') await runSB(n);
      else if (s === 'ps') await runSipp(n, 'ours');
      else if (s === 'pb') await runSipp(n, 'baresip');
    } catch (err) {
      process.stdout.write(`(${s} ${n}: ${(err as Error).message})\n`);
    }
  }
  process.stdout.write(`(load after ${n} calls: ${load()})\n`);
}
if (SETUPS.includes('setup')) await runSetup().catch((err: Error) => process.stdout.write(`(setup: ${err.message})\n`));
process.stdout.write(`done, load ${load()}\n`);
