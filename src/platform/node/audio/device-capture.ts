/**
 * A microphone (or any capture device) as an `AudioSource`. The device tool writes PCM to its
 * stdout whenever the device delivers; those chunks go into a ring, and the media clock's
 * `read()` takes one frame from the ring. `read()` never waits: when a frame is not there yet
 * (an underrun) it gives silence and counts it, so a slow or stalled device costs audio, never
 * the clock's timing.
 *
 * Latency stays bounded two ways. The ring holds at most `maxBufferMs` (older audio is
 * overwritten and counted). And since the device's clock and the media clock drift apart (a
 * sound card's crystal is off by up to ~100 ppm), the lowest fill level over each second of
 * reads is watched: when even that stayed above one frame, the excess is audio that will never
 * be needed to cover jitter, and is dropped (counted as trimmed).
 */
import { frameSize } from '../../../media/audio-frame.js';
import type { AudioFormat, AudioSource } from '../../../media/audio-frame.js';
import { Resampler } from '../../../media/resampler.js';
import type { AudioBackend, StreamParams } from './audio-backend.js';
import type { AudioDeviceError } from './audio-device-error.js';
import { DeviceTool } from './device-tool.js';
import { applyLevel, checkLevel } from './level.js';
import { PcmRing } from './pcm-ring.js';

export interface CaptureStats {
  /** Frames handed to the media clock (audio or silence). */
  framesRead: number;
  /** Reads that found less than a frame after audio had started flowing (silence given). */
  underruns: number;
  /** Reads before the device delivered anything (silence given, not an underrun). */
  startupFrames: number;
  /** Audio thrown away to keep latency bounded: overwritten in a full ring, or trimmed. */
  droppedMs: number;
  /** Audio waiting in the ring now. */
  bufferedMs: number;
}

export interface DeviceCaptureOptions {
  backend: AudioBackend;
  /** The backend's device name; undefined for the default input. */
  device: string | undefined;
  format: AudioFormat;
  params: Omit<StreamParams, 'rate'>;
  /** Run the tool at this rate and resample here (default: the format's rate; the server converts). */
  deviceRate?: number;
  level: number;
  maxBufferMs: number;
  env: NodeJS.ProcessEnv;
  onError?: (err: AudioDeviceError) => void;
  /** The sound server moved the stream to another device (see `AudioBackend.movedLine`). */
  onMoved?: (device: string) => void;
}

/** Reads per drift-check window: one second of 20 ms frames. */
const TRIM_WINDOW_READS = 50;

export class DeviceCapture implements AudioSource {
  readonly format: AudioFormat;
  readonly device: string | undefined;
  readonly backend: AudioBackend['name'];
  /** Resolves once the device is open; rejects with an `AudioDeviceError` if it cannot be. */
  readonly ready: Promise<void>;
  private readonly tool: DeviceTool;
  private readonly ring: PcmRing;
  private readonly resampler: Resampler | undefined;
  private readonly frameLength: number;
  private levelValue: number;
  private started = false;
  private isClosed = false;
  private minFill = Infinity;
  private windowReads = 0;
  private trimmed = 0;
  private readonly counts = { framesRead: 0, underruns: 0, startupFrames: 0 };

  constructor(opts: DeviceCaptureOptions) {
    this.format = opts.format;
    this.device = opts.device;
    this.backend = opts.backend.name;
    this.frameLength = frameSize(opts.format);
    this.levelValue = checkLevel(opts.level, 'input level');
    const rate = opts.format.sampleRate;
    this.ring = new PcmRing(Math.max(2 * this.frameLength, Math.ceil((opts.maxBufferMs * rate) / 1000)));
    const deviceRate = opts.deviceRate ?? rate;
    this.resampler = deviceRate !== rate ? new Resampler(deviceRate, rate) : undefined;
    const carry = deviceRate !== rate ? new PcmRing(4096) : undefined; // bytes → samples before resampling
    this.tool = new DeviceTool({
      backend: opts.backend,
      direction: 'input',
      device: opts.device,
      command: opts.backend.captureCommand(opts.device, { ...opts.params, rate: deviceRate }),
      env: opts.env,
      onFailure: (err) => opts.onError?.(err),
      ...(opts.onMoved ? { onMoved: opts.onMoved } : {}),
    });
    this.ready = this.tool.ready;
    this.tool.child.stdout!.on('data', (chunk: Buffer) => {
      if (this.isClosed) return;
      this.tool.markReady();
      this.started = true;
      if (!this.resampler || !carry) {
        this.ring.writeBytesLE(chunk);
        return;
      }
      carry.writeBytesLE(chunk);
      const samples = new Int16Array(carry.length);
      carry.read(samples);
      this.ring.write(this.resampler.process(samples));
    });
  }

  /** The software input level, 0..1.5 (1 = as the device gives it). */
  get level(): number {
    return this.levelValue;
  }

  set level(value: number) {
    this.levelValue = checkLevel(value, 'input level');
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Audio has started to flow from the device (before that, reads give startup silence). */
  get flowing(): boolean {
    return this.started;
  }

  /** Why the device stopped, if it failed. */
  get error(): AudioDeviceError | undefined {
    return this.tool.error;
  }

  get pid(): number | undefined {
    return this.tool.pid;
  }

  read(out: Int16Array): boolean {
    if (this.isClosed) {
      out.fill(0);
      return false;
    }
    this.counts.framesRead++;
    const got = this.ring.read(out);
    if (!got) {
      out.fill(0);
      if (this.started) this.counts.underruns++;
      else this.counts.startupFrames++;
    } else {
      applyLevel(out, this.levelValue);
    }
    if (this.started) this.watchDrift();
    return true;
  }

  stats(): CaptureStats {
    const rate = this.format.sampleRate;
    return {
      ...this.counts,
      droppedMs: ((this.ring.overwritten + this.trimmed) * 1000) / rate,
      bufferedMs: (this.ring.length * 1000) / rate,
    };
  }

  /** Stop the device tool (by its PID). Idempotent; resolves when it has exited. */
  async close(): Promise<void> {
    this.isClosed = true;
    this.ring.clear();
    await this.tool.stop();
  }

  private watchDrift(): void {
    this.minFill = Math.min(this.minFill, this.ring.length);
    if (++this.windowReads < TRIM_WINDOW_READS) return;
    const excess = this.minFill - this.frameLength;
    if (excess > 0) this.trimmed += this.ring.discard(excess);
    this.minFill = Infinity;
    this.windowReads = 0;
  }
}

