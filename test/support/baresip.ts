// baresip 1.0 as a second softphone for interop tests, driven over ctrl_tcp.
//
// startBaresip() writes a config directory (config, accounts, contacts) into a fresh run
// directory: SIP on a free 127.0.0.1 port P (UDP+TCP; baresip also opens TLS on P+1),
// net_interface 127.0.0.1, no sound card (the microphone is a WAV file through `aufile`, by
// default a generated 440 Hz tone; the speaker is a dead-end `aubridge` device; `sndfile` can record
// what is sent and received to WAV files), G.711 only, the `menu` commands and `ctrl_tcp` on a
// free port. It waits for "baresip is ready." and for the control port, and when it has a
// registrar it can wait for REGISTER_OK. See docs/interop.md for what each command does in
// this version. The caller must stop() it (node:test `after`, see process.ts).
//
//   const b = await startBaresip({ user: '1002', password: kam.users['1002'], registrar: kam });
//   after(() => b.stop());
//   await b.waitForEvent('REGISTER_OK', 5000);
//   await b.command('dial', 'sip:alice@127.0.0.1');
//   await b.waitForEvent('CALL_ESTABLISHED', 5000);
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { freeSipPortPair, freeTcpPort, LOOPBACK } from './ports.js';
import { BARESIP_MODULES_DIR } from './peers.js';
import { fmtStatus, makeRunDir, spawnPeer, tail, waitForTcpPort } from './process.js';
import type { PeerProcess } from './process.js';

export const BARESIP_BIN = '/usr/bin/baresip';

export interface BaresipOptions {
  /** SIP user of the account (default '1002'). */
  user?: string;
  /** Password for digest auth (auth_pass); omit for an account that never authenticates. */
  password?: string;
  /** Registrar/proxy to register with and send calls through; none: a local account (no REGISTER). */
  registrar?: { host: string; udpPort: number; tcpPort?: number; tlsPort?: number };
  /** Transport to the registrar (default udp). */
  transport?: 'udp' | 'tcp';
  /** AoR domain (default 127.0.0.1). */
  domain?: string;
  /** auto (default): answer incoming calls at once; manual: wait for `accept`; early. */
  answermode?: 'auto' | 'manual' | 'early';
  /** Registration interval in seconds (default 600). */
  regint?: number;
  /**
   * WAV file (8 kHz mono s16) played as the microphone through `aufile`; default: a generated
   * 440 Hz tone of `toneSeconds`. (`ausine` cannot be used with G.711: in 1.0 it only does 48 kHz.)
   */
  audioFile?: string;
  /**
   * Length of the default tone (default 60 s). baresip 1.0 ends the call when the WAV ends
   * (AUDIO_ERROR "end of file", then CALL_CLOSED), so it bounds how long a call can last.
   */
  toneSeconds?: number;
  /** Load `sndfile`, which writes dump-*-enc.wav / dump-*-dec.wav of each call into `<runDir>/rec`. */
  record?: boolean;
  /** Extra addr-params for the accounts line, e.g. ';ptime=20'. */
  accountParams?: string;
  /** Extra config lines. */
  extraConfig?: string[];
  /** Log every SIP message baresip sends and receives (baresip -s); default true. */
  sipTrace?: boolean;
  /** Readiness bound (default 10000 ms). */
  startTimeoutMs?: number;
}

/** An event from ctrl_tcp, e.g. { type: 'CALL_ESTABLISHED', class: 'call', peeruri: ..., param: ... }. */
export interface BaresipEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  peerdisplayname?: string;
  id?: string;
  param?: string;
  [key: string]: unknown;
}

export interface BaresipResponse {
  ok: boolean;
  data: string;
}

export interface Baresip {
  readonly host: string;
  readonly sipPort: number;
  readonly ctrlPort: number;
  readonly aor: string;
  /** Where to send requests straight to this baresip (no registrar), e.g. sip:1002@127.0.0.1:P. */
  readonly uri: string;
  readonly runDir: string;
  readonly configDir: string;
  readonly logPath: string;
  /** Directory of the sndfile recordings (when `record`). */
  readonly recordDir: string;
  readonly process: PeerProcess;
  /** Every event received so far. */
  readonly events: readonly BaresipEvent[];
  /** Sends a command over ctrl_tcp ({"command","params","token"}) and resolves with the response. */
  command(command: string, params?: string, timeoutMs?: number): Promise<BaresipResponse>;
  /** The first event (past or future) of `type` (or matching `pred`), at most `timeoutMs`. */
  waitForEvent(match: string | ((e: BaresipEvent) => boolean), timeoutMs: number, opts?: { after?: number }): Promise<BaresipEvent>;
  /**
   * Resolves once the account is registered: a REGISTER_OK event, or baresip's own log line
   * "<aor>: {0/UDP/v4} 200 OK ... [1 binding]" (a registration that completed before the
   * ctrl_tcp connection was up sends its event to nobody).
   */
  waitRegistered(timeoutMs: number): Promise<void>;
  /** WAV files recorded so far. */
  recordings(): string[];
  /** What baresip printed so far. */
  output(): string;
  /** Stops baresip by PID (SIGTERM, then SIGKILL); idempotent. */
  stop(): Promise<void>;
}

/** A mono 16-bit PCM WAV file of a sine tone (amplitude about -12 dBFS). */
export function sineWav(freq: number, seconds: number, rate = 8000): Buffer {
  const n = Math.round(seconds * rate);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** Encodes one netstring ("<len>:<bytes>,"). */
export function netstring(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from(`${b.length}:`), b, Buffer.from(',')]);
}

/** Splits complete netstrings off the front of `buf`; returns them and the rest. */
export function parseNetstrings(buf: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let rest = buf;
  for (;;) {
    const colon = rest.indexOf(0x3a);
    if (colon < 0) break;
    const len = Number(rest.subarray(0, colon).toString('ascii'));
    if (!Number.isInteger(len) || len < 0) throw new Error(`bad netstring length: ${rest.subarray(0, colon).toString()}`);
    if (rest.length < colon + 1 + len + 1) break;
    messages.push(rest.subarray(colon + 1, colon + 1 + len).toString('utf8'));
    rest = rest.subarray(colon + 1 + len + 1);
  }
  return { messages, rest };
}

/** Starts baresip; see the file comment. */
export async function startBaresip(opts: BaresipOptions = {}): Promise<Baresip> {
  const user = opts.user ?? '1002';
  const domain = opts.domain ?? LOOPBACK;
  const runDir = makeRunDir('baresip');
  const configDir = join(runDir, 'conf');
  const recordDir = join(runDir, 'rec');
  mkdirSync(configDir);
  mkdirSync(recordDir);
  const sipPort = await freeSipPortPair();
  const ctrlPort = await freeTcpPort();
  const transport = opts.transport ?? 'udp';

  let audioFile = opts.audioFile;
  if (!audioFile) {
    audioFile = join(runDir, 'tone-440.wav');
    writeFileSync(audioFile, sineWav(440, opts.toneSeconds ?? 60, 8000));
  }
  const source = `aufile,${audioFile}`;
  const config = [
    '# written by test/support/baresip.ts',
    'poll_method\t\tepoll',
    `sip_listen\t\t${LOOPBACK}:${sipPort}`,
    `net_interface\t\t${LOOPBACK}`,
    // No DNS lookups leave the machine: every URI here is an IP literal anyway.
    `dns_server\t\t${LOOPBACK}:53`,
    'call_local_timeout\t120',
    'call_max_calls\t\t4',
    `audio_source\t\t${source}`,
    'audio_player\t\taubridge,softphone-test-speaker',
    'audio_alert\t\taubridge,softphone-test-alert',
    'ausrc_format\t\ts16',
    'auplay_format\t\ts16',
    'auenc_format\t\ts16',
    'audec_format\t\ts16',
    'audio_buffer\t\t20-160',
    'rtcp_mux\t\tno',
    'jitter_buffer_delay\t5-10',
    `module_path\t\t${BARESIP_MODULES_DIR}`,
    'module\t\t\tg711.so',
    'module\t\t\taufile.so',
    'module\t\t\taubridge.so',
    ...(opts.record ? ['module\t\t\tsndfile.so', `snd_path\t\t${recordDir}`] : []),
    'module_tmp\t\taccount.so',
    'module_app\t\tmenu.so',
    'module_app\t\tctrl_tcp.so',
    `ctrl_tcp_listen\t\t${LOOPBACK}:${ctrlPort}`,
    'ringback_disabled\tyes',
    // no running "[0:00:04] audio=64234/52462 (bit/s)" status line in the log
    'statmode_default\toff',
    ...(opts.extraConfig ?? []),
    '',
  ].join('\n');
  writeFileSync(join(configDir, 'config'), config);

  let aorUri: string;
  const params: string[] = [`answermode=${opts.answermode ?? 'auto'}`];
  if (opts.password !== undefined) params.push(`auth_pass=${opts.password}`);
  if (opts.registrar) {
    const r = opts.registrar;
    const port = transport === 'tcp' ? (r.tcpPort ?? r.udpPort) : r.udpPort;
    aorUri = `sip:${user}@${domain}`;
    params.push(`outbound="sip:${r.host}:${port};transport=${transport}"`, `regint=${opts.regint ?? 600}`);
  } else {
    aorUri = `sip:${user}@${domain}`;
    params.push('regint=0');
  }
  const accountLine = `<${aorUri};transport=${transport}>;${params.join(';')}${opts.accountParams ?? ''}`;
  writeFileSync(join(configDir, 'accounts'), `${accountLine}\n`);
  writeFileSync(join(configDir, 'contacts'), '');

  const proc = spawnPeer({ name: 'baresip', command: BARESIP_BIN, args: ['-f', configDir, ...(opts.sipTrace === false ? [] : ['-s'])], runDir });
  const startTimeoutMs = opts.startTimeoutMs ?? 10000;
  try {
    await Promise.race([
      proc.waitForOutput(/baresip is ready\./, startTimeoutMs),
      proc.exited.then((s) => {
        throw new Error(`baresip exited (${fmtStatus(s)}) during start`);
      }),
    ]);
    await waitForTcpPort(LOOPBACK, ctrlPort, startTimeoutMs);
  } catch (err) {
    await proc.stop();
    throw new Error(`baresip did not start: ${(err as Error).message}; log ${proc.logPath}:\n${tail(proc.output())}`);
  }

  // ctrl_tcp connection: netstring-framed JSON both ways.
  const sock: Socket = await new Promise((resolve, reject) => {
    const s = connect({ host: LOOPBACK, port: ctrlPort });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  sock.unref();
  const events: BaresipEvent[] = [];
  const eventListeners = new Set<() => void>();
  const pending = new Map<string, (r: BaresipResponse) => void>();
  let buf: Buffer = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    const { messages, rest } = parseNetstrings(buf);
    buf = rest;
    for (const m of messages) {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(m) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (msg.response === true) {
        const token = String(msg.token ?? '');
        const done = pending.get(token);
        pending.delete(token);
        done?.({ ok: msg.ok === true, data: String(msg.data ?? '') });
      } else if (msg.event === true) {
        events.push(msg as BaresipEvent);
        for (const l of [...eventListeners]) l();
      }
    }
  });
  sock.on('error', () => undefined);
  void proc.exited.then(() => {
    sock.destroy();
    for (const l of [...eventListeners]) l();
  });

  let nextToken = 1;
  const command = (cmd: string, params?: string, timeoutMs = 5000): Promise<BaresipResponse> =>
    new Promise((resolve, reject) => {
      if (proc.exitStatus()) {
        reject(new Error(`baresip has exited; cannot run ${cmd}`));
        return;
      }
      const token = `t${nextToken++}`;
      const timer = setTimeout(() => {
        pending.delete(token);
        reject(new Error(`baresip: no response to "${cmd}${params ? ` ${params}` : ''}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      const body: Record<string, string> = { command: cmd, token };
      if (params !== undefined) body.params = params;
      sock.write(netstring(JSON.stringify(body)));
    });

  const waitForEvent = (match: string | ((e: BaresipEvent) => boolean), timeoutMs: number, o: { after?: number } = {}): Promise<BaresipEvent> =>
    new Promise((resolve, reject) => {
      const pred = typeof match === 'string' ? (e: BaresipEvent) => e.type === match : match;
      const from = o.after ?? 0;
      const check = (): void => {
        const hit = events.slice(from).find(pred);
        if (hit) {
          done();
          resolve(hit);
        } else if (proc.exitStatus()) {
          done();
          reject(new Error(`baresip exited before event ${String(match)}; log ${proc.logPath}:\n${tail(proc.output())}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`baresip: no event ${typeof match === 'string' ? match : 'matching'} within ${timeoutMs} ms; events: ${events.map((e) => e.type).join(', ')}; log ${proc.logPath}:\n${tail(proc.output(), 20)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        eventListeners.delete(check);
      };
      eventListeners.add(check);
      check();
    });

  const registeredLine = new RegExp(`${user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@[^:]+: \\{\\d+/\\w+/v[46]\\} 2\\d\\d `);
  const waitRegistered = async (timeoutMs: number): Promise<void> => {
    const ac = new AbortController();
    try {
      await Promise.any([waitForEvent('REGISTER_OK', timeoutMs), proc.waitForOutput(registeredLine, timeoutMs)]);
    } catch {
      throw new Error(`baresip ${aorUri} did not register within ${timeoutMs} ms; log ${proc.logPath}:\n${tail(proc.output(), 20)}`);
    } finally {
      ac.abort();
    }
  };

  return {
    host: LOOPBACK,
    sipPort,
    ctrlPort,
    aor: aorUri,
    uri: `sip:${user}@${LOOPBACK}:${sipPort}${transport === 'udp' ? '' : `;transport=${transport}`}`,
    runDir,
    configDir,
    logPath: proc.logPath,
    recordDir,
    process: proc,
    events,
    command,
    waitForEvent,
    waitRegistered,
    recordings: () => (existsSync(recordDir) ? readdirSync(recordDir).filter((f) => f.endsWith('.wav')).map((f) => join(recordDir, f)) : []),
    output: () => proc.output(),
    stop: async () => {
      sock.destroy();
      await proc.stop(3000);
    },
  };
}
