// SIPp 3.6 scenarios (test/peers/sipp/*.xml) as a scripted UAS or UAC on 127.0.0.1.
//
// sipp runs in the foreground (-nostdin), bound to loopback only (-i 127.0.0.1 -bind_local),
// with a global timeout (-timeout N -timeout_error) and its own run directory holding the
// message trace, the error trace and the scenario's <log> output. Its exit code is 0 only when
// every call passed.
//
//   // a registrar for our client to talk to:
//   const uas = await startSipp({ scenario: 'registrar-401-then-200.xml', keys: { realm: '127.0.0.1', user: 'alice', password: 'alice-secret' } });
//   after(() => uas.stop());
//   ... register our client to 127.0.0.1:uas.port ...
//   const r = await uas.result;            // bounded by timeoutMs
//   assert.equal(r.code, 0, r.summary());
//
//   // or a scripted client against a server, to completion:
//   const r = await runSipp({ scenario: 'uac-register-auth.xml', remote: `127.0.0.1:${kam.udpPort}`, service: 'alice', auth: { user: 'alice', password: 'alice-secret' }, keys: { domain: '127.0.0.1', expires: '300' } });
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpPort, LOOPBACK, portInUse } from './ports.js';
import { fmtStatus, raceTimeout, makeRunDir, readLog, spawnPeer, tail, waitFor } from './process.js';
import type { PeerProcess } from './process.js';

export const SIPP_BIN = '/usr/bin/sipp';
export const SIPP_SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'sipp');

/**
 * Default keys of the scenarios in test/peers/sipp (each scenario's header comment says which
 * it reads); passed with -key unless the caller overrides them. sipp refuses a scenario that
 * uses a [key] it was not given, so every scenario gets all of them.
 */
export const SIPP_DEFAULT_KEYS: Readonly<Record<string, string>> = Object.freeze({
  realm: '127.0.0.1',
  domain: '127.0.0.1',
  user: 'alice',
  password: 'alice-secret',
  expires: '3600',
  default_expires: '3600',
});

export type SippTransport = 'udp' | 'tcp' | 'tls';

export interface SippOptions {
  /** A file name in test/peers/sipp, or an absolute path. */
  scenario: string;
  /** host:port of the peer for a UAC scenario; absent for a UAS. */
  remote?: string;
  transport?: SippTransport;
  /** Local port; a free one when absent. */
  port?: number;
  /** Number of calls before sipp exits (-m), default 1. */
  calls?: number;
  /** Call rate per second (-r) for UAC scenarios, default sipp's (10). */
  rate?: number;
  /** R-URI user ([service], -s). */
  service?: string;
  /** Credentials for [authentication] (-au/-ap). */
  auth?: { user: string; password: string };
  /** Extra -key name value pairs (merged over SIPP_DEFAULT_KEYS). */
  keys?: Record<string, string | number>;
  /** Global bound: sipp quits and fails after this (default 30000 ms); the harness kills it 5 s later. */
  timeoutMs?: number;
  /** Anything else to pass to sipp. */
  extraArgs?: string[];
  /**
   * Working directory of sipp (default: its run directory): where relative file names in the
   * scenario resolve, e.g. `<exec rtp_stream="tone.wav,-1,0"/>` (attributes take no [keys]).
   */
  cwd?: string;
}

export interface SippResult {
  /** sipp's exit code: 0 every call passed, 1 some failed, 97/99 stopped early, 255 (-1) fatal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  passed: boolean;
  /** Every SIP message sent and received (-trace_msg). */
  messages: string;
  /** Unexpected messages (-trace_err). */
  errors: string;
  /** Output of the scenario's <log> actions (-trace_logs). */
  logs: string;
  /** sipp's stdout/stderr (screens, fatal errors). */
  output: string;
  /** A short text for assertion messages. */
  summary(): string;
}

export interface SippRun {
  readonly host: string;
  readonly port: number;
  readonly transport: SippTransport;
  readonly runDir: string;
  readonly process: PeerProcess;
  /** Resolves when sipp exits (bounded by timeoutMs + 5 s). */
  readonly result: Promise<SippResult>;
  /** Messages traced so far. */
  messages(): string;
  /** Stops sipp by PID if still running; resolves with its result. */
  stop(): Promise<SippResult>;
}

function scenarioPath(s: string): string {
  const p = isAbsolute(s) ? s : join(SIPP_SCENARIO_DIR, s);
  if (!existsSync(p)) throw new Error(`sipp scenario not found: ${p}`);
  return p;
}

/** Starts sipp and waits until it has bound its local port; `result` resolves when it exits. */
export async function startSipp(opts: SippOptions): Promise<SippRun> {
  const transport = opts.transport ?? 'udp';
  const port = opts.port ?? (transport === 'udp' ? await freeUdpPort() : await freeTcpPort());
  const runDir = makeRunDir('sipp');
  const timeoutMs = opts.timeoutMs ?? 30000;
  const files = {
    messages: join(runDir, 'messages.log'),
    errors: join(runDir, 'errors.log'),
    logs: join(runDir, 'logs.log'),
  };
  const keys: Record<string, string | number> = { ...SIPP_DEFAULT_KEYS, ...(opts.keys ?? {}) };
  const args = [
    '-sf', scenarioPath(opts.scenario),
    ...(opts.remote ? [opts.remote] : []),
    '-i', LOOPBACK,
    '-bind_local',
    '-p', String(port),
    '-t', transport === 'udp' ? 'u1' : transport === 'tcp' ? 't1' : 'l1',
    '-m', String(opts.calls ?? 1),
    ...(opts.rate !== undefined ? ['-r', String(opts.rate)] : []),
    ...(opts.service !== undefined ? ['-s', opts.service] : []),
    ...(opts.auth ? ['-au', opts.auth.user, '-ap', opts.auth.password] : []),
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, String(v)]),
    '-nostdin',
    '-timeout', `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`,
    '-timeout_error',
    '-trace_msg', '-message_file', files.messages,
    '-trace_err', '-error_file', files.errors,
    '-trace_logs', '-log_file', files.logs,
    ...(opts.extraArgs ?? []),
  ];
  const proc = spawnPeer({ name: 'sipp', command: SIPP_BIN, args, runDir, ...(opts.cwd ? { cwd: opts.cwd } : {}) });

  const collect = (): SippResult => {
    const st = proc.exitStatus() ?? { code: null, signal: null };
    const res: SippResult = {
      code: st.code,
      signal: st.signal,
      passed: st.code === 0,
      messages: readLog(files.messages),
      errors: readLog(files.errors),
      logs: readLog(files.logs),
      output: proc.output(),
      summary: () =>
        `sipp ${opts.scenario} exited ${fmtStatus(st)}${res.logs ? `\n-- scenario log:\n${res.logs.trim()}` : ''}` +
        `${res.errors ? `\n-- unexpected messages:\n${tail(res.errors, 30)}` : ''}` +
        `\n-- last messages (${runDir}):\n${tail(res.messages, 40)}` +
        `${st.code !== 0 && st.code !== 1 ? `\n-- sipp output:\n${tail(res.output.replace(/\n\s*\n/g, '\n'), 15)}` : ''}`,
    };
    return res;
  };

  const result = (async () => {
    const bound = await raceTimeout(proc.exited.then(() => false), timeoutMs + 5000, true);
    if (bound) await proc.stop(2000);
    await proc.exited;
    return collect();
  })();

  // Ready once sipp holds its port (seen in /proc/net, without touching it), or it has exited.
  await waitFor(
    `sipp to bind 127.0.0.1:${port}`,
    () => (proc.exitStatus() || portInUse(port, transport === 'udp' ? 'udp' : 'tcp') ? true : undefined),
    10000,
    20,
  );
  if (proc.exitStatus() && proc.exitStatus()?.code !== 0) {
    const r = await result;
    if (r.code !== 0 && r.code !== 1) throw new Error(`sipp could not start: ${r.summary()}`);
  }

  return {
    host: LOOPBACK,
    port,
    transport,
    runDir,
    process: proc,
    result,
    messages: () => readLog(files.messages),
    stop: async () => {
      await proc.stop(2000);
      return result;
    },
  };
}

/** Runs a sipp scenario to completion (usually a UAC) and returns its result. */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  const run = await startSipp(opts);
  return run.result;
}
