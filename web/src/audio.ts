/**
 * The browser as the handset: microphone and speaker bridged to the engine over localhost by
 * a WebSocket (`/api/audio`, src/api/audio-bridge.ts) and two AudioWorklets
 * (audio-worklet.ts). docs/decisions.md says why this transport and what it adds.
 *
 *   microphone ─getUserMedia (echo cancellation, noise suppression, gain control)─▶
 *     softphone-capture worklet ─20 ms s16 frames─▶ WebSocket ─▶ engine (the call's source)
 *   engine (the call's sink) ─20 ms s16 frames─▶ WebSocket ─▶
 *     softphone-playback worklet (adaptive 40–120 ms buffer) ─▶ speaker (setSinkId)
 *
 * The app attaches the call that is up (established, or with early media) and detaches at the
 * end, on hold or on switching lines. The call screen reads `audioBridgeStatus()` and
 * re-renders on `onAudioStatus`.
 *
 * `window.__softphoneAudioTap()` returns what the page was given to play for the last call
 * (up to 20 s, s16 at the context's rate), for end-to-end tests to judge by frequency.
 */
import workletUrl from './audio-worklet.ts?worker&url';
import { socketUrl } from './api.js';

export interface AudioBridge {
  /** Short words for the call screen, e.g. "browser audio (WebRTC, 12 ms)". */
  describe(): string;
  /** Starts carrying audio for a call that is up. */
  attach(callId: string, devices?: AudioDevices): Promise<void>;
  /** Stops carrying audio for a call (hang up, hold, switch). */
  detach(callId: string): void;
}

export interface AudioDevices {
  /** The settings' input device: a browser deviceId to prefer, when it is one. */
  input?: string | null;
  /** The settings' output device: a browser sink id, where setSinkId exists. */
  output?: string | null;
}

export type AudioState =
  | 'idle'
  | 'connecting'
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
type SocketState = 'connecting' | 'open' | 'failed' | 'closed';

interface Session {
  callId: string;
  ws: WebSocket;
  socket: SocketState;
  socketReason: string;
  mic: MicState;
  micReason: string;
  stream: MediaStream | null;
  source: MediaStreamAudioSourceNode | null;
  capture: AudioWorkletNode | null;
  playback: AudioWorkletNode;
  closed: boolean;
}

function micProblem(e: unknown): { mic: MicState; reason: string } {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return { mic: 'no-permission', reason: 'no microphone permission' };
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return { mic: 'no-microphone', reason: 'no microphone found' };
  if (name === 'NotReadableError') return { mic: 'failed', reason: 'the microphone is in use by another program' };
  return { mic: 'failed', reason: `the microphone failed (${e instanceof Error ? e.message : String(e)})` };
}

/** The bridge over `/api/audio`. */
export class WebSocketAudioBridge implements AudioBridge {
  private ctx: AudioContext | null = null;
  private loading: Promise<AudioContext> | null = null;
  private session: Session | null = null;
  private tap: Int16Array[] = [];
  private tapSamples = 0;
  private playStats = '';

  describe(): string {
    return this.status().text;
  }

  status(): AudioStatus {
    const s = this.session;
    if (!s) return { state: 'idle', connected: false, text: NO_AUDIO_BRIDGE };
    if (s.socket === 'failed' || s.socket === 'closed') return { state: 'failed', connected: false, text: `${NO_AUDIO_BRIDGE} (${s.socketReason})` };
    if (s.socket === 'connecting' || s.mic === 'pending') return { state: 'connecting', connected: false, text: `${NO_AUDIO_BRIDGE} yet (connecting…)` };
    if (s.mic !== 'ok') {
      const state: AudioState = s.mic === 'no-permission' ? 'no-permission' : s.mic === 'no-microphone' ? 'no-microphone' : s.mic === 'unsupported' ? 'unsupported' : 'failed';
      return { state, connected: false, text: `${s.micReason}: you hear the call, the other side does not hear you` };
    }
    const rate = this.ctx ? `${Math.round(this.ctx.sampleRate / 100) / 10} kHz` : '';
    return { state: 'connected', connected: true, text: `Browser audio connected${rate ? ` · ${rate}` : ''}${this.playStats ? ` · ${this.playStats}` : ''}` };
  }

  /** The audio context with the worklets loaded (one per page, resumed on use). */
  private context(): Promise<AudioContext> {
    if (this.ctx) return Promise.resolve(this.ctx);
    this.loading ??= (async () => {
      const ctx = new AudioContext({ latencyHint: 'interactive' });
      await ctx.audioWorklet.addModule(workletUrl);
      this.ctx = ctx;
      return ctx;
    })();
    this.loading.catch(() => (this.loading = null));
    return this.loading;
  }

  async attach(callId: string, devices: AudioDevices = {}): Promise<void> {
    if (this.session?.callId === callId && !this.session.closed) return;
    if (this.session) this.detach(this.session.callId);
    if (typeof AudioContext === 'undefined' || typeof AudioWorkletNode === 'undefined') {
      throw new Error('this browser has no AudioWorklet');
    }
    const ctx = await this.context();
    void ctx.resume().catch(() => undefined);
    const output = devices.output;
    const withSink = ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (output && withSink.setSinkId) void withSink.setSinkId(output).catch(() => undefined);

    const playback = new AudioWorkletNode(ctx, 'softphone-playback', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { targetMs: 40, minMs: 40, maxMs: 120 },
    });
    playback.connect(ctx.destination);
    playback.onprocessorerror = () => {
      s.socket = 'failed';
      s.socketReason = 'the playback worklet failed';
      this.teardown(s);
      notify();
    };
    const ws = new WebSocket(socketUrl('/api/audio', { call: callId }));
    ws.binaryType = 'arraybuffer';
    const s: Session = { callId, ws, socket: 'connecting', socketReason: '', mic: 'pending', micReason: '', stream: null, source: null, capture: null, playback, closed: false };
    this.session = s;
    this.tap = [];
    this.tapSamples = 0;
    this.playStats = '';
    playback.port.onmessage = (e: MessageEvent<{ type: string; bufferedMs: number; targetMs: number; underruns: number }>) => {
      if (e.data?.type !== 'stats') return;
      const text = `buffer ${Math.round(e.data.targetMs)} ms${e.data.underruns ? `, ${e.data.underruns} underruns` : ''}`;
      if (text === this.playStats) return;
      this.playStats = text;
      notify();
    };

    ws.onopen = () => {
      s.socket = 'open';
      ws.send(JSON.stringify({ type: 'hello', sampleRate: ctx.sampleRate }));
      notify();
    };
    ws.onmessage = (m: MessageEvent<ArrayBuffer | string>) => {
      if (typeof m.data === 'string') return;
      const frame = new Int16Array(m.data);
      this.record(frame);
      playback.port.postMessage(frame, [frame.buffer]);
    };
    ws.onclose = (e) => {
      if (s.closed) return;
      const wasOpen = s.socket === 'open';
      s.socket = e.code === 1000 ? 'closed' : 'failed';
      s.socketReason =
        e.code === 1000 ? 'the call ended' : e.code === 4000 ? 'another tab took this call’s audio' : !wasOpen ? 'the engine did not accept the audio socket' : `the audio socket closed (${e.code}${e.reason ? ` ${e.reason}` : ''})`;
      this.teardown(s);
      notify();
    };
    notify();

    // The microphone, in parallel with the socket.
    try {
      if (!navigator.mediaDevices?.getUserMedia) {
        s.mic = 'unsupported';
        s.micReason = 'this page cannot use a microphone (it needs http://127.0.0.1 or https)';
      } else {
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: {
            echoCancellation: true,
            noiseSuppression: true,
            autoGainControl: true,
            channelCount: 1,
            ...(devices.input ? { deviceId: { ideal: devices.input } } : {}),
          },
        });
        if (s.closed) {
          for (const t of stream.getTracks()) t.stop();
          return;
        }
        const source = ctx.createMediaStreamSource(stream);
        const capture = new AudioWorkletNode(ctx, 'softphone-capture', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
        capture.onprocessorerror = () => {
          s.mic = 'failed';
          s.micReason = 'the capture worklet failed';
          notify();
        };
        capture.port.onmessage = (e: MessageEvent<Int16Array>) => {
          if (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 64 * 1024) ws.send(e.data);
        };
        source.connect(capture);
        s.stream = stream;
        s.source = source;
        s.capture = capture;
        s.mic = 'ok';
      }
    } catch (e) {
      if (s.closed) return;
      const p = micProblem(e);
      s.mic = p.mic;
      s.micReason = p.reason;
    }
    notify();
  }

  detach(callId: string): void {
    const s = this.session;
    if (!s || s.callId !== callId) return;
    this.teardown(s);
    if (s.ws.readyState === WebSocket.OPEN || s.ws.readyState === WebSocket.CONNECTING) s.ws.close(1000, 'detached');
    this.session = null;
    notify();
  }

  private teardown(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    s.capture?.port.close();
    s.capture?.disconnect();
    s.source?.disconnect();
    for (const t of s.stream?.getTracks() ?? []) t.stop();
    s.playback.port.close();
    s.playback.disconnect();
  }

  private record(frame: Int16Array): void {
    const max = (this.ctx?.sampleRate ?? 48000) * TAP_SECONDS;
    this.tap.push(frame.slice());
    this.tapSamples += frame.length;
    while (this.tapSamples > max && this.tap.length > 1) this.tapSamples -= this.tap.shift()!.length;
  }

  /** What the page was given to play for the last call (s16 at the context's rate). */
  tapped(): { sampleRate: number; samples: number[] } {
    const out: number[] = [];
    for (const f of this.tap) for (const v of f) out.push(v);
    return { sampleRate: this.ctx?.sampleRate ?? 48000, samples: out };
  }
}

/** The page's bridge, installed once by the app. */
export function installAudioBridge(): WebSocketAudioBridge {
  const b = new WebSocketAudioBridge();
  setAudioBridge(b);
  (window as unknown as { __softphoneAudioTap?: () => unknown }).__softphoneAudioTap = () => b.tapped();
  return b;
}
