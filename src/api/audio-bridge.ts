/**
 * The browser as the handset: the WebSocket `/api/audio?token=…&call=<id>` carries a call's
 * audio between the page and the engine (same guard as /api/events: Host, Origin, token).
 *
 * Protocol (docs in api/README.md):
 *   page → engine  text   {"type":"hello","sampleRate":48000}  first; the page's AudioContext
 *                         rate (8000–192000 Hz, 20 ms a whole number of samples); 48000 when
 *                         the first message is binary instead
 *                  binary s16le mono samples at that rate, normally 20 ms a message: the
 *                         microphone. They become the call's AudioSource (phone/call-audio-hub.ts:
 *                         resampled to the call's rate, a small ring buffer, silence on underrun)
 *   engine → page  text   {"type":"attached","call":id,"sampleRate":r}   after the hello
 *                  text   {"type":"started","callSampleRate":8000}       the call's audio began
 *                  text   {"type":"stats",...AttachmentStats,"sentFrames","droppedFrames"} every second
 *                  binary s16le mono, 20 ms at the page's rate: what the call hears
 *                  close  1000 "call ended" · 4000 "replaced" (another page took the call)
 *                         · 4400 bad hello
 * A call that does not exist (or has ended) is refused at the upgrade with 404.
 *
 * `?loopback=1` (no call) sends every binary message straight back: the transport's own
 * latency, for measurements (docs/decisions.md).
 */
import type { WebSocket } from 'ws';
import type { PhoneEngine } from '../phone/engine.js';
import type { AttachmentStats } from '../phone/call-audio-hub.js';
import { refusal } from './errors.js';

export const DEFAULT_PAGE_RATE = 48000;
/** Above this much unsent audio (about 200 ms at 48 kHz), frames to a slow page are dropped. */
const MAX_BUFFERED_BYTES = 48000 * 2 * 0.2;
const STATS_INTERVAL_MS = 1000;

export interface AudioBridgeRequest {
  callId: string | undefined;
  loopback: boolean;
}

export function audioRequestOf(url: URL): AudioBridgeRequest {
  return { callId: url.searchParams.get('call') ?? undefined, loopback: url.searchParams.get('loopback') === '1' };
}

/** undefined: accept the upgrade; else the refusal to send. */
export function checkAudioRequest(engine: PhoneEngine, req: AudioBridgeRequest): ReturnType<typeof refusal> | undefined {
  if (req.loopback) return undefined;
  if (!req.callId) return refusal(404, 'not-found', 'which call? /api/audio?call=<id>');
  if (!engine.listCalls().some((c) => c.id === req.callId && c.state !== 'ended')) return refusal(404, 'not-found', `no call ${req.callId}`);
  return undefined;
}

function validRate(r: unknown): r is number {
  return typeof r === 'number' && Number.isInteger(r) && r >= 8000 && r <= 192000 && (r * 20) % 1000 === 0;
}

/** The samples of a binary message (a copy when the bytes are not 2-aligned). */
function samplesOf(data: Buffer): Int16Array {
  const n = data.length >> 1;
  if (data.byteOffset % 2 === 0) return new Int16Array(data.buffer, data.byteOffset, n);
  const copy = new Int16Array(n);
  new Uint8Array(copy.buffer).set(data.subarray(0, n * 2));
  return copy;
}

function asBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Serve one accepted /api/audio socket. */
export function serveAudioSocket(ws: WebSocket, engine: PhoneEngine, req: AudioBridgeRequest): void {
  if (req.loopback) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) ws.send(asBuffer(data), { binary: true });
    });
    return;
  }
  const callId = req.callId!;
  let attachment: ReturnType<PhoneEngine['audioHub']['attach']> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let sentFrames = 0;
  let droppedFrames = 0;
  const sendJson = (o: object) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(o));
  };

  const attach = (sampleRate: number) => {
    if (!engine.listCalls().some((c) => c.id === callId && c.state !== 'ended')) {
      ws.close(1000, 'call ended');
      return;
    }
    attachment = engine.audioHub.attach(callId, {
      sampleRate,
      play(frame) {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          droppedFrames++;
          return;
        }
        ws.send(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength), { binary: true });
        sentFrames++;
      },
      started(format) {
        sendJson({ type: 'started', callSampleRate: format.sampleRate });
      },
      detached(why) {
        if (ws.readyState === ws.OPEN) ws.close(why === 'ended' ? 1000 : 4000, why === 'ended' ? 'call ended' : 'replaced');
      },
    });
    sendJson({ type: 'attached', call: callId, sampleRate });
    timer = setInterval(() => {
      const s: AttachmentStats | undefined = attachment?.stats();
      if (s) sendJson({ type: 'stats', ...s, sentFrames, droppedFrames });
    }, STATS_INTERVAL_MS);
    timer.unref?.();
  };

  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      if (attachment || ws.readyState !== ws.OPEN) return;
      let hello: { type?: unknown; sampleRate?: unknown };
      try {
        hello = JSON.parse(String(data)) as typeof hello;
      } catch {
        hello = {};
      }
      if (hello.type !== 'hello' || (hello.sampleRate !== undefined && !validRate(hello.sampleRate))) {
        ws.close(4400, 'expected {"type":"hello","sampleRate":<8000–192000>}');
        return;
      }
      attach((hello.sampleRate as number | undefined) ?? DEFAULT_PAGE_RATE);
      return;
    }
    if (!attachment) attach(DEFAULT_PAGE_RATE);
    const buf = asBuffer(data);
    if (buf.length >= 2) attachment?.push(samplesOf(buf));
  });
  const done = () => {
    clearInterval(timer);
    attachment?.detach();
    attachment = undefined;
  };
  ws.on('close', done);
  ws.on('error', done);
}
