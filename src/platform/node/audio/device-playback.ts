/**
 * A speaker (or any playback device) as an `AudioSink`. Each frame the media clock writes is
 * levelled, turned into s16le bytes and written to the device tool's stdin; the tool hands it
 * to the device at the device's pace. `write()` never waits, and what waits for the device
 * (the backlog: Node's queue, the OS pipe, the tool's and the server's buffers) stays bounded:
 *
 * - Until the device is open, frames are dropped (counted as startup frames). Queued instead,
 *   they would become latency the call keeps to its end.
 * - The backlog is what was written minus what the device has played: pacat reports its played
 *   position every 50 ms, aplay each period it writes to the device (its VU meter); a tool
 *   without reports is assumed to play in real time from its first frame. A frame that would take the backlog past `maxQueueMs`
 *   (a stalled device) is dropped and counted.
 * - A backlog that stays above `targetMs` for a whole second (after a stall, or as the
 *   device's clock drifts from the media clock) is shed a frame at a time, counted as trimmed.
 */
import { frameSize } from '../../../media/audio-frame.js';
import type { AudioFormat, AudioSink } from '../../../media/audio-frame.js';
import { Resampler } from '../../../media/resampler.js';
import type { AudioBackend, StreamParams } from './audio-backend.js';
import type { AudioDeviceError } from './audio-device-error.js';
import { DeviceTool } from './device-tool.js';
import { applyLevel, checkLevel, toBytesLE } from './level.js';

export interface PlaybackStats {
  /** Frames the media clock wrote. */
  framesWritten: number;
  /** Frames passed on to the device. */
  framesPlayed: number;
  /** Frames dropped before the device was open. */
  startupFrames: number;
  /** Frames dropped because the device stalled (backlog at its bound) or had failed. */
  dropped: number;
  /** Frames shed to bring a lasting backlog back to the target. */
  trimmed: number;
  /** Audio written but not yet played now (estimated; see the file comment). */
  backlogMs: number;
  /** Whether the backlog is measured from the tool's position reports (else estimated from the clock). */
  measured: boolean;
}

export interface DevicePlaybackOptions {
  backend: AudioBackend;
  device: string | undefined;
  format: AudioFormat;
  params: Omit<StreamParams, 'rate'>;
  deviceRate?: number;
  level: number;
  maxQueueMs: number;
  /** Backlog to come back to after a stall or drift; default `latencyMs` + 2 frames. */
  targetMs?: number;
  env: NodeJS.ProcessEnv;
  onError?: (err: AudioDeviceError) => void;
  /** The sound server moved the stream to another device (see `AudioBackend.movedLine`). */
  onMoved?: (device: string) => void;
}

export class DevicePlayback implements AudioSink {
  readonly format: AudioFormat;
  readonly device: string | undefined;
  readonly backend: AudioBackend['name'];
  /** Resolves once the device is open; rejects with an `AudioDeviceError` if it cannot be. */
  readonly ready: Promise<void>;
  private readonly tool: DeviceTool;
  private readonly resampler: Resampler | undefined;
  private readonly scratch: Int16Array;
  private readonly bytesPerMs: number;
  private readonly maxQueueBytes: number;
  private readonly maxQueueMs: number;
  private readonly targetMs: number;
  private readonly frameMs: number;
  private readonly positionReports: boolean;
  private levelValue: number;
  private open = false;
  private isClosed = false;
  /** Ms of audio handed to the tool. */
  private writtenMs = 0;
  /** The tool's latest played position and when it came (performance.now()). */
  private position: { playedMs: number; at: number } | undefined;
  /** Without position reports: the wall-clock time the device would have started playing at. */
  private clockStart: number | undefined;
  private minBacklog = Infinity;
  private windowWrites = 0;
  private shedMs = 0;
  private readonly counts = { framesWritten: 0, framesPlayed: 0, startupFrames: 0, dropped: 0, trimmed: 0 };

  constructor(opts: DevicePlaybackOptions) {
    this.format = opts.format;
    this.device = opts.device;
    this.backend = opts.backend.name;
    this.scratch = new Int16Array(frameSize(opts.format));
    this.levelValue = checkLevel(opts.level, 'output level');
    const rate = opts.format.sampleRate;
    const deviceRate = opts.deviceRate ?? rate;
    this.resampler = deviceRate !== rate ? new Resampler(rate, deviceRate) : undefined;
    this.bytesPerMs = (deviceRate * 2) / 1000;
    this.frameMs = opts.format.frameMs;
    this.maxQueueMs = Math.max(2 * this.frameMs, opts.maxQueueMs);
    this.maxQueueBytes = Math.round(this.maxQueueMs * this.bytesPerMs);
    this.targetMs = Math.min(this.maxQueueMs, opts.targetMs ?? opts.params.latencyMs + 2 * this.frameMs);
    const progress = opts.backend.playbackProgress?.();
    this.positionReports = progress !== undefined;
    this.tool = new DeviceTool({
      backend: opts.backend,
      direction: 'output',
      device: opts.device,
      command: opts.backend.playbackCommand(opts.device, { ...opts.params, rate: deviceRate }),
      env: opts.env,
      onFailure: (err) => opts.onError?.(err),
      ...(opts.onMoved ? { onMoved: opts.onMoved } : {}),
      ...(progress
        ? {
            onStderr: (text: string) => {
              const played = progress(text);
              if (played !== undefined) this.position = { playedMs: played, at: performance.now() };
            },
          }
        : {}),
    });
    this.ready = this.tool.ready;
    this.ready.then(
      () => (this.open = true),
      () => undefined,
    );
    // EPIPE when the tool dies is reported through its exit; the stream error must not throw.
    this.tool.child.stdin!.on('error', () => undefined);
  }

  /** The software output level, 0..1.5 (1 = as the call gives it). */
  get level(): number {
    return this.levelValue;
  }

  set level(value: number) {
    this.levelValue = checkLevel(value, 'output level');
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get error(): AudioDeviceError | undefined {
    return this.tool.error;
  }

  get pid(): number | undefined {
    return this.tool.pid;
  }

  write(frame: Int16Array, _timeMs: number): void {
    if (this.isClosed) return;
    this.counts.framesWritten++;
    if (!this.open) {
      if (this.tool.error) this.counts.dropped++;
      else this.counts.startupFrames++;
      return;
    }
    const stdin = this.tool.child.stdin!;
    const backlog = this.backlogMs(performance.now());
    if (!this.tool.running || stdin.destroyed || backlog + this.frameMs > this.maxQueueMs || stdin.writableLength >= this.maxQueueBytes) {
      this.counts.dropped++;
      return;
    }
    if (this.watchBacklog(backlog)) {
      this.counts.trimmed++;
      return;
    }
    this.scratch.set(frame.subarray(0, this.scratch.length));
    applyLevel(this.scratch, this.levelValue);
    const samples = this.resampler ? this.resampler.process(this.scratch) : this.scratch;
    stdin.write(toBytesLE(samples));
    this.writtenMs += this.frameMs;
    this.counts.framesPlayed++;
  }

  stats(): PlaybackStats {
    return { ...this.counts, backlogMs: this.backlogMs(performance.now()), measured: this.position !== undefined };
  }

  /** Written minus played, in ms, at `now`. */
  private backlogMs(now: number): number {
    let played: number;
    if (this.positionReports) {
      if (!this.position) return this.writtenMs; // nothing played yet
      // Between reports the device goes on playing, if it plays at all: extrapolate at most
      // two report periods, so a tool that stopped reporting (stalled) is not assumed to play.
      const since = this.position.playedMs > 0 ? Math.min(now - this.position.at, 100) : 0;
      played = this.position.playedMs + since;
    } else {
      this.clockStart ??= now;
      played = now - this.clockStart;
      // The device ran dry (and paused, as ALSA does on an underrun): it restarts from what comes next.
      if (played > this.writtenMs) {
        this.clockStart = now - this.writtenMs;
        played = this.writtenMs;
      }
    }
    return Math.max(0, this.writtenMs - played);
  }

  /** Track the lowest backlog over each second of writes; true when this frame is to be shed. */
  private watchBacklog(backlog: number): boolean {
    this.minBacklog = Math.min(this.minBacklog, backlog);
    if (++this.windowWrites >= 1000 / this.frameMs) {
      if (this.minBacklog > this.targetMs + this.frameMs) this.shedMs = this.minBacklog - this.targetMs;
      this.minBacklog = Infinity;
      this.windowWrites = 0;
    }
    if (this.shedMs < this.frameMs) return false;
    this.shedMs -= this.frameMs;
    return true;
  }

  /**
   * Stop: the tool gets `drainMs` (default 200) to play what it holds, then is stopped by its
   * PID. Idempotent; resolves when it has exited.
   */
  async close(drainMs = 200): Promise<void> {
    this.isClosed = true;
    await this.tool.stop(drainMs);
  }
}
