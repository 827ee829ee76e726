/**
 * A speaker (or any playback device) as an `AudioSink`. Each frame the media clock writes is
 * levelled, turned into s16le bytes and written to the device tool's stdin; the tool hands it
 * to the device at the device's pace. `write()` never waits:
 *
 * - Until the device is open, frames are dropped (counted as startup frames). Queued instead,
 *   they would become latency the call keeps to its end.
 * - Once open, at most `maxQueueMs` of audio may wait in Node's stream buffer; when the device
 *   stalls and the queue is full, new frames are dropped and counted.
 *
 * Beyond that queue sit the OS pipe (64 KiB on Linux, under a second at 48 kHz) and the tool's
 * own buffer (`latencyMs`); see docs/decisions.md for what this design cannot see.
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
  /** Frames dropped because the device stalled (queue full) or had failed. */
  dropped: number;
  /** Audio waiting in Node's queue for the tool now. */
  queuedMs: number;
}

export interface DevicePlaybackOptions {
  backend: AudioBackend;
  device: string | undefined;
  format: AudioFormat;
  params: Omit<StreamParams, 'rate'>;
  deviceRate?: number;
  level: number;
  maxQueueMs: number;
  env: NodeJS.ProcessEnv;
  onError?: (err: AudioDeviceError) => void;
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
  private levelValue: number;
  private open = false;
  private isClosed = false;
  private readonly counts = { framesWritten: 0, framesPlayed: 0, startupFrames: 0, dropped: 0 };

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
    this.maxQueueBytes = Math.max(2 * this.scratch.length * 2, Math.round(opts.maxQueueMs * this.bytesPerMs));
    this.tool = new DeviceTool({
      backend: opts.backend,
      direction: 'output',
      device: opts.device,
      command: opts.backend.playbackCommand(opts.device, { ...opts.params, rate: deviceRate }),
      env: opts.env,
      onFailure: (err) => opts.onError?.(err),
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
    if (!this.tool.running || stdin.destroyed || stdin.writableLength + frame.length * 2 > this.maxQueueBytes) {
      this.counts.dropped++;
      return;
    }
    this.scratch.set(frame.subarray(0, this.scratch.length));
    applyLevel(this.scratch, this.levelValue);
    const samples = this.resampler ? this.resampler.process(this.scratch) : this.scratch;
    stdin.write(toBytesLE(samples));
    this.counts.framesPlayed++;
  }

  stats(): PlaybackStats {
    const stdin = this.tool.child.stdin;
    return { ...this.counts, queuedMs: stdin ? stdin.writableLength / this.bytesPerMs : 0 };
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
