// Spawning and stopping the real peers (Kamailio, sipp, baresip, ...) that interop tests drive.
//
// Each peer gets its own run directory under os.tmpdir(), its stdout and stderr go to one log
// file there (and to memory, so readiness can wait on a log line), every wait is bounded, and
// a peer is stopped by its own PID: SIGTERM, then SIGKILL after a grace period. Nothing here
// ever signals a process it did not start (no pkill/killall).
//
// Use in a test file: start the peer in `before` (or in the test) and stop it in `after`, so
// it is stopped even when an assertion fails:
//
//   import { after, before, test } from 'node:test';
//   let kam: Kamailio;
//   before(async () => { kam = await startKamailio(); });
//   after(() => kam?.stop());
//
// or, inside one test, `t.after(() => peer.stop())` right after starting it. As a last resort
// every peer still running when the Node process exits is SIGKILLed by PID (a test file that
// forgets to stop a peer does not hang the runner: child handles are unref'd).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Creates a fresh run directory `<tmpdir>/softphone-<name>-XXXXXX`. */
export function makeRunDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `softphone-${name}-`));
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface PeerProcess {
  readonly name: string;
  readonly pid: number;
  readonly runDir: string;
  /** stdout and stderr of the peer, interleaved as they arrive. */
  readonly logPath: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once the process has exited, else undefined. */
  exitStatus(): ExitStatus | undefined;
  /** What the peer has written so far (the same text as logPath). */
  output(): string;
  /** Resolves with the first match of `re` in the output (past or future); rejects on timeout or exit. */
  waitForOutput(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM by PID, then SIGKILL after `graceMs` (default 3000); resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

export interface SpawnPeerOptions {
  name: string;
  command: string;
  args: string[];
  /** Run directory; a fresh one is made when absent. */
  runDir?: string;
  /** Working directory; the run directory when absent. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Log file; `<runDir>/<name>.log` when absent. Appended to (a restarted peer keeps one log). */
  logPath?: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
}

/** Starts `command args` as a peer; the returned object owns it. */
export function spawnPeer(opts: SpawnPeerOptions): PeerProcess {
  const runDir = opts.runDir ?? makeRunDir(opts.name);
  const logPath = opts.logPath ?? join(runDir, `${opts.name}.log`);
  const log: WriteStream = createWriteStream(logPath, { flags: 'a' });
  installExitHook();
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd ?? runDir,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    log.write(chunk);
    text += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    const settle = (st: ExitStatus): void => {
      if (status) return;
      status = st;
      live.delete(child);
      log.end();
      for (const l of [...listeners]) l();
      resolve(st);
    };
    child.once('error', (err) => {
      text += `\n[harness] spawn error: ${err.message}\n`;
      log.write(`\n[harness] spawn error: ${err.message}\n`);
      if (child.pid === undefined) settle({ code: -1, signal: null });
    });
    child.once('close', (code, sig) => settle({ code, signal: sig }));
  });
  live.add(child);
  child.unref();
  for (const s of [child.stdout, child.stderr]) {
    (s as unknown as { unref?: () => void } | null)?.unref?.();
  }

  const waitForOutput = (re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = text.match(re);
        if (m) {
          done();
          resolve(m);
        } else if (status) {
          done();
          reject(new Error(`${opts.name} exited (${fmtStatus(status)}) before printing ${re}; log ${logPath}:\n${tail(text)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${opts.name}: no ${re} within ${timeoutMs} ms; log ${logPath}:\n${tail(text)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  let stopping: Promise<ExitStatus> | undefined;
  const stop = (graceMs = 3000): Promise<ExitStatus> => {
    if (status) return Promise.resolve(status);
    stopping ??= (async () => {
      const pid = child.pid;
      if (pid === undefined) return exited;
      signal(pid, 'SIGTERM');
      const timedOut = await raceTimeout(exited.then(() => false), graceMs, true);
      if (timedOut) {
        signal(pid, 'SIGKILL');
        const stillThere = await raceTimeout(exited.then(() => false), 5000, true);
        if (stillThere) throw new Error(`${opts.name} (pid ${pid}) did not exit after SIGKILL`);
      }
      return exited;
    })();
    return stopping;
  };

  return {
    name: opts.name,
    pid: child.pid ?? -1,
    runDir,
    logPath,
    exited,
    exitStatus: () => status,
    output: () => text,
    waitForOutput,
    stop,
  };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // exited meanwhile
  }
}

export function fmtStatus(s: ExitStatus): string {
  return s.signal ? `signal ${s.signal}` : `code ${s.code}`;
}

/** The last `lines` lines of a log, for error messages. */
export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Reads a log file, or '' when it does not exist. */
export function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves with `p`'s value, or with `onTimeout` after `ms`; the timer is cleared either way. */
export function raceTimeout<T, U>(p: Promise<T>, ms: number, onTimeout: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Polls `probe` until it returns a value other than undefined, at most `timeoutMs`.
 * For readiness checks that have no event to wait on (a kamcmd answer, a binding appearing).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await delay(intervalMs);
  }
}

/** Resolves once a TCP connect to host:port succeeds (the port answers), at most `timeoutMs`. */
export function waitForTcpPort(host: string, port: number, timeoutMs: number): Promise<void> {
  return waitFor(
    `TCP ${host}:${port}`,
    () =>
      new Promise<true | undefined>((resolve) => {
        const s = connect({ host, port });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(undefined));
      }),
    timeoutMs,
  ).then(() => undefined);
}

/**
 * Sends a raw SIP OPTIONS over UDP to host:port every 200 ms until any datagram comes back,
 * at most `timeoutMs`; resolves with the first line of the answer (e.g. "SIP/2.0 200 OK").
 */
export function sipOptionsPing(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    let timer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (err: Error | undefined, line?: string): void => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      sock.close();
      if (err) reject(err);
      else resolve(line ?? '');
    };
    const onAbort = (): void => finish(new Error('OPTIONS ping aborted'));
    if (signal?.aborted) {
      sock.close();
      reject(new Error('OPTIONS ping aborted'));
      return;
    }
    signal?.addEventListener('abort', onAbort);
    sock.on('message', (msg) => finish(undefined, msg.toString('utf8').split('\r\n')[0]));
    sock.on('error', (err) => finish(err));
    sock.bind(0, '127.0.0.1', () => {
      if (finished) return;
      const local = sock.address().port;
      const callId = randomBytes(8).toString('hex');
      let cseq = 0;
      const send = (): void => {
        if (finished) return;
        cseq++;
        const msg =
          `OPTIONS sip:${host}:${port} SIP/2.0\r\n` +
          `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${randomBytes(6).toString('hex')};rport\r\n` +
          `Max-Forwards: 70\r\n` +
          `From: <sip:harness@127.0.0.1>;tag=${callId.slice(0, 8)}\r\n` +
          `To: <sip:${host}:${port}>\r\n` +
          `Call-ID: ${callId}@127.0.0.1\r\n` +
          `CSeq: ${cseq} OPTIONS\r\n` +
          `Content-Length: 0\r\n\r\n`;
        sock.send(msg, port, host);
      };
      send();
      timer = setInterval(send, 200);
      deadline = setTimeout(() => finish(new Error(`no answer to OPTIONS from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    });
  });
}

/** Runs a short command to completion (bounded), e.g. `kamailio -c` or `openssl req`. */
export function runCommand(
  command: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) signal(child.pid, 'SIGKILL');
      stderr += `\n[harness] killed after ${opts.timeoutMs ?? 15000} ms`;
    }, opts.timeoutMs ?? 15000);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, signal: null, stdout, stderr: `${stderr}\n[harness] spawn error: ${err.message}` });
    });
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
}
