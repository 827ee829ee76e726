/**
 * System audio for the Node runtime (PulseAudio/PipeWire, ALSA): the CLI and the engine reach
 * platform/node/audio through here, as they reach sockets and timers through node.ts.
 *
 * `SystemHandset` is the engine's handset on the sound system ('audio.handset': 'system'): a
 * call's microphone and speaker for phone/call-audio-hub.ts while no browser page is attached.
 * `SystemRinger` rings on that speaker while an incoming call waits (and plays the ringback of
 * an outgoing call that rings).
 */
import type { AudioFormat, AudioSource } from '../media/audio-frame.js';
import { audioFormat, createFrame } from '../media/audio-frame.js';
import { RING_TONES, ringToneSource } from '../media/ring-tones.js';
import type { RingKind } from '../media/ring-tones.js';
import { openWavFileSource } from '../media/wav-file-node.js';
import type { Tickable } from '../media/media-stream.js';
import type { DeviceHandset, DeviceStatus } from '../phone/call-audio-hub.js';
import type { AudioBackendName, AudioDeviceError, AudioDirection, DeviceCapture, DevicePlayback } from '../platform/node/audio/index.js';
import { openCapture, openPlayback, resolveAudioDevice } from '../platform/node/audio/index.js';
import { sharedMediaClock } from '../platform/node/media-clock.js';

export {
  AudioDeviceError,
  MAX_LEVEL,
  checkLevel,
  detectAudioBackend,
  listAudioDevices,
  openCapture,
  openPlayback,
  parseDeviceSpec,
  resolveAudioDevice,
  type AudioBackendName,
  type AudioDevice,
  type AudioDeviceList,
  type AudioDirection,
  type CaptureStats,
  type DeviceCapture,
  type DevicePlayback,
  type OpenAudioOptions,
  type PlaybackStats,
} from '../platform/node/audio/index.js';

/** Which sound system, and the environment its tools run in (PULSE_SERVER, ALSA_CONFIG_PATH ...). */
export interface SystemAudioOptions {
  /** Default: detected (PulseAudio when a server answers, else ALSA). */
  backend?: AudioBackendName;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface SystemHandsetOptions extends SystemAudioOptions {
  /** The devices as the sound system names them (`t1.monitor`, `alsa:plughw:0,0`); null or empty: the default. */
  input: string | null;
  output: string | null;
  /** Software levels, 0..1.5 (1: as is). */
  inputLevel?: number;
  outputLevel?: number;
  format: AudioFormat;
  /** Prefix of the streams' names in the sound server's mixer. */
  streamName?: string;
  /** How the devices are doing: at once (opening, as named), then as each opens or fails. */
  report(status: DeviceStatus): void;
}

/** The sound system options as the device functions take them (no undefined members). */
function systemOf(o: SystemAudioOptions): SystemAudioOptions {
  return { ...(o.backend ? { backend: o.backend } : {}), ...(o.env ? { env: o.env } : {}) };
}

const SIDE: Record<AudioDirection, string> = { input: 'system microphone', output: 'system speaker' };

/** Waits before each reopening of a device that stopped during a call (then it stays failed). */
const REOPEN_DELAYS_MS = [250, 500, 1000, 2000, 4000];

/**
 * One call's microphone and speaker on the sound system. Both open in the background, each on
 * its own: until a side is open (and for good when it cannot be: a device missing, a tool
 * that fails to start), reads give silence and writes are dropped, and `report` carries the
 * error. A side that stops after it was open is opened again (a few times, with growing
 * waits). Nothing here throws into the media clock.
 */
export class SystemHandset implements DeviceHandset {
  /** Settles when both sides have opened or failed (for tests and logs). */
  readonly opened: Promise<void>;
  private capture: DeviceCapture | undefined;
  private playback: DevicePlayback | undefined;
  private isClosed = false;
  private readonly names: Record<AudioDirection, string | null>;
  private readonly states: Record<AudioDirection, 'opening' | 'open' | 'failed'> = { input: 'opening', output: 'opening' };
  private readonly errors: Partial<Record<AudioDirection, string>> = {};
  private levels: { input: number; output: number };
  /** Reopenings of a side since it was last open (a side that stops is reopened, REOPEN_DELAYS_MS). */
  private readonly reopenings: Record<AudioDirection, number> = { input: 0, output: 0 };
  private readonly reopenTimers: Partial<Record<AudioDirection, ReturnType<typeof setTimeout>>> = {};

  constructor(private readonly opts: SystemHandsetOptions) {
    this.names = { input: opts.input || null, output: opts.output || null };
    this.levels = { input: opts.inputLevel ?? 1, output: opts.outputLevel ?? 1 };
    this.report();
    this.opened = Promise.all([this.open('input'), this.open('output')]).then(() => undefined);
  }

  read(out: Int16Array): void {
    if (!this.capture) out.fill(0);
    else this.capture.read(out);
  }

  write(frame: Int16Array, timeMs: number): void {
    this.playback?.write(frame, timeMs);
  }

  /** Change the software levels (0..1.5) of the open devices and of those still opening. */
  setLevels(input: number, output: number): void {
    this.levels = { input, output };
    if (this.capture) this.capture.level = input;
    if (this.playback) this.playback.level = output;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The tools' PIDs (for tests). */
  get pids(): number[] {
    return [this.capture?.pid, this.playback?.pid].filter((p): p is number => p !== undefined);
  }

  close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.reopenTimers.input);
    clearTimeout(this.reopenTimers.output);
    const capture = this.capture;
    const playback = this.playback;
    this.capture = undefined;
    this.playback = undefined;
    return Promise.all([capture?.close(), playback?.close(0)]).then(
      () => undefined,
      () => undefined,
    );
  }

  private async open(direction: AudioDirection): Promise<void> {
    const sys = systemOf(this.opts);
    try {
      const device = await resolveAudioDevice(this.names[direction] ?? undefined, direction, sys);
      if (this.isClosed) return;
      const common = {
        ...sys,
        streamName: `${this.opts.streamName ?? 'softphone engine'} ${direction === 'input' ? 'microphone' : 'speaker'}`,
        onError: (err: AudioDeviceError) => this.fail(direction, err),
        onMoved: (name: string) => this.moved(direction, name),
      };
      if (direction === 'input') {
        const capture = openCapture(device, this.opts.format, { ...common, level: this.levels.input });
        this.capture = capture;
        await capture.ready;
      } else {
        const playback = openPlayback(device, this.opts.format, { ...common, level: this.levels.output });
        this.playback = playback;
        await playback.ready;
      }
      if (this.isClosed || this.errors[direction]) return;
      this.names[direction] = device.id;
      this.states[direction] = 'open';
      this.reopenings[direction] = 0;
      this.report();
    } catch (err) {
      this.fail(direction, err);
    }
  }

  /** The sound server moved this side to another device (its own went away): say which, it is open there. */
  private moved(direction: AudioDirection, name: string): void {
    if (this.isClosed || this.errors[direction] || this.names[direction] === name) return;
    this.names[direction] = name;
    this.report();
  }

  /**
   * A side failed. One that was open and stopped (its tool died, the sound server restarted or
   * killed the stream) is reopened after a growing delay, REOPEN_DELAYS_MS.length times at
   * most, meanwhile silent and reported as opening with the reason; one that never opened
   * (missing, refused) stays failed.
   */
  private fail(direction: AudioDirection, err: unknown): void {
    if (this.isClosed || this.errors[direction]) return;
    const message = err instanceof Error ? err.message : String(err);
    const wasOpen = this.states[direction] === 'open' || this.reopenings[direction] > 0;
    const attempt = this.reopenings[direction];
    if (wasOpen && attempt < REOPEN_DELAYS_MS.length) {
      this.reopenings[direction] = attempt + 1;
      this.dropSide(direction);
      this.errors[direction] = `${SIDE[direction]}: ${message}; reopening`;
      this.states[direction] = 'opening';
      this.report();
      this.reopenTimers[direction] = setTimeout(() => {
        if (this.isClosed) return;
        delete this.errors[direction];
        void this.open(direction);
      }, REOPEN_DELAYS_MS[attempt]);
      return;
    }
    this.errors[direction] = `${SIDE[direction]}: ${message}`;
    this.states[direction] = 'failed';
    this.report();
  }

  /** Let go of a side's device (it failed; it may be opened again). */
  private dropSide(direction: AudioDirection): void {
    const device = direction === 'input' ? this.capture : this.playback;
    if (direction === 'input') this.capture = undefined;
    else this.playback = undefined;
    void device?.close().catch(() => undefined);
  }

  private report(): void {
    const errors = [this.errors.input, this.errors.output].filter((e): e is string => e !== undefined);
    this.opts.report({
      input: { device: this.names.input, state: this.states.input },
      output: { device: this.names.output, state: this.states.output },
      ...(errors.length ? { error: errors.join('; ') } : {}),
    });
  }
}

export interface SystemRingerOptions extends SystemAudioOptions {
  /** The speaker as the sound system names it; null or empty: the default. */
  output: string | null;
  /** Software level, 0..1.5. */
  level: number;
  /** A built-in ringtone (media/ring-tones.ts) or the path of a WAV file, played in a loop. */
  tone: string;
  kind: RingKind;
  /** Why it could not ring (the device, or a ringtone file that does not read). */
  onError?(message: string): void;
}

/** Ringtones are rendered at this rate (wide enough for the chime's 1318 Hz and the trill's 1600 Hz). */
const RING_FORMAT = audioFormat(16000);
/** Peak of the built-in ringtones before the level (the page's ringer plays at 0.3 too). */
const RING_AMPLITUDE = 0.3;

/**
 * Rings on the sound system's speaker until stopped: on each tick of the shared media clock,
 * the ringtone's frames that are due (two ahead of the clock) go to a playback device.
 * Everything happens in the background; a device or a file that fails is reported through
 * `onError` and nothing rings.
 */
export class SystemRinger implements Tickable {
  private playback: DevicePlayback | undefined;
  private source: AudioSource | undefined;
  private readonly frame = createFrame(RING_FORMAT);
  private t0 = 0;
  private written = 0;
  private stopped = false;

  constructor(private readonly opts: SystemRingerOptions) {
    this.start().catch((err: unknown) => {
      if (!this.stopped) opts.onError?.(`the ringtone did not play: ${err instanceof Error ? err.message : String(err)}`);
      void this.stop();
    });
  }

  stop(): Promise<void> {
    this.stopped = true;
    sharedMediaClock().remove(this);
    const playback = this.playback;
    this.playback = undefined;
    return playback ? playback.close(0) : Promise.resolve();
  }

  tick(nowMs: number): void {
    const { playback, source, frame } = this;
    if (!playback || !source) return;
    const due = Math.floor((nowMs - this.t0) / RING_FORMAT.frameMs) + 2;
    for (; this.written < due; this.written++) {
      source.read(frame);
      playback.write(frame, this.written * RING_FORMAT.frameMs);
    }
  }

  private async start(): Promise<void> {
    const o = this.opts;
    const source = await this.ringtone();
    if (!source || this.stopped) return;
    const sys = systemOf(o);
    const device = await resolveAudioDevice(o.output || undefined, 'output', sys);
    if (this.stopped) return;
    const playback = openPlayback(device, RING_FORMAT, {
      ...sys,
      level: o.level,
      streamName: 'softphone engine ringtone',
      onError: (err) => o.onError?.(`the ringtone's speaker: ${err.message}`),
    });
    this.playback = playback;
    await playback.ready;
    if (this.stopped) return;
    this.source = source;
    const clock = sharedMediaClock();
    this.t0 = clock.now();
    this.tick(this.t0);
    clock.add(this);
  }

  /** The built-in tone (ringback and call waiting are always built in), else the WAV file. */
  private async ringtone(): Promise<AudioSource | undefined> {
    const { tone, kind } = this.opts;
    if (kind !== 'ring' || (RING_TONES as readonly string[]).includes(tone)) return ringToneSource(RING_FORMAT, tone, kind, RING_AMPLITUDE);
    const file = await openWavFileSource(tone, RING_FORMAT, { loop: true });
    if (file.ok) return file.value;
    this.opts.onError?.(`the ringtone "${tone}" is not a built-in one (${RING_TONES.join(', ')}) nor a WAV file that reads (${file.error.message}); ringing the default`);
    return ringToneSource(RING_FORMAT, 'default', 'ring', RING_AMPLITUDE);
  }
}
