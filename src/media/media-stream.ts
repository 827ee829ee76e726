/**
 * A `MediaStream` is one negotiated audio m= line at work: the sans-IO `RtpStream` wired to a
 * transport (the RTP/RTCP sockets) and to the one shared media clock. This file stays
 * isomorphic: the seams below are implemented for Node in `platform/node/rtp-socket.ts` and
 * `platform/node/media-clock.ts`, and could be for a worker thread or a browser later.
 *
 * ```ts
 * const socket = await RtpSocket.open({ address: '127.0.0.1', portRange });  // ports for our SDP
 * // ... offer/answer → NegotiatedMedia `nm`
 * const format = streamAudioFormat(streamConfigFromNegotiated(nm));
 * const stream = MediaStream.fromNegotiated(nm, {
 *   transport: socket, clock: sharedMediaClock(),
 *   source: new ToneSource(format, { frequency: 440 }), sink: new WavRecorder(format),
 * });
 * stream.on('dtmf', (d) => console.log(d.digit));
 * stream.start();
 * stream.sendDtmf('123#');
 * stream.stats();
 * await stream.close();              // RTCP BYE, off the clock, socket closed and ports freed
 * ```
 */
import type { NegotiatedMedia } from '../sdp/index.js';
import type { Logger } from '../platform/logger.js';
import type { MediaStreamStats } from './call-stats.js';
import type { CodecRegistry } from './codec-registry.js';
import type { Listener } from '../platform/emitter.js';
import { RtpStream } from './rtp-stream.js';
import type { DtmfSendResult, RtpStreamEvents, RtpStreamOptions, RtpStreamState } from './rtp-stream.js';
import { streamConfigFromNegotiated } from './stream-config.js';
import type { RtpStreamConfig } from './stream-config.js';

/** Receives datagrams; `address`/`port` are where the datagram came from. */
export type DatagramHandler = (bytes: Uint8Array, address: string, port: number) => void;

/** The sockets of one stream: an RTP port and an RTCP port (the same one with rtcp-mux). */
export interface RtpTransport {
  readonly localAddress: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  sendRtp(bytes: Uint8Array, address: string, port: number): void;
  sendRtcp(bytes: Uint8Array, address: string, port: number): void;
  /** Set by the stream: datagrams on the RTP port (RTCP among them under rtcp-mux). */
  onRtp: DatagramHandler | undefined;
  /** Set by the stream: datagrams on the RTCP port. */
  onRtcp: DatagramHandler | undefined;
  allocateBuffer?(size: number): Uint8Array;
  close(): Promise<void>;
}

/** Something the media clock drives. */
export interface Tickable {
  tick(nowMs: number): void;
}

/** One clock for every stream of a process (or worker): `now()` and a periodic `tick`. */
export interface MediaTicker {
  now(): number;
  add(t: Tickable): void;
  remove(t: Tickable): void;
}

export interface MediaStreamOptions extends Omit<RtpStreamOptions, 'config' | 'io'> {
  transport: RtpTransport;
  clock: MediaTicker;
  /** Close the transport (and free its ports) on close(). Default true. */
  closeTransport?: boolean;
  logger?: Logger;
}

export interface FromNegotiatedOptions extends MediaStreamOptions {
  /** Codecs to look the negotiated ones up in; default PCMU and PCMA. */
  codecs?: CodecRegistry;
}

export class MediaStream {
  /** The sans-IO core (for statistics and tests). */
  readonly rtp: RtpStream;
  private readonly transport: RtpTransport;
  private readonly clock: MediaTicker;
  private readonly closeTransport: boolean;
  private closing: Promise<void> | undefined;

  constructor(config: RtpStreamConfig, options: MediaStreamOptions) {
    this.transport = options.transport;
    this.clock = options.clock;
    this.closeTransport = options.closeTransport ?? true;
    const transport = this.transport;
    // The transport is the stream's io: its send methods have the same shape.
    this.rtp = new RtpStream({ ...options, config, io: transport });
    const rtp = this.rtp;
    const clock = this.clock;
    transport.onRtp = (bytes, address, port) => rtp.receiveRtp(bytes, address, port, clock.now());
    transport.onRtcp = (bytes, address, port) => rtp.receiveRtcp(bytes, address, port, clock.now());
  }

  /** A stream for one line of a completed offer/answer. */
  static fromNegotiated(media: NegotiatedMedia, options: FromNegotiatedOptions): MediaStream {
    return new MediaStream(streamConfigFromNegotiated(media, options.codecs), options);
  }

  get state(): RtpStreamState {
    return this.rtp.state;
  }
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Start sending and playing on the shared clock. */
  start(): void {
    this.rtp.start(this.clock.now());
    this.clock.add(this.rtp);
  }

  sendDtmf(digits: string, durationMs = 100): DtmfSendResult {
    return this.rtp.sendDtmf(digits, durationMs);
  }

  get canSendDtmf(): boolean {
    return this.rtp.canSendDtmf;
  }

  setMuted(muted: boolean): void {
    this.rtp.setMuted(muted);
  }

  /** Apply a re-negotiation of the same m= line (hold, resume, new peer address or codec). */
  update(media: NegotiatedMedia | RtpStreamConfig, codecs?: CodecRegistry): void {
    this.rtp.update('index' in media ? streamConfigFromNegotiated(media, codecs) : media);
  }

  stats(): MediaStreamStats {
    return this.rtp.stats();
  }

  on<K extends keyof RtpStreamEvents>(name: K, fn: Listener<RtpStreamEvents[K]>): () => void {
    return this.rtp.on(name, fn);
  }

  /** Send RTCP BYE, leave the clock, close the transport. Idempotent. */
  close(reason?: string): Promise<void> {
    if (this.closing) return this.closing;
    this.clock.remove(this.rtp);
    this.rtp.stop(this.clock.now(), reason);
    this.transport.onRtp = undefined;
    this.transport.onRtcp = undefined;
    this.closing = this.closeTransport ? this.transport.close() : Promise.resolve();
    return this.closing;
  }
}
