/**
 * Runs the softphone CLI from source (so tests never depend on a stale build) as a child
 * process: `runCli` to completion, `startCli` for long-running commands watched line by line.
 * `{ built: true }` runs the shipped bundle, dist/bin/softphone.js (`npm test` builds first).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
export const BUILT_ENTRY = join(ROOT, 'dist', 'bin', 'softphone.js');

export interface CliOptions {
  env?: Record<string, string>;
  /** Run dist/bin/softphone.js (the bundle) instead of the sources under tsx. */
  built?: boolean;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout/stderr line matching `re` (rejects after timeoutMs). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process exits. */
  readonly exited: Promise<CliResult>;
  /** SIGINT (like Ctrl-C), then SIGKILL after a grace period; resolves with the result. */
  interrupt(graceMs?: number): Promise<CliResult>;
}

export function startCli(args: string[], opts: CliOptions = {}): CliProcess {
  const started = performance.now();
  const child = spawn(process.execPath, [...(opts.built ? [BUILT_ENTRY] : ['--import', 'tsx', ENTRY]), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers: { re: RegExp; resolve: (l: string) => void }[] = [];
  const check = () => {
    for (const w of watchers.slice()) {
      const line = (out + '\n' + err).split('\n').find((l) => w.re.test(l));
      if (line !== undefined) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err, elapsedMs: performance.now() - started }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(re, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const w = { re, resolve };
        watchers.push(w);
        check();
        const t = setTimeout(() => {
          const i = watchers.indexOf(w);
          if (i >= 0) watchers.splice(i, 1);
          reject(new Error(`no line matching ${re} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        void exited.then(() => setTimeout(() => clearTimeout(t), 0));
      });
    },
    async interrupt(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

export async function runCli(args: string[], opts: CliOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  const p = startCli(args, opts);
  const t = setTimeout(() => p.child.kill('SIGKILL'), opts.timeoutMs ?? 30000);
  const r = await p.exited;
  clearTimeout(t);
  return r;
}
