/**
 * The browser as the handset: microphone and speaker bridged to the engine over localhost by
 * a WebSocket (`/api/audio`, src/api/audio-bridge.ts) and two AudioWorklets
 * (audio-worklet.ts). docs/decisions.md says why this transport and what it adds.
 *
 *   microphone ─getUserMedia (echo cancellation, noise suppression, gain control; the chosen
 *     device)─▶ level ─▶ softphone-capture worklet ─20 ms s16 frames─▶ WebSocket ─▶ engine
 *   engine (the call's sink) ─20 ms s16 frames─▶ WebSocket ─▶
 *     softphone-playback worklet (adaptive 40–120 ms buffer) ─▶ level ─▶ speaker (the chosen
 *     one: AudioContext.setSinkId, else an <audio> element's setSinkId, else the default)
 *
 * The app attaches the call that is up (established, or with early media) and detaches at the
 * end, on hold or on switching lines. The chosen devices (devices.ts) and the levels apply
 * live. When the socket drops while the call is attached (the engine's API restarted, a
 * network blip) the bridge reconnects with back-off (0.25 s doubling to 4 s) and carries on
 * with the same microphone and speaker; only a close that means "no more audio for this
 * call" (1000 call ended, 4000 another tab took it, 4400 refused hello) is final. The call
 * screen reads `audioBridgeStatus()` and re-renders on `onAudioStatus`.
 *
 * For end-to-end tests: `window.__softphoneAudioTap(seconds?)` returns what the page was given
 * to play for the last call (its last `seconds`, up to 20 s, s16 at the context's rate) and the
 * number of samples received in all;
 * `window.__softphoneAudioDrop()` closes the audio socket as a network drop would (the bridge
 * reconnects); `window.__softphoneAudioDevices()` says which microphone and speaker are in use;
 * `window.__softphoneAudioRoute()` says how the sound reaches the speaker ('context',
 * 'element' with the element's stream and whether it plays, or 'default').
 */
import workletUrl from './audio-worklet.ts?worker&url';
import { socketUrl } from './api.js';
import { outputChoice } from './devices.js';

export interface AudioBridge {
  /** Short words for the call screen, e.g. "browser audio (WebRTC, 12 ms)". */
  describe(): string;
  /** Starts carrying audio for a call that is up. */
  attach(callId: string, devices?: AudioDevices): Promise<void>;
  /** Stops carrying audio for a call (hang up, hold, switch). */
  detach(callId: string): void;
}

export interface AudioDevices {
  /** The browser microphone chosen in Settings (a deviceId); null/absent: the system default. */
  input?: string | null;
  /** The browser speaker chosen in Settings (a sink id); null/absent: the system default. */
  output?: string | null;
}

export interface AudioLevels {
  /** Percent, 0-100. */
  input: number;
  output: number;
}

export type AudioState =
  | 'idle'
  | 'connecting'
  | 'reconnecting'
  | 'connected'
  | 'no-permission'
  | 'no-microphone'
  | 'unsupported'
  | 'failed';

export interface AudioStatus {
  state: AudioState;
  /** Audio flows both ways. */
  connected: boolean;
  text: string;
}

export const NO_AUDIO_BRIDGE = 'audio bridge not connected';

const TAP_SECONDS = 20;
/** Reconnect back-off: the first retry after this long, doubling up to MAX. */
export const RECONNECT_FIRST_MS = 250;
export const RECONNECT_MAX_MS = 4000;

/** The delay before reconnect attempt `n` (0-based): 0.25, 0.5, 1, 2, 4, 4 … s. */
export function reconnectDelay(n: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** Math.min(n, 10));
}

type Listener = (s: AudioStatus) => void;
const listeners = new Set<Listener>();
let bridge: AudioBridge | null = null;

export function setAudioBridge(b: AudioBridge | null): void {
  bridge = b;
  notify();
}

export function audioBridge(): AudioBridge | null {
  return bridge;
}

/** What the call screen shows about audio for a call that is up. */
export function audioBridgeStatus(): AudioStatus {
  if (!bridge) return { state: 'idle', connected: false, text: NO_AUDIO_BRIDGE };
  if (bridge instanceof WebSocketAudioBridge) return bridge.status();
  return { state: 'connected', connected: true, text: bridge.describe() };
}

/** Calls `fn` whenever the audio status changes; returns the unsubscribe. */
export function onAudioStatus(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function notify(): void {
  const s = audioBridgeStatus();
  for (const fn of listeners) fn(s);
}

type MicState = 'pending' | 'ok' | 'no-permission' | 'no-microphone' | 'unsupported' | 'failed';
/** connecting: a socket is opening; open; waiting: a retry is scheduled; closed: final. */
type SocketState = 'connecting' | 'open' | 'waiting' | 'closed';

interface Session {
  callId: string;
  ws: WebSocket | null;
  socket: SocketState;
  socketReason: string;
  /** Some socket of this session was open once: a later close is a drop, not a refusal. */
  wasOpen: boolean;
  /** Failed attempts since the last open socket. */
  attempt: number;
  retry: ReturnType<typeof setTimeout> | null;
  mic: MicState;
  micReason: string;
  /** A remark on the microphone in use (the chosen one is missing, a switch failed). */
  micNote: string;
  /** Bumped on each microphone (re)open, so a slow older one is dropped. */
  micGen: number;
  stream: MediaStream | null;
  source: MediaStreamAudioSourceNode | null;
  micGain: GainNode;
  capture: AudioWorkletNode;
  playback: AudioWorkletNode;
  closed: boolean;
}

function errorName(e: unknown): string {
  const name = (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

function micProblem(e: unknown): { mic: MicState; reason: string } {
  const name = errorName(e);
  if (name === 'NotAllowedError' || name === 'SecurityError') return { mic: 'no-permission', reason: 'no microphone permission' };
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return { mic: 'no-microphone', reason: 'no microphone found' };
  if (name === 'NotReadableError') return { mic: 'failed', reason: 'the microphone is in use by another program' };
  return { mic: 'failed', reason: `the microphone failed (${e instanceof Error ? e.message : String(e)})` };
}

function micConstraints(deviceId: string | null | undefined): MediaStreamConstraints {
  return {
    audio: {
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
      channelCount: 1,
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    },
  };
}

type SinkContext = AudioContext & { setSinkId(id: string): Promise<void>; sinkId?: string | { type: string } };

/** Why a socket closed, in words, and whether it is the end of this call's audio. */
function closeMeaning(code: number, reason: string, wasOpen: boolean): { final: boolean; text: string } {
  if (code === 1000) return { final: true, text: 'the call ended' };
  if (code === 4000) return { final: true, text: 'another tab took this call’s audio' };
  if (code === 4400) return { final: true, text: `the engine refused the audio hello${reason ? ` (${reason})` : ''}` };
  if (!wasOpen) return { final: false, text: 'the engine did not accept the audio socket' };
  return { final: false, text: `the audio connection dropped (${code}${reason ? ` ${reason}` : ''})` };
}

/** The bridge over `/api/audio`. */
export class WebSocketAudioBridge implements AudioBridge {
  private ctx: AudioContext | null = null;
  private loading: Promise<AudioContext> | null = null;
  /** The speaker level; every call's playback goes through it to the output. */
  private master: GainNode | null = null;
  /** The <audio> element route, for browsers that can choose a speaker only for media elements. */
  private element: { dest: MediaStreamAudioDestinationNode; el: HTMLAudioElement } | null = null;
  private viaElement = false;
  private outputQueue: Promise<void> = Promise.resolve();
  private sinkNote = '';
  private session: Session | null = null;
  private devices: AudioDevices = {};
  private levels: AudioLevels = { input: 100, output: 100 };
  private tap: Int16Array[] = [];
  private tapSamples = 0;
  private tapTotal = 0;
  private playStats = '';

  constructor() {
    // Back online: retry a dropped socket now rather than at the end of its back-off.
    window.addEventListener('online', () => {
      const s = this.session;
      if (s && s.socket === 'waiting') this.connect(s);
    });
  }

  describe(): string {
    return this.status().text;
  }

  status(): AudioStatus {
    const s = this.session;
    if (!s) return { state: 'idle', connected: false, text: NO_AUDIO_BRIDGE };
    if (s.socket === 'closed') return { state: 'failed', connected: false, text: `${NO_AUDIO_BRIDGE} (${s.socketReason})` };
    if (s.socket !== 'open' && (s.wasOpen || s.attempt > 0)) {
      const again = s.wasOpen ? 'reconnecting…' : 'trying again…';
      return { state: 'reconnecting', connected: false, text: `${NO_AUDIO_BRIDGE} (${s.socketReason}; ${again})` };
    }
    if (s.socket === 'connecting' || s.mic === 'pending') return { state: 'connecting', connected: false, text: `${NO_AUDIO_BRIDGE} yet (connecting…)` };
    if (s.mic !== 'ok') {
      const state: AudioState = s.mic === 'no-permission' ? 'no-permission' : s.mic === 'no-microphone' ? 'no-microphone' : s.mic === 'unsupported' ? 'unsupported' : 'failed';
      return { state, connected: false, text: `${s.micReason}: you hear the call, the other side does not hear you` };
    }
    const rate = this.ctx ? `${Math.round(this.ctx.sampleRate / 100) / 10} kHz` : '';
    const parts = ['Browser audio connected', rate, this.playStats, s.micNote, this.sinkNote].filter(Boolean);
    return { state: 'connected', connected: true, text: parts.join(' · ') };
  }

  /** The audio context with the worklets loaded (one per page, resumed on use). */
  private context(): Promise<AudioContext> {
    if (this.ctx) return Promise.resolve(this.ctx);
    this.loading ??= (async () => {
      const ctx = new AudioContext({ latencyHint: 'interactive' });
      await ctx.audioWorklet.addModule(workletUrl);
      const master = ctx.createGain();
      master.gain.value = this.levels.output / 100;
      master.connect(ctx.destination);
      this.master = master;
      this.ctx = ctx;
      return ctx;
    })();
    this.loading.catch(() => (this.loading = null));
    return this.loading;
  }

  /** Uses these devices from now on, for the call that is up too. */
  setDevices(d: AudioDevices): void {
    const before = this.devices;
    this.devices = { input: d.input ?? null, output: d.output ?? null };
    if ((before.output ?? null) !== this.devices.output) this.applyOutput();
    const s = this.session;
    if (s && !s.closed && (before.input ?? null) !== this.devices.input && s.mic !== 'unsupported') void this.openMic(s);
  }

  /** Microphone and speaker levels in percent, applied at once. */
  setLevels(l: AudioLevels): void {
    this.levels = { input: clampLevel(l.input), output: clampLevel(l.output) };
    if (this.master) this.master.gain.value = this.levels.output / 100;
    if (this.session) this.session.micGain.gain.value = this.levels.input / 100;
  }

  /** Sends the page's sound to the chosen speaker, or to the default with a note why. */
  private applyOutput(): void {
    this.outputQueue = this.outputQueue.then(() => this.applyOutputNow()).catch(() => undefined);
  }

  private async applyOutputNow(): Promise<void> {
    const ctx = this.ctx;
    const master = this.master;
    if (!ctx || !master) return;
    const want = this.devices.output ?? '';
    const how = outputChoice();
    let note = '';
    if (how === 'context') {
      const c = ctx as SinkContext;
      const now = typeof c.sinkId === 'string' ? c.sinkId : '';
      if (now !== want) {
        try {
          await c.setSinkId(want);
        } catch {
          note = 'the chosen speaker is not available: playing on the system default';
          await c.setSinkId('').catch(() => undefined);
        }
      }
    } else if (how === 'element' && want) {
      if (!this.element) {
        const dest = ctx.createMediaStreamDestination();
        const el = new Audio();
        el.srcObject = dest.stream;
        this.element = { dest, el };
      }
      const { dest, el } = this.element;
      try {
        await el.setSinkId(want);
      } catch {
        note = 'the chosen speaker is not available: playing on the system default';
        await el.setSinkId('').catch(() => undefined);
      }
      if (!this.viaElement) {
        master.disconnect();
        master.connect(dest);
        this.viaElement = true;
      }
      await el.play().catch(() => undefined);
    } else if (want) {
      note = 'this browser cannot choose the speaker: playing on the system default';
    }
    if ((how !== 'element' || !want) && this.viaElement) {
      master.disconnect();
      master.connect(ctx.destination);
      this.viaElement = false;
      this.element?.el.pause();
    }
    this.sinkNote = note;
    notify();
  }

  async attach(callId: string, devices?: AudioDevices): Promise<void> {
    if (this.session?.callId === callId && !this.session.closed) return;
    if (this.session) this.detach(this.session.callId);
    if (devices) this.devices = { input: devices.input ?? null, output: devices.output ?? null };
    if (typeof AudioContext === 'undefined' || typeof AudioWorkletNode === 'undefined') {
      throw new Error('this browser has no AudioWorklet');
    }
    const ctx = await this.context();
    void ctx.resume().catch(() => undefined);
    this.applyOutput();

    const playback = new AudioWorkletNode(ctx, 'softphone-playback', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { targetMs: 40, minMs: 40, maxMs: 120 },
    });
    playback.connect(this.master!);
    const capture = new AudioWorkletNode(ctx, 'softphone-capture', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
    const micGain = ctx.createGain();
    micGain.gain.value = this.levels.input / 100;
    micGain.connect(capture);
    const s: Session = {
      callId,
      ws: null,
      socket: 'connecting',
      socketReason: '',
      wasOpen: false,
      attempt: 0,
      retry: null,
      mic: 'pending',
      micReason: '',
      micNote: '',
      micGen: 0,
      stream: null,
      source: null,
      micGain,
      capture,
      playback,
      closed: false,
    };
    this.session = s;
    this.tap = [];
    this.tapSamples = 0;
    this.tapTotal = 0;
    this.playStats = '';
    playback.onprocessorerror = () => {
      s.socket = 'closed';
      s.socketReason = 'the playback worklet failed';
      this.teardown(s);
      notify();
    };
    playback.port.onmessage = (e: MessageEvent<{ type: string; bufferedMs: number; targetMs: number; underruns: number }>) => {
      if (e.data?.type !== 'stats') return;
      const text = `buffer ${Math.round(e.data.targetMs)} ms${e.data.underruns ? `, ${e.data.underruns} underruns` : ''}`;
      if (text === this.playStats) return;
      this.playStats = text;
      notify();
    };
    capture.onprocessorerror = () => {
      s.mic = 'failed';
      s.micReason = 'the capture worklet failed';
      notify();
    };
    // The microphone's frames go to whichever socket is open now (it changes on reconnect).
    capture.port.onmessage = (e: MessageEvent<Int16Array>) => {
      const ws = s.ws;
      if (s.mic !== 'ok') return;
      if (ws && ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 64 * 1024) ws.send(e.data);
    };

    this.connect(s);
    notify();
    // The microphone, in parallel with the socket.
    await this.openMic(s);
  }

  /** Opens (or reopens) the audio socket of a session. */
  private connect(s: Session): void {
    if (s.closed) return;
    if (s.retry) clearTimeout(s.retry);
    s.retry = null;
    const ctx = this.ctx!;
    const ws = new WebSocket(socketUrl('/api/audio', { call: s.callId }));
    ws.binaryType = 'arraybuffer';
    s.ws = ws;
    s.socket = 'connecting';
    ws.onopen = () => {
      if (s.ws !== ws) return;
      s.socket = 'open';
      s.wasOpen = true;
      s.attempt = 0;
      s.socketReason = '';
      ws.send(JSON.stringify({ type: 'hello', sampleRate: ctx.sampleRate }));
      notify();
    };
    ws.onmessage = (m: MessageEvent<ArrayBuffer | string>) => {
      if (s.ws !== ws || typeof m.data === 'string') return;
      const frame = new Int16Array(m.data);
      this.record(frame);
      s.playback.port.postMessage(frame, [frame.buffer]);
    };
    ws.onclose = (e) => {
      if (s.closed || s.ws !== ws) return;
      const wasOpen = s.socket === 'open';
      const meaning = closeMeaning(e.code, e.reason, wasOpen || s.wasOpen);
      s.socketReason = meaning.text;
      if (meaning.final) {
        s.socket = 'closed';
        this.teardown(s);
      } else {
        // The call still needs audio: try again after a back-off.
        s.socket = 'waiting';
        const delay = reconnectDelay(s.attempt++);
        s.retry = setTimeout(() => this.connect(s), delay);
      }
      notify();
    };
    notify();
  }

  /** Opens the chosen microphone (or the default when it is missing) into the session's capture. */
  private async openMic(s: Session): Promise<void> {
    const gen = ++s.micGen;
    const input = this.devices.input ?? null;
    const switching = s.stream !== null;
    if (!navigator.mediaDevices?.getUserMedia) {
      s.mic = 'unsupported';
      s.micReason = 'this page cannot use a microphone (it needs http://127.0.0.1 or https)';
      notify();
      return;
    }
    let stream: MediaStream;
    let note = '';
    try {
      try {
        stream = await navigator.mediaDevices.getUserMedia(micConstraints(input));
      } catch (e) {
        const name = errorName(e);
        if (!input || (name !== 'OverconstrainedError' && name !== 'NotFoundError')) throw e;
        stream = await navigator.mediaDevices.getUserMedia(micConstraints(null));
        note = 'the chosen microphone is not connected: using the system default';
      }
    } catch (e) {
      if (s.closed || gen !== s.micGen) return;
      const p = micProblem(e);
      if (switching) {
        s.micNote = `could not switch the microphone (${p.reason})`;
      } else {
        s.mic = p.mic;
        s.micReason = p.reason;
      }
      notify();
      return;
    }
    if (s.closed || gen !== s.micGen) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    const ctx = this.ctx!;
    const source = ctx.createMediaStreamSource(stream);
    source.connect(s.micGain);
    s.source?.disconnect();
    for (const t of s.stream?.getTracks() ?? []) t.stop();
    s.stream = stream;
    s.source = source;
    s.mic = 'ok';
    s.micNote = note;
    // Unplugged during the call: take the chosen one again if it is back, else the default.
    for (const t of stream.getAudioTracks()) {
      t.onended = () => {
        if (!s.closed && s.stream === stream) void this.openMic(s);
      };
    }
    notify();
  }

  detach(callId: string): void {
    const s = this.session;
    if (!s || s.callId !== callId) return;
    this.teardown(s);
    this.session = null;
    notify();
  }

  private teardown(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    if (s.retry) clearTimeout(s.retry);
    s.retry = null;
    const ws = s.ws;
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) ws.close(1000, 'detached');
    s.capture.port.close();
    s.capture.disconnect();
    s.micGain.disconnect();
    s.source?.disconnect();
    for (const t of s.stream?.getTracks() ?? []) t.stop();
    s.playback.port.close();
    s.playback.disconnect();
  }

  /** For tests: closes the audio socket the way a dropped connection would end it. */
  dropSocket(): boolean {
    const ws = this.session?.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.close(4001, 'dropped for a test');
    return true;
  }

  private record(frame: Int16Array): void {
    const max = (this.ctx?.sampleRate ?? 48000) * TAP_SECONDS;
    this.tap.push(frame.slice());
    this.tapSamples += frame.length;
    this.tapTotal += frame.length;
    while (this.tapSamples > max && this.tap.length > 1) this.tapSamples -= this.tap.shift()!.length;
  }

  /**
   * What the page was given to play for the last call (s16 at the context's rate): the last
   * `seconds` of it (default all that is kept, 20 s), and how many samples came in all.
   */
  tapped(seconds = TAP_SECONDS): { sampleRate: number; samples: number[]; total: number } {
    const rate = this.ctx?.sampleRate ?? 48000;
    const want = Math.max(0, Math.round(seconds * rate));
    const out: number[] = [];
    for (let i = this.tap.length - 1; i >= 0 && out.length < want; i--) {
      const f = this.tap[i]!;
      for (let j = f.length - 1; j >= 0 && out.length < want; j--) out.push(f[j]!);
    }
    out.reverse();
    return { sampleRate: rate, samples: out, total: this.tapTotal };
  }

  /** How the page's sound reaches the speaker now (for tests). */
  route(): { route: 'context' | 'element' | 'default'; playing: boolean; stream: MediaStream | null } {
    if (this.viaElement && this.element) return { route: 'element', playing: !this.element.el.paused, stream: this.element.dest.stream };
    return { route: outputChoice() === 'context' ? 'context' : 'default', playing: this.ctx?.state === 'running', stream: null };
  }

  /** For tests: the microphone and speaker in use for the call that is up. */
  inUse(): { input: string | null; output: string | null } {
    const track = this.session?.stream?.getAudioTracks()[0];
    const sink = (this.ctx as SinkContext | null)?.sinkId;
    return {
      input: track?.getSettings().deviceId ?? null,
      output: this.viaElement && this.element ? this.element.el.sinkId : typeof sink === 'string' ? sink : null,
    };
  }
}

function clampLevel(v: number): number {
  return Number.isFinite(v) ? Math.max(0, Math.min(100, v)) : 100;
}

/** The page's bridge, installed once by the app. */
export function installAudioBridge(): WebSocketAudioBridge {
  const b = new WebSocketAudioBridge();
  setAudioBridge(b);
  const w = window as unknown as Record<string, unknown>;
  w.__softphoneAudioTap = (seconds?: number) => b.tapped(seconds);
  w.__softphoneAudioDrop = () => b.dropSocket();
  w.__softphoneAudioDevices = () => b.inUse();
  w.__softphoneAudioRoute = () => b.route();
  return b;
}
