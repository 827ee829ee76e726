/**
 * One audio RTP stream, sans-IO (RFC 3550, 3551, 4733, 4961): packets in and out, frames in
 * and out, time passed in. No sockets and no timers: the caller feeds arriving datagrams to
 * `receiveRtp` / `receiveRtcp`, calls `tick(nowMs)` from one shared clock, and sends what the
 * stream hands to its `RtpStreamIo`. `MediaStream` (media-stream.ts) does that wiring; tests
 * drive this class on a virtual clock.
 *
 * ```
 *  AudioSource ─read─▶ encode ─▶ RTP ─▶ io.sendRtp                (each frame period)
 *                          ▲ telephone-event packets replace audio while a digit is sent
 *  io ─▶ receiveRtp ─▶ parse ─▶ PT filter ─▶ A.1/A.3/A.8 stats ─▶ jitter buffer
 *  jitter buffer ─get─▶ decode | conceal ─▶ AudioSink.write       (each frame period)
 *  RTCP: SR/RR + SDES every ~5 s (rtcp-session.ts), BYE on stop
 * ```
 *
 * State: `idle ──start()──▶ running ──stop()──▶ closed`.
 *
 * The hot path (about 100k packets/s for 1000 calls) allocates nothing of its own per packet:
 * a parsed-packet object is refilled (`parseRtpInto`), jitter-buffer entries come from a pool,
 * outgoing packets are written into a small ring of preallocated buffers, and frames are
 * reused. The ring means a buffer handed to `io.sendRtp` is rewritten SEND_RING packets later:
 * the io must send (or copy) it before then.
 */
import type { Logger } from '../platform/logger.js';
import { silentLogger } from '../platform/logger.js';
import type { AudioSink, AudioSource } from './audio-frame.js';
import type { MediaStreamStats, RemoteReceptionReport } from './call-stats.js';
import type { AudioDecoder, AudioEncoder } from './codec-registry.js';
import { Concealer } from './concealment.js';
import type { ConcealmentMode } from './concealment.js';
import { Emitter } from '../platform/emitter.js';
import { FixedJitterBuffer } from './jitter-buffer.js';
import type { JitterBuffer, JitterPacket } from './jitter-buffer.js';
import { MediaError } from './result.js';
import { RtcpSession } from './rtcp-session.js';
import { createRtpPacket, isRtcpPacket, parseRtpInto, writeRtpHeader } from './rtp-packet.js';
import type { RtpHeader } from './rtp-packet.js';
import { RtpReceiverStats } from './rtp-stats.js';
import type { MediaDirection, RtpAddress, RtpStreamConfig } from './stream-config.js';
import { TelephoneEventReceiver, TelephoneEventSender } from './telephone-event.js';

/** Where the stream's packets go. `bytes` is only valid during the call (see SEND_RING). */
export interface RtpStreamIo {
  sendRtp(bytes: Uint8Array, address: string, port: number): void;
  sendRtcp(bytes: Uint8Array, address: string, port: number): void;
  /** Buffers for outgoing packets (Node passes Buffers so sending needs no wrapping). */
  allocateBuffer?(size: number): Uint8Array;
}

/** An arrived payload as the jitter buffer holds it: the view into the datagram and its PT. */
export interface ReceivedPayload {
  payloadType: number;
  data: Uint8Array;
}

export interface RtpStreamOptions {
  config: RtpStreamConfig;
  io: RtpStreamIo;
  /** What we send; nothing but silence without one. Its format must be `streamAudioFormat(config)`. */
  source?: AudioSource | undefined;
  /** Where what we hear goes; decoding is skipped without one. */
  sink?: AudioSink | undefined;
  logger?: Logger;
  /** The jitter buffer seam (default: FixedJitterBuffer with `jitterDelayMs`). */
  jitterBuffer?: JitterBuffer<ReceivedPayload>;
  /** Playout delay of the default fixed jitter buffer, ms. Default 60. */
  jitterDelayMs?: number;
  concealment?: ConcealmentMode;
  /** RTCP report interval Td, ms. Default 5000 (RFC 3550 §6.2 minimum). */
  rtcpIntervalMs?: number;
  /** SDES CNAME; default a random per-stream name (RFC 7022 §4.1 style). */
  cname?: string;
  /** [0, 1) randomness for SSRC, initial sequence and timestamp, RTCP timing. Default crypto. */
  random?: () => number;
  /** Wall-clock Unix ms at `start()`, for NTP timestamps. Default Date.now(). */
  wallClockMs?: () => number;
  /**
   * Symmetric RTP (RFC 4961): after the first packet latched the peer's address, a new source
   * address is adopted once this many consecutive valid packets came from it. Default 3.
   */
  relatchPackets?: number;
}

export type RtpStreamState = 'idle' | 'running' | 'closed';

export interface DtmfEvent {
  digit: string;
  /** RFC 4733 event code. */
  event: number;
  durationMs: number;
  /** False when no end packet arrived and the end was inferred. */
  endSeen: boolean;
}

export type RtpStreamEvents = {
  /** A telephone-event digit ended (each digit once). */
  dtmf: DtmfEvent;
  /** Symmetric RTP moved where we send RTP or RTCP. */
  remoteAddressChanged: { kind: 'rtp' | 'rtcp'; from: RtpAddress; to: RtpAddress };
  /** A new synchronisation source started (the first, or a restarted peer). */
  remoteSsrc: { ssrc: number; previous: number | undefined };
  /** An SR/RR from the peer with a report block about us. */
  report: { remote: RemoteReceptionReport; rttMs: number | undefined };
  /** The peer sent an RTCP BYE. */
  bye: { reason: string | undefined };
};

export type DtmfSendResult = { ok: true } | { ok: false; reason: 'no-telephone-event' | 'not-sending' | 'closed' };

/** Outgoing packets are written into this many rotating buffers. */
export const SEND_RING = 8;
/** A frame is due when the clock is within this of its time (timers fire on whole ms). */
const EARLY_MS = 2;
/** Frames made up in one tick after the clock fell behind; beyond this the stream skips. */
const MAX_CATCHUP_FRAMES = 5;
const RTP_HEADER = 12;
const TE_PAYLOAD = 4;

interface SendSlot {
  buf: Uint8Array;
  payload: Uint8Array;
  view: Uint8Array;
}

let cryptoWord: Uint32Array | undefined;
function cryptoRandom(): number {
  cryptoWord ??= new Uint32Array(1);
  globalThis.crypto.getRandomValues(cryptoWord);
  return cryptoWord[0]! / 0x100000000;
}

export class RtpStream extends Emitter<RtpStreamEvents> {
  readonly samplesPerFrame: number;
  readonly ptime: number;
  readonly ssrc: number;
  private config: RtpStreamConfig;
  private readonly io: RtpStreamIo;
  private readonly source: AudioSource | undefined;
  private readonly sink: AudioSink | undefined;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly wallClockMs: () => number;
  private readonly relatchPackets: number;
  private stateValue: RtpStreamState = 'idle';

  // --- send side
  private encoder: AudioEncoder;
  private tsPerFrame: number;
  private readonly header: RtpHeader;
  private readonly slots: SendSlot[] = [];
  private slotIndex = 0;
  private readonly sendFrame: Int16Array;
  private readonly silentFrame: Int16Array;
  private nextFrameMs = 0;
  /** RTP timestamp of the frame due at nextFrameMs. */
  private frameTs: number;
  private seq: number;
  private markerPending = true;
  private mutedValue = false;
  private teSender: TelephoneEventSender | undefined;
  private teActive = false;
  private packetsSent = 0;
  private bytesSent = 0;
  private sentSinceReport = false;
  private dtmfSent = 0;

  // --- receive side
  private readonly parsed = createRtpPacket();
  private decoders: (AudioDecoder | undefined)[] = [];
  private readonly jitter: JitterBuffer<ReceivedPayload>;
  private readonly pool: JitterPacket<ReceivedPayload>[] = [];
  private readonly concealer: Concealer;
  private readonly playFrame: Int16Array;
  private receiverStats: RtpReceiverStats;
  private teReceiver = new TelephoneEventReceiver();
  private remoteSsrcValue: number | undefined;
  private lostFromEarlierSources = 0;
  private packetsReceived = 0;
  private bytesReceived = 0;
  private packetsDiscarded = 0;
  private playedFrames = 0;
  private concealedFrames = 0;
  private playing = false;
  private fractionLost = 0;
  private dtmfReceived = 0;

  // --- symmetric RTP
  private rtpTarget: RtpAddress;
  private rtcpTarget: RtpAddress;
  private rtpLatched = false;
  private rtcpLatched = false;
  private candidateAddress = '';
  private candidatePort = 0;
  private candidateCount = 0;

  // --- RTCP
  private readonly rtcp: RtcpSession;
  private rtcpSent = 0;
  private rtcpReceived = 0;
  private rttMs: number | undefined;
  private remoteReport: RemoteReceptionReport | undefined;

  constructor(options: RtpStreamOptions) {
    super();
    const config = options.config;
    this.config = config;
    this.io = options.io;
    this.source = options.source;
    this.sink = options.sink;
    this.log = options.logger ?? silentLogger;
    this.random = options.random ?? cryptoRandom;
    this.wallClockMs = options.wallClockMs ?? (() => Date.now());
    this.relatchPackets = Math.max(1, options.relatchPackets ?? 3);
    this.ptime = config.ptime;
    const codec = config.sendCodec;
    this.samplesPerFrame = (codec.sampleRate * config.ptime) / 1000;
    this.tsPerFrame = (codec.clockRate * config.ptime) / 1000;
    if (!Number.isInteger(this.samplesPerFrame) || !Number.isInteger(this.tsPerFrame) || this.samplesPerFrame <= 0) {
      throw new MediaError('stream-bad-ptime', `ptime ${config.ptime} ms is not a whole number of samples of ${codec.name}`);
    }
    for (const [what, dev] of [['source', this.source], ['sink', this.sink]] as const) {
      if (dev && (dev.format.sampleRate !== codec.sampleRate || dev.format.frameMs !== config.ptime)) {
        throw new MediaError('stream-format-mismatch', `the ${what} gives ${dev.format.frameMs} ms frames at ${dev.format.sampleRate} Hz; the stream needs ${config.ptime} ms at ${codec.sampleRate} Hz`);
      }
    }
    this.ssrc = this.randomU32();
    this.seq = this.randomU32() & 0xffff;
    this.frameTs = this.randomU32();
    this.header = { marker: false, payloadType: config.sendPayloadType, sequenceNumber: 0, timestamp: 0, ssrc: this.ssrc, csrcs: [], extension: undefined };
    this.encoder = codec.createEncoder();
    this.sendFrame = new Int16Array(this.samplesPerFrame);
    this.silentFrame = new Int16Array(this.samplesPerFrame);
    this.playFrame = new Int16Array(this.samplesPerFrame);
    const maxPayload = Math.max(TE_PAYLOAD, codec.maxPayloadBytes(this.samplesPerFrame));
    for (let i = 0; i < SEND_RING; i++) {
      const buf = this.io.allocateBuffer?.(RTP_HEADER + maxPayload) ?? new Uint8Array(RTP_HEADER + maxPayload);
      this.slots.push({ buf, payload: buf.subarray(RTP_HEADER), view: buf.subarray(0, 0) });
    }
    this.jitter = options.jitterBuffer ?? new FixedJitterBuffer<ReceivedPayload>({ clockRate: codec.clockRate, frameMs: config.ptime, delayMs: options.jitterDelayMs ?? 60 });
    this.concealer = new Concealer(this.samplesPerFrame, { mode: options.concealment ?? 'fade' });
    this.receiverStats = new RtpReceiverStats({ clockRate: codec.clockRate });
    this.rtpTarget = { ...config.remoteRtp };
    this.rtcpTarget = { ...config.remoteRtcp };
    this.applyReceiveConfig(config);
    this.rtcp = new RtcpSession({
      localSsrc: this.ssrc,
      cname: options.cname ?? `${this.randomU32().toString(16)}${this.randomU32().toString(16)}@softphone`,
      intervalMs: options.rtcpIntervalMs,
      random: this.random,
      sendClockRate: codec.clockRate,
    });
  }

  get state(): RtpStreamState {
    return this.stateValue;
  }
  get direction(): MediaDirection {
    return this.config.direction;
  }
  get muted(): boolean {
    return this.mutedValue;
  }
  get remoteSsrc(): number | undefined {
    return this.remoteSsrcValue;
  }
  /** Where RTP goes now (the SDP address until symmetric RTP latches). */
  get remoteRtpAddress(): RtpAddress {
    return { ...this.rtpTarget };
  }
  get remoteRtcpAddress(): RtpAddress {
    return { ...this.rtcpTarget };
  }
  /** RFC 4733 events can be sent: the peer negotiated telephone-event. */
  get canSendDtmf(): boolean {
    return this.config.telephoneEvent !== undefined;
  }
  /** The RTP sequence number the next packet gets. */
  get nextSequenceNumber(): number {
    return this.seq;
  }
  /** The RTP timestamp of the next frame. */
  get nextTimestamp(): number {
    return this.frameTs;
  }

  /** Begin at `nowMs`: the first frame is due at once, the first RTCP report in ~half an interval. */
  start(nowMs: number): void {
    if (this.stateValue !== 'idle') throw new MediaError('stream-state', `cannot start a stream that is ${this.stateValue}`);
    this.stateValue = 'running';
    this.nextFrameMs = nowMs;
    // NTP time = stream clock + offset, fixed once so report timestamps are monotonic.
    this.rtcp.ntpOffsetMs = this.wallClockMs() - nowMs;
    this.rtcp.start(nowMs);
    this.log.debug('rtp stream started', { ssrc: this.ssrc, codec: this.config.sendCodec.name, pt: this.config.sendPayloadType, ptime: this.ptime, direction: this.config.direction, remote: `${this.rtpTarget.address}:${this.rtpTarget.port}` });
  }

  /**
   * Send an RTP BYE (RFC 3550 §6.6) with a last report, and stop. Idempotent. Nothing is sent
   * for a stream that never started or whose peer address is unusable.
   */
  stop(nowMs: number, reason?: string): void {
    if (this.stateValue === 'closed') return;
    const wasRunning = this.stateValue === 'running';
    this.stateValue = 'closed';
    if (wasRunning) this.sendReport(nowMs, { reason });
    this.log.debug('rtp stream stopped', { ssrc: this.ssrc, sent: this.packetsSent, received: this.packetsReceived });
  }

  setMuted(muted: boolean): void {
    this.mutedValue = muted;
  }

  /**
   * Queue DTMF digits as RFC 4733 telephone-events, each `durationMs` long. Audio is
   * suppressed while they go out. When the peer did not negotiate telephone-event the result
   * says so, and the caller uses SIP INFO instead. Throws MediaError for a non-DTMF character.
   */
  sendDtmf(digits: string, durationMs = 100): DtmfSendResult {
    if (this.stateValue === 'closed') return { ok: false, reason: 'closed' };
    const te = this.config.telephoneEvent;
    if (!te) return { ok: false, reason: 'no-telephone-event' };
    if (!sends(this.config.direction)) return { ok: false, reason: 'not-sending' };
    this.teSender ??= new TelephoneEventSender({ clockRate: te.clockRate, packetMs: this.ptime });
    this.teSender.enqueue(digits, durationMs);
    return { ok: true };
  }

  /**
   * A new negotiation for the same m= line (re-INVITE, hold, resume): direction, peer
   * address, codec and payload types may change; packetisation and sample rate may not.
   */
  update(config: RtpStreamConfig): void {
    const codec = config.sendCodec;
    if (config.ptime !== this.ptime || codec.sampleRate !== this.config.sendCodec.sampleRate || (codec.clockRate * config.ptime) / 1000 !== this.tsPerFrame) {
      throw new MediaError('stream-format-change', 'a re-negotiation changed ptime or sample rate: open a new stream');
    }
    const old = this.config;
    this.config = config;
    if (codec !== old.sendCodec) this.encoder = codec.createEncoder();
    this.header.payloadType = config.sendPayloadType;
    if (sends(config.direction) && !sends(old.direction)) this.markerPending = true;
    if (config.remoteRtp.address !== old.remoteRtp.address || config.remoteRtp.port !== old.remoteRtp.port) {
      this.rtpTarget = { ...config.remoteRtp };
      this.rtpLatched = false;
    }
    if (config.remoteRtcp.address !== old.remoteRtcp.address || config.remoteRtcp.port !== old.remoteRtcp.port) {
      this.rtcpTarget = { ...config.remoteRtcp };
      this.rtcpLatched = false;
    }
    if (!config.telephoneEvent) this.teSender = undefined;
    this.applyReceiveConfig(config);
  }

  private applyReceiveConfig(config: RtpStreamConfig): void {
    const decoders = new Array<AudioDecoder | undefined>(128).fill(undefined);
    for (const rc of config.receiveCodecs) decoders[rc.payloadType & 0x7f] = rc.codec.createDecoder();
    this.decoders = decoders;
  }

  // --- time ------------------------------------------------------------------------------------

  /** Called by the shared clock: do every frame period that is due, and RTCP when due. */
  tick(nowMs: number): void {
    if (this.stateValue !== 'running') return;
    let frames = 0;
    while (nowMs + EARLY_MS >= this.nextFrameMs) {
      if (frames === MAX_CATCHUP_FRAMES) {
        // Far behind (a stalled event loop): skip to now rather than burst. The timestamps
        // still advance with time, and the next packet starts a new talk spurt.
        const skip = Math.floor((nowMs + EARLY_MS - this.nextFrameMs) / this.ptime) + 1;
        this.nextFrameMs += skip * this.ptime;
        this.frameTs = (this.frameTs + skip * this.tsPerFrame) >>> 0;
        this.markerPending = true;
        break;
      }
      this.doFrame(this.nextFrameMs);
      this.nextFrameMs += this.ptime;
      this.frameTs = (this.frameTs + this.tsPerFrame) >>> 0;
      frames++;
    }
    const notices = this.teReceiver.poll(nowMs);
    if (notices.length) this.onTelephoneNotices(notices);
    if (nowMs >= this.rtcp.nextReportMs) this.sendReport(nowMs);
  }

  private doFrame(frameMs: number): void {
    const dir = this.config.direction;
    this.sendOneFrame(sends(dir));
    if (receives(dir)) this.playOneFrame(frameMs);
  }

  private sendOneFrame(allowed: boolean): void {
    // The source moves on in real time whether or not we send (a file keeps playing on hold).
    const frame = this.sendFrame;
    if (this.source) this.source.read(frame);
    if (!allowed || !this.usable(this.rtpTarget)) {
      if (this.teSender && !allowed) this.teSender = undefined;
      this.markerPending = true;
      return;
    }
    const te = this.teSender;
    if (te && (te.busy || te.state !== 'idle')) {
      const p = te.tick(this.frameTs);
      if (p) {
        const slot = this.nextSlot();
        slot.payload.set(p.payload);
        this.writeAndSend(slot, this.config.telephoneEvent!.payloadType, p.marker, p.timestamp, TE_PAYLOAD);
        if (p.marker) this.dtmfSent++;
        this.teActive = true;
        return;
      }
      if (te.busy) return; // between digits of a queued sequence: no audio
    }
    if (this.teActive) {
      // RFC 4733 §2.5.1.5 lets audio resume after the event; a new talk spurt: marker bit.
      this.teActive = false;
      this.markerPending = true;
    }
    const slot = this.nextSlot();
    const len = this.encoder.encode(this.mutedValue || !this.source ? this.silentFrame : frame, slot.payload);
    this.writeAndSend(slot, this.config.sendPayloadType, this.markerPending, this.frameTs, len);
    this.markerPending = false;
  }

  private nextSlot(): SendSlot {
    const slot = this.slots[this.slotIndex]!;
    this.slotIndex = (this.slotIndex + 1) % SEND_RING;
    return slot;
  }

  private writeAndSend(slot: SendSlot, payloadType: number, marker: boolean, timestamp: number, payloadLength: number): void {
    const h = this.header;
    h.payloadType = payloadType;
    h.marker = marker;
    h.sequenceNumber = this.seq;
    h.timestamp = timestamp;
    writeRtpHeader(slot.buf, 0, h);
    const total = RTP_HEADER + payloadLength;
    if (slot.view.length !== total) slot.view = slot.buf.subarray(0, total);
    this.seq = (this.seq + 1) & 0xffff;
    this.packetsSent++;
    this.bytesSent += payloadLength;
    this.sentSinceReport = true;
    this.io.sendRtp(slot.view, this.rtpTarget.address, this.rtpTarget.port);
  }

  private playOneFrame(frameMs: number): void {
    const out = this.jitter.get(frameMs);
    const sink = this.sink;
    const frame = this.playFrame;
    if (out.kind === 'frame') {
      const packet = out.packet;
      const decoder = this.decoders[packet.payload.payloadType];
      let decoded = false;
      if (sink && decoder) {
        const n = decoder.decode(packet.payload.data, frame);
        if (n < frame.length) frame.fill(0, n);
        this.concealer.good(frame);
        decoded = true;
      }
      this.release(packet);
      this.playedFrames++;
      this.playing = true;
      if (!sink) return;
      if (!decoded) this.concealer.conceal(frame); // its codec was renegotiated away
      sink.write(frame, frameMs);
      return;
    }
    if (this.playing) this.concealedFrames++;
    if (sink) {
      this.concealer.conceal(frame);
      sink.write(frame, frameMs);
    }
  }

  // --- receive ---------------------------------------------------------------------------------

  /**
   * A datagram arrived on the RTP port from `address:port` at `nowMs`. With rtcp-mux, RTCP
   * arrives here too and is told apart by its packet type (RFC 5761 §4).
   */
  receiveRtp(bytes: Uint8Array, address: string, port: number, nowMs: number): void {
    if (this.stateValue === 'closed') return;
    if (isRtcpPacket(bytes)) {
      this.receiveRtcp(bytes, address, port, nowMs);
      return;
    }
    const p = this.parsed;
    if (parseRtpInto(bytes, p) !== null) {
      this.packetsDiscarded++;
      return;
    }
    const pt = p.payloadType;
    const cfg = this.config;
    const te = cfg.telephoneEvent;
    const isTe = te !== undefined && pt === te.receivePayloadType;
    const isCn = pt === cfg.comfortNoisePayloadType;
    const decoder = this.decoders[pt];
    if (!decoder && !isTe && !isCn) {
      this.packetsDiscarded++;
      return;
    }
    if (p.ssrc !== this.remoteSsrcValue) this.newSource(p.ssrc);
    this.latchRtp(address, port);
    this.packetsReceived++;
    this.bytesReceived += p.payload.length;
    const verdict = this.receiverStats.update(p.sequenceNumber, p.timestamp, nowMs);
    if (verdict === 'bad-sequence') return;
    if (isTe) {
      const notices = this.teReceiver.receive(p.payload, p.timestamp, nowMs);
      if (notices.length) this.onTelephoneNotices(notices);
      return;
    }
    // Comfort noise is played as silence: the jitter buffer sees the gap and conceals it.
    // Packets on A.1 probation are not counted in the statistics but are played: the first
    // packet of a call is audio like any other.
    if (isCn || !receives(cfg.direction)) return;
    const jp = this.pool.pop() ?? { sequenceNumber: 0, timestamp: 0, marker: false, payload: { payloadType: 0, data: p.payload } };
    jp.sequenceNumber = p.sequenceNumber;
    jp.timestamp = p.timestamp;
    jp.marker = p.marker;
    jp.payload.payloadType = pt;
    jp.payload.data = p.payload;
    // The buffer keeps the entry unless it counts it late or duplicate; then it goes back to the pool.
    let st = this.jitter.stats;
    const droppedBefore = st.late + st.duplicate;
    this.jitter.put(jp, nowMs);
    st = this.jitter.stats;
    if (st.late + st.duplicate !== droppedBefore) this.release(jp);
  }

  /** A datagram arrived on the RTCP port (or was demultiplexed from the RTP port). */
  receiveRtcp(bytes: Uint8Array, address: string, port: number, nowMs: number): void {
    if (this.stateValue === 'closed') return;
    const r = this.rtcp.receive(bytes, nowMs);
    if (r.invalid) {
      this.packetsDiscarded++;
      return;
    }
    this.rtcpReceived++;
    if (!this.config.rtcpMux) this.latchRtcp(address, port);
    if (r.senderReport && r.senderReport.ssrc === this.remoteSsrcValue) this.receiverStats.onSenderReport(r.senderReport.ntpMiddle, nowMs);
    if (r.report) {
      this.remoteReport = r.report.remote;
      if (r.report.rttMs !== undefined) this.rttMs = r.report.rttMs;
      this.emit('report', { remote: r.report.remote, rttMs: r.report.rttMs });
    }
    if (r.bye && this.remoteSsrcValue !== undefined && r.bye.ssrcs.includes(this.remoteSsrcValue)) {
      this.log.info('rtcp bye from peer', { ssrc: this.remoteSsrcValue, reason: r.bye.reason });
      this.emit('bye', { reason: r.bye.reason });
    }
  }

  private release(jp: JitterPacket<ReceivedPayload>): void {
    jp.payload.data = EMPTY_BYTES; // do not keep the datagram alive
    if (this.pool.length < 256) this.pool.push(jp);
  }

  private newSource(ssrc: number): void {
    const previous = this.remoteSsrcValue;
    if (previous !== undefined) {
      // A new SSRC (the peer restarted, or a B2BUA switched legs): fresh A.1 state, an empty
      // jitter buffer, and the loss counted so far is kept.
      this.lostFromEarlierSources += Math.max(0, this.receiverStats.cumulativeLost);
      this.receiverStats = new RtpReceiverStats({ clockRate: this.config.sendCodec.clockRate });
      this.jitter.reset();
      this.teReceiver = new TelephoneEventReceiver();
      this.log.info('rtp: new remote ssrc', { previous, ssrc });
    }
    this.remoteSsrcValue = ssrc;
    this.emit('remoteSsrc', { ssrc, previous });
  }

  /**
   * RFC 4961 symmetric RTP: "send to the same IP address and port from which packets are
   * received". The first valid packet latches at once (the SDP address is often wrong behind
   * NAT); later moves need `relatchPackets` packets in a row from the new address, so a stray
   * packet cannot steal the stream.
   */
  private latchRtp(address: string, port: number): void {
    const t = this.rtpTarget;
    if (t.port === port && t.address === address) {
      this.rtpLatched = true;
      this.candidateCount = 0;
      return;
    }
    if (this.rtpLatched) {
      if (this.candidatePort === port && this.candidateAddress === address) this.candidateCount++;
      else {
        this.candidateAddress = address;
        this.candidatePort = port;
        this.candidateCount = 1;
      }
      if (this.candidateCount < this.relatchPackets) return;
    }
    const from = { ...t };
    this.rtpTarget = { address, port };
    this.rtpLatched = true;
    this.candidateCount = 0;
    this.log.info('rtp: symmetric RTP latched to the source address', { from: `${from.address}:${from.port}`, to: `${address}:${port}` });
    this.emit('remoteAddressChanged', { kind: 'rtp', from, to: { address, port } });
  }

  private latchRtcp(address: string, port: number): void {
    const t = this.rtcpTarget;
    if (t.port === port && t.address === address) {
      this.rtcpLatched = true;
      return;
    }
    if (this.rtcpLatched) return; // RTCP is rare: keep the first latched address
    const from = { ...t };
    this.rtcpTarget = { address, port };
    this.rtcpLatched = true;
    this.log.info('rtcp: symmetric RTCP latched to the source address', { from: `${from.address}:${from.port}`, to: `${address}:${port}` });
    this.emit('remoteAddressChanged', { kind: 'rtcp', from, to: { address, port } });
  }

  private onTelephoneNotices(notices: ReturnType<TelephoneEventReceiver['receive']>): void {
    for (const n of notices) {
      if (n.type !== 'end' || n.digit === undefined) continue;
      this.dtmfReceived++;
      this.emit('dtmf', { digit: n.digit, event: n.event, durationMs: n.durationMs, endSeen: n.endSeen });
    }
  }

  // --- RTCP ------------------------------------------------------------------------------------

  private sendReport(nowMs: number, bye?: { reason?: string | undefined }): void {
    this.rtcp.reported(nowMs);
    const target = this.config.rtcpMux ? this.rtpTarget : this.rtcpTarget;
    if (!this.usable(target)) return;
    const stats = this.receiverStats;
    let block;
    if (this.remoteSsrcValue !== undefined && stats.valid) {
      block = stats.reportBlock(this.remoteSsrcValue, nowMs);
      this.fractionLost = block.fractionLost / 256;
    }
    // The RTP timestamp of now (§6.4.1: "the same time as the NTP timestamp"): the frame due
    // at nextFrameMs has timestamp frameTs.
    const rtpTimestamp = (this.frameTs - Math.round(((this.nextFrameMs - nowMs) * this.config.sendCodec.clockRate) / 1000)) >>> 0;
    const bytes = this.rtcp.build(nowMs, { sentSinceLastReport: this.sentSinceReport, packetCount: this.packetsSent, octetCount: this.bytesSent, rtpTimestamp }, block, bye);
    this.sentSinceReport = false;
    this.rtcpSent++;
    if (this.config.rtcpMux) this.io.sendRtp(bytes, target.address, target.port);
    else this.io.sendRtcp(bytes, target.address, target.port);
  }

  // --- statistics ------------------------------------------------------------------------------

  stats(): MediaStreamStats {
    const jb = this.jitter.stats;
    const cfg = this.config;
    return {
      codec: cfg.sendCodec.name,
      payloadType: cfg.sendPayloadType,
      clockRate: cfg.sendCodec.clockRate,
      ptimeMs: this.ptime,
      direction: cfg.direction,
      muted: this.mutedValue,
      localSsrc: this.ssrc,
      remoteSsrc: this.remoteSsrcValue,
      remoteRtp: { ...this.rtpTarget },
      packetsSent: this.packetsSent,
      bytesSent: this.bytesSent,
      packetsReceived: this.packetsReceived,
      bytesReceived: this.bytesReceived,
      packetsLost: this.lostFromEarlierSources + this.receiverStats.cumulativeLost,
      fractionLost: this.fractionLost,
      packetsLate: jb.late,
      packetsDuplicate: jb.duplicate,
      concealedFrames: this.concealedFrames,
      playedFrames: this.playedFrames,
      packetsDiscarded: this.packetsDiscarded,
      jitterMs: this.receiverStats.jitterMs,
      rttMs: this.rttMs,
      remote: this.remoteReport && { ...this.remoteReport },
      rtcpSent: this.rtcpSent,
      rtcpReceived: this.rtcpReceived,
      dtmfSent: this.dtmfSent,
      dtmfReceived: this.dtmfReceived,
    };
  }

  // --- helpers ---------------------------------------------------------------------------------

  private usable(a: RtpAddress): boolean {
    // RFC 3264 §8.4: c=0.0.0.0 means "neither RTP nor RTCP should be sent to the peer".
    return a.port > 0 && a.address !== '' && a.address !== '0.0.0.0' && a.address !== '::';
  }

  private randomU32(): number {
    return Math.floor(this.random() * 0x100000000) >>> 0;
  }
}

const EMPTY_BYTES = new Uint8Array(0);

function sends(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}
function receives(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}
