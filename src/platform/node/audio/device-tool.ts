/**
 * One running device tool (parec, pacat, arecord, aplay): spawned with the C locale, its
 * stderr kept (the last few kB) for error messages, `ready` once it says the device is open,
 * and stopped by its own PID. A tool still running when Node exits is killed then too.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { AudioBackend, AudioDirection, ToolCommand } from './audio-backend.js';
import { AudioDeviceError } from './audio-device-error.js';
import { toolEnv } from './run-tool.js';

const STDERR_KEEP = 4096;
const live = new Set<ChildProcess>();
let exitHook = false;

function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
}

export interface DeviceToolOptions {
  backend: AudioBackend;
  direction: AudioDirection;
  device: string | undefined;
  command: ToolCommand;
  env: NodeJS.ProcessEnv;
  /** Each piece of stderr as it arrives (progress reports). */
  onStderr?: (text: string) => void;
  /** The sound server moved the stream to device `name` (the backend's `movedLine`). */
  onMoved?: (name: string) => void;
  /** Called once if the tool fails: before `ready` (ready also rejects) or later (it stopped). */
  onFailure: (err: AudioDeviceError) => void;
}

export class DeviceTool {
  readonly child: ChildProcess;
  /** Resolves once the device is open (the tool said so, or data flowed); rejects if it failed first. */
  readonly ready: Promise<void>;
  private stderr = '';
  /** The stderr line being written (for `movedLine`, which must see whole lines). */
  private line = '';
  private isReady = false;
  private stopping = false;
  private failed: AudioDeviceError | undefined;
  private resolveReady!: () => void;
  private rejectReady!: (err: AudioDeviceError) => void;
  readonly exited: Promise<void>;

  constructor(private readonly opts: DeviceToolOptions) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined); // the failure also goes to onFailure
    const input = opts.direction === 'output';
    this.child = spawn(opts.command.command, opts.command.args, {
      env: toolEnv(opts.env),
      stdio: [input ? 'pipe' : 'ignore', input ? 'ignore' : 'pipe', 'pipe'],
    });
    killOnExit(this.child);
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEEP);
      opts.onStderr?.(text);
      if (opts.onMoved && opts.backend.movedLine) this.watchMoves(text, opts.backend.movedLine, opts.onMoved);
      if (!this.isReady && opts.backend.readyLine.test(this.stderr)) this.markReady();
    });
    this.child.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? `${opts.command.command} is not installed (Debian: ${opts.backend.name === 'pulse' ? 'pulseaudio-utils' : 'alsa-utils'})` : err.message;
      this.fail(new AudioDeviceError('audio-device-failed', `cannot run ${opts.command.command}: ${why}`, { cause: err }));
    });
    this.child.once('close', (code, signal) => {
      if (this.stopping) return;
      const base = opts.backend.failure(opts.direction, opts.device, this.stderr, code);
      const how = signal ? `was killed by ${signal}` : `stopped: ${base.message}`;
      const err = this.isReady ? new AudioDeviceError(base.code === 'audio-device-not-found' ? 'audio-device-failed' : base.code, `${opts.command.command} ${how}`) : base;
      this.fail(err);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The failure, once the tool has failed. */
  get error(): AudioDeviceError | undefined {
    return this.failed;
  }

  /** What the tool wrote on stderr lately (diagnostics). */
  get diagnostics(): string {
    return this.stderr;
  }

  /** Data flowed, so the device is open whatever the tool said. */
  markReady(): void {
    if (this.isReady || this.failed) return;
    this.isReady = true;
    this.resolveReady();
  }

  get running(): boolean {
    return !this.stopping && !this.failed;
  }

  /**
   * Stop the tool: `drainMs` > 0 closes its stdin and gives it that long to play what it
   * holds; then SIGTERM by PID, SIGKILL a second later. Idempotent.
   */
  async stop(drainMs = 0): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      if (!this.isReady && !this.failed) this.rejectReady(new AudioDeviceError('audio-device-failed', `${this.opts.command.command} was closed before the device opened`));
      const child = this.child;
      const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
      if (child.stdin && !child.stdin.destroyed) child.stdin.end();
      if (drainMs > 0 && running()) await Promise.race([this.exited, delay(drainMs)]);
      if (running()) child.kill('SIGTERM');
      if (running()) await Promise.race([this.exited, delay(1000)]);
      if (running()) child.kill('SIGKILL');
    }
    if (this.child.pid !== undefined) await this.exited;
  }

  private watchMoves(text: string, movedLine: RegExp, onMoved: (name: string) => void): void {
    const lines = (this.line + text).split(/[\r\n]/);
    this.line = lines.pop()!.slice(-STDERR_KEEP);
    for (const l of lines) {
      const m = movedLine.exec(l);
      if (m?.[1] && !this.stopping) onMoved(m[1]);
    }
  }

  private fail(err: AudioDeviceError): void {
    if (this.failed || this.stopping) return;
    this.failed = err;
    if (!this.isReady) this.rejectReady(err);
    this.opts.onFailure(err);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
