/**
 * Per-call audio that a client (the browser page, over api/audio-bridge.ts) can attach to, and
 * that otherwise goes to the engine's sound devices (the 'audio.handset' setting) or nowhere.
 *
 * The engine's default CallAudio (main/node-engine.ts) comes from `hub.callAudio(callId)`:
 *   - the call's AudioSource reads from the attached client's ring buffer, filled with the
 *     client's frames resampled to the call's rate; with no client, or when the buffer runs dry
 *     (an underrun, counted), it reads silence;
 *   - the call's AudioSink resamples what the call hears to the client's rate and hands it to
 *     the client in 20 ms frames; with no client it drops it.
 * One client per call: a second attach replaces the first. `end(callId)` (the call ended)
 * detaches its client and forgets the call.
 *
 * Sound devices (a desk phone's handset, as baresip and pjsua have): when the hub was given a
 * `DeviceHandsetFactory` (main/node-engine.ts opens the system's, phone/ knows no devices), a
 * call whose audio starts with no client attached asks it for devices; the factory returns
 * undefined when the settings say calls use none. The page wins: a client that attaches
 * closes the call's devices, and when it detaches (not replaced, the call still up) the hub
 * asks the factory again, so the call goes back to the devices (with the settings of that
 * moment). What the call's audio uses now, and a device's error, is `info(callId)` and the
 * `audio` event (the engine puts it in CallInfo.audio).
 *
 * The ring buffer is primed with PRIME_FRAMES before the call reads from it (the client's
 * frames arrive on the network's and the browser's schedule, the call reads on the media
 * clock's) and trimmed back to the prime level when it grows past MAX_FRAMES (the two clocks
 * drift apart, or the client sent a burst after a stall); both are counted.
 */
import type { AudioFormat, AudioSink, AudioSource } from '../media/audio-frame.js';
import { frameSize } from '../media/audio-frame.js';
import { Resampler } from '../media/resampler.js';
import { Emitter } from '../platform/emitter.js';
import type { CallAudio } from './call.js';
import type { CallAudioInfo } from './engine-schemas.js';

/** Frames buffered before the call starts reading what the client sends (and after an underrun). */
export const PRIME_FRAMES = 2;
/** Above this many buffered frames the oldest are dropped back to PRIME_FRAMES. */
export const MAX_FRAMES = 8;

export interface AudioClient {
  /** The client's sample rate (48000 for most browsers). */
  readonly sampleRate: number;
  /** 20 ms of what the call hears, at the client's rate. The hub reuses nothing it passes. */
  play(frame: Int16Array): void;
  /** The call's audio started (now its rate is known). */
  started?(format: AudioFormat): void;
  /** The hub let go of this client: the call ended, or another client took the call. */
  detached?(why: 'ended' | 'replaced'): void;
}

export interface AttachmentStats {
  /** Frames (of the call's size) the call took from the client. */
  framesIn: number;
  /** Frames (of the client's size) handed to the client. */
  framesOut: number;
  /** Reads that found the buffer short after it was primed (silence played instead). */
  underruns: number;
  /** Samples (at the call's rate) dropped because the buffer grew past MAX_FRAMES. */
  droppedSamples: number;
  /** Samples (at the call's rate) waiting in the buffer now. */
  buffered: number;
}

export interface Attachment {
  /** Samples from the client at its rate, any length (normally 20 ms). */
  push(samples: Int16Array): void;
  stats(): AttachmentStats;
  /** Let go of the call (the call carries on in silence). */
  detach(): void;
}

/** A call's sound devices while no client is attached (what main/node-engine.ts opens). */
export interface DeviceHandset {
  /** The call's next frame from the microphone: fill `out`, with silence when nothing is there. Never waits. */
  read(out: Int16Array): void;
  /** A frame the call hears, for the speaker. Never waits. */
  write(frame: Int16Array, timeMs: number): void;
  /** Let go of the devices (the call ended, or a client took the call). */
  close(): void;
}

/** How a call's devices are doing (CallInfo.audio): each device, and why one failed (the call goes on, that side silent). */
export type DeviceStatus = Pick<CallAudioInfo, 'input' | 'output' | 'error'>;

/**
 * Opens the sound devices of call `id` for `format`; undefined when calls use none (the
 * settings say the browser is the handset). `report` tells the hub how the devices are doing,
 * now and later (a device missing, one that stopped).
 */
export type DeviceHandsetFactory = (call: { id: string; format: AudioFormat }, report: (status: DeviceStatus) => void) => DeviceHandset | undefined;

export interface CallAudioHubOptions {
  devices?: DeviceHandsetFactory;
}

export interface CallAudioHubEvents {
  [key: string]: unknown;
  /** What call `callId`'s audio uses changed (a client attached or left, devices opened or failed). */
  audio: { callId: string; audio: CallAudioInfo };
}

/** A ring of samples at the call's rate. */
class SampleRing {
  private buf: Int16Array;
  private start = 0;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Int16Array(capacity);
  }
  write(s: Int16Array): number {
    let dropped = 0;
    for (let i = 0; i < s.length; i++) {
      if (this.length === this.buf.length) {
        this.start = (this.start + 1) % this.buf.length;
        this.length--;
        dropped++;
      }
      this.buf[(this.start + this.length) % this.buf.length] = s[i]!;
      this.length++;
    }
    return dropped;
  }
  read(out: Int16Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.buf[(this.start + i) % this.buf.length]!;
    this.skip(out.length);
  }
  skip(n: number): void {
    n = Math.min(n, this.length);
    this.start = (this.start + n) % this.buf.length;
    this.length -= n;
  }
}

class Link implements Attachment {
  readonly client: AudioClient;
  private readonly entry: Entry;
  private up: Resampler | undefined;
  private down: Resampler | undefined;
  private ring: SampleRing | undefined;
  private primed = false;
  /** Client-rate samples waiting to make a whole 20 ms frame for the client. */
  private pending: Int16Array;
  private pendingLen = 0;
  private readonly clientFrame: number;
  private readonly counters = { framesIn: 0, framesOut: 0, underruns: 0, droppedSamples: 0 };
  private gone = false;

  constructor(entry: Entry, client: AudioClient) {
    this.entry = entry;
    this.client = client;
    this.clientFrame = frameSize({ sampleRate: client.sampleRate, frameMs: 20 });
    this.pending = new Int16Array(this.clientFrame * 2);
    if (entry.format) this.start(entry.format);
  }

  start(format: AudioFormat): void {
    const size = frameSize(format);
    this.up = format.sampleRate === this.client.sampleRate ? undefined : new Resampler(this.client.sampleRate, format.sampleRate);
    this.down = format.sampleRate === this.client.sampleRate ? undefined : new Resampler(format.sampleRate, this.client.sampleRate);
    this.ring = new SampleRing(size * (MAX_FRAMES + 4));
    this.primed = false;
    this.client.started?.(format);
  }

  push(samples: Int16Array): void {
    if (this.gone || !this.ring || !this.entry.format) return;
    const size = frameSize(this.entry.format);
    const s = this.up ? this.up.process(samples) : samples;
    this.counters.droppedSamples += this.ring.write(s);
    if (this.ring.length > MAX_FRAMES * size) {
      const extra = this.ring.length - PRIME_FRAMES * size;
      this.ring.skip(extra);
      this.counters.droppedSamples += extra;
    }
  }

  /** The call's source: fills `out` from the ring, or silence. */
  read(out: Int16Array): void {
    const ring = this.ring;
    if (!ring) return void out.fill(0);
    if (!this.primed && ring.length >= PRIME_FRAMES * out.length) this.primed = true;
    if (!this.primed) return void out.fill(0);
    if (ring.length < out.length) {
      this.counters.underruns++;
      this.primed = false;
      return void out.fill(0);
    }
    ring.read(out);
    this.counters.framesIn++;
  }

  /** The call's sink: what the call hears, to the client in its frames. */
  hear(frame: Int16Array): void {
    if (this.gone) return;
    const s = this.down ? this.down.process(frame) : frame;
    if (this.pendingLen + s.length > this.pending.length) {
      const bigger = new Int16Array(this.pendingLen + s.length + this.clientFrame);
      bigger.set(this.pending.subarray(0, this.pendingLen));
      this.pending = bigger;
    }
    this.pending.set(s, this.pendingLen);
    this.pendingLen += s.length;
    let at = 0;
    while (this.pendingLen - at >= this.clientFrame) {
      this.client.play(this.pending.slice(at, at + this.clientFrame));
      this.counters.framesOut++;
      at += this.clientFrame;
    }
    this.pending.copyWithin(0, at, this.pendingLen);
    this.pendingLen -= at;
  }

  stats(): AttachmentStats {
    return { ...this.counters, buffered: this.ring?.length ?? 0 };
  }

  detach(): void {
    this.release();
    if (this.entry.link === this) {
      this.entry.link = undefined;
      this.entry.detached();
    }
  }

  release(why?: 'ended' | 'replaced'): void {
    if (this.gone) return;
    this.gone = true;
    if (why) this.client.detached?.(why);
  }
}

interface Entry {
  format: AudioFormat | undefined;
  link: Link | undefined;
  /** The call's sound devices, while no client is attached. */
  device: DeviceHandset | undefined;
  /** Whose reports count: the devices opened last (reports of closed ones are ignored). */
  deviceToken: object | undefined;
  info: CallAudioInfo | undefined;
  /** We put the call on hold: it has no devices until it is resumed. */
  held: boolean;
  /** The client left the call (not replaced): back to the devices. */
  detached(): void;
}

export class CallAudioHub extends Emitter<CallAudioHubEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly devices: DeviceHandsetFactory | undefined;

  constructor(opts: CallAudioHubOptions = {}) {
    super();
    this.devices = opts.devices;
  }

  private entry(callId: string): Entry {
    let e = this.entries.get(callId);
    if (!e) {
      const entry: Entry = { format: undefined, link: undefined, device: undefined, deviceToken: undefined, info: undefined, held: false, detached: () => this.useDevices(callId, entry) };
      e = entry;
      this.entries.set(callId, e);
    }
    return e;
  }

  private setInfo(callId: string, entry: Entry, info: CallAudioInfo): void {
    if (this.entries.get(callId) !== entry) return; // ended
    entry.info = info;
    this.emit('audio', { callId, audio: info });
  }

  /** No client: the call's audio goes to its devices, when the factory gives any, else nowhere. */
  private useDevices(callId: string, entry: Entry): void {
    if (!entry.format || entry.link || entry.device || this.entries.get(callId) !== entry) return;
    if (entry.held) return void this.setInfo(callId, entry, { handset: 'none' });
    const token = {};
    entry.deviceToken = token;
    let reported = false;
    let device: DeviceHandset | undefined;
    try {
      device = this.devices?.({ id: callId, format: entry.format }, (status) => {
        if (entry.deviceToken !== token) return; // closed since
        reported = true;
        this.setInfo(callId, entry, { handset: 'system', ...status });
      });
    } catch (err) {
      entry.deviceToken = undefined;
      this.setInfo(callId, entry, { handset: 'none', error: `the sound devices did not open: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    if (!device) {
      entry.deviceToken = undefined;
      this.setInfo(callId, entry, { handset: 'none' });
      return;
    }
    entry.device = device;
    if (!reported) this.setInfo(callId, entry, { handset: 'system' });
  }

  private closeDevice(entry: Entry): void {
    const device = entry.device;
    entry.device = undefined;
    entry.deviceToken = undefined;
    try {
      device?.close();
    } catch {
      // closing is best effort: the devices are gone either way
    }
  }

  /** The CallAudio of call `callId`: the attached client's audio, else the devices, else silence. */
  callAudio(callId: string): CallAudio {
    const entry = this.entry(callId);
    const started = (format: AudioFormat) => {
      if (entry.format?.sampleRate === format.sampleRate && entry.format.frameMs === format.frameMs) return;
      entry.format = format;
      entry.link?.start(format);
      if (entry.device) this.closeDevice(entry); // a new format: open them again for it
      this.useDevices(callId, entry);
    };
    return {
      source: (format): AudioSource => {
        started(format);
        return {
          format,
          read(out) {
            if (entry.link) entry.link.read(out);
            else if (entry.device) entry.device.read(out);
            else out.fill(0);
            return true;
          },
        };
      },
      sink: (format): AudioSink => {
        started(format);
        return {
          format,
          write(frame, timeMs) {
            if (entry.link) entry.link.hear(frame);
            else entry.device?.write(frame, timeMs);
          },
        };
      },
    };
  }

  /** Attach `client` to call `callId` (replacing any client it had, or the call's devices). */
  attach(callId: string, client: AudioClient): Attachment {
    const entry = this.entry(callId);
    const old = entry.link;
    const link = new Link(entry, client);
    entry.link = link;
    old?.release('replaced');
    this.closeDevice(entry);
    this.setInfo(callId, entry, { handset: 'browser' });
    return link;
  }

  /**
   * We put call `callId` on hold (`held`), or resumed it. A held call lets go of its sound
   * devices, as a desk phone's handset serves the line that is up: the microphone is no longer
   * captured (the system's indicator goes out), and a device that only one stream may open
   * (an ALSA hw: device) is free for the next call. Resumed, the call opens them again (with
   * the settings of that moment). An attached client is left alone: the page decides itself
   * which call it serves.
   */
  setHeld(callId: string, held: boolean): void {
    const entry = this.entries.get(callId);
    if (!entry || entry.held === held) return;
    entry.held = held;
    if (entry.link) return;
    if (held) {
      const had = entry.device !== undefined;
      this.closeDevice(entry);
      if (had) this.setInfo(callId, entry, { handset: 'none' });
    } else {
      this.useDevices(callId, entry);
    }
  }

  /** Is a client attached to `callId`? */
  attached(callId: string): boolean {
    return this.entries.get(callId)?.link !== undefined;
  }

  /** What call `callId`'s audio uses now; undefined before its audio started (and for calls the hub does not know). */
  info(callId: string): CallAudioInfo | undefined {
    return this.entries.get(callId)?.info;
  }

  /** The call ended: detach its client, close its devices, and forget it. */
  end(callId: string): void {
    const e = this.entries.get(callId);
    if (!e) return;
    this.entries.delete(callId);
    e.link?.release('ended');
    e.link = undefined;
    this.closeDevice(e);
  }
}
