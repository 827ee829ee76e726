/**
 * The streams of a media worker pool that run in the main thread after all (media-workers.ts):
 * a call whose audio source or sink cannot cross to a worker. The worker gives its ports up
 * and a `MediaStream` here binds the same ones (they are in the SDP already). Also the pieces
 * both kinds of stream handle share: their events and the statistics of a stream that has not
 * reported yet.
 */
import type { AudioSink, AudioSource } from '../../media/audio-frame.js';
import type { MediaStreamStats } from '../../media/call-stats.js';
import type { CodecRegistry } from '../../media/codec-registry.js';
import { Emitter } from '../emitter.js';
import { MediaStream } from '../../media/media-stream.js';
import type { MediaTicker, RtpTransport } from '../../media/media-stream.js';
import type { DtmfSendResult } from '../../media/rtp-stream.js';
import { streamConfigFromNegotiated } from '../../media/stream-config.js';
import type { RtpStreamConfig } from '../../media/stream-config.js';
import type { CallMediaStream } from '../../phone/call.js';
import type { NegotiatedMedia } from '../../sdp/index.js';
import { PortRange } from './port-range.js';
import { RtpSocket } from './rtp-socket.js';

/** What a stream proxy reports: digits heard, and the end of its worker (or of its start). */
export type MediaStreamEvents = {
  dtmf: { digit: string; durationMs: number };
  failed: { reason: string };
};

export class StreamEmitter extends Emitter<MediaStreamEvents> {
  send<K extends keyof MediaStreamEvents>(name: K, event: MediaStreamEvents[K]): void {
    this.emit(name, event);
  }
}

/** The statistics of a stream that has not reported yet. */
export function zeroStats(c: RtpStreamConfig): MediaStreamStats {
  return {
    codec: c.sendCodec.name, payloadType: c.sendPayloadType, clockRate: c.sendCodec.clockRate, ptimeMs: c.ptime, direction: c.direction, muted: false,
    localSsrc: 0, remoteSsrc: undefined, remoteRtp: { ...c.remoteRtp },
    packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0, packetsLost: 0, fractionLost: 0, packetsLate: 0, packetsDuplicate: 0,
    concealedFrames: 0, playedFrames: 0, packetsDiscarded: 0, jitterMs: 0, rttMs: undefined, remote: undefined,
    rtcpSent: 0, rtcpReceived: 0, dtmfSent: 0, dtmfReceived: 0,
  };
}

/**
 * The fallback for audio that cannot cross: the worker gives the ports up, and a MediaStream
 * in this thread binds the same ports (they are in the SDP already) and runs the call.
 * Commands given before the sockets are bound are replayed in order.
 */
export class MainThreadStream implements CallMediaStream {
  private stream: MediaStream | undefined;
  private readonly queued: ((s: MediaStream) => void)[] = [];
  private readonly events = new StreamEmitter();
  private config: RtpStreamConfig;
  private closing: Promise<void> | undefined;
  private readonly ready: Promise<void>;

  constructor(
    media: NegotiatedMedia,
    transport: RtpTransport,
    o: { clock: MediaTicker; codecs: CodecRegistry; source?: AudioSource; sink?: AudioSink; events?: { failed(reason: string): void }; bindAddress: string },
  ) {
    this.config = streamConfigFromNegotiated(media, o.codecs);
    if (o.events) this.events.on('failed', (e) => o.events!.failed(e.reason));
    const port = transport.rtpPort;
    this.ready = transport
      .close()
      .then(() => RtpSocket.open({ address: o.bindAddress, portRange: new PortRange({ min: port, max: port + 1 }), bindAttempts: 1 }))
      .then(
        (socket) => {
          if (this.closing) return void socket.close();
          const s = MediaStream.fromNegotiated(media, { transport: socket, clock: o.clock, codecs: o.codecs, source: o.source, sink: o.sink });
          s.on('dtmf', (d) => this.events.send('dtmf', { digit: d.digit, durationMs: d.durationMs }));
          this.stream = s;
          for (const f of this.queued.splice(0)) f(s);
        },
        (err: Error) => this.events.send('failed', { reason: `cannot move the call's media to the main thread: ${err.message}` }),
      );
  }

  private run(f: (s: MediaStream) => void): void {
    if (this.stream) f(this.stream);
    else this.queued.push(f);
  }

  start(): void {
    this.run((s) => s.start());
  }
  update(media: NegotiatedMedia | RtpStreamConfig, codecs?: CodecRegistry): void {
    if ('index' in media) this.config = streamConfigFromNegotiated(media, codecs);
    this.run((s) => s.update(media, codecs));
  }
  sendDtmf(digits: string, durationMs?: number): DtmfSendResult {
    if (this.stream) return this.stream.sendDtmf(digits, durationMs);
    if (!this.config.telephoneEvent) return { ok: false, reason: 'no-telephone-event' };
    this.run((s) => s.sendDtmf(digits, durationMs));
    return { ok: true };
  }
  get canSendDtmf(): boolean {
    return this.config.telephoneEvent !== undefined;
  }
  setMuted(muted: boolean): void {
    this.run((s) => s.setMuted(muted));
  }
  stats(): MediaStreamStats {
    return this.stream?.stats() ?? zeroStats(this.config);
  }
  on<K extends keyof MediaStreamEvents>(name: K, fn: (e: MediaStreamEvents[K]) => void): () => void {
    return this.events.on(name, fn);
  }
  close(reason?: string): Promise<void> {
    this.closing ??= this.ready.then(() => this.stream?.close(reason));
    return this.closing;
  }
}
