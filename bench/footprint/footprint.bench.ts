/**
 * bench/footprint (issue 4): the engine's resident memory and its time from start to
 * registered, next to baresip's (and linphonec's when installed), measured in the same run on
 * 127.0.0.1. Figures only, no assertions.
 *
 * The engine is the compiled CLI (`node dist/bin/softphone.js serve`, the bundle; run `npm run build` first),
 * never tsx. Memory is VmRSS from /proc/<pid>/status (median of 5 samples 200 ms apart, after a
 * settle), heap used from process.memoryUsage() through a tiny preload (heap-probe.mjs, SIGUSR2).
 *
 *   idle        started, no account (direct line only): at 3 s, settled at 13 s (V8's memory
 *               reducer has run), and with a page's event WebSocket connected
 *   registered  one account registered to a test Kamailio (created through the API)
 *   1 call      that account in a call to baresip (1002) through Kamailio, established
 *   per call    another engine (no account) ramped to N calls (each N of --calls, none hung up in
 *               between) to a sipp answerer (RTP echoed): (RSS(N) − RSS(0)) / N from idle, and
 *               the marginal (RSS(N2) − RSS(N1)) / (N2 − N1) between steps; each sampled
 *               --settle-ms (35 s) after the step's calls are up, past Timer M (RFC 6026)
 *
 * Start → registered: from spawn() of the process to the moment the REGISTER's 200 OK leaves
 * Kamailio towards the client (a UDP relay in this process sits between client and Kamailio as
 * the outbound proxy and timestamps it), for the engine (`serve` on a profile holding one
 * account), `register --once`, baresip and linphonec: --runs times each, median and range.
 *
 *   npm run build && node --import tsx bench/footprint/footprint.bench.ts [--runs 9] [--calls 10,50,100]
 *        [--settle-ms 35000] [--keep-ca-env]
 *        [--out bench/footprint/results.json]
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startBaresip } from '../../test/support/baresip.js';
import type { Baresip } from '../../test/support/baresip.js';
import { startKamailio } from '../../test/support/kamailio.js';
import type { Kamailio } from '../../test/support/kamailio.js';
import { freeUdpPort } from '../../test/support/ports.js';
import { startSipp } from '../../test/support/sipp.js';
import { delay, raceTimeout, waitFor } from '../../test/support/process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'dist', 'bin', 'softphone.js');
const PROBE = join(ROOT, 'bench', 'footprint', 'heap-probe.mjs');
const LINPHONEC = '/usr/bin/linphonec';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : def;
}
const RUNS = Math.max(1, Math.min(50, Number(arg('runs', '7'))));
const SETTLE_MS = Math.max(0, Math.min(120_000, Number(arg('settle-ms', '35000'))));
const CALLS = arg('calls', '10,50,100').split(',').map(Number).filter((n) => n > 0 && n <= 500);
const OUT = arg('out', join(ROOT, 'bench', 'footprint', 'results.json'));
/**
 * Node children run without NODE_EXTRA_CA_CERTS unless --keep-ca-env: this sandbox sets it (to
 * the system bundle) and Node then parses ~140 certificates at every start, +70 ms and +2 MB
 * for every Node process here, where a default install does not. baresip is not affected.
 */
const KEEP_CA_ENV = process.argv.includes('--keep-ca-env');
/**
 * Node/V8 flags for the engine under test: those of the bin's `#!/usr/bin/env -S node ...` line
 * (what `softphone` and `npm start` run with), or --engine-flags=... to compare others.
 */
const shebangFlags = (): string[] => {
  const first = existsSync(MAIN) ? (readFileSync(MAIN, 'utf8').split('\n', 1)[0] ?? '') : '';
  const m = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
};
const flagArg = process.argv.find((a) => a.startsWith('--engine-flags='));
const ENGINE_FLAGS = flagArg !== undefined ? flagArg.slice('--engine-flags='.length).split(' ').filter(Boolean) : shebangFlags();
const nodeEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!KEEP_CA_ENV) delete env.NODE_EXTRA_CA_CERTS;
  return env;
};

// ---------------------------------------------------------------- measuring

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};

/** Median RSS (kB) of 5 samples, 200 ms apart, after `settleMs`. */
async function sampleRss(pid: number, settleMs = 2000): Promise<number> {
  await delay(settleMs);
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssKb(pid));
    await delay(200);
  }
  return median(xs);
}

// ---------------------------------------------------------------- the engine

interface Engine {
  child: ChildProcess;
  pid: number;
  port: number;
  token: string;
  heapFile: string;
  api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  heap(): Promise<NodeJS.MemoryUsage | undefined>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
});

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGINT');
  return raceTimeout(exited, graceMs, 'timeout').then(async (v) => {
    if (v === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
    children.delete(child);
  });
}

async function startEngine(profile: string, withProbe: boolean): Promise<Engine> {
  const heapFile = join(profile, '..', `heap-${Date.now()}.json`);
  const child = spawn(process.execPath, [...ENGINE_FLAGS, ...(withProbe ? ['--import', PROBE] : []), MAIN, 'serve', '--profile', profile, '--port', '0'], {
    env: nodeEnv({ FOOTPRINT_HEAP_FILE: heapFile }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const m = await waitFor('engine URL', () => /http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)/.exec(out) ?? undefined, 30_000, 20).catch((err: Error) => {
    throw new Error(`${err.message}\n${out}`);
  });
  const port = Number(m[1]);
  const token = m[2] as string;
  return {
    child,
    pid: child.pid as number,
    port,
    token,
    heapFile,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async heap() {
      if (!withProbe) return undefined;
      rmSync(heapFile, { force: true });
      child.kill('SIGUSR2');
      return waitFor('heap file', () => (existsSync(heapFile) ? (JSON.parse(readFileSync(heapFile, 'utf8')) as NodeJS.MemoryUsage) : undefined), 5000, 20).catch(() => undefined);
    },
    stop: () => stopChild(child),
  };
}

interface CallView {
  id: string;
  state: string;
}
interface AccountView {
  id: number;
  registration: { state: string; reason?: string };
}

async function waitRegistered(e: Engine, id: number): Promise<void> {
  await waitFor(`account ${id} registered`, async () => {
    const s = (await e.api<{ accounts: AccountView[] }>('GET', '/api/state')).body;
    const a = s.accounts.find((x) => x.id === id);
    if (a?.registration.state === 'failed') throw new Error(`registration failed: ${a.registration.reason}`);
    return a?.registration.state === 'registered' ? true : undefined;
  }, 15_000, 50);
}

// ---------------------------------------------------------------- the relay (timing)

/**
 * A UDP relay on 127.0.0.1 between one client and Kamailio, given to the client as its outbound
 * proxy. It drops the Route header naming itself (so Kamailio does not route back to it) and
 * timestamps the first 200 OK to a REGISTER after `arm()`.
 */
async function startRelay(kamPort: number) {
  const sock = createSocket('udp4');
  const port = await freeUdpPort();
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', () => r()));
  let client: { address: string; port: number } | undefined;
  let armed = false;
  let onOk: ((t: number) => void) | undefined;
  const routeLine = new RegExp(`^Route:\\s*<sip:127\\.0\\.0\\.1:${port}(;[^>]*)?>\\r\\n`, 'gim');
  sock.on('message', (msg, rinfo) => {
    if (rinfo.port === kamPort) {
      const text = msg.toString('latin1');
      if (armed && /^SIP\/2\.0 200/.test(text) && /^CSeq:\s*\d+\s+REGISTER/im.test(text)) {
        armed = false;
        onOk?.(performance.now());
      }
      if (client) sock.send(msg, client.port, client.address);
      return;
    }
    client = { address: rinfo.address, port: rinfo.port };
    const text = msg.toString('latin1').replace(routeLine, '');
    sock.send(Buffer.from(text, 'latin1'), kamPort, '127.0.0.1');
  });
  return {
    port,
    uri: `sip:127.0.0.1:${port}`,
    /** Resolves with the time of the next REGISTER 200 OK (performance.now()). */
    arm(timeoutMs = 20_000): Promise<number> {
      armed = true;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no REGISTER 200 OK through the relay')), timeoutMs);
        onOk = (v) => {
          clearTimeout(t);
          resolve(v);
        };
      });
    },
    close: () => sock.close(),
  };
}

// ---------------------------------------------------------------- linphonec

function linphoneRc(dir: string, kam: Kamailio, proxy: string, sipPort: number, audioPort: number): string {
  const rc = join(dir, 'linphonerc');
  writeFileSync(
    rc,
    [
      '[sip]',
      `sip_port=${sipPort}`,
      'sip_tcp_port=-1',
      'sip_tls_port=-1',
      'bind_address=127.0.0.1',
      'guess_hostname=1',
      'default_proxy=0',
      '[rtp]',
      `audio_rtp_port=${audioPort}`,
      '[net]',
      'ipv6_enabled=0',
      '[sound]',
      'playback_dev_id=',
      'capture_dev_id=',
      '[video]',
      'enabled=0',
      'capture=0',
      'display=0',
      '[proxy_0]',
      `reg_proxy=<${proxy}>`,
      'reg_identity=sip:1003@127.0.0.1',
      'reg_expires=600',
      'reg_sendregister=1',
      'publish=0',
      'dial_escape_plus=0',
      '[auth_info_0]',
      'username=1003',
      `passwd=${kam.users['1003']}`,
      'realm=127.0.0.1',
      '',
    ].join('\n'),
  );
  return rc;
}

async function startLinphonec(dir: string, rc: string): Promise<{ child: ChildProcess; out: () => string }> {
  // Its database lives under $HOME; without the directory it cannot open it, and does not register.
  mkdirSync(join(dir, '.local', 'share', 'linphone'), { recursive: true });
  const child = spawn(LINPHONEC, ['-c', rc, '-d', '0'], { cwd: dir, env: { ...process.env, HOME: dir }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

async function stopLinphonec(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.stdin?.write('quit\n');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if ((await raceTimeout(exited, 5000, 'timeout')) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
  children.delete(child);
}

// ---------------------------------------------------------------- main

const mb = (kb: number) => (kb / 1024).toFixed(1);
/** Runs that did not register (reported with the figures; the others still count). */
const failures: string[] = [];
async function timeTo(ok: Promise<number>, t0: number, what: string, into: number[]): Promise<void> {
  try {
    into.push((await ok) - t0);
  } catch (err) {
    failures.push(`${what}: ${(err as Error).message}`);
  }
}
const progress = (what: string) => process.stderr.write(`footprint: ${what}\n`);

const fmtTimes = (xs: number[]) => (xs.length ? `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}, n=${xs.length})` : 'n/a');

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const load0 = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'softphone-footprint-'));
  const results: Record<string, unknown> = { node: process.version, runs: RUNS, loadavgStart: load0 };
  const kam = await startKamailio();
  const relay = await startRelay(kam.udpPort);
  let bare: Baresip | undefined;
  try {
    // ---- memory: the engine idle, registered, in one call
    progress('memory: idle, registered, one call');
    const e = await startEngine(join(dir, 'mem'), true);
    const idle = await sampleRss(e.pid, 3000);
    const idleHeap = await e.heap();
    // V8's memory reducer gives back the start-up garbage after ~8 s without work.
    const idleSettled = await sampleRss(e.pid, 10_000);
    // A page open: its event WebSocket connected (the engine loads ws on the first one).
    const page = new WebSocket(`ws://127.0.0.1:${e.port}/api/events?token=${e.token}`, { headers: { Origin: `http://127.0.0.1:${e.port}` } });
    await new Promise<void>((resolve, reject) => {
      page.once('message', () => resolve());
      page.once('error', reject);
    });
    const idlePage = await sampleRss(e.pid, 3000);
    page.close();
    const acc = await e.api<AccountView>('POST', '/api/accounts', { aor: '1001@127.0.0.1', registrar: `sip:127.0.0.1:${kam.udpPort}`, password: kam.users['1001'] });
    if (acc.status !== 201) throw new Error(`account: ${JSON.stringify(acc.body)}`);
    await waitRegistered(e, acc.body.id);
    const registered = await sampleRss(e.pid);
    const regHeap = await e.heap();

    bare = await startBaresip({ user: '1002', password: kam.users['1002'], registrar: kam, answermode: 'auto', toneSeconds: 60, sipTrace: false });
    await bare.waitRegistered(10_000);
    const bareRegistered = await sampleRss(bare.process.pid);
    const dial = await e.api<CallView>('POST', '/api/calls', { target: '1002' });
    if (dial.status !== 201) throw new Error(`dial: ${JSON.stringify(dial.body)}`);
    await waitFor('call up', async () => (await e.api<CallView[]>('GET', '/api/calls')).body.find((c) => c.id === dial.body.id && c.state === 'established'), 10_000, 50);
    const [inCall, bareInCall] = await Promise.all([sampleRss(e.pid, 3000), sampleRss(bare.process.pid, 3000)]);
    const callHeap = await e.heap();
    await e.api('POST', `/api/calls/${dial.body.id}/hangup`);
    await e.stop();
    await bare.stop();
    bare = undefined;

    // baresip idle: a local account (no registrar)
    const bIdle = await startBaresip({ user: '1002', answermode: 'auto', toneSeconds: 60, sipTrace: false });
    const bareIdle = await sampleRss(bIdle.process.pid, 3000);
    await bIdle.stop();

    progress(`per call: ramp to ${CALLS.join(', ')} calls`);
    // ---- per call: calls added up to each N of --calls (a ramp, none hung up in between) to a
    // sipp answerer with RTP echo. From idle, (RSS(N) − RSS(0)) / N carries one-time costs (code
    // compiled on first use, V8's young generation growing to its cap, pools); the marginal cost
    // between two steps, (RSS(N2) − RSS(N1)) / (N2 − N1), is what each further call adds.
    const perCall: Array<{ calls: number; rss0: number; rssN: number; perCallKb: number; marginalKb?: number; heap0?: number; heapN?: number }> = [];
    const steps = [...new Set(CALLS)].sort((x, y) => x - y);
    const maxCalls = Math.max(...steps, 1);
    const sipp = await startSipp({ scenario: 'invite-uas-answer.xml', calls: maxCalls + 5, timeoutMs: 600_000, extraArgs: ['-rtp_echo', '-l', String(maxCalls + 5)] });
    const e2 = await startEngine(join(dir, 'calls'), true);
    try {
      const rss0 = await sampleRss(e2.pid, 3000);
      const h0 = await e2.heap();
      const ids: string[] = [];
      let prev: { calls: number; rss: number } | undefined;
      for (const n of steps) {
        while (ids.length < n) {
          const r = await e2.api<CallView>('POST', '/api/calls', { target: `sip:bob@127.0.0.1:${sipp.port}` });
          if (r.status !== 201) throw new Error(`call ${ids.length}: ${JSON.stringify(r.body)}`);
          ids.push(r.body.id);
        }
        await waitFor(`${n} calls up`, async () => {
          const up = (await e2.api<CallView[]>('GET', '/api/calls')).body.filter((c) => c.state === 'established').length;
          return up >= n ? true : undefined;
        }, 30_000, 100);
        // Past RFC 6026's Timer M (64*T1 = 32 s): the set-up's transactions and the kept ACK are
        // gone, as in a call that has been up a while.
        const rssN = await sampleRss(e2.pid, SETTLE_MS);
        const hN = await e2.heap();
        perCall.push({ calls: n, rss0, rssN, perCallKb: (rssN - rss0) / n, marginalKb: prev ? (rssN - prev.rss) / (n - prev.calls) : undefined, heap0: h0?.heapUsed, heapN: hN?.heapUsed });
        prev = { calls: n, rss: rssN };
      }
      for (const id of ids) await e2.api('POST', `/api/calls/${id}/hangup`);
      await waitFor('calls ended', async () => ((await e2.api<CallView[]>('GET', '/api/calls')).body.length === 0 ? true : undefined), 15_000, 100);
    } finally {
      await e2.stop();
      await sipp.stop();
    }

    // ---- start → registered (through the relay)
    progress('start → registered');
    const tEngine: number[] = [];
    const tEngineUrl: number[] = [];
    const profile = join(dir, 'timing');
    {
      const s = await startEngine(profile, false);
      const a = await s.api<AccountView>('POST', '/api/accounts', { aor: '1001@127.0.0.1', registrar: 'sip:127.0.0.1', outboundProxy: relay.uri, password: kam.users['1001'] });
      if (a.status !== 201) throw new Error(`timing account: ${JSON.stringify(a.body)}`);
      await waitRegistered(s, a.body.id);
      await s.stop();
    }
    for (let i = 0; i < RUNS; i++) {
      const ok = relay.arm();
      const t0 = performance.now();
      const s = await startEngine(profile, false);
      const tUrl = performance.now();
      await timeTo(ok, t0, `engine run ${i + 1}`, tEngine);
      tEngineUrl.push(tUrl - t0);
      await s.stop();
    }
    const tOnce: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ok = relay.arm();
      const t0 = performance.now();
      const c = spawn(process.execPath, [...ENGINE_FLAGS, MAIN, 'register', '1004@127.0.0.1', '--registrar', 'sip:127.0.0.1', '--outbound-proxy', relay.uri, '--password', kam.users['1004'] as string, '--once', '--expires', '600'], { stdio: 'ignore', env: nodeEnv() });
      children.add(c);
      await timeTo(ok, t0, `register --once run ${i + 1}`, tOnce);
      await raceTimeout(new Promise((r) => c.once('exit', r)), 10_000, undefined);
      await stopChild(c);
    }
    const tBare: number[] = [];
    {
      // The config is written once by the harness; each run spawns baresip on it.
      const b0 = await startBaresip({ user: '1002', password: kam.users['1002'], registrar: { host: '127.0.0.1', udpPort: relay.port }, answermode: 'auto', toneSeconds: 2, sipTrace: false });
      await b0.waitRegistered(10_000).catch(() => undefined);
      await b0.stop();
      for (let i = 0; i < RUNS; i++) {
        const ok = relay.arm();
        const t0 = performance.now();
        const c = spawn('/usr/bin/baresip', ['-f', b0.configDir], { stdio: 'ignore', cwd: b0.runDir });
        children.add(c);
        await timeTo(ok, t0, `baresip run ${i + 1}`, tBare);
        await stopChild(c);
      }
    }
    const lin: { idle?: number; registered?: number; times: number[]; note?: string } = { times: [] };
    if (existsSync(LINPHONEC)) {
      const ldir = join(dir, 'linphone');
      mkdirSync(ldir, { recursive: true });
      const rcIdle = join(ldir, 'idle.rc');
      writeFileSync(rcIdle, `[sip]\nsip_port=${await freeUdpPort()}\nbind_address=127.0.0.1\n[video]\nenabled=0\ncapture=0\ndisplay=0\n`);
      const li = await startLinphonec(ldir, rcIdle);
      lin.idle = await sampleRss(li.child.pid as number, 4000);
      await stopLinphonec(li.child);
      const rc = linphoneRc(ldir, kam, relay.uri, await freeUdpPort(), await freeUdpPort());
      for (let i = 0; i < RUNS; i++) {
        const ok = relay.arm();
        const t0 = performance.now();
        const l = await startLinphonec(ldir, rc);
        try {
          lin.times.push((await ok) - t0);
        } catch (err) {
          lin.note = `no registration: ${(err as Error).message}; output: ${l.out().slice(-500)}`;
          await stopLinphonec(l.child);
          break;
        }
        if (i === 0) lin.registered = await sampleRss(l.child.pid as number, 2000);
        await stopLinphonec(l.child);
      }
    } else {
      lin.note = 'linphonec not installed';
    }

    // Node itself in the same run: `node -e <wait>` (RSS at 3 s) and spawn → exit of `node -e 0`.
    const nodeIdle = await (async () => {
      const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore', env: nodeEnv() });
      children.add(c);
      const kb = await sampleRss(c.pid as number, 3000);
      await stopChild(c);
      return kb;
    })();
    const tNode: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore', env: nodeEnv() });
      await new Promise((r) => c.once('exit', r));
      tNode.push(performance.now() - t0);
    }

    const load1 = loadavg();
    Object.assign(results, {
      engine: { idleKb: idle, idleSettledKb: idleSettled, idleWithPageKb: idlePage, registeredKb: registered, inCallKb: inCall, heapUsed: { idle: idleHeap?.heapUsed, registered: regHeap?.heapUsed, inCall: callHeap?.heapUsed }, perCall },
      baresip: { idleKb: bareIdle, registeredKb: bareRegistered, inCallKb: bareInCall },
      linphonec: lin,
      engineFlags: ENGINE_FLAGS,
      node: { idleKb: nodeIdle, startToExitMs: tNode, extraCaEnv: KEEP_CA_ENV },
      failedRuns: failures,
      startToRegisteredMs: { engine: tEngine, engineToUrlPrinted: tEngineUrl, registerOnce: tOnce, baresip: tBare, linphonec: lin.times },
      loadavgEnd: load1,
    });
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n');

    const hp = (b?: number) => (b === undefined ? '?' : `${(b / 1048576).toFixed(1)} MB heap`);
    console.log(`\nload average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}; node ${process.version}\n`);
    console.log('| | softphone engine | baresip | linphonec |');
    console.log('|---|---|---|---|');
    console.log(`| RSS idle | ${mb(idle)} MB (${hp(idleHeap?.heapUsed)}) | ${mb(bareIdle)} MB | ${lin.idle ? `${mb(lin.idle)} MB` : 'n/a'} |`);
    console.log(`| RSS idle, settled (13 s) | ${mb(idleSettled)} MB | | |`);
    console.log(`| RSS idle, a page connected | ${mb(idlePage)} MB | | |`);
    console.log(`| RSS registered | ${mb(registered)} MB (${hp(regHeap?.heapUsed)}) | ${mb(bareRegistered)} MB | ${lin.registered ? `${mb(lin.registered)} MB` : 'n/a'} |`);
    console.log(`| RSS in one call | ${mb(inCall)} MB (${hp(callHeap?.heapUsed)}) | ${mb(bareInCall)} MB | n/a |`);
    for (const p of perCall) {
      console.log(`| per call, 0 → ${p.calls} calls | ${p.perCallKb.toFixed(0)} kB (RSS ${mb(p.rss0)} → ${mb(p.rssN)} MB; heap ${hp(p.heap0)} → ${hp(p.heapN)}) | | |`);
      if (p.marginalKb !== undefined) console.log(`| per further call, up to ${p.calls} | ${p.marginalKb.toFixed(0)} kB | | |`);
    }
    console.log(`| start → registered | engine ${fmtTimes(tEngine)}; register --once ${fmtTimes(tOnce)} | ${fmtTimes(tBare)} | ${fmtTimes(lin.times)} |`);
    console.log(`| start → URL printed (engine) | ${fmtTimes(tEngineUrl)} | | |`);
    console.log(`| node alone (\`node -e\`): RSS; spawn → exit | ${mb(nodeIdle)} MB; ${fmtTimes(tNode)} | | |`);
    console.log(`\nengine flags: ${ENGINE_FLAGS.join(' ') || '(none)'}`);
    console.log(`\nNODE_EXTRA_CA_CERTS ${KEEP_CA_ENV ? 'kept as set' : 'removed'} for the Node children`);
    if (lin.note) console.log(`\nlinphonec: ${lin.note}`);
    if (failures.length) console.log(`\nruns that did not register (left out of the figures): ${failures.join('; ')}`);
    console.log(`\nwritten: ${OUT}`);
  } finally {
    await bare?.stop();
    relay.close();
    await kam.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  console.error('footprint bench: gave up after 15 minutes');
  process.exit(1);
}, 15 * 60_000);
watchdog.unref();
await main();
